//! Password hashing with argon2id (OWASP's minimum: 19 MiB, 2 passes, 1 lane), stored as
//! PHC strings so that the parameters travel with each hash.
//!
//! Hashing takes tens of milliseconds of CPU on purpose, so it always runs on a blocking
//! thread, never on the async runtime.

use std::sync::LazyLock;

use argon2::password_hash::rand_core::OsRng;
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::{Algorithm, Argon2, Params, Version};

use crate::domain::password::normalize;
use crate::error::AppError;

/// Memory cost in KiB, passes and lanes of every new hash.
const M_COST_KIB: u32 = 19_456;
const T_COST: u32 = 2;
const P_COST: u32 = 1;

fn hasher() -> Result<Argon2<'static>, argon2::Error> {
    let params = Params::new(M_COST_KIB, T_COST, P_COST, None)?;
    Ok(Argon2::new(Algorithm::Argon2id, Version::V0x13, params))
}

/// Hashes with a fresh random salt; the result is a PHC string (`$argon2id$v=19$…`).
fn hash_blocking(password: &str) -> Result<String, argon2::password_hash::Error> {
    let password = normalize(password);
    let salt = SaltString::generate(&mut OsRng);
    let hash = hasher()?.hash_password(password.as_bytes(), &salt)?;
    Ok(hash.to_string())
}

/// Verifies with the algorithm and parameters written in the hash itself, so hashes made
/// under older parameters keep working. A malformed hash simply does not match.
fn verify_blocking(password: &str, phc: &str) -> bool {
    let password = normalize(password);
    let Ok(parsed) = PasswordHash::new(phc) else {
        return false;
    };
    Argon2::default()
        .verify_password(password.as_bytes(), &parsed)
        .is_ok()
}

/// Hashes a new password for storage.
pub async fn hash_password(password: String) -> Result<String, AppError> {
    tokio::task::spawn_blocking(move || hash_blocking(&password))
        .await
        .map_err(|error| AppError::internal("password hashing task failed", error))?
        .map_err(|error| AppError::internal("password hashing failed", error))
}

/// Whether `password` matches the stored PHC string `phc`.
pub async fn verify_password(password: String, phc: String) -> bool {
    tokio::task::spawn_blocking(move || verify_blocking(&password, &phc))
        .await
        .unwrap_or(false)
}

/// A hash made with the current parameters, for accounts that do not exist. Computed rather
/// than written out so that it stays in step if the parameters change.
static DUMMY_HASH: LazyLock<Option<String>> =
    LazyLock::new(|| hash_blocking("kouka: no such account").ok());

/// Does the work of [`verify_password`] against a dummy hash, for sign-ins to an account
/// that does not exist: answering at once would tell an attacker which accounts do.
pub async fn verify_against_dummy(password: String) {
    // The dummy hash is first computed here, on the blocking thread too.
    let verified = tokio::task::spawn_blocking(move || match DUMMY_HASH.as_deref() {
        Some(phc) => verify_blocking(&password, phc),
        None => false,
    })
    .await;
    // The outcome is meaningless: only the time spent matters.
    drop(verified);
}

#[cfg(test)]
mod tests {
    use super::*;

    const PREFIX: &str = "$argon2id$v=19$m=19456,t=2,p=1$";

    #[tokio::test]
    async fn a_hash_verifies_its_password_only() {
        let phc = hash_password("correct horse battery".into())
            .await
            .expect("hash");
        assert!(verify_password("correct horse battery".into(), phc.clone()).await);
        assert!(!verify_password("correct horse battery!".into(), phc.clone()).await);
        assert!(!verify_password(String::new(), phc).await);
    }

    #[tokio::test]
    async fn hashes_are_argon2id_with_the_chosen_parameters() {
        let phc = hash_password("わたしのねこはくろいです".into())
            .await
            .expect("hash");
        assert!(phc.starts_with(PREFIX), "{phc}");
        assert!(verify_password("わたしのねこはくろいです".into(), phc).await);
    }

    #[tokio::test]
    async fn each_hash_has_its_own_salt() {
        let first = hash_password("same password here".into())
            .await
            .expect("hash");
        let second = hash_password("same password here".into())
            .await
            .expect("hash");
        assert_ne!(first, second);
    }

    #[tokio::test]
    async fn a_malformed_hash_never_matches() {
        for phc in [
            "",
            "not a hash",
            "$argon2id$v=19$m=19456,t=2,p=1$",
            "$argon2id$v=19$m=19456,t=2,p=1$c2FsdHNhbHQ$!!!",
            "$2b$12$abcdefghijklmnopqrstuv",
        ] {
            assert!(
                !verify_password("any password".into(), phc.into()).await,
                "{phc:?}"
            );
        }
    }

    #[tokio::test]
    async fn the_dummy_check_does_the_same_work() {
        let dummy = DUMMY_HASH.as_deref().expect("dummy hash");
        assert!(dummy.starts_with(PREFIX), "{dummy}");
        verify_against_dummy("whoever@example.jp".into()).await;
        verify_against_dummy(String::new()).await;
    }
}
