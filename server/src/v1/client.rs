//! `/v1/client/…`: sign-in, sign-up and the client's session. A step that
//! completes a sign-in or sign-up also finalizes it (a native client never
//! calls finalize, as in Clerk): its `created_session_id` names the session.

use super::{strategy, Call, Input};
use app::api::Api;
use axum::extract::{Path, State};
use axum::http::header;
use axum::response::{IntoResponse, Json, Response};
use domain::{request::Jar, request::Request, service::Service};
use proto::v1::*;
use proto::*;

/// A sign-in step's view, finalized into the session if it completed.
async fn finalized(svc: &Service, req: &mut Request, r: Result<SignInView, Fault>) -> Result<SignInView, Fault> {
    Ok(svc.sign_in_finished(req, r?).await?.0)
}

#[utoipa::path(get, path = "/v1/client", tag = "client",
    responses((status = 200, description = "The sign-in, sign-up and session this client carries.", body = ClientView)))]
pub async fn get_client(c: Call) -> Response {
    c.step(async |svc, req| svc.client(req).await).await
}

#[utoipa::path(post, path = "/v1/client/sign_ins", tag = "sign-in", request_body = SignInCreate,
    responses((status = 200, description = "The new sign-in: `needs_second_factor`, `needs_client_trust`, `needs_first_factor` (with a `passkey_challenge` for `strategy: passkey`), or `complete` with `created_session_id`.", body = SignInView)))]
pub async fn create_sign_in(c: Call, Input(b): Input<SignInCreate>) -> Response {
    // A password sign-in names every empty field at once, as the page does.
    let empty = match &b.password {
        Some(p) => vec![(Field::Identifier, b.identifier.trim().is_empty()), (Field::Password, p.is_empty())],
        None => vec![],
    };
    c.requiring(&empty)
        .in_locale(b.locale.as_deref())
        .step(async |svc, req| {
            let r = match (b.password, b.strategy) {
                (Some(p), _) => svc.password(req, b.identifier, p).await,
                (None, Some(Strategy::Passkey)) => svc.passkey_sign_in(req, false).await,
                (None, s) => svc.create(req, b.identifier, s).await,
            };
            finalized(svc, req, r).await
        })
        .await
}

#[utoipa::path(get, path = "/v1/client/sign_ins/{id}", tag = "sign-in", params(("id" = String, Path, description = "The sign-in's id (`sia_…`).")),
    responses((status = 200, description = "The sign-in.", body = SignInView)))]
pub async fn get_sign_in(c: Call, Path(id): Path<String>) -> Response {
    c.step_on(Jar::SignIn, &id, async |svc, req| svc.sign_in(req).await).await
}

#[utoipa::path(post, path = "/v1/client/sign_ins/{id}/prepare_first_factor", tag = "sign-in", params(("id" = String, Path)),
    request_body = StrategyBody,
    responses((status = 200, description = "The code is sent (`reset_password_email_code`, `email_code`, `unlock_email_code`).", body = SignInView)))]
pub async fn prepare_first_factor(c: Call, Path(id): Path<String>, Input(b): Input<StrategyBody>) -> Response {
    c.step_on(Jar::SignIn, &id, async |svc, req| svc.prepare_first_factor(req, strategy(b.strategy)?).await).await
}

#[utoipa::path(post, path = "/v1/client/sign_ins/{id}/attempt_first_factor", tag = "sign-in", params(("id" = String, Path)),
    request_body = CodeBody,
    responses((status = 200, description = "The code is right: `needs_new_password`, `needs_second_factor`, or `complete`.", body = SignInView)))]
pub async fn attempt_first_factor(c: Call, Path(id): Path<String>, Input(b): Input<CodeBody>) -> Response {
    c.step_on(Jar::SignIn, &id, async |svc, req| {
        let (s, answer) = b.answer()?;
        let r = svc.attempt_first_factor(req, s, answer).await;
        finalized(svc, req, r).await
    })
    .await
}

#[utoipa::path(post, path = "/v1/client/sign_ins/{id}/reset_password", tag = "sign-in", params(("id" = String, Path)),
    request_body = ResetPasswordBody,
    responses((status = 200, description = "The new password is set: `needs_second_factor` or `complete`.", body = SignInView)))]
