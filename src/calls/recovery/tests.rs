use super::*;

/// Fires the pending timer of `plan`, as the engine would once its delay is over.
fn fire(r: &mut Recovery, plan: Plan) -> Plan {
    let (_, generation) = plan.timer.expect("a timer was asked for");
    r.timer(generation, true)
}

fn connected(offerer: bool) -> Recovery {
    let mut r = Recovery::new(offerer);
    r.seen(Seen::Other, "connecting");
    r.seen(Seen::Connected, "connected");
    r
}

#[test]
fn a_disconnect_that_recovers_within_the_grace_needs_no_restart() {
    let mut r = connected(true);
    let plan = r.seen(Seen::Disconnected, "disconnected");
    assert_eq!(plan.timer.map(|t| t.0), Some(GRACE_MS));
    assert_eq!(r.tile(), "reconnecting");
    assert!(!r.troubled(), "a disconnect alone is not worth words yet");
    r.seen(Seen::Connected, "connected");
    assert_eq!(
        fire(&mut r, plan),
        Plan::default(),
        "the stale timer does nothing"
    );
    assert_eq!(r.tile(), "connected");
}

#[test]
fn the_offerer_restarts_after_the_grace_then_the_tile_returns_to_connected() {
    let mut r = connected(true);
    let grace = r.seen(Seen::Disconnected, "disconnected");
    let restart = fire(&mut r, grace);
    assert!(restart.restart);
    assert_eq!(restart.timer.map(|t| t.0), Some(RESTART_WATCH_MS));
    assert_eq!(r.tile(), "reconnecting");
    r.seen(Seen::Other, "connecting");
    assert_eq!(r.tile(), "reconnecting");
    r.seen(Seen::Connected, "connected");
    assert_eq!(r.tile(), "connected");
}

#[test]
fn failures_back_off_and_give_up_after_the_last_restart() {
    let mut r = connected(true);
    let mut plan = r.seen(Seen::Failed, "failed");
    assert!(r.troubled());
    let mut delays = Vec::new();
    let mut restarts = 0;
    for _ in 0..20 {
        let Some((ms, _)) = plan.timer else { break };
        delays.push(ms);
        plan = fire(&mut r, plan);
        if plan.restart {
            restarts += 1;
            // The restarted link fails again.
            plan = r.seen(Seen::Failed, "failed");
        }
    }
    assert_eq!(restarts, MAX_RESTARTS);
    assert_eq!(delays, vec![1_000, 2_000, 4_000]);
    assert!(r.gave_up());
    assert_eq!(r.tile(), "failed");
    // It still comes back if the network does.
    r.seen(Seen::Connected, "connected");
    assert_eq!(r.tile(), "connected");
    assert!(!r.troubled());
}

#[test]
fn a_restart_that_never_connects_counts_as_failed() {
    let mut r = connected(true);
    let grace = r.seen(Seen::Disconnected, "disconnected");
    let watch = fire(&mut r, grace);
    assert!(watch.restart);
    let backoff = fire(&mut r, watch);
    assert!(!backoff.restart);
    assert_eq!(backoff.timer.map(|t| t.0), Some(backoff_ms(1)));
    assert!(fire(&mut r, backoff).restart);
}

#[test]
fn failing_again_during_a_backoff_does_not_restart_twice() {
    let mut r = connected(true);
    let first = r.seen(Seen::Failed, "failed");
    assert_eq!(r.seen(Seen::Failed, "failed"), Plan::default());
    assert!(fire(&mut r, first).restart);
}

#[test]
fn the_answerer_never_restarts_and_waits_for_offers() {
    let mut r = connected(false);
    let wait = r.seen(Seen::Disconnected, "disconnected");
    assert_eq!(wait.timer.map(|t| t.0), Some(ANSWER_WAIT_MS));
    assert_eq!(r.tile(), "reconnecting");
    assert_eq!(r.seen(Seen::Failed, "failed"), Plan::default());
    // A restart offer arrives: the wait starts over.
    let again = r.offered();
    assert_eq!(
        fire(&mut r, wait),
        Plan::default(),
        "the older wait is stale"
    );
    let end = fire(&mut r, again);
    assert!(!end.restart);
    assert!(r.gave_up());
    assert_eq!(r.tile(), "failed");
}

#[test]
fn a_link_that_never_connected_shows_connecting_then_failed() {
    let mut r = Recovery::new(true);
    assert_eq!(r.tile(), "new");
    let mut plan = r.seen(Seen::Failed, "new");
    assert_eq!(r.tile(), "connecting");
    while plan.timer.is_some() {
        plan = fire(&mut r, plan);
        if plan.restart {
            plan = r.seen(Seen::Failed, "new");
        }
    }
    assert_eq!(r.tile(), "failed");
}

#[test]
fn without_signaling_the_restart_waits_for_the_socket() {
    let mut r = connected(true);
    let grace = r.seen(Seen::Disconnected, "disconnected");
    let (_, generation) = grace.timer.unwrap();
    assert_eq!(r.timer(generation, false), Plan::default());
    assert_eq!(r.tile(), "reconnecting");
    let plan = r.resumed();
    assert!(plan.restart);
}

#[test]
fn a_resumed_socket_restarts_only_links_that_are_down() {
    let mut up = connected(true);
    assert_eq!(up.resumed(), Plan::default());
    let mut answerer = connected(false);
    answerer.seen(Seen::Disconnected, "disconnected");
    assert!(!answerer.resumed().restart);
}

#[test]
fn credentials_are_refreshed_at_four_fifths_of_their_life() {
    let now = 1_000_000.0;
    assert_eq!(refresh_delay_ms(now, 1_000 + 100), 80_000);
    // Already expired, or a clock far ahead: not in a loop.
    assert_eq!(refresh_delay_ms(now, 900), 10_000);
    // Years away: as long as a timer can wait.
    assert_eq!(refresh_delay_ms(now, u32::MAX as u64), i32::MAX);
}
