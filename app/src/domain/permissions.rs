//! The authorization spine (WP 5, 6): one function decides whether a subject may perform an
//! action on a target. Every server function calls [`authorize`] before anything else, with
//! the subject taken from the session and the target's tenant from storage — never from
//! the request. Deny by default: an action not granted below is refused.

use crate::domain::evaluation::workflow::Relation;
use crate::domain::form_field::FormField;
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
    /// Browse the org chart and the directory: departments, members, reporting lines.
    ViewOrgChart,
    /// One employee's HR fields (grade, employment type, hire date): admins of the
    /// organization, business admins whose scope covers the employee, and the employee.
    ViewEmployeeDetails,
    /// Add, rename, move, reorder and delete departments; set their managers.
    EditDepartments,
    /// Create employees and edit their fields and posts.
    EditEmployees,
    /// Import and export the departments and employees CSV.
    ImportOrganization,
    ExportOrganization,
    /// How many of the tenant's mails wait to be sent (invitations of an import take a
    /// while): the admins who send them, system and organization admins.
    ViewMailQueue,
    /// Change the e-mail address a user signs in with (and where password resets go): account
    /// administration (WP 6), so system admins only, and never for a user holding a role the
    /// actor lacks. Target: [`Target::Account`].
    ChangeLoginEmail,
    /// Change an employee code, which is also a sign-in name: organization admins, never for
    /// a user holding a role the actor lacks. Target: [`Target::Account`].
    ChangeEmployeeCode,
    /// Read the evaluation's setup (templates, periods): system and evaluation admins, and
    /// business admins for the periods and sheets of their scope.
    ViewEvaluationSetup,
    /// Design templates and run periods (the evaluation subsystem, WP 6): system and
    /// evaluation admins.
    ManageEvaluationSetup,
    /// List one's own sheets and those one evaluates: every user.
    ViewOwnSheets,
    /// Open one sheet: whoever is something to it. Target: [`Target::Sheet`]; what of it
    /// they see is `visibility::visible_parts`'s answer.
    ViewSheet,
    /// Write on a sheet or take a step: its employee, its evaluators, evaluation admins.
    /// Target: [`Target::Sheet`]; which step is `workflow::decide`'s answer.
    WorkOnSheet,
    /// 評価調整: see a period's scores and grades side by side, change final grades,
    /// finalize and disclose: system and evaluation admins.
    Calibrate,
    /// Follow a period's progress: every user, each for the sheets they may follow (all
    /// for admins, their scope for business admins, the people they evaluate for anyone;
    /// `backend::evaluation::progress::ProgressReader`).
    FollowProgress,
    /// Mail reminders to late people: HR staff — system and evaluation admins, business
    /// admins for the people of their scope.
    RemindLate,
    /// Take a period's results as CSV: system and evaluation admins, business admins for
    /// the people of their scope.
    ExportResults,
}

/// What an action is done to.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Target<'a> {
    /// The tenant as a whole (lists, creation).
    Tenant(&'a TenantId),
    /// One user of a tenant.
    User(&'a TenantId, &'a UserId),
    /// One employee (a user) as the org chart sees them. `in_business_scope`: whether one of
    /// their departments lies in a subtree of the subject's business-admin scope, as looked
    /// up in storage by the caller.
    Employee {
        tenant: &'a TenantId,
        user: &'a UserId,
        in_business_scope: bool,
    },
    /// One user's account with the roles it holds now, as stored: for changes of what the
    /// user signs in with.
    Account {
        tenant: &'a TenantId,
        user: &'a UserId,
        roles: &'a BTreeSet<Role>,
    },
    /// One evaluation sheet, with who the subject is to it
    /// (`workflow::relations_to_sheet`, looked up by the caller).
    Sheet {
        tenant: &'a TenantId,
        relations: &'a [Relation],
    },
}