pub async fn reset_password(c: Call, Path(id): Path<String>, Input(b): Input<ResetPasswordBody>) -> Response {
    c.step_on(Jar::SignIn, &id, async |svc, req| {
        let r = svc.reset_password(req, b.password, b.sign_out_of_other_sessions).await;
        finalized(svc, req, r).await
    })
    .await
}

#[utoipa::path(post, path = "/v1/client/sign_ins/{id}/prepare_second_factor", tag = "sign-in", params(("id" = String, Path)),
    request_body = StrategyBody,
    responses((status = 200, description = "The code is sent (`phone_code`; `email_code` at `needs_client_trust`), or a `passkey_challenge` made (`passkey`).", body = SignInView)))]
pub async fn prepare_second_factor(c: Call, Path(id): Path<String>, Input(b): Input<StrategyBody>) -> Response {
    c.step_on(Jar::SignIn, &id, async |svc, req| svc.prepare_second_factor(req, strategy(b.strategy)?).await).await
}

#[utoipa::path(post, path = "/v1/client/sign_ins/{id}/attempt_second_factor", tag = "sign-in", params(("id" = String, Path)),
    request_body = CodeBody,
    responses((status = 200, description = "The factor checks out: `complete`, with `created_session_id`.", body = SignInView)))]
pub async fn attempt_second_factor(c: Call, Path(id): Path<String>, Input(b): Input<CodeBody>) -> Response {
    c.step_on(Jar::SignIn, &id, async |svc, req| {
        let (s, answer) = b.answer()?;
        let r = svc.attempt_second_factor(req, s, answer).await;
        finalized(svc, req, r).await
    })
    .await
}

#[utoipa::path(post, path = "/v1/client/sign_ups", tag = "sign-up", request_body = SignUpCreate,
    responses((status = 200, description = "The sign-up, `missing_requirements`: the email code is sent.", body = SignUpView)))]
pub async fn create_sign_up(c: Call, Input(b): Input<SignUpCreate>) -> Response {
    let empty = [(Field::EmailAddress, b.email_address.trim().is_empty()), (Field::Password, b.password.is_empty())];
    c.requiring(&empty)
        .in_locale(b.locale.as_deref())
        .step(async |svc, req| svc.sign_up_password(req, b.email_address, b.password).await)
        .await
}

#[utoipa::path(get, path = "/v1/client/sign_ups/{id}", tag = "sign-up", params(("id" = String, Path, description = "The sign-up's id (`sua_…`).")),
    responses((status = 200, description = "The sign-up.", body = SignUpView)))]
pub async fn get_sign_up(c: Call, Path(id): Path<String>) -> Response {
    c.step_on(Jar::SignUp, &id, async |svc, req| svc.sign_up(req).await).await
}

#[utoipa::path(post, path = "/v1/client/sign_ups/{id}/prepare_verification", tag = "sign-up", params(("id" = String, Path)),
    request_body = StrategyBody,
    responses((status = 200, description = "The email code is sent (`strategy=email_code`).", body = SignUpView)))]
pub async fn prepare_verification(c: Call, Path(id): Path<String>, Input(b): Input<StrategyBody>) -> Response {
    c.step_on(Jar::SignUp, &id, async |svc, req| {
        email_code(b.strategy)?;
        svc.sign_up_send_email_code(req).await
    })
    .await
}

#[utoipa::path(post, path = "/v1/client/sign_ups/{id}/attempt_verification", tag = "sign-up", params(("id" = String, Path)),
    request_body = CodeBody,
    responses((status = 200, description = "The address is verified: `complete`, with `created_session_id`.", body = SignUpView)))]
pub async fn attempt_verification(c: Call, Path(id): Path<String>, Input(b): Input<CodeBody>) -> Response {
    c.step_on(Jar::SignUp, &id, async |svc, req| {
        email_code(b.strategy)?;
        let view = svc.sign_up_verify_email_code(req, b.code).await?;
        Ok(svc.sign_up_finished(req, view).await?.0)
    })
    .await
}

/// A sign-up verifies its email address only.
fn email_code(s: Option<Strategy>) -> Result<(), Fault> {
    match strategy(s)? {
        Strategy::EmailCode => Ok(()),
        _ => Err(Fault::StrategyInvalid),
    }
}

#[utoipa::path(post, path = "/v1/client/sessions/{id}/tokens", tag = "session", params(("id" = String, Path, description = "The session's id (`sid`).")),
    responses((status = 200, description = "A session token (JWT) for the app's backend.", body = TokenView)))]
