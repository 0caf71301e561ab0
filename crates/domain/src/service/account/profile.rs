//! What the user may change of their own besides factors: `unsafe_metadata`
//! (Clerk's `user.update({ unsafeMetadata })`). Public and private metadata
//! are the app's backend's.

use super::super::Service;
use super::Open;
use crate::audit::Event;
use crate::metadata::{self, How};
use crate::request::Request;
use proto::*;
use serde_json::Value;

impl Service {
    /// Changes the user's unsafe metadata (given as an object, or its JSON
    /// text as Clerk's SDKs send it in a form): replaced (`user.update`) or
    /// merged deeply (`user.updateMetadata`, which clerk-js 6 also sends
    /// for `update`); none given changes nothing. No re-verification: it
    /// touches nothing of the account's security.
    pub async fn update_me(
        &self,
        req: &mut Request,
        unsafe_metadata: Option<Value>,
        how: How,
    ) -> Result<UserView, Fault> {
        let Some(v) = unsafe_metadata else {
            let c = self.current(req, Open::Active).await?;
            return self.user_view(&c).await;
        };
        let change = metadata::Change { unsafe_metadata: Some(metadata::from_wire(v)?), ..Default::default() };
        for _ in 0..metadata::TRIES {
            let mut c = self.current(req, Open::Active).await?;
            let old = c.user.metadata();
            let new = metadata::apply(&old, &change, how)?;
            self.claims_fit((&c.user.public_id, &c.user.email, c.user.created_at), &new)?;
            let u = self.unit().await?;
            let r = u.store.set_metadata(c.user.id, &old, &new).await.map_err(Fault::from);
            if matches!(r, Ok(true)) {
                u.audit_change(req, &c, Event::UserUpdated).await;
            }
            if u.commit(r).await? {
                self.reload(&mut c).await?;
                return self.user_view(&c).await;
            }
        }
        Err(Fault::Unavailable)
    }
}
