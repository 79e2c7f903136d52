//! Why a value someone entered (in a form, a request or a CSV cell) is refused. A problem
//! holds data only, never text: its words, Japanese and English side by side, are in
//! `i18n::problems`, the one place that translates them, so a problem added without its
//! translation does not compile. Parsers return a `Problem`; `AppError::Invalid` carries
//! one with the field it concerns; the import's report carries one per cell.

use crate::domain::csv_error::CsvError;
use crate::domain::evaluation::period::{PeriodPlace, PeriodProblem};
use crate::domain::evaluation::template::{TemplatePlace, TemplateProblem};
use crate::domain::org_tree::{DeleteRefusal, TreeError};
use crate::domain::password::PasswordProblem;
use crate::domain::posts::PostProblem;
use crate::error::AppError;
use serde::{Deserialize, Serialize};

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Problem {
    /// Nothing where something is needed.
    Empty,
    /// A 社員番号 or 部署コード that is not 1–32 letters, digits, `-` or `_`.
    BadCode,
    /// A company code that is not 2–32 of them.
    BadCompanyCode,
    /// A name (people, departments) that is not 1 to 100 characters.
    NameLength,
    /// Free text over `max` characters.
    TooLong {
        max: usize,
    },
    /// Line breaks, tabs, other control characters or direction marks.
    ForbiddenCharacters,
    /// Not a date in any way people write one.
    NotADate,
    /// A date that does not exist (2月30日).
    NoSuchDay,
    /// A Japanese-era date outside its era (平成32年).
    OutsideEra,
    BadEmail,
    Password(PasswordProblem),
    PasswordsDiffer,
    WrongCurrentPassword,
    /// A unique value (e-mail address, employee code) that another user has.
    UsedByAnotherUser,
    /// A department code that another department has.
    UsedByAnotherDepartment,
    /// Department codes that name no department (`codes` as the user wrote them, joined).
    UnknownDepartmentCodes {
        codes: String,
    },
    UnknownEmployeeCode {
        code: String,
    },
    /// A parent department that was deleted since it was offered.
    UnknownParentCode {
        code: String,
    },
    /// The primary, concurrent and managed departments of one employee disagree;
    /// `code` is the department's code as the user knows it.
    Post {
        problem: PostProblem,
        code: String,
    },
    /// The department already has a manager, `who`: change it on the org chart.
    HasManager {
        code: String,
        who: String,
    },
    /// The department already has a manager, `who`, not in the file: take them off first.
    HasManagerOutsideFile {
        code: String,
        who: String,
    },
    /// Another line of the same file already makes someone the department's manager.
    ManagerTwiceInFile {
        code: String,
        first_line: usize,
    },
    /// Only a system admin changes a login e-mail address.
    LoginEmailOnlyBySystemAdmin,
    /// The account holds an admin role the actor lacks, so how it signs in is not theirs
    /// to change.
    SignInOfHigherRole,
    Tree(TreeError),
    /// A sheet template that cannot be used, and where in it.
    Template {
        at: TemplatePlace,
        problem: TemplateProblem,
    },
    /// An evaluation period (or a change to it) that cannot be made, and where.
    Period {
        at: PeriodPlace,
        problem: PeriodProblem,
    },
    /// A sheet's goals that cannot be submitted, and where.
    Goals {
        at: crate::domain::evaluation::goals::GoalPlace,
        problem: crate::domain::evaluation::goals::GoalProblem,
    },
    /// A stage that cannot be submitted as rated: an entry neither rated nor 対象外, ….
    Score(crate::domain::evaluation::scoring::ScoreProblem),
    /// A step on a sheet that is not this person's to take now, or not yet.
    Step(crate::domain::evaluation::workflow::StepRefusal),
    /// A final grade that cannot be set in calibration.
    Adjust(crate::domain::evaluation::calibration::AdjustProblem),
    /// A reminder setting out of range, or a reminder with nobody late to send it to.
    Reminder(crate::domain::evaluation::reminders::ReminderProblem),
    /// The period's target distribution is a rule and this grade is over it.
    OverTarget {
        grade: String,
        count: usize,
        allowed: usize,
    },
    Delete(DeleteRefusal),
    /// A contract's seat count below 1 (or absurdly high).
    SeatCount,
    /// The operator's command line: a time zone, an ISO date, a term that ends before it
    /// starts.
    UnknownTimeZone,
    NotAnIsoDate,
    EndBeforeStart,
    /// A new invitation, for a user who is not invited (any more).
    NotInvited,
    FileTooLarge,
    NoFileChosen,
    NoFileKind,
    /// The import is not in a state that can be written (already written, failed, gone).
    ImportNotWritable,
    Csv(CsvError),
    /// The CSV import: an empty file, a header without rows.
    EmptyFile,
    NoDataRows,
    /// A 表示順 that is not a whole number of 0 or more.
    NotASortOrder,
    /// A value that an earlier line of the same file has.
    TwiceInFile {
        value: Repeated,
        first_line: usize,
    },
    OwnParent,
    /// A parent code neither in the file nor stored.
    UnknownParentInFile {
        code: String,
    },
    /// `path`: the codes around the cycle, as shown.
    ParentCycle {
        path: String,
    },
    /// An employee's department that is neither stored nor (yet) imported.
    UnknownDepartmentImportFirst {
        code: String,
    },
    /// A warning: it imports, but a Shift_JIS export cannot hold it.
    NotInShiftJis {
        character: char,
    },
    EmailOfEmployee {
        code: String,
    },
    /// New employees beyond the contract's seats, from this row on.
    BeyondSeats {
        limit: i64,
        used: i64,
        adding: usize,
    },
    /// An import that could not go on for a reason of the server's (told as that error).
    Failed(Box<AppError>),
    /// The request itself could not be read (a bug or a hand-made request).
    Unreadable {
        detail: String,
    },
}

impl From<PasswordProblem> for Problem {
    fn from(problem: PasswordProblem) -> Self {
        Problem::Password(problem)
    }
}

impl From<CsvError> for Problem {
    fn from(error: CsvError) -> Self {
        Problem::Csv(error)
    }
}

/// What a file gives twice (see [`Problem::TwiceInFile`]).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Repeated {
    DepartmentCode(String),
    EmployeeCode(String),
    Email,
}
