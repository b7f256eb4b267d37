//! The socket loop over in-memory channels, on tokio's paused clock: heartbeats, silence,
//! floods and sizes without waiting for real time.
use super::*;
use crate::signaling::hub::{Hub, HubLimits, PeerId};
use futures_util::task::{Context, Poll};
use std::pin::Pin;
use std::sync::Arc;
use tokio::sync::mpsc::{unbounded_channel, UnboundedReceiver, UnboundedSender};

/// A socket whose far end is the test: frames it sends arrive on `out`, frames pushed into
/// `input` are read. Dropping `input` is the client going away.
struct Pipe {
    input: UnboundedReceiver<Message>,
    out: UnboundedSender<Message>,
}

impl Stream for Pipe {
    type Item = Result<Message, axum::Error>;
    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        self.input.poll_recv(cx).map(|m| m.map(Ok))
    }
}

impl Sink<Message> for Pipe {
    type Error = ();
    fn poll_ready(self: Pin<&mut Self>, _: &mut Context<'_>) -> Poll<Result<(), ()>> {
        Poll::Ready(Ok(()))
    }
    fn start_send(self: Pin<&mut Self>, msg: Message) -> Result<(), ()> {
        self.out.send(msg).map_err(|_| ())
    }
    fn poll_flush(self: Pin<&mut Self>, _: &mut Context<'_>) -> Poll<Result<(), ()>> {
        Poll::Ready(Ok(()))
    }
    fn poll_close(self: Pin<&mut Self>, _: &mut Context<'_>) -> Poll<Result<(), ()>> {
        Poll::Ready(Ok(()))
    }
}

/// A dialect that echoes text, ends on "bye", and reports how it ended.
struct Echo {
    counter: Arc<AtomicU64>,
    liveness: Liveness,
    ended: tokio::sync::oneshot::Sender<Ended>,
}

impl Dialect for Echo {
    fn greeting(&mut self) -> Utf8Bytes {
        "hello".into()
    }
    fn liveness(&self, _: &ConnLimits) -> Liveness {
        self.liveness
    }
    fn is_life(&self, msg: &Message) -> bool {
        !matches!(msg, Message::Pong(_))
    }
    fn rate_limited(&self) -> &AtomicU64 {
        &self.counter
    }
    fn throttled(&mut self, first: bool) -> Option<Utf8Bytes> {
        first.then(|| "slow down".into())
    }
    fn binary(&mut self, _: Bytes) -> Result<Utf8Bytes, Step> {
        Err(Step::Reply("text please".into()))
    }
    async fn handle(&mut self, text: Utf8Bytes) -> Step {
        match text.as_str() {
            "bye" => Step::End((close::NORMAL, "left")),
            "" => Step::Quiet,
            _ => Step::Reply(text),
        }
    }
    fn queue_closed(&mut self) -> Reason {
        (close::POLICY, "queue closed")
    }
    fn end(self, _: Inbox, ended: Ended) {
        let _ = self.ended.send(ended);
    }
}

const LIMITS: ConnLimits = ConnLimits {
    rate: 10.0,
    burst: 5.0,
    strikes: 3,
    ping_every: Duration::from_secs(10),
    dead_after: Duration::from_secs(30),
};

struct Client {
    hub: Arc<Hub>,
    conn: PeerId,
    input: UnboundedSender<Message>,
    out: UnboundedReceiver<Message>,
    counter: Arc<AtomicU64>,
    ended: tokio::sync::oneshot::Receiver<Ended>,
    shutdown: CancellationToken,
    started: Instant,
}

