//! Database URLs as shown in messages and logs: a PostgreSQL URL may carry a password.

/// `url` with its password, if any, replaced by `***` (in the user part and in a
/// `password=` parameter).
pub fn redacted(url: &str) -> String {
    let Some((scheme, rest)) = url.split_once("://") else {
        return url.to_owned();
    };
    let (main, query) = match rest.split_once('?') {
        Some((m, q)) => (m, Some(q)),
        None => (rest, None),
    };
    let main = match main.rsplit_once('@') {
        Some((user_info, host)) => match user_info.split_once(':') {
            Some((user, _)) => format!("{user}:***@{host}"),
            None => main.to_owned(),
        },
        None => main.to_owned(),
    };
    let Some(query) = query else {
        return format!("{scheme}://{main}");
    };
    let query: Vec<&str> = query
        .split('&')
        .map(|kv| match kv.split_once('=') {
            Some((k, _)) if k.eq_ignore_ascii_case("password") => "password=***",
            _ => kv,
        })
        .collect();
    format!("{scheme}://{main}?{}", query.join("&"))
}

#[cfg(test)]
mod tests {
    use super::redacted;

    #[test]
    fn passwords_are_hidden_and_the_rest_kept() {
        let cases = [
            ("sqlite://data/app.db", "sqlite://data/app.db"),
            ("sqlite:app.db?mode=rwc", "sqlite:app.db?mode=rwc"),
            (
                "postgres://db.example/parley",
                "postgres://db.example/parley",
            ),
            ("postgres://app@db/parley", "postgres://app@db/parley"),
            (
                "postgres://app:s3cr:et@db:5432/parley",
                "postgres://app:***@db:5432/parley",
            ),
            (
                "postgresql://app:p%40ss@db/parley?sslmode=require&password=x",
                "postgresql://app:***@db/parley?sslmode=require&password=***",
            ),
            ("postgres://app:a@b@db/p", "postgres://app:***@db/p"),
        ];
        for (url, want) in cases {
            assert_eq!(redacted(url), want, "{url}");
        }
    }
}
