//! The authorization spine (WP 5, 6): one function decides whether a subject may perform an
//! action on a target. Every server function calls [`authorize`] before anything else, with
//! the subject taken from the session and the target's tenant from storage — never from
//! the request. Deny by default: an action not granted below is refused.

use crate::domain::ids::{TenantId, UserId};
use crate::domain::roles::Role;
use serde::{Deserialize, Serialize};
use std::collections::BTreeSet;

/// The signed-in user on whose behalf a request runs.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Subject {
    pub tenant: TenantId,
    pub user: UserId,
    pub roles: BTreeSet<Role>,
    /// False until the user has chosen their own password (WP 7): then nothing but
    /// choosing it is allowed.
    pub password_set: bool,
}

impl Subject {
    pub fn has(&self, role: Role) -> bool {
        self.roles.contains(&role)
    }

    pub fn is_admin_of_anything(&self) -> bool {
        !self.roles.is_empty()
    }
}

/// Everything a server function can ask permission for.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Action {
    /// Read one's own account (who am I, my sessions).
    ViewOwnAccount,
    /// Name, language; end one of one's own sessions.
    EditOwnAccount,
    /// Change one's own password (knowing the current one).
    ChangeOwnPassword,
    /// The user administration screens.
    ListUsers,
    ViewUser,
    CreateUser,
    EditUser,
    DeactivateUser,
    DeleteUser,
    ResendInvitation,
    SignOutUserEverywhere,
    SetRoles,
}

/// What an action is done to.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Target<'a> {
    /// The tenant as a whole (lists, creation).
    Tenant(&'a TenantId),
    /// One user of a tenant.
    User(&'a TenantId, &'a UserId),
}

impl Target<'_> {
    fn tenant(&self) -> &TenantId {
        match self {
            Target::Tenant(tenant) | Target::User(tenant, _) => tenant,
        }
    }
}

/// Why a request was refused.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Denial {
    /// Nobody is signed in.
    Unauthenticated,
    /// The user must choose their own password first.
    PasswordNotSet,
    /// Signed in, but not allowed (another tenant's object included).
    Forbidden,
}

/// May `subject` do `action` to `target`?
pub fn authorize(
    subject: Option<&Subject>,
    action: Action,
    target: Target<'_>,
) -> Result<(), Denial> {
    let Some(subject) = subject else {
        return Err(Denial::Unauthenticated);
    };
    if !subject.password_set {
        return Err(Denial::PasswordNotSet);
    }
    // Tenant isolation: nothing of another tenant, whatever the role.
    if target.tenant() != &subject.tenant {
        return Err(Denial::Forbidden);
    }
    let own = matches!(target, Target::User(_, user) if user == &subject.user);
    let allowed = match action {
        Action::ViewOwnAccount | Action::EditOwnAccount | Action::ChangeOwnPassword => own,
        // Only system admins manage users and roles (WP 6).
        Action::ListUsers
        | Action::ViewUser
        | Action::CreateUser
        | Action::EditUser
        | Action::DeactivateUser
        | Action::DeleteUser
        | Action::ResendInvitation
        | Action::SignOutUserEverywhere
        | Action::SetRoles => subject.has(Role::SystemAdmin),
    };
    if allowed {
        Ok(())
    } else {
        Err(Denial::Forbidden)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn subject(roles: &[Role]) -> Subject {
        Subject {
            tenant: TenantId::from_stored("t1".into()),
            user: UserId::from_stored("u1".into()),
            roles: roles.iter().copied().collect(),
            password_set: true,
        }
    }

    #[test]
    fn anonymous_and_password_not_set_are_refused_everything() {
        let tenant = TenantId::from_stored("t1".into());
        assert_eq!(
            authorize(None, Action::ViewOwnAccount, Target::Tenant(&tenant)),
            Err(Denial::Unauthenticated)
        );
        let mut admin = subject(&[Role::SystemAdmin]);
        admin.password_set = false;
        let me = admin.user.clone();
        assert_eq!(
            authorize(
                Some(&admin),
                Action::ViewOwnAccount,
                Target::User(&tenant, &me)
            ),
            Err(Denial::PasswordNotSet)
        );
    }

    #[test]
    fn own_account_only_for_oneself() {
        let user = subject(&[]);
        let tenant = user.tenant.clone();
        let other = UserId::from_stored("u2".into());
        assert!(
            authorize(
                Some(&user),
                Action::ChangeOwnPassword,
                Target::User(&tenant, &user.user)
            )
            .is_ok()
        );
        assert_eq!(
            authorize(
                Some(&user),
                Action::ChangeOwnPassword,
                Target::User(&tenant, &other)
            ),
            Err(Denial::Forbidden)
        );
    }

    #[test]
    fn user_admin_is_for_system_admins_of_the_same_tenant() {
        let tenant = TenantId::from_stored("t1".into());
        let elsewhere = TenantId::from_stored("t2".into());
        let target = UserId::from_stored("u9".into());
        let admin = subject(&[Role::SystemAdmin]);
        assert!(authorize(Some(&admin), Action::CreateUser, Target::Tenant(&tenant)).is_ok());
        assert!(
            authorize(
                Some(&admin),
                Action::DeleteUser,
                Target::User(&tenant, &target)
            )
            .is_ok()
        );
        assert_eq!(
            authorize(
                Some(&admin),
                Action::DeleteUser,
                Target::User(&elsewhere, &target)
            ),
            Err(Denial::Forbidden),
            "never across tenants"
        );
        for role in [
            Role::OrganizationAdmin,
            Role::EvaluationAdmin,
            Role::AuditAdmin,
            Role::BusinessAdmin,
        ] {
            assert_eq!(
                authorize(
                    Some(&subject(&[role])),
                    Action::ListUsers,
                    Target::Tenant(&tenant)
                ),
                Err(Denial::Forbidden),
                "{role:?}"
            );
        }
    }
}