/// Starts a socket task whose silent clients are closed with `on_death`.
fn start(on_death: Option<Reason>) -> Client {
    let hub = Arc::new(Hub::new(HubLimits::default()));
    let (conn, inbox) = hub.register("t");
    let (input, input_rx) = unbounded_channel();
    let (out_tx, out) = unbounded_channel();
    let (ended_tx, ended) = tokio::sync::oneshot::channel();
    let counter = Arc::new(AtomicU64::new(0));
    let dialect = Echo {
        counter: counter.clone(),
        liveness: Liveness {
            check_every: LIMITS.ping_every,
            dead_after: LIMITS.dead_after,
            on_death,
        },
        ended: ended_tx,
    };
    let shutdown = CancellationToken::new();
    let pipe = Pipe {
        input: input_rx,
        out: out_tx,
    };
    tokio::spawn(drive(pipe, inbox, LIMITS, shutdown.clone(), dialect));
    Client {
        hub,
        conn,
        input,
        out,
        counter,
        ended,
        shutdown,
        started: Instant::now(),
    }
}

impl Client {
    fn send(&self, text: &str) {
        self.input.send(Message::Text(text.into())).unwrap();
    }

    async fn next(&mut self) -> Message {
        self.out.recv().await.expect("the socket task ended")
    }

    async fn next_text(&mut self) -> String {
        match self.next().await {
            Message::Text(t) => t.to_string(),
            other => panic!("expected text, got {other:?}"),
        }
    }

    /// Waits for the task to end; returns how, the close frame it sent (if any), and when.
    async fn ending(mut self) -> (Ended, Option<(u16, String)>, Duration) {
        let ended = (&mut self.ended).await.expect("the dialect's end ran");
        let at = self.started.elapsed();
        let mut close = None;
        while let Some(m) = self.out.recv().await {
            if let Message::Close(Some(f)) = m {
                close = Some((f.code, f.reason.to_string()));
            }
        }
        (ended, close, at)
    }
}

#[tokio::test(start_paused = true)]
async fn greets_replies_and_writes_what_the_hub_queues() {
    let mut c = start(None);
    assert_eq!(c.next_text().await, "hello");
    c.send("one");
    assert_eq!(c.next_text().await, "one");
    c.hub.claim(&c.conn, "test", "t", "s", 1).unwrap();
    c.hub.deliver("test", "t", "from the hub".into()).unwrap();
    assert_eq!(c.next_text().await, "from the hub");
    c.input
        .send(Message::Binary(Bytes::from_static(b"x")))
        .unwrap();
    assert_eq!(c.next_text().await, "text please");
    c.send("bye");
    let (ended, close, _) = c.ending().await;
    assert_eq!(ended.reason, Some((close::NORMAL, "left")));
    assert_eq!(close, Some((close::NORMAL, "left".into())));
}

#[tokio::test(start_paused = true)]
async fn pings_on_time_and_drops_a_silent_client_as_its_dialect_says() {
    let mut c = start(Some((close::GOING_AWAY, "silent")));
    c.next_text().await;
    assert!(matches!(c.next().await, Message::Ping(_)));
    assert_eq!(c.started.elapsed(), LIMITS.ping_every, "the first ping");
    // Pongs do not count as life in this dialect: the client is still silent.
    c.input.send(Message::Pong(Bytes::new())).unwrap();
    let (ended, close, at) = c.ending().await;
    assert_eq!(ended.reason, Some((close::GOING_AWAY, "silent")));
    assert_eq!(close, Some((close::GOING_AWAY, "silent".into())));
    assert!(at > LIMITS.dead_after && at <= LIMITS.dead_after + LIMITS.ping_every);
}

#[tokio::test(start_paused = true)]
async fn a_client_that_speaks_stays_and_a_dropped_one_gets_no_close() {
    let mut c = start(None);
    c.next_text().await;
    for _ in 0..5 {
        tokio::time::sleep(LIMITS.dead_after / 2).await;
        c.send("");
    }
    assert!(c.started.elapsed() > LIMITS.dead_after * 2);
    let pings = std::iter::from_fn(|| c.out.try_recv().ok()).count();
    assert_eq!(
        pings, 7,
        "one every ping_every, and the client was never dropped"
    );
    let (ended, close, at) = c.ending().await;
    assert_eq!(
        ended.reason, None,
        "silence with no close reason, like a broken socket"
    );
    assert_eq!(close, None);
    assert!(at > Duration::from_secs(75 + 30), "{at:?}");
}

