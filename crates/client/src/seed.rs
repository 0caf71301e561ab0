//! The seed's native listings (`MFASignInView` / `MFASignInViewModel` in
//! SwiftUI and Android): email and password, "Next"; then the code,
//! "Verify"; then "Verified". The SMS code is sent when SMS is the user's
//! factor (their default), the authenticator app's code asked otherwise.

use crate::{Clerk, Error, MfaType};
use proto::{SignInView, Status, Strategy};

/// What the view shows (the Android listing's `UiState`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum UiState {
    Unverified,
    NeedsSecondFactor,
    Verified,
}

pub struct MfaSignIn<'a> {
    clerk: &'a Clerk,
    state: UiState,
    sign_in: Option<SignInView>,
    kind: MfaType,
}

impl<'a> MfaSignIn<'a> {
    pub fn new(clerk: &'a Clerk) -> MfaSignIn<'a> {
        MfaSignIn { clerk, state: UiState::Unverified, sign_in: None, kind: MfaType::Totp }
    }

    pub fn state(&self) -> UiState {
        self.state
    }

    /// Which code `verify` expects.
    pub fn kind(&self) -> MfaType {
        self.kind
    }

    /// "Next": the password step; at `needs_second_factor` the SMS code is
    /// sent (when SMS is the factor) and the code form shows. Another status
    /// is answered as it is (the listings `dump` it): the caller shows it.
    pub async fn submit(&mut self, email: &str, password: &str) -> Result<Status, Error> {
        let mut sign_in = self.clerk.sign_in_with_password(email, password).await?;
        match sign_in.status {
            Status::NeedsSecondFactor => {
                let sms = sign_in.supported_second_factors.first().map(|f| f.strategy) == Some(Strategy::PhoneCode);
                if sms {
                    sign_in = self.clerk.send_mfa_phone_code(&sign_in).await?;
                    self.kind = MfaType::PhoneCode;
                } else {
                    self.kind = MfaType::Totp;
                }
                self.state = UiState::NeedsSecondFactor;
            }
            Status::Complete => self.state = UiState::Verified,
            _ => {}
        }
        let status = sign_in.status;
        self.sign_in = Some(sign_in);
        Ok(status)
    }

    /// "Verify": the code; `complete` means signed in.
    pub async fn verify(&mut self, code: &str) -> Result<Status, Error> {
        let Some(sign_in) = &self.sign_in else { return Ok(Status::NeedsIdentifier) };
        let next = self.clerk.verify_mfa_code(sign_in, code, self.kind).await?;
        if next.status == Status::Complete {
            self.state = UiState::Verified;
        }
        let status = next.status;
        self.sign_in = Some(next);
        Ok(status)
    }
}
