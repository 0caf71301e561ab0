//! Where codes go. This issue ships the development sender: an outbox table,
//! readable at `/dev/outbox` and with `mfa-signin outbox`.

use crate::store::Store;
use async_trait::async_trait;
use std::sync::Arc;

#[async_trait]
pub trait Sender: Send + Sync + 'static {
    /// Delivers a text message; the error is logged, never shown to the user.
    async fn send_sms(&self, to: &str, body: &str, now: i64) -> Result<(), String>;
}

/// The development outbox: messages are stored, not sent.
pub struct Outbox {
    pub store: Arc<dyn Store>,
}

#[async_trait]
impl Sender for Outbox {
    async fn send_sms(&self, to: &str, body: &str, now: i64) -> Result<(), String> {
        self.store.push_outbox("sms", to, body, now).await.map_err(|e| e.to_string())
    }
}