#[tokio::test(start_paused = true)]
async fn throttles_once_then_closes_a_flood() {
    let mut c = start(None);
    c.next_text().await;
    for i in 0..5 {
        c.send(&i.to_string());
        assert_eq!(c.next_text().await, i.to_string());
    }
    c.send("x");
    assert_eq!(c.next_text().await, "slow down");
    c.send("x");
    c.send("x");
    c.send("x");
    let counter = c.counter.clone();
    let (ended, close, _) = c.ending().await;
    assert_eq!(
        ended.reason,
        Some((close::POLICY, "flooding: too many messages"))
    );
    assert_eq!(close.map(|c| c.0), Some(close::POLICY));
    assert_eq!(
        counter.load(Ordering::Relaxed),
        4,
        "every refused frame counted"
    );
}

#[tokio::test(start_paused = true)]
async fn the_rate_refills_with_time() {
    let mut c = start(None);
    c.next_text().await;
    for _ in 0..5 {
        c.send("a");
        c.next_text().await;
    }
    c.send("b");
    assert_eq!(c.next_text().await, "slow down");
    assert_eq!(c.counter.load(Ordering::Relaxed), 1);
    tokio::time::sleep(Duration::from_millis(100)).await;
    c.send("c");
    assert_eq!(
        c.next_text().await,
        "c",
        "10 a second: one more after 100 ms"
    );
}

#[tokio::test(start_paused = true)]
async fn a_frame_too_big_closes_with_1009() {
    let mut c = start(None);
    c.next_text().await;
    c.send(&"x".repeat(MAX_FRAME_BYTES + 1));
    let (ended, close, _) = c.ending().await;
    assert_eq!(ended.reason.map(|r| r.0), Some(close::TOO_BIG));
    assert_eq!(close.map(|c| c.0), Some(close::TOO_BIG));
}

#[tokio::test(start_paused = true)]
async fn the_queue_closing_shutdown_and_the_client_closing() {
    let mut c = start(None);
    c.next_text().await;
    c.hub.unregister(&c.conn);
    let (ended, close, _) = c.ending().await;
    assert_eq!(ended.reason, Some((close::POLICY, "queue closed")));
    assert_eq!(close.map(|c| c.0), Some(close::POLICY));

    let mut c = start(None);
    c.next_text().await;
    c.shutdown.cancel();
    let (ended, close, _) = c.ending().await;
    assert_eq!(ended.last, Err(WriteError::ShuttingDown));
    assert_eq!(
        close,
        Some((close::GOING_AWAY, "server shutting down".into()))
    );

    let mut c = start(None);
    c.next_text().await;
    c.input.send(Message::Close(None)).unwrap();
    let (ended, close, _) = c.ending().await;
    assert_eq!((ended.reason, ended.last, close), (None, Ok(()), None));
}

#[tokio::test(start_paused = true)]
async fn a_reply_never_overtakes_frames_the_hub_queued_before_it() {
    let mut c = start(None);
    c.next_text().await;
    c.hub.claim(&c.conn, "test", "t", "s", 1).unwrap();
    // Both the queue and the socket are ready when the task wakes; whichever it picks, the
    // hub's frames go first. Several rounds, since the pick is random.
    for round in 0..10 {
        for i in 0..100 {
            c.hub
                .deliver("test", "t", format!("{round}.{i}").into())
                .unwrap();
        }
        c.send("reply");
        for i in 0..100 {
            assert_eq!(c.next_text().await, format!("{round}.{i}"));
        }
        assert_eq!(c.next_text().await, "reply");
        // A second, so the rate limiter has room for the next round's frame.
        tokio::time::sleep(Duration::from_secs(1)).await;
    }
}

