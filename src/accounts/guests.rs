//! Guest sessions. People ring a guest by its name, so a guest name is long enough that two
//! never meet by chance, and it is checked against every account and every other guest session
//! (a unique index) when the session is stored: on a clash another name is drawn.
use super::store::{random_token, session_key, StoreError, SESSION_SECS};
use sqlx::SqlitePool;

/// Lower-case letters and digits without `i`, `l`, `o` and `u`, which are easily misread
/// (Crockford's base 32): 32^8, about 10^12 names.
const ALPHABET: &[u8; 32] = b"0123456789abcdefghjkmnpqrstvwxyz";
const NAME_LETTERS: usize = 8;
/// Clashes are one in 10^12 per draw; this many in a row means something else is wrong.
const ATTEMPTS: usize = 8;

/// A fresh random guest name: `guest-` and eight letters or digits.
pub fn new_name() -> String {
    use rand::Rng;
    let mut rng = rand::thread_rng();
    let mut name = String::with_capacity(6 + NAME_LETTERS);
    name.push_str("guest-");
    name.extend((0..NAME_LETTERS).map(|_| ALPHABET[rng.gen_range(0..ALPHABET.len())] as char));
    name
}

/// Starts a guest session; returns the cookie token and the guest's name.
pub async fn create(pool: &SqlitePool) -> Result<(String, String), StoreError> {
    create_with(pool, new_name).await
}

/// [`create`] with names drawn from `names`, so a test can make them clash.
pub async fn create_with(
    pool: &SqlitePool,
    mut names: impl FnMut() -> String,
) -> Result<(String, String), StoreError> {
    for _ in 0..ATTEMPTS {
        let name = names();
        let token = random_token();
        // Inserted only if no account has the name; the unique index turns away another
        // guest's. Both in one statement, so nothing can slip in between check and insert.
        let res = sqlx::query(
            "INSERT INTO sessions (token_hash, guest_name, guest_peer, expires_at)
             SELECT ?, ?, ?, unixepoch() + ?
             WHERE NOT EXISTS (SELECT 1 FROM users WHERE username = ?)",
        )
        .bind(session_key(&token))
        .bind(&name)
        .bind(crate::ids::new_id())
        .bind(SESSION_SECS)
        .bind(&name)
        .execute(pool)
        .await;
        match res {
            Ok(r) if r.rows_affected() == 1 => return Ok((token, name)),
            Ok(_) => continue,
            Err(sqlx::Error::Database(e)) if e.is_unique_violation() => continue,
            Err(e) => return Err(e.into()),
        }
    }
    Err(StoreError::NoGuestName)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashSet;

    async fn pool() -> (tempfile::TempDir, SqlitePool) {
        let dir = tempfile::tempdir().unwrap();
        let url = format!("sqlite://{}", dir.path().join("t.db").display());
        let pool = crate::db::connect(&url).await.unwrap();
        (dir, pool)
    }

    fn from(list: &[&str]) -> impl FnMut() -> String {
        let mut names: Vec<String> = list.iter().rev().map(|s| s.to_string()).collect();
        move || names.pop().unwrap_or_else(|| "guest-zzzzzzzz".into())
    }

    #[test]
    fn names_are_long_and_unambiguous() {
        let names: HashSet<String> = (0..2000).map(|_| new_name()).collect();
        assert_eq!(names.len(), 2000);
        for n in &names {
            let tail = n.strip_prefix("guest-").unwrap();
            assert_eq!(tail.len(), NAME_LETTERS);
            assert!(tail.bytes().all(|b| ALPHABET.contains(&b)), "{n}");
            assert!(!tail.contains(['i', 'l', 'o', 'u']));
        }
    }

    #[tokio::test]
    async fn a_name_held_by_an_account_or_a_guest_is_drawn_again() {
        let (_dir, pool) = pool().await;
        // Accounts cannot sign up as guest-…, but one made before that rule could exist.
        sqlx::query("INSERT INTO users (username, password_hash, peer_id) VALUES (?, 'x', 'p1')")
            .bind("Guest-AAAAAAAA")
            .execute(&pool)
            .await
            .unwrap();
        let (_, name) = create_with(&pool, from(&["guest-aaaaaaaa", "guest-bbbbbbbb"]))
            .await
            .unwrap();
        assert_eq!(
            name, "guest-bbbbbbbb",
            "an account's name is never a guest's"
        );

        let names = from(&["guest-bbbbbbbb", "GUEST-BBBBBBBB", "guest-cccccccc"]);
        let (token, name) = create_with(&pool, names).await.unwrap();
        assert_eq!(
            name, "guest-cccccccc",
            "a live guest's name is never given twice"
        );
        let user = super::super::store::session_user(&pool, &token)
            .await
            .unwrap()
            .unwrap();
        assert_eq!((user.name.as_str(), user.guest), ("guest-cccccccc", true));

        let stuck = create_with(&pool, || "guest-bbbbbbbb".to_owned()).await;
        assert!(matches!(stuck, Err(StoreError::NoGuestName)));
    }
}
