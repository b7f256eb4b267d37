//! Argon2id hashing, always on the blocking pool so a login never stalls the async runtime, and
//! always holding a core from the [`HashGate`] so a flood of log-ins cannot run unbounded
//! hashes at once.
use crate::throttle::{Busy, HashGate};
use argon2::password_hash::{
    rand_core::OsRng, PasswordHash, PasswordHasher, PasswordVerifier, SaltString,
};
use argon2::Argon2;

/// A PHC-format hash. Not `Serialize`: it never leaves the server.
pub struct PasswordHashString(pub String);

#[derive(Debug, thiserror::Error)]
pub enum HashError {
    #[error("every core is busy hashing")]
    Busy(Busy),
    #[error("hashing failed: {0}")]
    Failed(String),
}

pub async fn hash(gate: &HashGate, password: String) -> Result<PasswordHashString, HashError> {
    let permit = gate.acquire().await.map_err(HashError::Busy)?;
    tokio::task::spawn_blocking(move || {
        let _permit = permit;
        let salt = SaltString::generate(&mut OsRng);
        Argon2::default()
            .hash_password(password.as_bytes(), &salt)
            .map(|h| PasswordHashString(h.to_string()))
            .map_err(|e| HashError::Failed(e.to_string()))
    })
    .await
    .map_err(|e| HashError::Failed(e.to_string()))?
}

/// Checks `password` against `stored`. With no stored hash (unknown user) it still does the
/// work of one check, so timing does not reveal which usernames exist.
pub async fn verify(
    gate: &HashGate,
    password: String,
    stored: Option<String>,
) -> Result<bool, Busy> {
    let permit = gate.acquire().await?;
    Ok(tokio::task::spawn_blocking(move || {
        let _permit = permit;
        let argon = Argon2::default();
        match stored.as_deref().map(PasswordHash::new) {
            Some(Ok(h)) => argon.verify_password(password.as_bytes(), &h).is_ok(),
            _ => {
                let salt = SaltString::generate(&mut OsRng);
                let _ = argon.hash_password(password.as_bytes(), &salt);
                false
            }
        }
    })
    .await
    .unwrap_or(false))
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    #[tokio::test]
    async fn hashes_are_argon2id_and_verify() {
        let gate = HashGate::new(1, 0, Duration::from_secs(1));
        let h = hash(&gate, "correct horse".into()).await.unwrap();
        assert!(h.0.starts_with("$argon2id$"));
        assert!(verify(&gate, "correct horse".into(), Some(h.0.clone()))
            .await
            .unwrap());
        assert!(!verify(&gate, "wrong horse".into(), Some(h.0))
            .await
            .unwrap());
        assert!(!verify(&gate, "anything".into(), None).await.unwrap());
        assert_eq!(
            (gate.running(), gate.peak()),
            (0, 1),
            "each hash held the one core"
        );
    }

    #[tokio::test]
    async fn no_free_core_means_busy_without_hashing() {
        let gate = HashGate::new(1, 0, Duration::from_secs(1));
        let _held = gate.acquire().await.unwrap();
        assert!(matches!(
            hash(&gate, "pw".into()).await,
            Err(HashError::Busy(_))
        ));
        assert!(verify(&gate, "pw".into(), None).await.is_err());
    }
}
