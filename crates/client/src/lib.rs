//! A native client of the `/v1` API, as Clerk's native SDKs talk to theirs:
//! no cookies; the client token kept where only its owner reads it (`Keychain`:
//! a file with mode 0600), sent as `Authorization: Bearer …`, and replaced
//! by the rotated one every answer carries. `seed` is the guide's
//! `MFASignInViewModel` on it.

pub mod keychain;
pub mod seed;

pub use keychain::Keychain;
use proto::v1::*;
use proto::*;
use reqwest::{header, Method};
use serde::{de::DeserializeOwned, Serialize};

/// Why a call failed.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The server refused, with Clerk-shaped errors (code, message, meta).
    #[error("{0}")]
    Api(ApiErrors),
    #[error("network: {0}")]
    Http(#[from] reqwest::Error),
    #[error("client token store: {0}")]
    Keychain(#[from] std::io::Error),
}

impl Error {
    /// The first error code, if the server answered one.
    pub fn code(&self) -> Option<&str> {
        match self {
            Error::Api(e) => e.errors.first().map(|e| e.code.as_str()),
            _ => None,
        }
    }
}

/// The second factor a code is for (the SDKs' `MfaType`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum MfaType {
    PhoneCode,
    Totp,
    BackupCode,
}

impl MfaType {
    fn strategy(self) -> Strategy {
        match self {
            MfaType::PhoneCode => Strategy::PhoneCode,
            MfaType::Totp => Strategy::Totp,
            MfaType::BackupCode => Strategy::BackupCode,
        }
    }
}

/// One app's connection to the server (`Clerk` in the SDKs).
pub struct Clerk {
    base: String,
    http: reqwest::Client,
    keychain: Keychain,
    /// Sent as `X-Device-Model`, so the sessions list names this device.
    device_model: Option<String>,
}

impl Clerk {
    /// `base`: the server's origin, e.g. `https://auth.example.com`.
    pub fn new(base: &str, keychain: Keychain) -> Result<Clerk, Error> {
        let http = reqwest::Client::builder()
            .user_agent(concat!("mfa-native/", env!("CARGO_PKG_VERSION")))
            .redirect(reqwest::redirect::Policy::none())
            .build()?;
        Ok(Clerk { base: base.trim_end_matches('/').to_string(), http, keychain, device_model: None })
    }

    pub fn with_device_model(mut self, model: &str) -> Clerk {
        self.device_model = Some(model.to_string());
        self
    }

    /// `clerk.auth.signInWithPassword(identifier:password:)`.
    pub async fn sign_in_with_password(&self, identifier: &str, password: &str) -> Result<SignInView, Error> {
        let body =
            SignInCreate { identifier: identifier.into(), password: Some(password.into()), ..Default::default() };
        self.call(Method::POST, "/client/sign_ins", Some(&body)).await
    }

    /// `signIn.sendMfaPhoneCode()`.
    pub async fn send_mfa_phone_code(&self, sign_in: &SignInView) -> Result<SignInView, Error> {
        let body = StrategyBody { strategy: Some(Strategy::PhoneCode) };
        self.call(Method::POST, &format!("/client/sign_ins/{}/prepare_second_factor", id(sign_in)), Some(&body)).await
    }

    /// `signIn.sendMfaEmailCode()`: the client-trust code (the password
    /// step sent one; asking right after is answered with it).
    pub async fn send_mfa_email_code(&self, sign_in: &SignInView) -> Result<SignInView, Error> {
        let body = StrategyBody { strategy: Some(Strategy::EmailCode) };
        self.call(Method::POST, &format!("/client/sign_ins/{}/prepare_second_factor", id(sign_in)), Some(&body)).await
    }

    /// `signIn.verifyMfaCode(code, type:)`: `complete` means signed in (the
    /// server finalizes; `created_session_id` names the session).
    pub async fn verify_mfa_code(&self, sign_in: &SignInView, code: &str, kind: MfaType) -> Result<SignInView, Error> {
        let body = CodeBody { strategy: Some(kind.strategy()), code: code.into(), ..CodeBody::default() };
        self.call(Method::POST, &format!("/client/sign_ins/{}/attempt_second_factor", id(sign_in)), Some(&body)).await
    }

    /// The trust code of `needs_client_trust`.
    pub async fn verify_email_code(&self, sign_in: &SignInView, code: &str) -> Result<SignInView, Error> {
        let body = CodeBody { strategy: Some(Strategy::EmailCode), code: code.into(), ..CodeBody::default() };
        self.call(Method::POST, &format!("/client/sign_ins/{}/attempt_second_factor", id(sign_in)), Some(&body)).await
    }

    /// `clerk.client`: the sign-in, sign-up and session this client carries.
    pub async fn client(&self) -> Result<ClientView, Error> {
        self.call::<(), _>(Method::GET, "/client", None).await
    }

    /// `clerk.session`: the active session, if any.
    pub async fn session(&self) -> Result<Option<SessionView>, Error> {
        Ok(self.client().await?.sessions.into_iter().find(|s| s.status == STS_ACTIVE))
    }

    /// `session.getToken()`: a session token (JWT) for the app's backend.
    pub async fn get_token(&self, session: &SessionView) -> Result<String, Error> {
        let t: TokenView =
            self.call::<(), _>(Method::POST, &format!("/client/sessions/{}/tokens", session.id), None).await?;
        Ok(t.jwt)
    }

    /// `clerk.signOut()`.
    pub async fn sign_out(&self, session: &SessionView) -> Result<ClientView, Error> {
        self.call::<(), _>(Method::POST, &format!("/client/sessions/{}/end", session.id), None).await
    }

    /// `user`: the signed-in user and their factors.
    pub async fn user(&self) -> Result<UserView, Error> {
        self.call::<(), _>(Method::GET, "/me", None).await
    }

    /// One call: the stored client token in `Authorization` (Clerk's
    /// `_is_native=1` for a first call, which has none), the rotated one
    /// stored before the answer is read.
    async fn call<B: Serialize, T: DeserializeOwned>(
        &self,
        m: Method,
        path: &str,
        body: Option<&B>,
    ) -> Result<T, Error> {
        let mut req = self.http.request(m, format!("{}/v1{path}", self.base));
        req = match self.keychain.load()? {
            Some(t) => req.bearer_auth(t),
            None => req.query(&[("_is_native", "1")]),
        };
        if let Some(model) = &self.device_model {
            req = req.header("x-device-model", model);
        }
        if let Some(b) = body {
            req = req.json(b);
        }
        let res = req.send().await?;
        if let Some(t) = res.headers().get(header::AUTHORIZATION).and_then(|v| v.to_str().ok()) {
            self.keychain.save(t)?;
        }
        if res.status().is_success() {
            Ok(res.json().await?)
        } else {
            let status = res.status().as_u16();
            match res.json::<ApiErrors>().await {
                Ok(e) => Err(Error::Api(e)),
                Err(_) => Err(Error::Api(ApiErrors { status, errors: vec![] })),
            }
        }
    }
}

fn id(sign_in: &SignInView) -> &str {
    sign_in.id.as_deref().unwrap_or("none")
}
