//! Guest sessions. People ring a guest by its name, so a guest name is long enough that two
//! never meet by chance, and it is checked against every account and every other guest session
//! (a unique index) when the session is stored: on a clash another name is drawn.
use super::store::{random_token, session_key, StoreError, SESSION_SECS};
use crate::db::Db;
use crate::on_db;

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
pub async fn create(db: &Db) -> Result<(String, String), StoreError> {
    create_with(db, new_name).await
}

/// [`create`] with names drawn from `names`, so a test can make them clash.
pub async fn create_with(
    db: &Db,
    mut names: impl FnMut() -> String,
) -> Result<(String, String), StoreError> {
    for _ in 0..ATTEMPTS {
        let name = names();
        let token = random_token();
        // Inserted only if no account has the name; the unique index turns away another
        // guest's. Both in one statement, so nothing can slip in between check and insert.
        // (Names match in any letter case, as in `store`.)
        let sql = db.sql(
            "INSERT INTO sessions (token_hash, guest_name, guest_peer, expires_at)
             SELECT $1, $2, $3, unixepoch() + $4
             WHERE NOT EXISTS (SELECT 1 FROM users WHERE username = $2)",
            r#"INSERT INTO sessions (token_hash, guest_name, guest_peer, expires_at)
             SELECT $1, $2, $3, unixepoch() + $4
             WHERE NOT EXISTS
                 (SELECT 1 FROM users WHERE lower(username COLLATE "C") = lower($2 COLLATE "C"))"#,
        );
        let res = on_db!(db, |p| sqlx::query(sql)
            .bind(session_key(&token))
            .bind(&name)
            .bind(crate::ids::new_id())
            .bind(SESSION_SECS)
            .execute(p)
            .await
            .map(|r| r.rows_affected()));
        match res {
            Ok(1) => return Ok((token, name)),
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
    // How `create_with` handles clashes, on both databases: tests/store.rs.

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
}
