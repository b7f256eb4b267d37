//! Account and session rows in SQLite.
use super::CurrentUser;
use sha2::{Digest, Sha256};
use sqlx::SqlitePool;

/// Sessions last 30 days.
pub const SESSION_SECS: i64 = 30 * 24 * 3600;

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("username taken")]
    NameTaken,
    #[error("no free guest name found")]
    NoGuestName,
    #[error(transparent)]
    Db(#[from] sqlx::Error),
}

pub struct UserRow {
    pub id: i64,
    pub username: String,
    pub password_hash: String,
}

pub async fn create_user(
    pool: &SqlitePool,
    username: &str,
    password_hash: &str,
) -> Result<i64, StoreError> {
    let res = sqlx::query("INSERT INTO users (username, password_hash, peer_id) VALUES (?, ?, ?)")
        .bind(username)
        .bind(password_hash)
        .bind(crate::ids::new_id())
        .execute(pool)
        .await;
    match res {
        Ok(r) => Ok(r.last_insert_rowid()),
        Err(sqlx::Error::Database(e)) if e.is_unique_violation() => Err(StoreError::NameTaken),
        Err(e) => Err(e.into()),
    }
}

pub async fn find_user(pool: &SqlitePool, username: &str) -> Result<Option<UserRow>, StoreError> {
    let row: Option<(i64, String, String)> =
        sqlx::query_as("SELECT id, username, password_hash FROM users WHERE username = ?")
            .bind(username)
            .fetch_optional(pool)
            .await?;
    Ok(row.map(|(id, username, password_hash)| UserRow {
        id,
        username,
        password_hash,
    }))
}

/// The stable peer id of a user, for calling by name.
pub async fn peer_id_of(pool: &SqlitePool, username: &str) -> Result<Option<String>, StoreError> {
    Ok(
        sqlx::query_scalar("SELECT peer_id FROM users WHERE username = ?")
            .bind(username)
            .fetch_optional(pool)
            .await?,
    )
}

/// A user's exact username and stable peer id, by username (any letter case).
pub async fn peer_of(
    pool: &SqlitePool,
    username: &str,
) -> Result<Option<(String, String)>, StoreError> {
    Ok(
        sqlx::query_as("SELECT username, peer_id FROM users WHERE username = ?")
            .bind(username)
            .fetch_optional(pool)
            .await?,
    )
}

/// The username that owns a stable peer id (guests' ids are not here).
pub async fn name_of_peer(pool: &SqlitePool, peer_id: &str) -> Result<Option<String>, StoreError> {
    Ok(
        sqlx::query_scalar("SELECT username FROM users WHERE peer_id = ?")
            .bind(peer_id)
            .fetch_optional(pool)
            .await?,
    )
}

/// Whether `peer_id` is an account's or a live guest session's, and so not free for anyone.
pub async fn peer_id_owned(pool: &SqlitePool, peer_id: &str) -> Result<bool, StoreError> {
    Ok(sqlx::query_scalar(
        "SELECT EXISTS (SELECT 1 FROM users WHERE peer_id = ?1)
             OR EXISTS (SELECT 1 FROM sessions WHERE guest_peer = ?1 AND expires_at > unixepoch())",
    )
    .bind(peer_id)
    .fetch_one(pool)
    .await?)
}

/// Starts a session for a user; returns the cookie token. (Guests: `create` in `guests.rs`.)
pub async fn create_session(pool: &SqlitePool, user_id: i64) -> Result<String, StoreError> {
    let token = random_token();
    sqlx::query(
        "INSERT INTO sessions (token_hash, user_id, expires_at) VALUES (?, ?, unixepoch() + ?)",
    )
    .bind(token_hash(&token))
    .bind(user_id)
    .bind(SESSION_SECS)
    .execute(pool)
    .await?;
    Ok(token)
}

/// (username, user peer id, guest name, guest peer id): one of the two pairs is set.
type SessionRow = (
    Option<String>,
    Option<String>,
    Option<String>,
    Option<String>,
);

/// Who holds `token`, if it is a live session.
pub async fn session_user(
    pool: &SqlitePool,
    token: &str,
) -> Result<Option<CurrentUser>, StoreError> {
    let row: Option<SessionRow> = sqlx::query_as(
        "SELECT u.username, u.peer_id, s.guest_name, s.guest_peer
         FROM sessions s LEFT JOIN users u ON u.id = s.user_id
         WHERE s.token_hash = ? AND s.expires_at > unixepoch()",
    )
    .bind(token_hash(token))
    .fetch_optional(pool)
    .await?;
    Ok(row.and_then(|r| match r {
        (Some(name), Some(peer_id), _, _) => Some(CurrentUser {
            name,
            peer_id,
            guest: false,
        }),
        (_, _, Some(name), Some(peer_id)) => Some(CurrentUser {
            name,
            peer_id,
            guest: true,
        }),
        _ => None,
    }))
}

pub async fn delete_session(pool: &SqlitePool, token: &str) -> Result<(), StoreError> {
    sqlx::query("DELETE FROM sessions WHERE token_hash = ?")
        .bind(token_hash(token))
        .execute(pool)
        .await?;
    Ok(())
}

pub async fn purge_expired(pool: &SqlitePool) -> Result<u64, StoreError> {
    Ok(
        sqlx::query("DELETE FROM sessions WHERE expires_at <= unixepoch()")
            .execute(pool)
            .await?
            .rows_affected(),
    )
}

/// What a session is known by outside the database (e.g. its open sockets): the token's hash,
/// so no copy of the token itself is kept.
pub fn session_key(token: &str) -> String {
    token_hash(token)
}

pub(super) fn random_token() -> String {
    use rand::RngCore;
    let mut bytes = [0u8; 32];
    rand::rngs::OsRng.fill_bytes(&mut bytes);
    hex::encode(bytes)
}

fn token_hash(token: &str) -> String {
    hex::encode(Sha256::digest(token.as_bytes()))
}
