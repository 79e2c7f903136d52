//! The codes people type and print: 社員番号 (employee code) and 部署コード (department
//! code). Parsed once, here, for the admin forms and the CSV import alike.
//!
//! Input is NFKC-normalized first, so "Ｅ１００" typed with a Japanese IME is "E100".
//! A code is 1 to 32 ASCII letters, digits, hyphens or underscores; case is kept.

use serde::{Deserialize, Serialize};
use std::fmt;
use unicode_normalization::UnicodeNormalization;

pub const CODE_MAX_CHARS: usize = 32;

use crate::domain::problem::Problem;

/// NFKC, then trims ASCII blanks and the full-width space.
pub fn normalize(input: &str) -> String {
    input
        .nfkc()
        .collect::<String>()
        .trim_matches(|c: char| c.is_whitespace())
        .to_owned()
}

fn parse_code(input: &str) -> Result<String, Problem> {
    let code = normalize(input);
    if code.is_empty() {
        return Err(Problem::Empty);
    }
    if code.chars().count() > CODE_MAX_CHARS
        || !code
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
    {
        return Err(Problem::BadCode);
    }
    Ok(code)
}

macro_rules! code_type {
    ($(#[$doc:meta])* $name:ident) => {
        $(#[$doc])*
        /// Deserializes through `parse`: a code from outside is never taken unchecked.
        #[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
        #[serde(try_from = "String", into = "String")]
        pub struct $name(String);

        impl TryFrom<String> for $name {
            type Error = &'static str;

            fn try_from(value: String) -> Result<Self, Self::Error> {
                Self::parse(&value).map_err(|_| "not a code")
            }
        }

        impl From<$name> for String {
            fn from(code: $name) -> String {
                code.0
            }
        }

        impl $name {
            pub fn parse(input: &str) -> Result<Self, Problem> {
                parse_code(input).map(Self)
            }

            /// Wraps a code read from storage.
            pub fn from_stored(value: String) -> Self {
                Self(value)
            }

            pub fn as_str(&self) -> &str {
                &self.0
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(&self.0)
            }
        }
    };
}

code_type!(
    /// 社員番号: unique in the tenant; the key of the employee CSV.
    EmployeeCode
);
code_type!(
    /// 部署コード: unique in the tenant; the key of the department CSV.
    DepartmentCode
);

/// Splits a cell or field listing several codes: `;` (what the export writes), `,`, `、`,
/// `・`, or blanks between them. Empty pieces are dropped; order and duplicates are kept for
/// the caller to judge.
pub fn split_code_list(input: &str) -> Vec<String> {
    normalize(input)
        .split(|c: char| matches!(c, ';' | ',' | '、' | '・' | '|') || c.is_whitespace())
        .filter(|piece| !piece.is_empty())
        .map(str::to_owned)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_normalized_and_checked() {
        assert_eq!(EmployeeCode::parse(" Ｅ１００ ").unwrap().as_str(), "E100");
        assert_eq!(DepartmentCode::parse("S-01_a").unwrap().as_str(), "S-01_a");
        assert_eq!(EmployeeCode::parse("　"), Err(Problem::Empty));
        assert_eq!(DepartmentCode::parse("営業部"), Err(Problem::BadCode));
        assert_eq!(DepartmentCode::parse("A B"), Err(Problem::BadCode));
        assert_eq!(
            EmployeeCode::parse(&"9".repeat(33)),
            Err(Problem::BadCode),
            "33 characters are too many"
        );
        assert!(EmployeeCode::parse(&"9".repeat(32)).is_ok());
    }

    #[test]
    fn codes_from_outside_come_through_the_parser() {
        let code: DepartmentCode = serde_json::from_str("\"Ｓ１００\"").unwrap();
        assert_eq!(code.as_str(), "S100");
        assert_eq!(serde_json::to_string(&code).unwrap(), "\"S100\"");
        assert!(serde_json::from_str::<EmployeeCode>("\"A B\"").is_err());
        assert!(serde_json::from_str::<EmployeeCode>("\"\"").is_err());
        let company: crate::domain::tenant::CompanyCode =
            serde_json::from_str("\" acme \"").unwrap();
        assert_eq!(company.as_str(), "ACME");
        assert!(
            serde_json::from_str::<crate::domain::tenant::CompanyCode>("\"株式会社\"").is_err()
        );
    }

    #[test]
    fn code_lists_split_on_the_usual_separators() {
        assert_eq!(
            split_code_list("D1;D2, D3、Ｄ４ D5・D6|D7;;"),
            ["D1", "D2", "D3", "D4", "D5", "D6", "D7"]
        );
        assert!(split_code_list(" ; ").is_empty());
    }
}
