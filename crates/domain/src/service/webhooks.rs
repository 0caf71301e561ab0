//! Webhook deliveries: the queue's due rows taken one at a time (a lease
//! in one statement, so two nodes never send the same try), the payload
//! made at the first try and kept, signed afresh and sent; the outcome
//! written: delivered, due again by the schedule, or dead.

use super::Service;
use crate::store::WebhookDelivery;
use crate::webhooks::{self, Post};
use proto::*;
use serde_json::{json, Value};

/// Most deliveries one round tries.
const BATCH: i64 = 20;
/// A try's lease outlasts its timeout by this much (seconds): a node
/// killed mid-try leaves the row due again then.
const LEASE_MARGIN: i64 = 5;

impl Service {
    /// Tries the deliveries due now (a round); answers how many it tried.
    pub async fn deliver_webhooks(&self, post: &dyn Post) -> Result<usize, Fault> {
        let due = self.store.due_deliveries(self.clock.now(), BATCH).await?;
        let mut tried = 0;
        for d in due {
            if self.deliver(post, &d).await? {
                tried += 1;
            }
        }
        Ok(tried)
    }

    async fn deliver(&self, post: &dyn Post, d: &WebhookDelivery) -> Result<bool, Fault> {
        let Some(endpoint) = self.store.webhook_endpoint(&d.endpoint_id).await? else { return Ok(false) };
        let payload = match &d.payload {
            Some(p) => p.clone(),
            None => self.payload(d).await?,
        };
        let cfg = &self.cfg.settings.webhooks;
        let lease = self.clock.now() + cfg.timeout + LEASE_MARGIN;
        let taken = self.alone(async |u| Ok(u.store.claim_delivery(d.id, d.next_at, lease, &payload).await?)).await?;
        if !taken {
            return Ok(false);
        }
        let sent = match self.keys.open(&endpoint.secret).ok_or("the endpoint's secret does not open".to_string()) {
            Ok(secret) => {
                let at = self.clock.now();
                let signature = webhooks::key(&secret).and_then(|k| webhooks::signature(&k, &d.msg_id, at, &payload));
                match signature {
                    Ok(sig) => post.post(&endpoint.url, &webhooks::headers(&d.msg_id, at, &sig), &payload).await,
                    Err(e) => Err(e),
                }
            }
            Err(e) => Err(e),
        };
        let now = self.clock.now();
        let tries = d.attempts + 1;
        let (state, next_at, error) = match sent {
            Ok(()) => ("delivered", now, None),
            Err(e) => match webhooks::next_try(&cfg.retry, tries) {
                Some(wait) => ("pending", now + wait, Some(e)),
                None => ("dead", now, Some(e)),
            },
        };
        match &error {
            None => {
                tracing::info!(msg = %d.msg_id, event = %d.event, endpoint = %d.endpoint_id, tries, "webhook delivered")
            }
            Some(e) => {
                tracing::warn!(msg = %d.msg_id, event = %d.event, endpoint = %d.endpoint_id, tries, state, error = %e, "webhook not delivered")
            }
        }
        let error: Option<String> = error.map(|e| e.chars().take(500).collect());
        self.alone(async |u| Ok(u.store.finish_delivery(d.id, state, next_at, error.as_deref(), now).await?)).await?;
        Ok(true)
    }

    /// What a delivery says: Clerk's event, its data the user as the
    /// Backend API answers it (user events), the session (session events),
    /// or what changed (ours), as things are at the first try.
    async fn payload(&self, d: &WebhookDelivery) -> Result<String, Fault> {
        let user_id = d.user_id.as_deref().unwrap_or_default();
        let gone = || json!({ "object": "user", "id": user_id, "deleted": true });
        let data = match d.event.as_str() {
            "user.created" | "user.updated" | "user.locked" => match self.store.user_by_public_id(user_id).await? {
                Some(u) => {
                    let a = self.account(self.clock.now(), &u).await?;
                    serde_json::to_value(clerk::BackendUser::new(&a.user, (a.locked, a.banned), a.private_metadata))
                        .unwrap_or(Value::Null)
                }
                None => gone(),
            },
            "user.deleted" => gone(),
            e if e.starts_with("session.") => json!({
                "object": "session",
                "id": d.session_id,
                "user_id": user_id,
                "status": match e { "session.created" => "active", "session.revoked" => "revoked", _ => "ended" },
            }),
            e if e.starts_with("factor.") => json!({ "object": "factor", "user_id": user_id, "strategy": d.detail }),
            _ => json!({ "object": "user", "id": user_id }),
        };
        Ok(webhooks::envelope(&d.event, d.at, data, d.ip.as_deref(), d.user_agent.as_deref()))
    }
}
