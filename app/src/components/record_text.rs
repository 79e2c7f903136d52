//! Records that a page shows as their text: an address, a code, an id is put into a view
//! as it is (`{employee.email}`), without a `.to_string()` at every place. The domain
//! types know nothing of Leptos; this is where they meet it.

use crate::domain::codes::{DepartmentCode, EmployeeCode};
use crate::domain::email::Email;
use crate::domain::ids::{DepartmentId, TemplateId, UserId};
use crate::domain::tenant::CompanyCode;
use leptos::prelude::IntoRender;

macro_rules! shown_as_text {
    ($($type:ty),* $(,)?) => {$(
        impl IntoRender for $type {
            type Output = String;

            fn into_render(self) -> String {
                self.to_string()
            }
        }
    )*};
}

shown_as_text!(
    Email,
    EmployeeCode,
    DepartmentCode,
    CompanyCode,
    UserId,
    DepartmentId,
    TemplateId,
);
