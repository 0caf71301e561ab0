//! Webhook deliveries: the queue's due rows taken one at a time (a lease
//! in one statement, so two nodes never send the same try), the payload
//! made at the first try and kept, signed afresh and sent; the outcome
//! written: delivered, due again by the schedule, or dead.

use super::Service;
use crate::store::{WebhookDelivery, WebhookEndpoint};
use crate::webhooks::{self, Post};
use proto::*;
use serde_json::{json, Value};
use std::collections::{BTreeMap, HashSet};
use std::sync::Mutex;

/// The endpoints a node's rounds are trying now.
#[derive(Default)]
pub struct Busy(Mutex<HashSet<String>>);

/// An endpoint taken for a round, given back when the round is done with
/// it (or dropped on the way).
struct Claim<'a> {
    busy: &'a Busy,
    endpoint: String,
}

impl<'a> Claim<'a> {
    fn take(busy: &'a Busy, endpoint: String) -> Option<Claim<'a>> {
        let taken = busy.0.lock().unwrap_or_else(|e| e.into_inner()).insert(endpoint.clone());
        // Made only when taken: dropping one gives the endpoint back.
        taken.then(|| Claim { busy, endpoint })
    }
}

impl Drop for Claim<'_> {
    fn drop(&mut self) {
        self.busy.0.lock().unwrap_or_else(|e| e.into_inner()).remove(&self.endpoint);
    }
}

/// How a delivery's try went.
enum Tried {
    Delivered,
    Failed,
    /// Another node took it.
    Taken,
}

/// Most deliveries one round tries.
const BATCH: i64 = 20;
/// A try's lease outlasts its timeout by this much (seconds): a node
/// killed mid-try leaves the row due again then.
const LEASE_MARGIN: i64 = 5;

impl Service {
    /// Tries the deliveries due now (a round); answers how many it tried.
    /// Endpoints are tried beside each other, each one's deliveries in
    /// the order they were queued; an endpoint that fails a try is left
    /// until a later round. Rounds may overlap: an endpoint still being
    /// tried by an earlier round on this node (in `busy`) is skipped, so a
    /// slow or dead endpoint holds up only itself.
    pub async fn deliver_webhooks(&self, post: &dyn Post, busy: &Busy) -> Result<usize, Fault> {
        let mut by_endpoint: BTreeMap<String, Vec<WebhookDelivery>> = BTreeMap::new();
        for d in self.store.due_deliveries(self.clock.now(), BATCH).await? {
            by_endpoint.entry(d.endpoint_id.clone()).or_default().push(d);
        }
        let rounds = by_endpoint.into_iter().filter_map(|(endpoint, due)| {
            let claim = Claim::take(busy, endpoint)?;
            let id = claim.endpoint.clone();
            Some(async move {
                let _claim = claim;
                // Read once for its deliveries (gone: nothing to send).
                let Some(endpoint) = self.store.webhook_endpoint(&id).await? else { return Ok(0) };
                let mut tried = 0;
                for d in &due {
                    match self.deliver(post, &endpoint, d).await? {
                        Tried::Delivered => tried += 1,
                        Tried::Failed => return Ok(tried + 1),
                        Tried::Taken => {}
                    }
                }
                Ok::<usize, Fault>(tried)
            })
        });
        let mut tried = 0;
        for r in futures_util::future::join_all(rounds).await {
            tried += r?;
        }
        Ok(tried)
    }

    async fn deliver(&self, post: &dyn Post, endpoint: &WebhookEndpoint, d: &WebhookDelivery) -> Result<Tried, Fault> {
        let payload = match &d.payload {
            Some(p) => p.clone(),
            None => self.payload(d).await?,
        };
        let cfg = &self.cfg.settings.webhooks;
        let lease = self.clock.now() + cfg.timeout + LEASE_MARGIN;
        let taken = self.alone(async |u| Ok(u.store.claim_delivery(d.id, d.next_at, lease, &payload).await?)).await?;
        if !taken {
            return Ok(Tried::Taken);
        }
        let sent = async {
            let secret = self.keys.open(&endpoint.secret).ok_or("the endpoint's secret does not open")?;
            let at = self.clock.now();
            let sig = webhooks::key(&secret).and_then(|k| webhooks::signature(&k, &d.msg_id, at, &payload))?;
            post.post(&endpoint.url, &webhooks::headers(&d.msg_id, at, &sig), &payload).await
        }
        .await;
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
        crate::metrics::webhook_tried(if state == "pending" { "failed" } else { state });
        Ok(if error.is_none() { Tried::Delivered } else { Tried::Failed })
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_endpoint_is_taken_by_one_round_at_a_time() {
        let busy = Busy::default();
        let first = Claim::take(&busy, "ep_a".into());
        assert!(first.is_some());
        // Refused without blocking (a refusal once dropped a claim under the lock).
        assert!(Claim::take(&busy, "ep_a".into()).is_none());
        assert!(Claim::take(&busy, "ep_a".into()).is_none(), "a refusal gives nothing back");
        assert!(Claim::take(&busy, "ep_b".into()).is_some(), "others are free");
        drop(first);
        assert!(Claim::take(&busy, "ep_a".into()).is_some(), "given back when dropped");
    }
}
