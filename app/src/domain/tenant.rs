//! Tenant (customer company) rules: the company code typed at login, contract data.

use serde::{Deserialize, Serialize};
use std::fmt;

/// 企業コード: 2 to 32 ASCII letters, digits, `-` or `_`, case-insensitive (stored upper-case).
/// Deserializes through [`CompanyCode::parse`].
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct CompanyCode(String);

impl TryFrom<String> for CompanyCode {
    type Error = &'static str;

    fn try_from(value: String) -> Result<Self, Self::Error> {
        CompanyCode::parse(&value).map_err(|_| "not a company code")
    }
}

impl From<CompanyCode> for String {
    fn from(code: CompanyCode) -> String {
        code.0
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct InvalidCompanyCode;

impl From<InvalidCompanyCode> for crate::domain::problem::Problem {
    fn from(_: InvalidCompanyCode) -> Self {
        crate::domain::problem::Problem::BadCompanyCode
    }
}

impl CompanyCode {
    pub fn parse(input: &str) -> Result<CompanyCode, InvalidCompanyCode> {
        let value = input.trim().to_ascii_uppercase();
        let valid = (2..=32).contains(&value.len())
            && value
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_');
        if valid {
            Ok(CompanyCode(value))
        } else {
            Err(InvalidCompanyCode)
        }
    }

    pub fn from_stored(value: String) -> CompanyCode {
        CompanyCode(value)
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for CompanyCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn company_codes_are_case_insensitive_and_bounded() {
        assert_eq!(
            CompanyCode::parse(" acme-01 ").map(|c| c.0),
            Ok("ACME-01".into())
        );
        assert!(CompanyCode::parse("A").is_err());
        assert!(CompanyCode::parse(&"A".repeat(33)).is_err());
        assert!(CompanyCode::parse("株式会社").is_err());
        assert!(CompanyCode::parse("AC ME").is_err());
    }
}
