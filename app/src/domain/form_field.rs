//! The fields a refusal can be about: the argument names of the server functions, which
//! are also the `name`s of the form inputs and the keys of the CSV columns. A refusal names
//! one of these (`AppError::Invalid`), and `Texts::field_label` gives each its label, so a
//! field without a label is a compile error rather than the word "input" on screen.

use crate::domain::stored_names::stored_names;

stored_names! {
    /// A form field, CSV column or request part that a refusal concerns.
    pub enum FormField {
        // Signing in and passwords.
        CompanyCode = "company_code",
        Email = "email",
        Password = "password",
        PasswordConfirm = "password_confirm",
        CurrentPassword = "current_password",
        NewPassword = "new_password",
        NewPasswordConfirm = "new_password_confirm",
        // Users and employees.
        DisplayName = "display_name",
        EmployeeCode = "employee_code",
        Roles = "roles",
        Status = "status",
        /// The department subtrees of a business admin.
        DepartmentCodes = "department_codes",
        Kana = "kana",
        JobTitle = "job_title",
        Grade = "grade",
        EmploymentType = "employment_type",
        HireDate = "hire_date",
        /// The primary department of an employee.
        DepartmentCode = "department_code",
        ConcurrentCodes = "concurrent_codes",
        ManagesCodes = "manages_codes",
        // Departments.
        DepartmentName = "department_name",
        Manager = "manager",
        ParentId = "parent_id",
        Department = "department",
        // Evaluation.
        /// A sheet template: its problem names the place in it.
        Template = "template",
        /// An evaluation period: its problem names the place in it.
        Period = "period",
        /// An evaluation sheet: its problem names the place in it.
        Sheet = "sheet",
        /// A file of evaluators for a period.
        Evaluators = "evaluators",
        /// A period's reminders: their settings, or who to send one to.
        Reminders = "reminders",
        // CSV import and export.
        Kind = "kind",
        Encoding = "encoding",
        Import = "import",
        /// The request as a whole (it could not be read).
        Request = "request",
    }
}