pub async fn create_token(c: Call, Path(id): Path<String>) -> Response {
    c.step_on(Jar::Session, &id, async |svc, req| svc.token(req).await).await
}

/// Clerk's "dev browser", in development only (`--dev`): a page whose
/// Clerk key is a development one asks for it first, then sends it as
/// `__clerk_db_jwt` in every URL instead of keeping cookies. It is a client
/// token: the client's state lives on the server.
#[utoipa::path(post, path = "/v1/dev_browser", tag = "client", security(()),
    responses((status = 200, description = "Development only: the client token to send as `__clerk_db_jwt`.", body = DevBrowser),
        (status = 404, description = "Not in development.")))]
pub async fn create_dev_browser(State(api): State<Api>) -> Response {
    if !api.edge.dev {
        return super::not_found().await;
    }
    match api.service.dev_browser(api.edge.clock.now()).await {
        Ok(id) => Json(DevBrowser { object: "dev_browser".into(), id }).into_response(),
        Err(f) => super::fault(f),
    }
}

/// The public keys of session tokens, also at `/.well-known/jwks.json`.
/// Cacheable for as long as a rotated key is published before it signs
/// (`tokens::PUBLISH_AHEAD`). Public: Clerk's backend SDK sends its secret
/// key, which is not read.
#[utoipa::path(get, path = "/v1/jwks", tag = "session", security(()),
    responses((status = 200, description = "The keys an app's backend verifies session tokens with.", body = Jwks)))]
pub async fn jwks(State(api): State<Api>) -> Response {
    match api.service.jwks(api.edge.clock.now()).await {
        Ok(keys) => {
            let cache = format!("public, max-age={}", domain::tokens::PUBLISH_AHEAD);
            ([(header::CACHE_CONTROL, cache)], Json(keys)).into_response()
        }
        Err(f) => super::fault(f),
    }
}

#[utoipa::path(post, path = "/v1/client/sessions/{id}/end", tag = "session", params(("id" = String, Path)),
    responses((status = 200, description = "Signed out: the client without its session.", body = ClientView)))]
pub async fn end_session(c: Call, Path(id): Path<String>) -> Response {
    c.step_on(Jar::Session, &id, signed_out).await
}

/// Signs out; answers the client without its session.
async fn signed_out(svc: &Service, req: &mut Request) -> Result<ClientView, Fault> {
    svc.sign_out(req).await?;
    svc.client(req).await
}

#[utoipa::path(post, path = "/v1/client/sessions/{id}/touch", tag = "session", params(("id" = String, Path)),
    responses((status = 200, description = "The session, marked in use (Clerk's SDKs touch it when they make it the active one).", body = SessionView)))]
pub async fn touch_session(c: Call, Path(id): Path<String>) -> Response {
    c.step_on(Jar::Session, &id, async |svc, req| svc.client_session(req).await?.ok_or(Fault::SessionNotFound)).await
}

#[utoipa::path(get, path = "/v1/environment", tag = "client",
    responses((status = 200, description = "How this instance is set up, in the shape Clerk's SDKs load before anything else.", body = EnvironmentView)))]
pub async fn get_environment(c: Call) -> Response {
    c.step(async |svc, req| Ok(svc.environment(req))).await
}

#[utoipa::path(patch, path = "/v1/environment", tag = "client",
    responses((status = 200, description = "The same as `GET` (Clerk's SDKs send it to say they are in use).", body = EnvironmentView)))]
pub async fn touch_environment(c: Call) -> Response {
    get_environment(c).await
}

#[utoipa::path(delete, path = "/v1/client/sessions", tag = "session",
    responses((status = 200, description = "Signed out: the client without its session (Clerk's `signOut()`).", body = ClientView)))]
pub async fn end_sessions(c: Call) -> Response {
    c.step(signed_out).await
}

#[utoipa::path(delete, path = "/v1/client", tag = "client",
    responses((status = 200, description = "The client forgotten: signed out, and its sign-in and sign-up abandoned.", body = ClientView)))]
pub async fn delete_client(c: Call) -> Response {
    c.step(async |svc, req| {
        svc.reset(req).await?;
        svc.sign_up_reset(req).await?;
        signed_out(svc, req).await
    })
    .await
}
