//! Columns read back as the domain types they were written from. A row struct
//! (`#[derive(sqlx::FromRow)]`, one per query shape, beside its query) names each column's
//! type — `UserId`, `Email`, `AccountStatus`, `CalendarDate`, `Timestamp` — and sqlx decodes
//! it through the impls here (enums with stored names get theirs from `stored_names!`), so
//! no read site converts a column by hand. Every write went
//! through the type's parser, so a stored value that does not read back is a damaged row:
//! refused with the column's name, never guessed at.

use crate::domain::codes::{DepartmentCode, EmployeeCode};
use crate::domain::dates::CalendarDate;
use crate::domain::email::Email;
use crate::domain::ids::{
    AuditId, DepartmentId, MailId, PeriodId, SheetId, TemplateId, TenantId, UserId,
};
use crate::domain::tenant::CompanyCode;
use crate::domain::time::Timestamp;
use crate::i18n::Lang;
use sqlx::any::{AnyTypeInfo, AnyValueRef};
use sqlx::error::BoxDynError;
use sqlx::{Any, Decode, Type};

/// Reads `$type` from a column of `$stored` (`String` or `i64`) with `$read`, a
/// `fn($stored) -> Result<$type, String>`.
macro_rules! read_as {
    ($($type:ty: $stored:ty => $read:expr;)*) => {$(
        impl Type<Any> for $type {
            fn type_info() -> AnyTypeInfo {
                <$stored as Type<Any>>::type_info()
            }

            fn compatible(ty: &AnyTypeInfo) -> bool {
                <$stored as Type<Any>>::compatible(ty)
            }
        }

        impl<'r> Decode<'r, Any> for $type {
            fn decode(value: AnyValueRef<'r>) -> Result<Self, BoxDynError> {
                let stored = <$stored as Decode<'r, Any>>::decode(value)?;
                let read: fn($stored) -> Result<$type, String> = $read;
                Ok(read(stored)?)
            }
        }
    )*};
}

read_as! {
    TenantId: String => |text| Ok(TenantId::from_stored(text));
    UserId: String => |text| Ok(UserId::from_stored(text));
    DepartmentId: String => |text| Ok(DepartmentId::from_stored(text));
    AuditId: String => |text| Ok(AuditId::from_stored(text));
    MailId: String => |text| Ok(MailId::from_stored(text));
    TemplateId: String => |text| Ok(TemplateId::from_stored(text));
    PeriodId: String => |text| Ok(PeriodId::from_stored(text));
    SheetId: String => |text| Ok(SheetId::from_stored(text));
    Email: String => |text| Ok(Email::from_stored(text));
    CompanyCode: String => |text| Ok(CompanyCode::from_stored(text));
    EmployeeCode: String => |text| Ok(EmployeeCode::from_stored(text));
    DepartmentCode: String => |text| Ok(DepartmentCode::from_stored(text));
    Lang: String => |text| Lang::from_tag(&text).ok_or_else(|| format!("{text:?} is not a language we offer"));
    CalendarDate: String => |text| CalendarDate::from_iso(&text).ok_or_else(|| format!("{text:?} is not a date (YYYY-MM-DD)"));
    Timestamp: i64 => |micros| Ok(Timestamp::from_micros(micros));
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::account_status::AccountStatus;
    use sqlx::Row;

    async fn sqlite() -> sqlx::AnyConnection {
        use sqlx::Connection;
        sqlx::any::install_default_drivers();
        sqlx::AnyConnection::connect("sqlite::memory:")
            .await
            .unwrap()
    }

    #[tokio::test]
    async fn columns_read_back_as_their_types_and_damaged_ones_are_refused() {
        let mut db = sqlite().await;
        let row = sqlx::query(
            "SELECT 'a@example.com' AS email, '2024-02-29' AS hire_date, NULL AS left_on, \
             1700000000000000 AS at, 'en' AS language, 'active' AS status",
        )
        .fetch_one(&mut db)
        .await
        .unwrap();
        assert_eq!(row.get::<Email, _>("email").as_str(), "a@example.com");
        assert_eq!(
            row.get::<Option<CalendarDate>, _>("hire_date"),
            CalendarDate::from_iso("2024-02-29")
        );
        assert_eq!(row.get::<Option<CalendarDate>, _>("left_on"), None);
        assert_eq!(
            row.get::<Timestamp, _>("at").as_micros(),
            1_700_000_000_000_000
        );
        assert_eq!(row.get::<Lang, _>("language"), Lang::En);
        assert_eq!(row.get::<AccountStatus, _>("status"), AccountStatus::Active);

        let damaged = sqlx::query("SELECT '2023-02-29' AS hire_date, 'xx' AS language")
            .fetch_one(&mut db)
            .await
            .unwrap();
        let error = damaged.try_get::<CalendarDate, _>("hire_date").unwrap_err();
        assert!(error.to_string().contains("hire_date"), "{error}");
        assert!(error.to_string().contains("not a date"), "{error}");
        assert!(damaged.try_get::<Lang, _>("language").is_err());
        let status = sqlx::query("SELECT 'retired' AS status")
            .fetch_one(&mut db)
            .await
            .unwrap()
            .try_get::<AccountStatus, _>("status")
            .unwrap_err();
        assert!(status.to_string().contains("unknown value"), "{status}");
    }
}
