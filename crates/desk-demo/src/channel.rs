//! The demo bot's reply channel: where a desk's replies go when the escalation did not come from
//! a bot platform (the demo bot, an imported file). It receives each reply by its id, so a reply
//! handed over twice (a crash before it was marked sent) is received once and counted twice.

use std::collections::HashMap;
use std::sync::Mutex;

use async_trait::async_trait;
use desk_core::drafts::outbox::{ChannelError, ReplyChannel};
use desk_core::drafts::record::{Carries, OutboxRecord};

#[derive(Debug, Default)]
pub struct DemoChannel {
    /// Outbox id → (text, times handed over).
    received: Mutex<HashMap<String, (String, u32)>>,
}

impl DemoChannel {
    pub fn new() -> Self {
        Self::default()
    }

    /// (replies received, the most times one was handed over).
    pub fn received(&self) -> (usize, u32) {
        let r = self.received.lock().expect("demo channel");
        (r.len(), r.values().map(|(_, n)| *n).max().unwrap_or(0))
    }

    /// The text received under an outbox id.
    pub fn text_of(&self, outbox_id: &str) -> Option<String> {
        self.received.lock().expect("demo channel").get(outbox_id).map(|(t, _)| t.clone())
    }
}

#[async_trait]
impl ReplyChannel for DemoChannel {
    fn name(&self) -> &str {
        "demo"
    }

    fn carries(&self) -> Carries<'_> {
        Carries::AllBut(desk_core::sources::http::SOURCE)
    }

    async fn send(&self, reply: &OutboxRecord) -> Result<(), ChannelError> {
        let mut r = self.received.lock().expect("demo channel");
        r.entry(reply.id.clone()).or_insert_with(|| (reply.text.clone(), 0)).1 += 1;
        Ok(())
    }
}
