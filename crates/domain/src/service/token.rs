//! Session tokens for apps: issued for the request's live session, signed
//! with the instance's current key (`tokens`); the JWKS; the answer of
//! forward auth. Revoking a session stops its tokens at once; those issued
//! die at `exp`.

use super::{public_id, Service};
use crate::request::{Jar, Request};
use crate::store::{Identity, Metadata, Session};
use crate::tokens::{self, Ring};
use crate::{claims, metadata};
use proto::*;
use std::sync::Arc;

impl Service {
    /// A new token for the live session (`sts: pending` while it has a
    /// task), also set as the `__session` cookie.
    pub async fn token(&self, req: &mut Request) -> Result<TokenView, Fault> {
        let now = req.now;
        let (key, s, user) = self.signed_in(req).await?.ok_or(Fault::SignedOut)?;
        let t = &self.cfg.settings.session_token;
        let facts = tokens::Facts {
            user_id: &user.public_id,
            session_id: &public_id(&key),
            email: &user.email,
            pending: s.task.is_some(),
            first_factor_at: s.first_factor_at,
            second_factor_at: s.second_factor_at,
            party: req.party.as_deref(),
            custom: self.custom_claims(&user),
        };
        let claims = tokens::claims(&facts, &self.origin(req), now, t.lifetime, t.email_claim);
        let ring = self.ring(now).await?;
        let jwt = ring.signer(now).ok_or(Fault::Unavailable)?.sign(&claims).map_err(|e| {
            tracing::error!(error = %e, "session token");
            Fault::Unavailable
        })?;
        req.set(Jar::Token, &jwt, t.lifetime);
        crate::metrics::token_issued();
        Ok(TokenView { object: "token".into(), jwt })
    }

    /// The settings' claims template rendered for `u` (none without one).
    fn custom_claims(&self, u: &Identity) -> metadata::Object {
        let t = &self.cfg.settings.session_token.claims;
        if t.is_empty() {
            return metadata::Object::new();
        }
        let (public, unsafe_) = (metadata::parse(&u.public_metadata), metadata::parse(&u.unsafe_metadata));
        let s = claims::Subject {
            id: &u.public_id,
            email: &u.email,
            created_at: u.created_at,
            public_metadata: &public,
            unsafe_metadata: &unsafe_,
        };
        claims::render(t, &s)
    }

    /// Refuses metadata `new` that would make `u`'s custom claims too large
    /// for a token (`claims::fits`): checked where metadata is written.
    pub(crate) fn claims_fit(&self, u: (&str, &str, i64), new: &Metadata) -> Result<(), Fault> {
        let t = &self.cfg.settings.session_token.claims;
        if t.is_empty() {
            return Ok(());
        }
        let (public, unsafe_) = (metadata::parse(&new.public), metadata::parse(&new.unsafe_));
        let (id, email, created_at) = u;
        claims::fits(t, &claims::Subject { id, email, created_at, public_metadata: &public, unsafe_metadata: &unsafe_ })
    }

    /// The published keys, read from the database (a rotation on another
    /// node shows at once).
    pub async fn jwks(&self, now: i64) -> Result<Jwks, Fault> {
        self.ring(now).await?;
        let keys = self.store.signing_keys().await?;
        Ok(tokens::jwks(&keys, now, self.cfg.settings.session_token.lifetime))
    }

    /// The issuer tokens of this request carry, for the discovery document.
    pub fn issuer(&self, req: &Request) -> String {
        self.origin(req)
    }

    /// Forward auth: the active (not pending) session's user, or None.
    pub async fn forward_auth(&self, req: &mut Request) -> Result<Option<Identity>, Fault> {
        Ok(self.signed_in(req).await?.filter(|(_, s, _)| s.task.is_none()).map(|(_, _, u)| u))
    }

    /// The live session and who it belongs to (pending ones included).
    async fn signed_in(&self, req: &Request) -> Result<Option<(String, Session, Identity)>, Fault> {
        let Some((key, s)) = self.active_session(req).await? else { return Ok(None) };
        Ok(self.store.identity(s.user_id).await?.map(|u| (key, s, u)))
    }

    /// The keys this node signs with: read again every `KEY_REFRESH`
    /// seconds, or when none signs now; the first key is made on first use.
    async fn ring(&self, now: i64) -> Result<Arc<Ring>, Fault> {
        let cached = self.ring.read().ok().and_then(|r| r.clone());
        if let Some(r) = cached.filter(|r| r.fresh(now) && r.signer(now).is_some()) {
            return Ok(r);
        }
        let alg = self.cfg.settings.session_token.algorithm;
        let mut keys = self.store.signing_keys().await?;
        if tokens::signer(&keys, alg, now).is_none() {
            let sealer = self.keys.clone();
            let made = crate::secrets::off_runtime(move || tokens::new_key(&sealer, alg, now, now)).await;
            let k = made.ok_or_else(|| "no worker thread".to_string()).and_then(|r| r).map_err(|e| {
                tracing::error!(error = %e, "signing key");
                Fault::Unavailable
            })?;
            if self.alone(async |u| Ok(u.store.add_first_key(&k, now).await?)).await? {
                tracing::info!(kid = %k.kid, alg = alg.name(), "session-token signing key created");
            }
            keys = self.store.signing_keys().await?;
        }
        let ring = Arc::new(Ring::load(&keys, &self.keys, alg, now));
        if ring.signer(now).is_none() {
            tracing::error!("no signing key opens with the configured secret key");
            return Err(Fault::Unavailable);
        }
        if let Ok(mut slot) = self.ring.write() {
            *slot = Some(ring.clone());
        }
        Ok(ring)
    }
}
