//! The password policy, after NIST SP 800-63B: a length range, no composition rules, and a
//! refusal of passwords that are common or built from what an attacker already knows (the
//! company code, the e-mail address).
//!
//! Lengths count Unicode characters, not bytes, so a Japanese passphrase is measured the
//! way its owner sees it.

use crate::domain::form_field::FormField;
use std::collections::HashSet;
use std::sync::LazyLock;

use crate::error::AppError;

/// The shortest password accepted, in characters.
pub const MIN_CHARS: usize = 12;
/// The longest password accepted, in characters: long passphrases are welcome, but hashing
/// unbounded input would let anyone make the server work for nothing.
pub const MAX_CHARS: usize = 128;

/// Shorter names and codes are not checked: two letters turn up in too many good passwords.
const MIN_CONTAINED_CHARS: usize = 3;

/// Passwords people choose often, lower-cased, one per line. Only entries of [`MIN_CHARS`]
/// or more are listed, since shorter ones fail the length rule anyway.
static COMMON: LazyLock<HashSet<&'static str>> = LazyLock::new(|| {
    include_str!("common_passwords.txt")
        .lines()
        .map(str::trim)
        .filter(|line| !line.is_empty())
        .collect()
});

/// Why a password is refused.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum PasswordProblem {
    TooShort,
    TooLong,
    Common,
    ContainsCompanyCode,
    ContainsEmailName,
}

/// The one form in which a password is checked, hashed and verified: Unicode NFKC. The same
/// Japanese password arrives decomposed from some systems (macOS) and composed from others,
/// and full-width letters from an IME mean the same as half-width ones.
pub fn normalize(password: &str) -> String {
    use unicode_normalization::UnicodeNormalization;
    password.nfkc().collect()
}

/// Checks a new password against the policy. `company_code` and `email` are those of the
/// account the password is for.
pub fn check_password(
    password: &str,
    company_code: &str,
    email: &str,
) -> Result<(), PasswordProblem> {
    let password = normalize(password);
    let chars = password.chars().count();
    if chars < MIN_CHARS {
        return Err(PasswordProblem::TooShort);
    }
    if chars > MAX_CHARS {
        return Err(PasswordProblem::TooLong);
    }

    let lower = password.to_lowercase();
    if COMMON.contains(lower.as_str()) {
        return Err(PasswordProblem::Common);
    }
    if contains_meaningful(&lower, company_code) {
        return Err(PasswordProblem::ContainsCompanyCode);
    }
    // The local part ends at the last '@': the domain never contains one.
    let local_part = email.rsplit_once('@').map_or(email, |(local, _)| local);
    if contains_meaningful(&lower, local_part) {
        return Err(PasswordProblem::ContainsEmailName);
    }
    Ok(())
}

/// Whether `lower_password` contains `part` (case-insensitive), when `part` is long enough
/// to mean something.
fn contains_meaningful(lower_password: &str, part: &str) -> bool {
    let part = part.trim().to_lowercase();
    part.chars().count() >= MIN_CONTAINED_CHARS && lower_password.contains(&part)
}

