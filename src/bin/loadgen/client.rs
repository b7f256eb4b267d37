//! PeerJS clients: open sockets (each waits for `OPEN`), and bounce stamped messages between
//! the two clients of a pair.
use crate::wire;
use futures_util::{FutureExt, SinkExt, StreamExt};
use std::time::{Duration, Instant};
use tokio::net::TcpStream;
use tokio_tungstenite::tungstenite::protocol::WebSocketConfig;
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::{MaybeTlsStream, WebSocketStream};

pub type Ws = WebSocketStream<MaybeTlsStream<TcpStream>>;

/// Sockets opened at once.
const PARALLEL_OPENS: usize = 64;

/// Small buffers, so ten thousand idle sockets fit in the generator; a write buffer big enough
/// that a burst of replies goes out in one write.
fn config() -> WebSocketConfig {
    WebSocketConfig::default()
        .read_buffer_size(16 * 1024)
        .write_buffer_size(16 * 1024)
}

/// Opens one socket as `id` and waits for the server's `OPEN`.
pub async fn open(base: &str, id: &str) -> Result<Ws, String> {
    let url = wire::socket_url(base, id);
    let (mut ws, _) = tokio_tungstenite::connect_async_with_config(&url, Some(config()), true)
        .await
        .map_err(|e| format!("{url}: {e}"))?;
    loop {
        match ws.next().await {
            Some(Ok(Message::Text(t))) => match wire::kind(&t) {
                Some("OPEN") => return Ok(ws),
                _ => return Err(format!("{url}: refused: {t}")),
            },
            Some(Ok(Message::Ping(_) | Message::Pong(_))) => continue,
            other => return Err(format!("{url}: closed before OPEN: {other:?}")),
        }
    }
}

/// Opens a socket for each id, a few at a time, in order.
pub async fn open_all(base: &str, ids: &[String]) -> Result<Vec<Ws>, String> {
    futures_util::stream::iter(ids)
        .map(|id| open(base, id))
        .buffered(PARALLEL_OPENS)
        .collect::<Vec<_>>()
        .await
        .into_iter()
        .collect()
}

/// How long an idle socket may take to open before the server counts as full: a server out
/// of file descriptors leaves new connections in the kernel's backlog, never answered.
const OPEN_TIMEOUT: Duration = Duration::from_secs(5);

/// Opens a socket for each id, a few at a time, in order, until one fails or times out;
/// returns the sockets open and, if it stopped early, why.
pub async fn open_until_refused(base: &str, ids: &[String]) -> (Vec<Ws>, Option<String>) {
    let mut opens = futures_util::stream::iter(ids)
        .map(|id| async move {
            tokio::time::timeout(OPEN_TIMEOUT, open(base, id))
                .await
                .unwrap_or_else(|_| Err(format!("{id}: no OPEN within {OPEN_TIMEOUT:?}")))
        })
        .buffered(PARALLEL_OPENS);
    let mut open = Vec::with_capacity(ids.len());
    while let Some(next) = opens.next().await {
        match next {
            Ok(ws) => open.push(ws),
            Err(e) => return (open, Some(e)),
        }
    }
    (open, None)
}

/// When a run measures: latencies count for messages received in `[from, until)`.
#[derive(Clone, Copy)]
pub struct Span {
    /// Zero of the stamps.
    pub clock: Instant,
    pub from: Instant,
    pub until: Instant,
}

impl Span {
    fn stamp(&self, at: Instant) -> u64 {
        at.duration_since(self.clock).as_nanos() as u64
    }
}

/// Sends `initial` messages to `partner`, then answers every message received with a new one,
/// until `span.until`; returns the relay latencies (µs) seen in the measured span. Replies to
/// what arrived together go out in one write.
pub async fn bounce(mut ws: Ws, partner: String, initial: usize, span: Span) -> Vec<u32> {
    let mut latencies = Vec::new();
    tokio::select! {
        _ = tokio::time::sleep_until(span.until.into()) => {}
        _ = relay(&mut ws, &partner, initial, span, &mut latencies) => {}
    }
    let _ = ws.close(None).await;
    latencies
}

async fn relay(
    ws: &mut Ws,
    partner: &str,
    initial: usize,
    span: Span,
    latencies: &mut Vec<u32>,
) -> Result<(), tokio_tungstenite::tungstenite::Error> {
    for _ in 0..initial {
        let frame = wire::candidate(partner, span.stamp(Instant::now()));
        ws.feed(Message::text(frame)).await?;
    }
    ws.flush().await?;
    while let Some(first) = ws.next().await {
        let mut next = Some(first?);
        while let Some(msg) = next.take() {
            if let Message::Text(text) = &msg {
                if let Some(sent) = wire::stamp(text) {
                    let now = Instant::now();
                    if now >= span.until {
                        return Ok(());
                    }
                    if now >= span.from {
                        let took = span.stamp(now).saturating_sub(sent) / 1_000;
                        latencies.push(took.min(u32::MAX as u64) as u32);
                    }
                    let frame = wire::candidate(partner, span.stamp(now));
                    ws.feed(Message::text(frame)).await?;
                }
            }
            // Whatever else has already arrived is answered in the same write.
            next = ws.next().now_or_never().flatten().transpose()?;
        }
        ws.flush().await?;
    }
    Ok(())
}
