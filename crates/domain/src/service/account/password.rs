//! Changing the password while signed in (the security page), and the
//! `reset-password` task of a session whose password is marked compromised.

use super::super::Service;
use super::Open;
use crate::audit::Event;
use crate::request::Request;
use proto::*;

impl Service {
    /// `user.updatePassword({ newPassword, signOutOfOtherSessions })`: needs
    /// a recent re-verification, as factor changes do; the sign-up policy,
    /// not the current password. Done from the `reset-password` task, it
    /// ends the task (a `setup-mfa` one may follow).
    pub async fn change_password(
        &self,
        req: &mut Request,
        password: String,
        sign_out_others: impl Into<Option<bool>>,
    ) -> Result<UserView, Fault> {
        let sign_out_others = super::super::sign_out_others(sign_out_others.into());
        let mut c = self.current(req, Open::AndTask(TASK_RESET_PASSWORD)).await?;
        let task = c.session.task.clone();
        self.recent(&c)?;
        let hash = self.new_password_hash(&password, &c.user).await?;
        let next_task = match task {
            Some(_) => self.task_for(self.factors(&c.user).await?, false),
            None => None,
        };
        self.alone(async |u| {
            u.store.set_password(c.user.id, &hash, false).await?;
            let ended = if sign_out_others { u.store.delete_other_sessions(c.user.id, &c.key).await? } else { 0 };
            if task.is_some() {
                u.store.set_task(&c.key, next_task).await?;
                u.audit(req, Event::SessionTaskDone, Some(c.user.id), Some(&c.user.email), Some(TASK_RESET_PASSWORD))
                    .await;
            }
            let detail = format!("sessions_ended={ended}");
            u.audit(req, Event::PasswordChanged, Some(c.user.id), Some(&c.user.email), Some(&detail)).await;
            Ok(())
        })
        .await?;
        self.password_notice(req, &c.user);
        c.session.task = next_task.map(String::from);
        self.reload(&mut c).await?;
        self.user_view(&c).await
    }
}