#[tokio::test(start_paused = true)]
async fn a_flood_read_in_one_go_is_limited_frame_by_frame() {
    let mut c = start(None);
    c.next_text().await;
    // More than one turn's worth, all readable at once.
    for i in 0..READ_BATCH * 2 {
        c.send(&i.to_string());
    }
    let counter = c.counter.clone();
    let (ended, _, _) = {
        let mut got = Vec::new();
        for _ in 0..6 {
            got.push(c.next_text().await);
        }
        assert_eq!(got, ["0", "1", "2", "3", "4", "slow down"]);
        c.ending().await
    };
    assert_eq!(
        ended.reason,
        Some((close::POLICY, "flooding: too many messages"))
    );
    assert_eq!(
        counter.load(Ordering::Relaxed),
        4,
        "refused up to the closing one; nothing after it was handled"
    );
}

#[tokio::test(start_paused = true)]
async fn a_client_gone_right_after_a_burst_has_the_burst_handled_first() {
    let mut c = start(None);
    c.next_text().await;
    for i in 0..4 {
        c.send(&i.to_string());
    }
    c.input.send(Message::Close(None)).unwrap();
    c.send("after the close");
    for i in 0..4 {
        assert_eq!(c.next_text().await, i.to_string());
    }
    let ended = (&mut c.ended).await.unwrap();
    assert_eq!((ended.reason, ended.last), (None, Ok(())));
    assert!(
        c.out.recv().await.is_none(),
        "nothing answered after the close, and no close frame back"
    );
}

#[tokio::test(start_paused = true)]
async fn the_queue_comes_first_and_a_fair_turn_puts_heartbeat_and_client_first() {
    let hub = Arc::new(Hub::new(HubLimits::default()));
    let (conn, mut inbox) = hub.register("t");
    hub.claim(&conn, "test", "t", "s", 1).unwrap();
    let (input, input_rx) = unbounded_channel();
    let (out_tx, _out) = unbounded_channel();
    let mut pipe = Pipe {
        input: input_rx,
        out: out_tx,
    };
    let mut tick = tokio::time::interval(Duration::from_secs(1));
    tick.tick().await;
    tokio::time::advance(Duration::from_secs(1)).await;
    for n in 0..3 {
        hub.deliver("test", "t", n.to_string().into()).unwrap();
    }
    input.send(Message::Text("hi".into())).unwrap();
    let never = std::future::pending::<()>();
    tokio::pin!(never);
    macro_rules! next {
        ($fair:expr) => {
            next_event(
                Waits {
                    stopping: never.as_mut(),
                    draining: None,
                    rx: &mut inbox,
                    socket: &mut pipe,
                    tick: &mut tick,
                },
                $fair,
            )
            .now_or_never()
        };
    }
    let out = |e: Option<Event>| match e {
        Some(Event::Out(Some(Outbound::Frame(f)))) => f.to_string(),
        _ => panic!("expected a queued frame"),
    };
    assert_eq!(out(next!(false)), "0", "the queue before a due heartbeat");
    assert!(matches!(next!(true), Some(Event::Tick(_))), "a fair turn");
    assert!(
        matches!(next!(true), Some(Event::In(Some(Ok(Message::Text(t))))) if t == "hi"),
        "then the client's frame, before the queue"
    );
    assert_eq!(
        out(next!(true)),
        "1",
        "the queue, once nothing else is ready"
    );
    assert_eq!(out(next!(false)), "2");
    assert!(next!(false).is_none(), "nothing left");

    // The watches come before anything.
    hub.deliver("test", "t", "3".into()).unwrap();
    let stop = std::future::ready(());
    tokio::pin!(stop);
    let e = next_event(
        Waits {
            stopping: stop.as_mut(),
            draining: None,
            rx: &mut inbox,
            socket: &mut pipe,
            tick: &mut tick,
        },
        false,
    )
    .now_or_never();
    assert!(matches!(e, Some(Event::Stop)));
}
