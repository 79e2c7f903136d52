//! Identifiers. Every entity id is a UUIDv7 in its text form: unique across tenants,
//! ordered by creation time, and not guessable from a neighbour's id.

use serde::{Deserialize, Serialize};
use std::fmt;

macro_rules! text_id {
    ($(#[$doc:meta])* $name:ident) => {
        $(#[$doc])*
        #[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
        #[serde(transparent)]
        pub struct $name(String);

        impl $name {
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

#[cfg(all(test, feature = "ssr"))]
mod tests {
    use super::*;

    #[test]
    fn generated_ids_are_unique_and_time_ordered() {
        let a = TenantId::generate();
        let b = TenantId::generate();
        assert_ne!(a, b);
        assert!(a < b, "{a} should sort before {b}");
        assert_eq!(a.as_str().len(), 36);
    }
}