impl Target<'_> {
    fn tenant(&self) -> &TenantId {
        match self {
            Target::Tenant(tenant) | Target::User(tenant, _) => tenant,
            Target::Employee { tenant, .. }
            | Target::Account { tenant, .. }
            | Target::Sheet { tenant, .. } => tenant,
        }
    }

    fn user(&self) -> Option<&UserId> {
        match self {
            Target::Tenant(_) | Target::Sheet { .. } => None,
            Target::User(_, user)
            | Target::Employee { user, .. }
            | Target::Account { user, .. } => Some(user),
        }
    }

    /// Whether the target account holds no role the subject lacks: a lower role never
    /// changes how a higher one signs in. Only an [`Target::Account`] can answer; any other
    /// target is refused.
    fn holds_no_role_beyond(&self, subject: &Subject) -> bool {
        match self {
            Target::Account { roles, .. } => roles.is_subset(&subject.roles),
            _ => false,
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

/// A field a user signs in with: changing it decides where password resets go, or which
/// name a password is tried with.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SignInField {
    Email,
    EmployeeCode,
}

impl SignInField {
    pub const ALL: [SignInField; 2] = [SignInField::Email, SignInField::EmployeeCode];

    /// The form field and CSV column.
    pub fn field(self) -> FormField {
        match self {
            SignInField::Email => FormField::Email,
            SignInField::EmployeeCode => FormField::EmployeeCode,
        }
    }

    fn action(self) -> Action {
        match self {
            SignInField::Email => Action::ChangeLoginEmail,
            SignInField::EmployeeCode => Action::ChangeEmployeeCode,
        }
    }
}

/// Why `actor` may not change `field` of `account` (the user and the roles it holds) from
/// `before` to `after`; `None` when the change is allowed or is
/// none. Giving an account its first employee code (the first admin, matched by e-mail)
/// changes no way it signs in today, so only changing or clearing a value counts. One rule
/// for the employee form, the user form and the CSV import.
pub fn sign_in_change_refused(
    actor: Option<&Subject>,
    user: &UserId,
    roles: &BTreeSet<Role>,
    field: SignInField,
    before: Option<&str>,
    after: Option<&str>,
) -> Option<crate::domain::problem::Problem> {
    use crate::domain::problem::Problem;
    if before.is_none() || before == after {
        return None;
    }
    let allowed = actor.is_some_and(|actor| {
        let target = Target::Account {
            tenant: &actor.tenant,
            user,
            roles,
        };
        authorize(Some(actor), field.action(), target).is_ok()
    });
    if allowed {
        return None;
    }
    let system_admin = actor.is_some_and(|actor| actor.has(Role::SystemAdmin));
    Some(if field == SignInField::Email && !system_admin {
        Problem::LoginEmailOnlyBySystemAdmin
    } else {
        Problem::SignInOfHigherRole
    })
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
    let own = target.user() == Some(&subject.user);
    let organization_admin = subject.has(Role::SystemAdmin) || subject.has(Role::OrganizationAdmin);
    let evaluation_admin = subject.has(Role::SystemAdmin) || subject.has(Role::EvaluationAdmin);
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
        // Every user of the tenant may browse the chart (a read-only directory).
        Action::ViewOrgChart => true,
        Action::ViewEmployeeDetails => {
            own || organization_admin
                || (subject.has(Role::BusinessAdmin)
                    && matches!(
                        target,
                        Target::Employee {
                            in_business_scope: true,
                            ..
                        }
                    ))
        }
        // The organization subsystem (WP 6): system admins and organization admins.
        Action::EditDepartments
        | Action::EditEmployees
        | Action::ImportOrganization
        | Action::ExportOrganization
        | Action::ViewMailQueue => organization_admin,
        Action::ChangeLoginEmail => {
            subject.has(Role::SystemAdmin) && target.holds_no_role_beyond(subject)
        }
        Action::ChangeEmployeeCode => organization_admin && target.holds_no_role_beyond(subject),
        Action::ViewEvaluationSetup => evaluation_admin || subject.has(Role::BusinessAdmin),
        Action::ManageEvaluationSetup => evaluation_admin,
        Action::Calibrate => evaluation_admin,
        Action::ViewOwnSheets | Action::FollowProgress => true,
        Action::RemindLate | Action::ExportResults => {
            evaluation_admin || subject.has(Role::BusinessAdmin)
        }
        Action::ViewSheet => match target {
            Target::Sheet { relations, .. } => relations.iter().any(|r| *r != Relation::Stranger),
            _ => false,
        },
        Action::WorkOnSheet => match target {
            Target::Sheet { relations, .. } => relations.iter().any(|r| {
                matches!(
                    r,
                    Relation::Owner | Relation::Evaluator(_) | Relation::EvaluationAdmin
                )
            }),
            _ => false,
        },
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
    fn everyone_follows_progress_and_hr_staff_remind_and_export() {
        let tenant = TenantId::from_stored("t1".into());
        for (roles, hr) in [
            (&[Role::SystemAdmin][..], true),
            (&[Role::EvaluationAdmin][..], true),
            (&[Role::BusinessAdmin][..], true),
            (&[Role::OrganizationAdmin][..], false),
            (&[Role::AuditAdmin][..], false),
            (&[][..], false),
        ] {
            let who = subject(roles);
            let may = |action| authorize(Some(&who), action, Target::Tenant(&tenant)).is_ok();
            assert!(may(Action::FollowProgress), "follow by {roles:?}");
            assert_eq!(may(Action::RemindLate), hr, "remind by {roles:?}");
            assert_eq!(may(Action::ExportResults), hr, "export by {roles:?}");
        }
    }

    #[test]
    fn the_evaluation_is_set_up_by_system_and_evaluation_admins_and_read_by_business_admins() {
        let tenant = TenantId::from_stored("t1".into());
        let elsewhere = TenantId::from_stored("t2".into());
        for (roles, view, manage) in [
            (&[Role::SystemAdmin][..], true, true),
            (&[Role::EvaluationAdmin][..], true, true),
            (&[Role::BusinessAdmin][..], true, false),
            (&[Role::OrganizationAdmin][..], false, false),
            (&[Role::AuditAdmin][..], false, false),
            (&[][..], false, false),
        ] {
            let who = subject(roles);
            let may = |action| authorize(Some(&who), action, Target::Tenant(&tenant)).is_ok();
            assert_eq!(may(Action::ViewEvaluationSetup), view, "view by {roles:?}");
            assert_eq!(
                may(Action::ManageEvaluationSetup),
                manage,
                "manage by {roles:?}"
            );
            assert_eq!(
                authorize(
                    Some(&who),
                    Action::ManageEvaluationSetup,
                    Target::Tenant(&elsewhere)
                ),
                Err(Denial::Forbidden)
            );
        }
    }

    #[test]
    fn the_organization_is_edited_by_system_and_organization_admins_only() {
        let tenant = TenantId::from_stored("t1".into());
        let elsewhere = TenantId::from_stored("t2".into());
        for action in [
            Action::EditDepartments,
            Action::EditEmployees,
            Action::ImportOrganization,
            Action::ExportOrganization,
        ] {
            for (roles, allowed) in [
                (&[Role::SystemAdmin][..], true),
                (&[Role::OrganizationAdmin], true),
                (&[Role::EvaluationAdmin], false),
                (&[Role::AuditAdmin], false),
                (&[Role::BusinessAdmin], false),
                (&[], false),
            ] {
                assert_eq!(
                    authorize(Some(&subject(roles)), action, Target::Tenant(&tenant)).is_ok(),
                    allowed,
                    "{action:?} by {roles:?}"
                );
            }
            assert_eq!(
                authorize(
                    Some(&subject(&[Role::OrganizationAdmin])),
                    action,
                    Target::Tenant(&elsewhere)
                ),
                Err(Denial::Forbidden)
            );
        }
        // Everyone signed in browses the chart.
        assert!(
            authorize(
                Some(&subject(&[])),
                Action::ViewOrgChart,
                Target::Tenant(&tenant)
            )
            .is_ok()
        );
        assert_eq!(
            authorize(None, Action::ViewOrgChart, Target::Tenant(&tenant)),
            Err(Denial::Unauthenticated)
        );
    }

    #[test]
    fn hr_details_for_admins_business_admins_in_scope_and_oneself() {
        let tenant = TenantId::from_stored("t1".into());
        let other = UserId::from_stored("u2".into());
        let employee = |in_business_scope| Target::Employee {
            tenant: &tenant,
            user: &other,
            in_business_scope,
        };
        let may = |roles: &[Role], in_scope: bool| {
            authorize(
                Some(&subject(roles)),
                Action::ViewEmployeeDetails,
                employee(in_scope),
            )
            .is_ok()
        };
        assert!(may(&[Role::SystemAdmin], false));
        assert!(may(&[Role::OrganizationAdmin], false));
        assert!(may(&[Role::BusinessAdmin], true));
        assert!(!may(&[Role::BusinessAdmin], false), "outside the scope");
        assert!(!may(&[], true), "scope means nothing without the role");
        assert!(!may(&[Role::EvaluationAdmin], false));
        let me = subject(&[]);
        let own = Target::Employee {
            tenant: &tenant,
            user: &me.user,
            in_business_scope: false,
        };
        assert!(authorize(Some(&me), Action::ViewEmployeeDetails, own).is_ok());
    }

    #[test]
    fn sign_in_identifiers_change_only_downwards_and_login_emails_only_by_system_admins() {
        let tenant = TenantId::from_stored("t1".into());
        let elsewhere = TenantId::from_stored("t2".into());
        let other = UserId::from_stored("u2".into());
        let roles = |list: &[Role]| list.iter().copied().collect::<BTreeSet<Role>>();
        let may = |action, actor: &[Role], target: &[Role], tenant: &TenantId| {
            let target_roles = roles(target);
            authorize(
                Some(&subject(actor)),
                action,
                Target::Account {
                    tenant,
                    user: &other,
                    roles: &target_roles,
                },
            )
            .is_ok()
        };
        use Action::{ChangeEmployeeCode as Code, ChangeLoginEmail as Email};
        use Role::*;
        // The login e-mail is account administration.
        assert!(may(Email, &[SystemAdmin], &[], &tenant));
        assert!(may(Email, &[SystemAdmin], &[SystemAdmin], &tenant));
        assert!(!may(Email, &[OrganizationAdmin], &[], &tenant));
        assert!(!may(Email, &[OrganizationAdmin], &[SystemAdmin], &tenant));
        assert!(!may(
            Email,
            &[SystemAdmin],
            &[SystemAdmin, AuditAdmin],
            &tenant
        ));
        assert!(!may(Email, &[SystemAdmin], &[], &elsewhere));
        // The employee code is the organization's, but not over a higher account.
        assert!(may(Code, &[OrganizationAdmin], &[], &tenant));
        assert!(may(
            Code,
            &[OrganizationAdmin],
            &[OrganizationAdmin],
            &tenant
        ));
        assert!(!may(Code, &[OrganizationAdmin], &[SystemAdmin], &tenant));
        assert!(!may(Code, &[OrganizationAdmin], &[BusinessAdmin], &tenant));
        assert!(may(Code, &[SystemAdmin], &[SystemAdmin], &tenant));
        assert!(!may(Code, &[BusinessAdmin], &[], &tenant));
        assert!(!may(Code, &[], &[], &tenant));
        // Any other kind of target cannot show its roles, so it is refused.
        assert!(
            authorize(
                Some(&subject(&[SystemAdmin])),
                Email,
                Target::User(&tenant, &other)
            )
            .is_err()
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

    #[test]
    fn a_sheet_is_opened_by_whoever_is_something_to_it_and_worked_on_by_its_people() {
        use crate::domain::evaluation::Stage;
        let tenant = TenantId::from_stored("t1".into());
        let other = TenantId::from_stored("t2".into());
        let anyone = subject(&[]);
        let first = Relation::Evaluator(Stage::FIRST);
        for (relations, view, work) in [
            (vec![Relation::Owner], true, true),
            (vec![first], true, true),
            (vec![Relation::EvaluationAdmin], true, true),
            (vec![Relation::ScopeReader], true, false),
            (vec![Relation::Stranger], false, false),
            (vec![], false, false),
        ] {
            let target = Target::Sheet {
                tenant: &tenant,
                relations: &relations,
            };
            assert_eq!(
                authorize(Some(&anyone), Action::ViewSheet, target).is_ok(),
                view,
                "{relations:?} view"
            );
            assert_eq!(
                authorize(Some(&anyone), Action::WorkOnSheet, target).is_ok(),
                work,
                "{relations:?} work"
            );
        }
        // Another tenant's sheet, whatever the relation claimed.
        let target = Target::Sheet {
            tenant: &other,
            relations: &[Relation::Owner],
        };
        assert!(authorize(Some(&anyone), Action::ViewSheet, target).is_err());
        // A sheet action on anything but a sheet is refused.
        assert!(authorize(Some(&anyone), Action::ViewSheet, Target::Tenant(&tenant)).is_err());
        assert!(
            authorize(
                Some(&anyone),
                Action::ViewOwnSheets,
                Target::Tenant(&tenant)
            )
            .is_ok()
        );
    }
}
