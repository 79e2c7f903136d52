//! The columns of the organization CSV files (departments, employees): one definition used
//! by the import, the export, the downloadable templates and the admin manual page, so the
//! documentation cannot drift from what the import accepts.

use crate::domain::problem::Problem;
use serde::{Deserialize, Serialize};

/// A column the import understands: its key in code, its header names, and how the manual
/// explains it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Column {
    pub key: &'static str,
    pub ja: &'static str,
    pub en: &'static str,
    pub required: bool,
    pub help_ja: &'static str,
    pub help_en: &'static str,
    pub example: &'static str,
}

/// Which file.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum CsvKind {
    Departments,
    Employees,
}

impl CsvKind {
    pub const ALL: [CsvKind; 2] = [CsvKind::Departments, CsvKind::Employees];

    pub fn columns(self) -> &'static [Column] {
        match self {
            CsvKind::Departments => DEPARTMENT_COLUMNS,
            CsvKind::Employees => EMPLOYEE_COLUMNS,
        }
    }

    /// In URLs and file names.
    pub fn as_str(self) -> &'static str {
        match self {
            CsvKind::Departments => "departments",
            CsvKind::Employees => "employees",
        }
    }

    pub fn parse(value: &str) -> Option<CsvKind> {
        CsvKind::ALL.into_iter().find(|kind| kind.as_str() == value)
    }

    /// The column of `key`, for naming it in messages.
    pub fn column(self, key: &str) -> Option<&'static Column> {
        self.columns().iter().find(|column| column.key == key)
    }
}

pub const DEPARTMENT_COLUMNS: &[Column] = &[
    Column {
        key: "code",
        ja: "部署コード",
        en: "Department code",
        required: true,
        help_ja: "部署を識別するコード。英数字・ハイフン・アンダースコアの32文字以内。登録済みのコードなら更新、新しいコードなら追加します。",
        help_en: "Identifies the department: up to 32 letters, digits, hyphens or underscores. An existing code updates that department; a new one adds a department.",
        example: "S100",
    },
    Column {
        key: "name",
        ja: "部署名",
        en: "Department name",
        required: true,
        help_ja: "1〜100文字。",
        help_en: "1 to 100 characters.",
        example: "営業部",
    },
    Column {
        key: "parent_code",
        ja: "上位部署コード",
        en: "Parent department code",
        required: false,
        help_ja: "この部署の上位の部署コード。同じファイルの部署でも、登録済みの部署でも構いません。空欄なら最上位（本部など）になります。",
        help_en: "The code of the department above; it may be in the same file or already registered. Empty makes a top-level department.",
        example: "H000",
    },
    Column {
        key: "sort_order",
        ja: "表示順",
        en: "Sort order",
        required: false,
        help_ja: "同じ上位部署の中での並び順（整数、小さいほど上）。空欄なら、新しい部署は末尾に追加し、登録済みの部署は変えません。",
        help_en: "Position among the departments under the same parent (a whole number, smaller first). Empty adds new departments at the end and leaves existing ones where they are.",
        example: "10",
    },
];

