//! Server-sent event streams: the plumbing every stream shares (keep-alive, the `lagged` event,
//! ending when the node begins shutting down) and the corridor event stream.
//!
//! Owns [`SSE_KEEP_ALIVE`], [`sse_until_stopping`], [`lagged_event`], the corridor stream's
//! items ([`CorridorStreamItem`], built by [`corridor_stream`]) and its route handler.
//!
//! A stream reads from a `tokio::sync::broadcast` channel, whose sender never waits: a reader
//! that falls behind (a slow or stalled client) misses events and is told how many in a
//! `lagged` event, and the actor that published them never blocks.
//!
//! Never: holds corridor state of its own, or keeps a stream open once shutdown begins (the
//! drain would wait for it).

use std::convert::Infallible;
use std::time::Duration;

use axum::extract::{Path, State};
use axum::response::sse::{Event, KeepAlive, Sse};
use futures_util::stream::{self, Stream, StreamExt};
use msez_actors::corridor::core::{CorridorEvent, LifecycleEvent};
use msez_protocol::ids::CorridorId;
use serde_json::json;
use tokio::sync::broadcast::Receiver;
use tokio::sync::broadcast::error::RecvError;
use tokio::sync::watch;

use crate::server::error::ApiError;
use crate::server::handlers::corridors::{corridor_id_of, reject, summary_json};
use crate::server::state::AppState;

/// How often a stream sends a keep-alive comment, so proxies keep it open.
pub const SSE_KEEP_ALIVE: Duration = Duration::from_secs(15);

/// `events` as a server-sent event response that ends when `stopping` turns true (or its
/// sender is gone), with a keep-alive comment every [`SSE_KEEP_ALIVE`].
pub(crate) fn sse_until_stopping<S>(
    events: S,
    stopping: watch::Receiver<bool>,
) -> Sse<impl Stream<Item = Result<Event, Infallible>>>
where
    S: Stream<Item = Event> + Send + 'static,
{
    let stopped = async move {
        let mut stopping = stopping;
        // Err: the node's state is gone, which also means stop.
        let _ = stopping.wait_for(|stopping| *stopping).await;
    };
    let events = events.take_until(Box::pin(stopped)).map(Ok);
    Sse::new(events).keep_alive(KeepAlive::new().interval(SSE_KEEP_ALIVE))
}

/// The event telling a reader it fell behind and missed `missed` events.
pub(crate) fn lagged_event(missed: u64) -> Event {
    Event::default()
        .event("lagged")
        .data(json!({ "missed": missed }).to_string())
}

/// One item of a corridor's event stream.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum CorridorStreamItem {
    /// A receipt became durable: the corridor's new head.
    Head(CorridorEvent),
    /// A lifecycle transition was stored.
    Lifecycle(LifecycleEvent),
    /// The reader fell behind and missed this many events (of all corridors: the channels
    /// are shared by the node's corridors).
    Lagged(u64),
}

/// `corridor_id`'s heads and lifecycle changes from the node-wide channels, in the order each
/// channel delivers them; ends when both channels close.
pub(crate) fn corridor_stream(
    corridor_id: CorridorId,
    heads: Receiver<CorridorEvent>,
    lifecycle: Receiver<LifecycleEvent>,
) -> impl Stream<Item = CorridorStreamItem> + Send + 'static {
    stream::unfold(
        (corridor_id, Some(heads), Some(lifecycle)),
        |(corridor_id, mut heads, mut lifecycle)| async move {
            loop {
                let item = tokio::select! {
                    received = recv(&mut heads) => keep(received, &mut heads, |event| {
                        (event.corridor_id == corridor_id).then_some(CorridorStreamItem::Head(event))
                    }),
                    received = recv(&mut lifecycle) => keep(received, &mut lifecycle, |event| {
                        (event.corridor_id == corridor_id)
                            .then_some(CorridorStreamItem::Lifecycle(event))
                    }),
                };
                if let Some(item) = item {
                    return Some((item, (corridor_id, heads, lifecycle)));
                }
                if heads.is_none() && lifecycle.is_none() {
                    return None;
                }
            }
        },
    )
}

/// What one received message means for the stream: `select` picks this corridor's messages,
/// a lag is reported, and a closed channel is dropped (set to `None`) so it is not polled again.
fn keep<T>(
    received: Option<Result<T, u64>>,
    channel: &mut Option<Receiver<T>>,
    select: impl FnOnce(T) -> Option<CorridorStreamItem>,
) -> Option<CorridorStreamItem> {
    match received {
        Some(Ok(message)) => select(message),
        Some(Err(missed)) => Some(CorridorStreamItem::Lagged(missed)),
        None => {
            *channel = None;
            None
        }
    }
}

/// The next message of an open channel: `Some(Ok(message))`, `Some(Err(missed))` after a lag,
/// `None` once closed. A closed (`None`) channel never answers, so `select!` waits on the other.
async fn recv<T: Clone>(channel: &mut Option<Receiver<T>>) -> Option<Result<T, u64>> {
    let Some(receiver) = channel.as_mut() else {
        return std::future::pending().await;
    };
    match receiver.recv().await {
        Ok(message) => Some(Ok(message)),
        Err(RecvError::Lagged(missed)) => Some(Err(missed)),
        Err(RecvError::Closed) => None,
    }
}

/// `GET /v1/corridors/{corridor_id}/events`: server-sent events. First a `summary` event (the
/// corridor's state when the stream opened), then `head` events `{sequence, prev_root,
/// next_root, mmr_root, timestamp}` as receipts become durable and `lifecycle` events `{from,
/// to, at}` as transitions are stored; `lagged {missed}` if the reader fell behind. A head
/// already counted in the summary may follow it (the stream subscribes before it reads the
/// summary, so nothing is missed in between); readers skip sequences below the summary's
/// height. The stream ends when the node begins shutting down.
pub(crate) async fn corridor_events(
    State(state): State<AppState>,
    Path(corridor_id): Path<String>,
) -> Result<Sse<impl Stream<Item = Result<Event, Infallible>>>, ApiError> {
    let corridor_id = corridor_id_of(&corridor_id)?;
    let corridors = state.corridors();
    let heads = corridors.subscribe();
    let lifecycle = corridors.subscribe_lifecycle();
    let summary = corridors.summary(&corridor_id).await.map_err(reject)?;
    let opening = Event::default()
        .event("summary")
        .data(summary_json(&summary).to_string());
    let events = stream::once(async move { opening })
        .chain(corridor_stream(corridor_id, heads, lifecycle).map(|item| sse_event(&item)));
    Ok(sse_until_stopping(events, state.stopping()))
}

fn sse_event(item: &CorridorStreamItem) -> Event {
    match item {
        CorridorStreamItem::Head(event) => Event::default().event("head").data(
            json!({
                "corridor_id": event.corridor_id.as_str(),
                "sequence": event.sequence,
                "prev_root": event.prev_root.to_hex(),
                "next_root": event.next_root.to_hex(),
                "mmr_root": event.mmr_root.to_hex(),
                "timestamp": event.timestamp.to_string(),
            })
            .to_string(),
        ),
        CorridorStreamItem::Lifecycle(event) => Event::default().event("lifecycle").data(
            json!({
                "corridor_id": event.corridor_id.as_str(),
                "from": event.from,
                "to": event.to,
                "at": event.at.to_string(),
            })
            .to_string(),
        ),
        CorridorStreamItem::Lagged(missed) => lagged_event(*missed),
    }
}

#[cfg(test)]
mod tests;