impl From<PasswordProblem> for AppError {
    fn from(problem: PasswordProblem) -> Self {
        AppError::invalid(FormField::Password, problem)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::problem::Problem;

    #[test]
    fn normalization_unifies_composed_decomposed_and_full_width() {
        // が as one code point, and as か + combining voiced mark.
        assert_eq!(normalize("\u{304C}"), normalize("\u{304B}\u{3099}"));
        assert_eq!(normalize("ｐａｓｓ１２３"), "pass123");
        // Full-width spelling of a common password is just as common.
        assert_eq!(
            check_password("ｐａｓｓｗｏｒｄ１２３４", "ACME", "taro@example.jp"),
            Err(PasswordProblem::Common)
        );
    }

    const CODE: &str = "acme";
    const EMAIL: &str = "taro.yamada@example.co.jp";

    fn check(password: &str) -> Result<(), PasswordProblem> {
        check_password(password, CODE, EMAIL)
    }

    #[test]
    fn length_boundaries() {
        assert_eq!(
            check(&"x7Kp".repeat(3)[..11]),
            Err(PasswordProblem::TooShort)
        );
        assert_eq!(check(&"x7Kp".repeat(3)), Ok(()));
        assert_eq!(check(&"x7Kp".repeat(32)), Ok(()));
        assert_eq!(
            check(&format!("{}q", "x7Kp".repeat(32))),
            Err(PasswordProblem::TooLong)
        );
        assert_eq!(check(""), Err(PasswordProblem::TooShort));
    }

    #[test]
    fn japanese_is_counted_in_characters_not_bytes() {
        let twelve = "わたしのねこはくろいです";
        assert_eq!(twelve.chars().count(), 12);
        assert_eq!(check(twelve), Ok(()));

        // 33 bytes, but 11 characters.
        let eleven = "わたしのねこはくろいで";
        assert!(eleven.len() > MIN_CHARS);
        assert_eq!(check(eleven), Err(PasswordProblem::TooShort));

        // 384 bytes, but 128 characters.
        assert_eq!(check(&"山川海空".repeat(32)), Ok(()));
        assert_eq!(
            check(&format!("{}森", "山川海空".repeat(32))),
            Err(PasswordProblem::TooLong)
        );
    }

    #[test]
    fn common_passwords_are_refused_whatever_their_case() {
        for password in [
            "password1234",
            "Password1234",
            "PASSWORDPASSWORD",
            "qwertyuiopas",
            "1q2w3e4r5t6y",
            "123456789012",
            "Sakura123456",
            "doraemon1234",
            "konnichiwa12",
        ] {
            assert_eq!(check(password), Err(PasswordProblem::Common), "{password}");
        }
        assert_eq!(check("sakura-no-hana-ga-saku"), Ok(()));
    }

    #[test]
    fn the_common_list_is_clean() {
        assert!(COMMON.len() > 300);
        for entry in COMMON.iter() {
            let chars = entry.chars().count();
            assert!((MIN_CHARS..=MAX_CHARS).contains(&chars), "{entry:?}");
            assert_eq!(*entry, entry.to_lowercase(), "{entry:?} is not lower-case");
        }
    }

    #[test]
    fn the_company_code_is_refused_whatever_its_case() {
        assert_eq!(
            check("my-ACME-password-7"),
            Err(PasswordProblem::ContainsCompanyCode)
        );
        assert_eq!(
            check_password("my-acme-password-7", "ACME", EMAIL),
            Err(PasswordProblem::ContainsCompanyCode)
        );
    }

    #[test]
    fn the_email_local_part_is_refused_whatever_its_case() {
        assert_eq!(
            check("Taro.Yamada-2025!"),
            Err(PasswordProblem::ContainsEmailName)
        );
        // The domain is not part of the rule.
        assert_eq!(check("example.co.jp-is-home"), Ok(()));
    }

    #[test]
    fn short_codes_and_local_parts_are_not_applied() {
        assert_eq!(
            check_password("blue-ox-walks-far", "ox", "ab@example.jp"),
            Ok(())
        );
        assert_eq!(
            check_password("blue-ab-walks-far", "ox", "ab@example.jp"),
            Ok(())
        );
        assert_eq!(check_password("blue-ox-walks-far", "", ""), Ok(()));
        assert_eq!(
            check_password("blue-oxe-walks-far", "oxe", "ab@example.jp"),
            Err(PasswordProblem::ContainsCompanyCode)
        );
    }

    #[test]
    fn converts_to_an_invalid_password_error_in_both_languages() {
        for problem in [
            PasswordProblem::TooShort,
            PasswordProblem::TooLong,
            PasswordProblem::Common,
            PasswordProblem::ContainsCompanyCode,
            PasswordProblem::ContainsEmailName,
        ] {
            assert_eq!(
                AppError::from(problem),
                AppError::invalid(FormField::Password, Problem::Password(problem))
            );
        }
        // The reasons state the same limits as the constants.
        assert!(
            Problem::Password(PasswordProblem::TooShort)
                .reasons()
                .0
                .contains(&MIN_CHARS.to_string())
        );
        assert!(
            Problem::Password(PasswordProblem::TooShort)
                .reasons()
                .1
                .contains(&MIN_CHARS.to_string())
        );
        assert!(
            Problem::Password(PasswordProblem::TooLong)
                .reasons()
                .0
                .contains(&MAX_CHARS.to_string())
        );
        assert!(
            Problem::Password(PasswordProblem::TooLong)
                .reasons()
                .1
                .contains(&MAX_CHARS.to_string())
        );
    }
}
