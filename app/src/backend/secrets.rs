//! Secrets handed to people or browsers (session cookies, setup/invitation/reset links).
//!
//! A secret is 256 random bits, base64url. It travels with its tenant id as
//! `{tenant_id}.{secret}`, because on PostgreSQL nothing of a tenant can be read before the
//! tenant is known. Only the SHA-256 of the secret is stored: a copy of the database opens
//! no session and redeems no link.

use crate::domain::ids::TenantId;
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use rand::RngCore;
use sha2::{Digest, Sha256};

/// A tenant-scoped secret as it appears in a cookie or a link.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ScopedSecret {
    pub tenant: TenantId,
    secret: String,
}

impl ScopedSecret {
    /// A fresh secret for `tenant`.
    pub fn generate(tenant: &TenantId) -> ScopedSecret {
        let mut bytes = [0u8; 32];
        rand::rng().fill_bytes(&mut bytes);
        ScopedSecret {
            tenant: tenant.clone(),
            secret: URL_SAFE_NO_PAD.encode(bytes),
        }
    }

    /// Reads `{tenant_id}.{secret}`; `None` for anything malformed.
    pub fn parse(value: &str) -> Option<ScopedSecret> {
        let (tenant, secret) = value.trim().split_once('.')?;
        let tenant_ok =
            tenant.len() == 36 && tenant.chars().all(|c| c.is_ascii_hexdigit() || c == '-');
        let secret_ok = secret.len() == 43
            && secret
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_');
        (tenant_ok && secret_ok).then(|| ScopedSecret {
            tenant: TenantId::from_stored(tenant.to_ascii_lowercase()),
            secret: secret.to_owned(),
        })
    }

    /// The form for cookies and links.
    pub fn encode(&self) -> String {
        format!("{}.{}", self.tenant, self.secret)
    }

    /// What is stored: the hex SHA-256 of the secret part.
    pub fn hash(&self) -> String {
        let digest = Sha256::digest(self.secret.as_bytes());
        digest.iter().map(|b| format!("{b:02x}")).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips_and_hashes_without_the_secret() {
        let tenant = TenantId::generate();
        let secret = ScopedSecret::generate(&tenant);
        let encoded = secret.encode();
        let parsed = ScopedSecret::parse(&encoded).expect("parses");
        assert_eq!(parsed, secret);
        assert_eq!(parsed.hash(), secret.hash());
        assert_eq!(secret.hash().len(), 64);
        assert!(!secret.hash().contains(&secret.secret));
        assert_ne!(ScopedSecret::generate(&tenant).hash(), secret.hash());
    }

    #[test]
    fn malformed_values_are_refused() {
        let good = ScopedSecret::generate(&TenantId::generate()).encode();
        for bad in [
            "",
            "nodot",
            &good[..good.len() - 1],
            &format!("{good}x"),
            &good.replacen('.', ",", 1),
            "../../etc/passwd.aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
        ] {
            assert!(ScopedSecret::parse(bad).is_none(), "{bad:?}");
        }
    }
}