pub const EMPLOYEE_COLUMNS: &[Column] = &[
    Column {
        key: "employee_code",
        ja: "社員番号",
        en: "Employee code",
        required: true,
        help_ja: "社員を識別する番号。英数字・ハイフン・アンダースコアの32文字以内。登録済みの番号なら更新、新しい番号なら追加して招待メールを送ります。",
        help_en: "Identifies the employee: up to 32 letters, digits, hyphens or underscores. An existing code updates that employee; a new one adds them and sends an invitation.",
        example: "E1001",
    },
    Column {
        key: "name",
        ja: "氏名",
        en: "Name",
        required: true,
        help_ja: "1〜100文字。",
        help_en: "1 to 100 characters.",
        example: "山田 太郎",
    },
    Column {
        key: "kana",
        ja: "フリガナ",
        en: "Kana",
        required: false,
        help_ja: "100文字以内。半角カナは全角に揃えます。",
        help_en: "Up to 100 characters; half-width katakana is stored full-width.",
        example: "ヤマダ タロウ",
    },
    Column {
        key: "email",
        ja: "メールアドレス",
        en: "E-mail address",
        required: true,
        help_ja: "ログインと通知に使います。社内で重複できません。",
        help_en: "Used to log in and for notices; unique in the company.",
        example: "taro.yamada@example.co.jp",
    },
    Column {
        key: "department_code",
        ja: "所属部署コード",
        en: "Department code",
        required: false,
        help_ja: "主所属の部署コード（登録済みの部署）。空欄なら所属なし。",
        help_en: "The code of the employee's primary department (already registered). Empty means none.",
        example: "S100",
    },
    Column {
        key: "concurrent_codes",
        ja: "兼務部署コード",
        en: "Concurrent department codes",
        required: false,
        help_ja: "兼務する部署コード。複数はセミコロン（;）で区切ります。",
        help_en: "Codes of departments where the employee holds a concurrent post, separated by semicolons (;).",
        example: "S200;P100",
    },
    Column {
        key: "manages_codes",
        ja: "責任者部署コード",
        en: "Manages department codes",
        required: false,
        help_ja: "この社員が責任者を務める部署コード。所属または兼務の部署から選び、複数はセミコロン（;）で区切ります。1つの部署の責任者は1人です。",
        help_en: "Codes of the departments this employee manages, chosen from the primary and concurrent ones and separated by semicolons (;). A department has one manager.",
        example: "S100",
    },
    Column {
        key: "job_title",
        ja: "役職",
        en: "Job title",
        required: false,
        help_ja: "50文字以内。",
        help_en: "Up to 50 characters.",
        example: "課長",
    },
    Column {
        key: "grade",
        ja: "等級",
        en: "Grade",
        required: false,
        help_ja: "50文字以内。評価期間の対象者を等級で選ぶときに使います。",
        help_en: "Up to 50 characters; evaluation periods can choose their employees by grade.",
        example: "M1",
    },
    Column {
        key: "employment_type",
        ja: "雇用区分",
        en: "Employment type",
        required: false,
        help_ja: "50文字以内（正社員、契約社員など）。",
        help_en: "Up to 50 characters (regular, contract…).",
        example: "正社員",
    },
    Column {
        key: "hire_date",
        ja: "入社日",
        en: "Hire date",
        required: false,
        help_ja: "2024-04-01、2024/4/1、2024年4月1日、令和6年4月1日（R6.4.1）などの形式。",
        help_en: "A date such as 2024-04-01, 2024/4/1, 2024年4月1日 or 令和6年4月1日 (R6.4.1).",
        example: "2024/4/1",
    },
];

/// One thing wrong with an import file: where (the line as Excel numbers it, and the
/// column's key) and why (a [`Problem`], read in the reader's language).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ImportProblem {
    pub line: usize,
    /// The column's key (see [`CsvKind::column`]); `None` for the row or file as a whole.
    pub column: Option<String>,
    /// The cell as read, to find it in the file.
    pub value: String,
    pub problem: Problem,
}

impl ImportProblem {
    /// Why, in `lang`.
    pub fn reason(&self, lang: crate::i18n::Lang) -> String {
        self.problem.text(lang)
    }
}

/// What an import adds, changes and leaves alone.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ImportCounts {
    pub added: usize,
    pub changed: usize,
    /// Rows of the file that match what is stored already.
    pub unchanged: usize,
    /// Stored records the file does not mention: never deleted by an import.
    pub not_in_file: usize,
    /// Invitation mails queued for new employees.
    pub invitations: usize,
}

/// The steps of an import, in order.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum ImportPhase {
    /// Reading the file: encoding and CSV records.
    Parse,
    /// Checking every row against the rules and the stored organization.
    Validate,
    /// Writing, in one transaction.
    Write,
}

/// Where an import job stands.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum ImportState {
    Working {
        phase: ImportPhase,
        done: usize,
        total: usize,
    },
    /// Checked, nothing written. With problems, nothing can be written until a fixed file
    /// is uploaded; without, the import can be committed.
    Previewed {
        counts: ImportCounts,
        /// The first problems (all are in the downloadable CSV).
        problems: Vec<ImportProblem>,
        problem_count: usize,
        /// What imports but is worth knowing first, e.g. values the Shift_JIS export
        /// cannot hold: the first of them.
        warnings: Vec<ImportProblem>,
        warning_count: usize,
    },
    /// Written: the counts of what was done.
    Committed { counts: ImportCounts },
}

/// An import job as the page polls it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ImportStatus {
    pub job: String,
    pub kind: CsvKind,
    pub file_name: String,
    pub state: ImportState,
}

/// How many problems the preview shows on the page; the rest are in the problems CSV.
pub const PROBLEMS_SHOWN: usize = 200;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_column_has_unique_names_and_documentation() {
        for kind in CsvKind::ALL {
            let columns = kind.columns();
            for (i, column) in columns.iter().enumerate() {
                assert!(!column.help_ja.is_empty() && !column.help_en.is_empty());
                assert!(!column.example.is_empty());
                for other in &columns[i + 1..] {
                    assert_ne!(column.key, other.key);
                    assert_ne!(column.ja, other.ja);
                    assert_ne!(column.en, other.en);
                }
            }
            assert_eq!(CsvKind::parse(kind.as_str()), Some(kind));
        }
    }
}
