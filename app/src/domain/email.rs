//! E-mail addresses, parsed once at the boundary and stored lower-cased.

use serde::{Deserialize, Serialize};
use std::fmt;

/// A syntactically plausible e-mail address, lower-cased. Deliverability is proven only by
/// the invitation mail arriving; this rejects what is obviously not an address.
/// Deserializes through [`Email::parse`]: an address from outside is never taken unchecked.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Email(String);

impl TryFrom<String> for Email {
    type Error = &'static str;

    fn try_from(value: String) -> Result<Self, Self::Error> {
        Email::parse(&value).map_err(|_| "not an e-mail address")
    }
}

impl From<Email> for String {
    fn from(email: Email) -> String {
        email.0
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct InvalidEmail;

impl From<InvalidEmail> for crate::domain::problem::Problem {
    fn from(_: InvalidEmail) -> Self {
        crate::domain::problem::Problem::BadEmail
    }
}

impl Email {
    pub fn parse(input: &str) -> Result<Email, InvalidEmail> {
        // NFKC: an address typed with a Japanese IME ("ｔａｒｏ＠…") is the ASCII one.
        let value = crate::domain::codes::normalize(input).to_lowercase();
        let (local, domain) = value.rsplit_once('@').ok_or(InvalidEmail)?;
        let valid = !local.is_empty()
            && local.len() <= 64
            && value.len() <= 254
            && !domain.is_empty()
            && !domain.starts_with('.')
            && !domain.ends_with('.')
            && !domain.contains("..")
            && (domain.contains('.') || domain == "localhost")
            && !value
                .chars()
                .any(|c| c.is_whitespace() || c.is_control() || "<>()[],;:\"\\".contains(c))
            && !local.contains('@');
        if valid {
            Ok(Email(value))
        } else {
            Err(InvalidEmail)
        }
    }

    /// Wraps an address read back from storage, where it was stored already parsed.
    pub fn from_stored(value: String) -> Email {
        Email(value)
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The part before `@`.
    pub fn local_part(&self) -> &str {
        self.0.rsplit_once('@').map_or("", |(local, _)| local)
    }
}

impl fmt::Display for Email {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_address_from_outside_comes_through_the_parser() {
        let email: Email = serde_json::from_str("\"Ｔａｒｏ@Example.COM\"").expect("an address");
        assert_eq!(email.as_str(), "taro@example.com");
        assert!(serde_json::from_str::<Email>("\"not an address\"").is_err());
        assert_eq!(
            serde_json::to_string(&email).expect("json"),
            "\"taro@example.com\""
        );
    }

    #[test]
    fn accepts_and_lowercases_ordinary_addresses() {
        let email = Email::parse("  Taro.Yamada+hr@Example.CO.JP ").expect("valid");
        assert_eq!(email.as_str(), "taro.yamada+hr@example.co.jp");
        assert_eq!(email.local_part(), "taro.yamada+hr");
        assert!(Email::parse("admin@localhost").is_ok());
    }

    #[test]
    fn rejects_what_is_not_an_address() {
        for bad in [
            "",
            "taro",
            "@example.jp",
            "taro@",
            "taro@example",
            "taro@@example.jp",
            "taro yamada@example.jp",
            "taro@example..jp",
            "taro@.example.jp",
            "<taro@example.jp>",
            "taro@exa mple.jp",
            "taro\u{0}@example.jp",
        ] {
            assert!(Email::parse(bad).is_err(), "{bad:?} should be refused");
        }
    }
}
