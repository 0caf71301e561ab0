//! The browsers a user trusts (they skip the client-trust email code),
//! listed beside the sessions and revoked one by one.

use super::super::Service;
use super::Open;
use crate::audit::Event;
use crate::request::Request;
use proto::*;

/// A trusted client's public id: derived from its key, revealing neither it
/// nor the cookie.
fn device_id(client_key: &str) -> String {
    crate::secrets::public_id("client", client_key)
}

impl Service {
    pub async fn trusted_devices(&self, req: &mut Request) -> Result<Vec<TrustedDevice>, Fault> {
        let c = self.current(req, Open::Active).await?;
        let mine = self.known_client_key(req);
        let rows = self.store.trusted_clients(c.user.id).await?;
        Ok(rows
            .into_iter()
            .map(|t| TrustedDevice {
                id: device_id(&t.client_key),
                device: Device::of(t.user_agent.as_deref(), t.device.as_deref()),
                ip: t.ip,
                trusted_at: t.trusted_at,
                last_used_at: t.last_used_at,
                current: mine.as_deref() == Some(t.client_key.as_str()),
            })
            .collect())
    }

    /// Forgets one trusted browser: its next password sign-in proves itself
    /// with an emailed code again (or a second factor, which always wins).
    pub async fn revoke_trusted_device(&self, req: &mut Request, id: String) -> Result<Vec<TrustedDevice>, Fault> {
        let c = self.current(req, Open::Active).await?;
        let rows = self.store.trusted_clients(c.user.id).await?;
        let key = rows.into_iter().find(|t| device_id(&t.client_key) == id).ok_or(Fault::SessionNotFound)?.client_key;
        self.alone(async |u| {
            if !u.store.untrust_client(&key, c.user.id).await? {
                return Err(Fault::SessionNotFound);
            }
            u.audit_change(req, &c, Event::TrustedDeviceRevoked).await;
            Ok(())
        })
        .await?;
        self.trusted_devices(req).await
    }
}
