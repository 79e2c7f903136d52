//! Identifiers. Every entity id is a UUIDv7 in its text form: unique across tenants,
//! ordered by creation time, and not guessable from a neighbour's id.

use serde::{Deserialize, Serialize};
use std::fmt;

/// `xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx` in lower-case hex.
fn is_uuid_text(id: &str) -> bool {
    id.len() == 36
        && id.char_indices().all(|(i, c)| match i {
            8 | 13 | 18 | 23 => c == '-',
            _ => c.is_ascii_digit() || ('a'..='f').contains(&c),
        })
}

macro_rules! text_id {
    ($(#[$doc:meta])* $name:ident) => {
        $(#[$doc])*
        #[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
        #[serde(try_from = "String", into = "String")]
        pub struct $name(String);

        impl TryFrom<String> for $name {
            type Error = String;

            fn try_from(value: String) -> Result<Self, String> {
                Self::parse(&value).ok_or_else(|| format!("not an id: {value:?}"))
            }
        }

        impl From<$name> for String {
            fn from(id: $name) -> String {
                id.0
            }
        }

        impl $name {
            /// An id as a request brings it: a UUID in its text form (any case, blanks
            /// around it dropped), else `None`. Everything from outside comes through here.
            pub fn parse(input: &str) -> Option<Self> {
                let id = input.trim().to_ascii_lowercase();
                is_uuid_text(&id).then_some(Self(id))
            }

            /// An id a request names: a malformed one names nothing, so it is not found,
            /// like an unknown one.
            pub fn from_request(input: &str) -> Result<Self, crate::error::AppError> {
                Self::parse(input).ok_or(crate::error::AppError::NotFound)
            }

            /// Wraps an id read from storage or a trusted source.
            pub fn from_stored(value: String) -> Self {
                Self(value)
            }

            pub fn as_str(&self) -> &str {
                &self.0
            }

            /// A fresh id (server side: it needs a clock and randomness).
            #[cfg(feature = "ssr")]
            pub fn generate() -> Self {
                Self(uuid::Uuid::now_v7().to_string())
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(&self.0)
            }
        }
    };
}

text_id!(
    /// A tenant: one customer company.
    TenantId
);
text_id!(
    /// A user of a tenant.
    UserId
);
text_id!(
    /// A department of a tenant's org chart.
    DepartmentId
);
text_id!(
    /// One row of the audit log.
    AuditId
);
text_id!(
    /// One mail of the outbox.
    MailId
);
text_id!(
    /// An evaluation sheet template.
    TemplateId
);
text_id!(
    /// An evaluation period.
    PeriodId
);
text_id!(
    /// One person's evaluation sheet of a period.
    SheetId
);
text_id!(
    /// One entry of a sheet's history.
    SheetEventId
);
text_id!(
    /// One reminder mail's row: a recipient and an occasion of a sheet.
    ReminderId
);
text_id!(
    /// One goal of a sheet, given when its goals are first approved and kept through
    /// revisions, so that the goals of the people below can point at it (上位目標).
    GoalId
);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_from_outside_come_through_the_parser() {
        let id = "01A23858-DDFC-7221-8894-4257928BB9BD";
        assert_eq!(
            UserId::parse(id).map(|id| id.to_string()).as_deref(),
            Some("01a23858-ddfc-7221-8894-4257928bb9bd")
        );
        for bad in [
            "",
            "hq",
            "01a23858-ddfc-7221-8894-4257928bb9b",
            "01a23858_ddfc-7221-8894-4257928bb9bd",
            "g1a23858-ddfc-7221-8894-4257928bb9bd",
        ] {
            assert_eq!(UserId::parse(bad), None, "{bad}");
        }
        // Deserializing goes through the parser too; serializing writes the text.
        let json = format!("\"{id}\"");
        let parsed: DepartmentId = serde_json::from_str(&json).unwrap();
        assert_eq!(
            serde_json::to_string(&parsed).unwrap(),
            "\"01a23858-ddfc-7221-8894-4257928bb9bd\""
        );
        assert!(serde_json::from_str::<DepartmentId>("\"../etc\"").is_err());
    }

    #[cfg(feature = "ssr")]
    #[test]
    fn generated_ids_are_unique_and_time_ordered() {
        let a = TenantId::generate();
        let b = TenantId::generate();
        assert_ne!(a, b);
        assert!(a < b, "{a} should sort before {b}");
        assert_eq!(a.as_str().len(), 36);
    }
}
