//! What the audit log records (WP 8): every action by its stored name, and the kinds of
//! record an entry is about. The writer is `backend::audit`.

use crate::domain::stored_names::stored_names;

stored_names! {
    /// One kind of audited change or attempt, stored in `audit_log.action`.
    pub enum AuditAction {
        /// A request refused for lack of a role or scope.
        AccessDenied = "access.denied",
        AuthLogin = "auth.login",
        AuthLogout = "auth.logout",
        /// An account locked after repeated failed sign-ins.
        AuthLock = "auth.lock",
        AuthResetRequested = "auth.reset_requested",
        /// A session ended by its user from the session list.
        AuthSessionEnded = "auth.session_ended",
        TenantCreate = "tenant.create",
        UserCreate = "user.create",
        UserUpdate = "user.update",
        UserRoles = "user.roles",
        UserBusinessScope = "user.business_scope",
        UserDeactivate = "user.deactivate",
        UserReactivate = "user.reactivate",
        UserDelete = "user.delete",
        UserInvitationResent = "user.invitation_resent",
        UserSignedOutEverywhere = "user.signed_out_everywhere",
        UserPasswordSet = "user.password_set",
        UserPasswordChanged = "user.password_changed",
        /// A user's own display name or language.
        UserProfile = "user.profile",
        DepartmentCreate = "department.create",
        DepartmentUpdate = "department.update",
        DepartmentMove = "department.move",
        DepartmentDelete = "department.delete",
        DepartmentManager = "department.manager",
        /// One department written by a CSV import (one entry per department).
        DepartmentImport = "department.import",
        EmployeeCreate = "employee.create",
        EmployeeUpdate = "employee.update",
        /// One employee written by a CSV import (one entry per employee).
        EmployeeImport = "employee.import",
        /// A whole CSV import: its file, counts and who ran it.
        OrgImport = "org.import",
        /// A sheet template created (from scratch or as a copy), changed or deleted.
        TemplateCreate = "template.create",
        TemplateUpdate = "template.update",
        TemplateDelete = "template.delete",
        /// A period's plan created, changed or deleted while a draft.
        PeriodCreate = "period.create",
        PeriodUpdate = "period.update",
        PeriodDelete = "period.delete",
        /// Evaluators chosen by hand for people of a draft period (on the page or by CSV).
        PeriodEvaluators = "period.evaluators",
        /// A period launched: its sheets created (their count and the template snapshot).
        PeriodLaunch = "period.launch",
        /// A period closed: its sheets change no more.
        PeriodClose = "period.close",
        /// A phase of a running period closed (a hard stop) or opened again.
        PeriodPhase = "period.phase",
        /// Every open sheet of one evaluator given to another (a manager who leaves or moves).
        PeriodHandOver = "period.hand_over",
        /// A sheet added to a running period (a late joiner).
        SheetAdd = "sheet.add",
        /// A sheet taken out of its period, with the reason.
        SheetExclude = "sheet.exclude",
        /// A sheet's evaluators changed by an admin.
        SheetEvaluators = "sheet.evaluators",
        /// One sheet's deadline of a phase extended.
        SheetDeadline = "sheet.deadline",
        /// A draft on a sheet saved (goals, a self-evaluation, an evaluator's work).
        SheetDraft = "sheet.draft",
        /// A step of a sheet's workflow taken (submitted, approved, sent back …).
        SheetStep = "sheet.step",
        /// A sheet's final grade changed in calibration, with the grade before and after.
        SheetCalibrate = "sheet.calibrate",
        /// The day of a sheet's feedback interview recorded.
        SheetInterview = "sheet.interview",
        /// Reminder mails sent by hand to a period's late people (how many, to whom).
        PeriodRemind = "period.remind",
        /// Reminder and escalation mails the period's schedule sent in one pass.
        PeriodAutoRemind = "period.auto_remind",
        /// A period's automatic reminders turned on, off or changed.
        PeriodReminders = "period.reminders",
        /// A period's results taken as a file (the results or the ratings CSV).
        PeriodResultsExport = "period.results_export",
        /// A sheet taken as a PDF.
        SheetPdf = "sheet.pdf",
    }
}
