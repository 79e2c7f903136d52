//! Something a person picks from a search instead of typing its code: a department by code
//! or name, an employee by name or number.

use serde::{Deserialize, Serialize};

/// One answer of a picker's search.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(sqlx::FromRow))]
pub struct Choice {
    /// What the form sends: the department or employee code.
    pub value: String,
    /// What people know it by: the name.
    pub label: String,
    /// What tells two alike apart: the parent department, the job title.
    pub detail: String,
}

/// How many answers a picker shows at once; typing more narrows them.
pub const CHOICES_SHOWN: i64 = 12;

/// The one separator of code lists in forms, CSV cells and messages (`D1;D2`). Input may use
/// others (see `codes::split_code_list`); output always uses this.
pub const LIST_SEPARATOR: &str = ";";
