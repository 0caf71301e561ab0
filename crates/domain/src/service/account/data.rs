//! The user's own data: all of it to download (what their pages show them
//! already, gathered), and the account deleted (Clerk's `user.delete()`,
//! after a recent re-verification, as any change: a stolen session alone
//! cannot).

use super::super::Service;
use super::Open;
use crate::admin::{self, Actor};
use crate::mail::Change;
use crate::request::{Jar, Request};
use crate::store::AuditFilter;
use proto::*;
use serde_json::json;

/// How much of their audit trail a download holds, newest first.
const AUDIT_ROWS: i64 = 1000;

impl Service {
    /// Everything held about the signed-in user, as JSON: their profile
    /// (the metadata they may read), their factors by kind and date, their
    /// sessions and trusted browsers, and their account's audit trail.
    /// Never a secret: no hash, key or code.
    pub async fn account_data(&self, req: &mut Request) -> Result<serde_json::Value, Fault> {
        let c = self.current(req, Open::Active).await?;
        let user = self.user_view(&c).await?;
        let sessions = self.sessions(req).await?;
        let devices = self.trusted_devices(req).await?;
        let filter = AuditFilter { user_id: Some(&c.user.public_id), event: None };
        let (audit, _) = self.store.audit_page(&filter, AUDIT_ROWS, 0).await?;
        let audit: Vec<serde_json::Value> = audit
            .into_iter()
            .map(
                |a| json!({ "at": a.at, "event": a.event, "ip": a.ip, "user_agent": a.user_agent, "detail": a.detail }),
            )
            .collect();
        Ok(json!({
            "exported_at": req.now,
            "user": user,
            "sessions": sessions,
            "trusted_devices": devices,
            "audit": audit,
        }))
    }

    /// Deletes the signed-in user's account and everything it holds (the
    /// audit trail stays, as for an operator's delete); the session ends
    /// with it and an email says so.
    pub async fn delete_account(&self, req: &mut Request) -> Result<(), Fault> {
        let c = self.current(req, Open::Active).await?;
        self.recent(&c)?;
        admin::delete_user(&*self.store, &c.user, Actor::User, req.now).await.map_err(|e| {
            tracing::error!(error = %e, "deleting an account");
            Fault::Unavailable
        })?;
        self.notify(req, &c, Change::AccountDeleted).await;
        req.clear(Jar::Session);
        req.clear(Jar::Token);
        Ok(())
    }
}
