//! Who is signed in, as the pages see it: loaded once per page load and shared by every
//! component through context.
use super::api::whoami;
use super::CurrentUser;
use leptos::prelude::*;

/// The signed-in user, loaded once per page load and shared by every component.
#[derive(Clone, Copy)]
pub struct Session(pub Resource<Result<Option<CurrentUser>, ServerFnError>>);

impl Session {
    /// Starts loading the signed-in user; the shell provides the result as context.
    pub fn load() -> Self {
        Self(Resource::new(|| (), |_| whoami()))
    }
}
