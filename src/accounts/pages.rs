//! Log-in and sign-up pages: plain HTML forms posting to `/auth/*`.
use super::{safe_next, urlencode, FormError};
use crate::i18n::{use_words, Words};
use crate::ui::Alert;
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;

#[derive(Clone)]
struct FormQuery {
    error: Option<FormError>,
    /// Seconds to wait, for refusals that pass.
    retry: Option<u64>,
    username: String,
    next: String,
}

fn form_query() -> FormQuery {
    let q = use_query_map().get_untracked();
    FormQuery {
        error: q.get("error").as_deref().and_then(FormError::from_code),
        retry: q.get("retry").and_then(|r| r.parse().ok()),
        username: q.get("username").unwrap_or_default(),
        next: safe_next(q.get("next").as_deref()).to_owned(),
    }
}

#[component]
pub fn LoginPage() -> impl IntoView {
    let q = form_query();
    let w = use_words();
    let signup = format!("/signup?next={}", urlencode(&q.next));
    view! {
        <Title text=w.log_in_title/>
        <section class="card narrow">
            <h1>{w.log_in}</h1>
            {q.error.map(|e| view! { <Alert message=e.describe(q.retry, w)/> })}
            <CredentialsForm action="/auth/login" submit=w.log_in username=q.username.clone() next=q.next.clone() new_password=false w/>
            <p class="muted">{w.new_here} <a href=signup rel="external">{w.create_account}</a></p>
            <GuestForm next=q.next/>
        </section>
    }
}

#[component]
pub fn SignupPage() -> impl IntoView {
    let q = form_query();
    let w = use_words();
    let login = format!("/login?next={}", urlencode(&q.next));
    view! {
        <Title text=w.sign_up_title/>
        <section class="card narrow">
            <h1>{w.create_account}</h1>
            {q.error.map(|e| view! { <Alert message=e.describe(q.retry, w)/> })}
            <CredentialsForm action="/auth/signup" submit=w.sign_up username=q.username.clone() next=q.next.clone() new_password=true w/>
            <p class="muted">{w.have_account} <a href=login rel="external">{w.log_in}</a></p>
            <GuestForm next=q.next/>
        </section>
    }
}

#[component]
fn CredentialsForm(
    action: &'static str,
    submit: &'static str,
    username: String,
    next: String,
    /// Sign-up asks for a new password; log-in for the current one.
    new_password: bool,
    w: &'static Words,
) -> impl IntoView {
    let autocomplete = if new_password {
        "new-password"
    } else {
        "current-password"
    };
    view! {
        <form method="post" action=action class="stack">
            <input type="hidden" name="next" value=next/>
            <label>
                {w.username}
                <input name="username" value=username required minlength="3" maxlength="32" autocomplete="username"
                    pattern="[A-Za-z0-9._\\-]{3,32}" title=w.username_rule/>
            </label>
            <label>
                {w.password}
                <input name="password" type="password" required minlength="8" maxlength="256" autocomplete=autocomplete/>
            </label>
            <button type="submit" class="primary">{submit}</button>
        </form>
    }
}

/// "Join as guest": a generated name for this browser session.
#[component]
pub fn GuestForm(next: String) -> impl IntoView {
    view! {
        <form method="post" action="/auth/guest" class="guest">
            <input type="hidden" name="next" value=next/>
            <button type="submit" class="secondary">{use_words().join_as_guest}</button>
        </form>
    }
}
