//! Account and session rows, in SQLite or PostgreSQL (`crate::db`).
use super::CurrentUser;
use crate::db::Db;
use crate::on_db;
use sha2::{Digest, Sha256};

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

pub async fn create_user(db: &Db, username: &str, password_hash: &str) -> Result<i64, StoreError> {
    let res = on_db!(db, |p| sqlx::query_scalar(
        "INSERT INTO users (username, password_hash, peer_id) VALUES ($1, $2, $3) RETURNING id",
    )
    .bind(username)
    .bind(password_hash)
    .bind(crate::ids::new_id())
    .fetch_one(p)
    .await);
    match res {
        Ok(id) => Ok(id),
        Err(sqlx::Error::Database(e)) if e.is_unique_violation() => Err(StoreError::NameTaken),
        Err(e) => Err(e.into()),
    }
}

// Usernames match in any letter case, folding A-Z only: SQLite's `username` column is NOCASE;
// PostgreSQL's unique index is on `lower(username COLLATE "C")`, which the queries repeat.

pub async fn find_user(db: &Db, username: &str) -> Result<Option<UserRow>, StoreError> {
    let sql = db.sql(
        "SELECT id, username, password_hash FROM users WHERE username = $1",
        r#"SELECT id, username, password_hash FROM users
           WHERE lower(username COLLATE "C") = lower($1 COLLATE "C")"#,
    );
    let row: Option<(i64, String, String)> = on_db!(db, |p| sqlx::query_as(sql)
        .bind(username)
        .fetch_optional(p)
        .await)?;
    Ok(row.map(|(id, username, password_hash)| UserRow {
        id,
        username,
        password_hash,
    }))
}

/// The stable peer id of a user, for calling by name.
pub async fn peer_id_of(db: &Db, username: &str) -> Result<Option<String>, StoreError> {
    Ok(peer_of(db, username).await?.map(|(_, peer_id)| peer_id))
}

/// A user's exact username and stable peer id, by username (any letter case).
pub async fn peer_of(db: &Db, username: &str) -> Result<Option<(String, String)>, StoreError> {
    let sql = db.sql(
        "SELECT username, peer_id FROM users WHERE username = $1",
        r#"SELECT username, peer_id FROM users
           WHERE lower(username COLLATE "C") = lower($1 COLLATE "C")"#,
    );
    Ok(on_db!(db, |p| sqlx::query_as(sql)
        .bind(username)
        .fetch_optional(p)
        .await)?)
}

/// The username that owns a stable peer id (guests' ids are not here).
pub async fn name_of_peer(db: &Db, peer_id: &str) -> Result<Option<String>, StoreError> {
    Ok(on_db!(db, |p| sqlx::query_scalar(
        "SELECT username FROM users WHERE peer_id = $1"
    )
    .bind(peer_id)
    .fetch_optional(p)
    .await)?)
}

/// Whether `peer_id` is an account's or a live guest session's, and so not free for anyone.
pub async fn peer_id_owned(db: &Db, peer_id: &str) -> Result<bool, StoreError> {
    Ok(on_db!(db, |p| sqlx::query_scalar(
        "SELECT EXISTS (SELECT 1 FROM users WHERE peer_id = $1)
             OR EXISTS (SELECT 1 FROM sessions WHERE guest_peer = $1 AND expires_at > unixepoch())",
    )
    .bind(peer_id)
    .fetch_one(p)
    .await)?)
}

/// Starts a session for a user; returns the cookie token. (Guests: `create` in `guests.rs`.)
pub async fn create_session(db: &Db, user_id: i64) -> Result<String, StoreError> {
    let token = random_token();
    on_db!(db, |p| sqlx::query(
        "INSERT INTO sessions (token_hash, user_id, expires_at) VALUES ($1, $2, unixepoch() + $3)",
    )
    .bind(token_hash(&token))
    .bind(user_id)
    .bind(SESSION_SECS)
    .execute(p)
    .await
    .map(drop))?;
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
pub async fn session_user(db: &Db, token: &str) -> Result<Option<CurrentUser>, StoreError> {
    let row: Option<SessionRow> = on_db!(db, |p| sqlx::query_as(
        "SELECT u.username, u.peer_id, s.guest_name, s.guest_peer
         FROM sessions s LEFT JOIN users u ON u.id = s.user_id
         WHERE s.token_hash = $1 AND s.expires_at > unixepoch()",
    )
    .bind(token_hash(token))
    .fetch_optional(p)
    .await)?;
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

pub async fn delete_session(db: &Db, token: &str) -> Result<(), StoreError> {
    on_db!(db, |p| sqlx::query(
        "DELETE FROM sessions WHERE token_hash = $1"
    )
    .bind(token_hash(token))
    .execute(p)
    .await
    .map(drop))?;
    Ok(())
}

pub async fn purge_expired(db: &Db) -> Result<u64, StoreError> {
    let sql = "DELETE FROM sessions WHERE expires_at <= unixepoch()";
    Ok(on_db!(db, |p| sqlx::query(sql)
        .execute(p)
        .await
        .map(|r| r.rows_affected()))?)
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
