//! One reader of the event table per server process, shared by every follower of the live
//! stream: it reads each new page once, serialises each event once, and broadcasts the page.
//! A follower replays from the database until it has caught up, then takes the broadcast,
//! skipping what it has already sent; one that falls behind the broadcast goes back to the
//! database from its own position. So 200 desks cost one query per page, not 200.

use std::sync::Arc;
use std::time::Duration;

use desk_core::events::{DeskEvent, EventPosition};
use desk_core::storage::Database;
use tokio::sync::{broadcast, watch};

/// One event, ready to send.
#[derive(Debug, Clone)]
pub struct Frame {
    pub position: EventPosition,
    pub kind: String,
    pub json: Arc<str>,
}

impl From<&DeskEvent> for Frame {
    fn from(e: &DeskEvent) -> Self {
        Frame { position: e.position(), kind: e.kind.clone(), json: serde_json::to_string(e).expect("json").into() }
    }
}

/// Pages of frames, in delivery order.
pub type Page = Arc<Vec<Frame>>;

/// How many pages a slow follower may be behind before it reads from the database instead.
const BACKLOG_PAGES: usize = 256;

pub struct EventTail {
    tx: broadcast::Sender<Page>,
}

impl EventTail {
    /// Starts the reader at the present, woken by `wake` (and every second regardless).
    pub fn spawn(db: Arc<dyn Database>, mut wake: watch::Receiver<u64>) -> Arc<Self> {
        let (tx, _) = broadcast::channel(BACKLOG_PAGES);
        let tail = Arc::new(Self { tx: tx.clone() });
        tokio::spawn(async move {
            let mut cursor = loop {
                match db.events_head().await {
                    Ok(p) => break p,
                    Err(e) => {
                        tracing::warn!(error = %e, "the event tail cannot read the head; trying again");
                        tokio::time::sleep(Duration::from_secs(1)).await;
                    }
                }
            };
            loop {
                match db.events_after(cursor, 1000).await {
                    Ok(batch) if !batch.is_empty() => {
                        cursor = batch.last().expect("not empty").position();
                        let page: Page = Arc::new(batch.iter().map(Frame::from).collect());
                        // Nobody listening is fine: followers replay from the database.
                        let _ = tx.send(page);
                        continue;
                    }
                    Ok(_) => {}
                    Err(e) => tracing::warn!(error = %e, "the event tail failed to read; trying again"),
                }
                // Woken at the next commit that wrote events, or polled after a second.
                if let Ok(Err(_)) = tokio::time::timeout(Duration::from_secs(1), wake.changed()).await {
                    tokio::time::sleep(Duration::from_secs(1)).await;
                }
            }
        });
        tail
    }

    pub fn subscribe(&self) -> broadcast::Receiver<Page> {
        self.tx.subscribe()
    }
}
