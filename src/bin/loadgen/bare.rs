//! A bare relay, the reference the bench compares Parley with: a current-thread tokio WebSocket
//! server speaking only the PeerJS subset the generator uses. A socket on `/peerjs?…&id=ID…` is
//! answered `OPEN`; every text frame with a `dst` goes to that socket with `"src":"ID"` added;
//! writes are batched (feed what is queued, up to [`BATCH`], then flush). No key, token, limits,
//! heartbeats or `LEAVE`s; a frame for nobody is dropped.
use futures_util::{SinkExt, StreamExt};
use serde::Deserialize;
use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::mpsc::{self, UnboundedSender};
use tokio_tungstenite::tungstenite::handshake::server::{Request, Response};
use tokio_tungstenite::tungstenite::protocol::WebSocketConfig;
use tokio_tungstenite::tungstenite::Message;

/// Frames written per flush at most, as in Parley's socket loop.
const BATCH: usize = 64;

type Peers = Arc<Mutex<HashMap<String, UnboundedSender<Message>>>>;

/// Serves on `addr` until the process is killed.
pub async fn run(addr: &str) -> Result<(), String> {
    let listener = TcpListener::bind(addr)
        .await
        .map_err(|e| format!("{addr}: {e}"))?;
    serve(listener).await;
    Ok(())
}

pub async fn serve(listener: TcpListener) {
    let peers = Peers::default();
    loop {
        match listener.accept().await {
            Ok((tcp, _)) => {
                let _ = tcp.set_nodelay(true);
                tokio::spawn(connection(tcp, peers.clone()));
            }
            // Out of file descriptors (the idle run finds the limit): wait, as Parley does.
            Err(_) => tokio::time::sleep(std::time::Duration::from_millis(50)).await,
        }
    }
}

/// Where a frame from `src` goes, and what it says there: `None` for a frame without a `dst`
/// (or not a JSON object).
pub fn route(src: &str, frame: &str) -> Option<(String, String)> {
    #[derive(Deserialize)]
    struct Head<'a> {
        #[serde(borrow)]
        dst: Option<&'a str>,
    }
    let dst = serde_json::from_str::<Head>(frame).ok()?.dst?;
    let rest = frame.trim_start().strip_prefix('{')?;
    let src = serde_json::to_string(src).ok()?;
    Some((dst.to_owned(), format!(r#"{{"src":{src},{rest}"#)))
}

/// The `id` query parameter of a request line's URI.
fn id_of(uri: &str) -> Option<String> {
    let query = uri.split_once('?')?.1;
    query
        .split('&')
        .find_map(|kv| kv.strip_prefix("id="))
        .filter(|id| !id.is_empty())
        .map(str::to_owned)
}

async fn connection(tcp: TcpStream, peers: Peers) {
    let mut id = None;
    let config = WebSocketConfig::default()
        .read_buffer_size(2 * 1024)
        .write_buffer_size(8 * 1024);
    #[allow(clippy::result_large_err)] // the signature is tungstenite's
    let callback = |req: &Request, res: Response| {
        id = id_of(&req.uri().to_string());
        Ok(res)
    };
    let Ok(ws) = tokio_tungstenite::accept_hdr_async_with_config(tcp, callback, Some(config)).await
    else {
        return;
    };
    let Some(id) = id else { return };
    let (mut sink, mut stream) = ws.split();
    let (tx, mut rx) = mpsc::unbounded_channel();
    let _ = tx.send(Message::text(r#"{"type":"OPEN"}"#));
    peers.lock().unwrap().insert(id.clone(), tx.clone());
    let writer = tokio::spawn(async move {
        while let Some(first) = rx.recv().await {
            let mut next = Some(first);
            let mut fed = 0;
            while let Some(msg) = next.take() {
                if sink.feed(msg).await.is_err() {
                    return;
                }
                fed += 1;
                next = if fed < BATCH {
                    rx.try_recv().ok()
                } else {
                    None
                };
            }
            if sink.flush().await.is_err() {
                return;
            }
        }
    });
    while let Some(Ok(msg)) = stream.next().await {
        let Message::Text(text) = msg else { continue };
        let Some((dst, frame)) = route(&id, &text) else {
            continue;
        };
        if let Some(to) = peers.lock().unwrap().get(&dst) {
            let _ = to.send(Message::text(frame));
        }
    }
    let mut peers = peers.lock().unwrap();
    if peers.get(&id).is_some_and(|t| t.same_channel(&tx)) {
        peers.remove(&id);
    }
    drop(peers);
    writer.abort();
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{client, wire};

    #[test]
    fn a_frame_goes_to_its_dst_with_src_added() {
        let frame = wire::candidate("b", 42);
        let (dst, out) = route("a", &frame).unwrap();
        assert_eq!(dst, "b");
        let v: serde_json::Value = serde_json::from_str(&out).unwrap();
        assert_eq!(v["src"], "a");
        assert_eq!(v["dst"], "b");
        assert_eq!(v["type"], "CANDIDATE");
        assert_eq!(wire::stamp(&out), Some(42));
    }

    #[test]
    fn frames_without_a_dst_go_nowhere() {
        assert_eq!(route("a", r#"{"type":"HEARTBEAT"}"#), None);
        assert_eq!(route("a", "not json"), None);
        assert_eq!(route("a", r#"["dst"]"#), None);
    }

    #[test]
    fn ids_come_from_the_query() {
        let uri = "/peerjs?key=peerjs&id=a1&token=ta1";
        assert_eq!(id_of(uri).as_deref(), Some("a1"));
        assert_eq!(id_of("/peerjs?key=peerjs&id="), None);
        assert_eq!(id_of("/peerjs"), None);
    }

    #[tokio::test]
    async fn two_clients_talk_through_it() {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let base = format!("ws://{}", listener.local_addr().unwrap());
        tokio::spawn(serve(listener));
        let mut a = client::open(&base, "a").await.unwrap();
        let mut b = client::open(&base, "b").await.unwrap();
        a.send(Message::text(wire::candidate("b", 7)))
            .await
            .unwrap();
        let Some(Ok(Message::Text(got))) = b.next().await else {
            panic!("b got nothing");
        };
        assert_eq!(route("x", &got).unwrap().0, "b");
        assert!(got.starts_with(r#"{"src":"a","#), "{got}");
        assert_eq!(wire::stamp(&got), Some(7));
    }
}
