//! Argon2id hashing, always on the blocking pool so a login never stalls the async runtime.
use argon2::password_hash::{
    rand_core::OsRng, PasswordHash, PasswordHasher, PasswordVerifier, SaltString,
};
use argon2::Argon2;

/// A PHC-format hash. Not `Serialize`: it never leaves the server.
pub struct PasswordHashString(pub String);

pub async fn hash(password: String) -> Result<PasswordHashString, String> {
    tokio::task::spawn_blocking(move || {
        let salt = SaltString::generate(&mut OsRng);
        Argon2::default()
            .hash_password(password.as_bytes(), &salt)
            .map(|h| PasswordHashString(h.to_string()))
            .map_err(|e| e.to_string())
    })
    .await
    .map_err(|e| e.to_string())?
}

/// Checks `password` against `stored`. With no stored hash (unknown user) it still does the
/// work of one check, so timing does not reveal which usernames exist.
pub async fn verify(password: String, stored: Option<String>) -> bool {
    tokio::task::spawn_blocking(move || {
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
    .unwrap_or(false)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn hashes_are_argon2id_and_verify() {
        let h = hash("correct horse".into()).await.unwrap();
        assert!(h.0.starts_with("$argon2id$"));
        assert!(verify("correct horse".into(), Some(h.0.clone())).await);
        assert!(!verify("wrong horse".into(), Some(h.0)).await);
        assert!(!verify("anything".into(), None).await);
    }
}
