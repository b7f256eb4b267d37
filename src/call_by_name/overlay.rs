//! The site-wide overlay for calls by name: the call ringing for me, and the panel of the call
//! I placed. The server renders it empty; in the browser it starts the socket that feeds it.
use super::call_state::Dial;
use crate::accounts::signed_in::Session;
use crate::i18n::use_words;
use leptos::prelude::*;

/// The overlay every page has for signed-in users: the call ringing for me, and the panel of
/// the call I placed. It also starts the browser's call socket.
#[component]
pub fn CallOverlay() -> impl IntoView {
    let session = expect_context::<Session>();
    view! {
        <Suspense fallback=|| ()>
            {move || Suspend::new(async move {
                let signed_in = matches!(session.0.await, Ok(Some(_)));
                signed_in.then(|| view! { <OverlayPanel/> })
            })}
        </Suspense>
    }
}

/// An island: the page's first, so it makes the call state the online list shares.
#[island]
fn OverlayPanel() -> impl IntoView {
    let calls = super::call_state::use_call_state();
    #[cfg(feature = "hydrate")]
    super::client::start(calls);
    let incoming = calls.incoming;
    let outgoing = calls.outgoing;
    let dial = move || outgoing.with(|o| o.as_ref().map(|o| o.state));
    let w = use_words();
    view! {
        <div class="call-overlay">
            <Show when=move || incoming.with(Option::is_some)>
                <div class="card incoming" data-testid="incoming" role="alertdialog" aria-live="assertive"
                    aria-label=w.incoming_call>
                    <span class="avatar" aria-hidden="true">
                        {move || incoming.with(|i| i.as_ref().map(|i| crate::ui::initial(&i.from)))}
                    </span>
                    <p class="who-calls">
                        <strong>{move || incoming.with(|i| i.as_ref().map(|i| i.from.clone()))}</strong>
                        {w.is_calling}
                    </p>
                    <div class="row">
                        <button class="primary" on:click=move |_| calls.accept()>{w.accept}</button>
                        <button class="danger" on:click=move |_| calls.decline()>{w.decline}</button>
                    </div>
                </div>
            </Show>
            <Show when=move || outgoing.with(Option::is_some)>
                <div class="card call-panel" data-testid="call-panel" role="status" aria-live="polite">
                    <span class="dot" aria-hidden="true"></span>
                    <span data-testid="call-state" data-state=move || dial().map(Dial::as_str)>
                        {move || outgoing.with(|o| o.as_ref().map(|o| o.state.label(&o.name, w)))}
                    </span>
                    <button class:danger=move || dial() == Some(Dial::Ringing) on:click=move |_| calls.hangup()>
                        {move || if dial() == Some(Dial::Ringing) { w.cancel } else { w.close }}
                    </button>
                </div>
            </Show>
        </div>
    }
}
