//! Readiness: what a load balancer or orchestrator asks before it sends a
//! node traffic (`/readyz`); liveness (`/healthz`) asks nothing of the
//! database.

use super::Service;
use crate::tokens;

/// How ready this node is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize)]
pub struct Readiness {
    /// The database answers.
    pub database: bool,
    /// Its schema is this build's (no migration missing, none newer).
    pub migrations: bool,
    /// A session-token key of the configured algorithm signs now.
    pub signing_key: bool,
}

impl Readiness {
    pub fn ready(self) -> bool {
        self.database && self.migrations && self.signing_key
    }
}

impl Service {
    /// Reads only: a probe never writes (nor makes the first key).
    pub async fn readiness(&self, now: i64) -> Readiness {
        let schema = self.store.schema_current().await;
        let keys = self.store.signing_keys().await;
        let alg = self.cfg.settings.session_token.algorithm;
        Readiness {
            database: schema.is_ok() && keys.is_ok(),
            migrations: schema.unwrap_or(false),
            signing_key: keys.is_ok_and(|k| tokens::signer(&k, alg, now).is_some()),
        }
    }
}

impl Service {
    /// What `/metrics` reports of the data and the pool now.
    pub async fn gauges(&self, now: i64) -> Result<crate::store::Gauges, proto::Fault> {
        Ok(self.store.gauges(now).await?)
    }
}
