//! Roles a user can hold (WP 5, 6). A user may hold several; being an evaluator is not a
//! role but an assignment on each evaluation sheet.

use serde::{Deserialize, Serialize};

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum Role {
    /// システム管理者: everything in the tenant.
    SystemAdmin,
    /// サブシステム管理者 of `organization`: departments, assignments, CSV import.
    OrganizationAdmin,
    /// サブシステム管理者 of `evaluation`: templates, periods, progress, calibration.
    EvaluationAdmin,
    /// サブシステム管理者 of `audit`: operation and access logs.
    AuditAdmin,
    /// 業務管理者: evaluation work for a scope of department subtrees.
    BusinessAdmin,
}

impl Role {
    pub const ALL: [Role; 5] = [
        Role::SystemAdmin,
        Role::OrganizationAdmin,
        Role::EvaluationAdmin,
        Role::AuditAdmin,
        Role::BusinessAdmin,
    ];

    /// The name stored in `user_roles.role`.
    pub fn as_str(self) -> &'static str {
        match self {
            Role::SystemAdmin => "system_admin",
            Role::OrganizationAdmin => "organization_admin",
            Role::EvaluationAdmin => "evaluation_admin",
            Role::AuditAdmin => "audit_admin",
            Role::BusinessAdmin => "business_admin",
        }
    }

    pub fn parse(value: &str) -> Option<Role> {
        Role::ALL.into_iter().find(|role| role.as_str() == value)
    }

    /// (Japanese, English) names for the UI.
    pub fn names(self) -> (&'static str, &'static str) {
        match self {
            Role::SystemAdmin => ("システム管理者", "System admin"),
            Role::OrganizationAdmin => ("組織サブシステム管理者", "Organization admin"),
            Role::EvaluationAdmin => ("評価サブシステム管理者", "Evaluation admin"),
            Role::AuditAdmin => ("監査サブシステム管理者", "Audit admin"),
            Role::BusinessAdmin => ("業務管理者", "Business admin"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stored_names_round_trip() {
        for role in Role::ALL {
            assert_eq!(Role::parse(role.as_str()), Some(role));
        }
        assert_eq!(Role::parse("root"), None);
    }
}
