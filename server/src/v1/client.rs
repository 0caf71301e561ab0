//! `/v1/client/…`: sign-in, sign-up and the client's session. A step that
//! completes a sign-in or sign-up also finalizes it (a native client never
//! calls finalize, as in Clerk): its `created_session_id` names the session.

use super::{strategy, Call, Input};
use axum::{extract::Path, response::Response};
use domain::request::Jar;
use proto::v1::*;
use proto::*;

/// A sign-in step's view, finalized into the session if it completed.
async fn finalized(c: &mut Call, r: Result<SignInView, Fault>) -> Result<SignInView, Fault> {
    let mut view = r?;
    if view.status == Status::Complete {
        let done = c.svc.finalize(&mut c.req).await?;
        view.created_session_id = Some(done.session_id);
    }
    Ok(view)
}

#[utoipa::path(get, path = "/v1/client", tag = "client",
    responses((status = 200, description = "The sign-in, sign-up and session this client carries.", body = ClientView)))]
pub async fn get_client(mut c: Call) -> Response {
    let r = c.svc.client(&mut c.req).await;
    c.answer(r)
}

#[utoipa::path(post, path = "/v1/client/sign_ins", tag = "sign-in", request_body = SignInCreate,
    responses((status = 200, description = "The new sign-in: `needs_second_factor`, `needs_client_trust`, `needs_first_factor`, or `complete` with `created_session_id`.", body = SignInView)))]
pub async fn create_sign_in(mut c: Call, Input(b): Input<SignInCreate>) -> Response {
    let r = match b.password {
        Some(p) => c.svc.password(&mut c.req, b.identifier, p).await,
        None => c.svc.create(&mut c.req, b.identifier, b.strategy).await,
    };
    let r = finalized(&mut c, r).await;
    c.answer(r)
}

#[utoipa::path(get, path = "/v1/client/sign_ins/{id}", tag = "sign-in", params(("id" = String, Path, description = "The sign-in's id (`sia_…`).")),
    responses((status = 200, description = "The sign-in.", body = SignInView)))]
pub async fn get_sign_in(mut c: Call, Path(id): Path<String>) -> Response {
    let r = match c.owns(Jar::SignIn, &id) {
        Ok(()) => c.svc.sign_in(&mut c.req).await,
        Err(f) => Err(f),
    };
    c.answer(r)
}

#[utoipa::path(post, path = "/v1/client/sign_ins/{id}/prepare_first_factor", tag = "sign-in", params(("id" = String, Path)),
    request_body = StrategyBody,
    responses((status = 200, description = "The code is sent (`reset_password_email_code`, `email_code`, `unlock_email_code`).", body = SignInView)))]
pub async fn prepare_first_factor(mut c: Call, Path(id): Path<String>, Input(b): Input<StrategyBody>) -> Response {
    let r = match c.owns(Jar::SignIn, &id).and_then(|()| strategy(b.strategy)) {
        Ok(s) => c.svc.prepare_first_factor(&mut c.req, s).await,
        Err(f) => Err(f),
    };
    c.answer(r)
}

#[utoipa::path(post, path = "/v1/client/sign_ins/{id}/attempt_first_factor", tag = "sign-in", params(("id" = String, Path)),
    request_body = CodeBody,
    responses((status = 200, description = "The code is right: `needs_new_password`, `needs_second_factor`, or `complete`.", body = SignInView)))]
pub async fn attempt_first_factor(mut c: Call, Path(id): Path<String>, Input(b): Input<CodeBody>) -> Response {
    let r = match c.owns(Jar::SignIn, &id).and_then(|()| strategy(b.strategy)) {
        Ok(s) => c.svc.attempt_first_factor(&mut c.req, s, b.code).await,
        Err(f) => Err(f),
    };
    let r = finalized(&mut c, r).await;
    c.answer(r)
}

#[utoipa::path(post, path = "/v1/client/sign_ins/{id}/reset_password", tag = "sign-in", params(("id" = String, Path)),
    request_body = ResetPasswordBody,
    responses((status = 200, description = "The new password is set: `needs_second_factor` or `complete`.", body = SignInView)))]
pub async fn reset_password(mut c: Call, Path(id): Path<String>, Input(b): Input<ResetPasswordBody>) -> Response {
    let r = match c.owns(Jar::SignIn, &id) {
        Ok(()) => {
            let others = b.sign_out_of_other_sessions.unwrap_or(true);
            c.svc.reset_password(&mut c.req, b.password, others).await
        }
        Err(f) => Err(f),
    };
    let r = finalized(&mut c, r).await;
    c.answer(r)
}

#[utoipa::path(post, path = "/v1/client/sign_ins/{id}/prepare_second_factor", tag = "sign-in", params(("id" = String, Path)),
    request_body = StrategyBody,
    responses((status = 200, description = "The code is sent (`phone_code`; `email_code` at `needs_client_trust`).", body = SignInView)))]
pub async fn prepare_second_factor(mut c: Call, Path(id): Path<String>, Input(b): Input<StrategyBody>) -> Response {
    let r = match c.owns(Jar::SignIn, &id).and_then(|()| strategy(b.strategy)) {
        Ok(s) => c.svc.prepare_second_factor(&mut c.req, s).await,
        Err(f) => Err(f),
    };
    c.answer(r)
}

#[utoipa::path(post, path = "/v1/client/sign_ins/{id}/attempt_second_factor", tag = "sign-in", params(("id" = String, Path)),
    request_body = CodeBody,
    responses((status = 200, description = "The factor checks out: `complete`, with `created_session_id`.", body = SignInView)))]
pub async fn attempt_second_factor(mut c: Call, Path(id): Path<String>, Input(b): Input<CodeBody>) -> Response {
    let r = match c.owns(Jar::SignIn, &id).and_then(|()| strategy(b.strategy)) {
        Ok(s) => c.svc.attempt_second_factor(&mut c.req, s, b.code).await,
        Err(f) => Err(f),
    };
    let r = finalized(&mut c, r).await;
    c.answer(r)
}

#[utoipa::path(post, path = "/v1/client/sign_ups", tag = "sign-up", request_body = SignUpCreate,
    responses((status = 200, description = "The sign-up, `missing_requirements`: the email code is sent.", body = SignUpView)))]
pub async fn create_sign_up(mut c: Call, Input(b): Input<SignUpCreate>) -> Response {
    let r = c.svc.sign_up_password(&mut c.req, b.email_address, b.password).await;
    c.answer(r)
}

#[utoipa::path(get, path = "/v1/client/sign_ups/{id}", tag = "sign-up", params(("id" = String, Path, description = "The sign-up's id (`sua_…`).")),
    responses((status = 200, description = "The sign-up.", body = SignUpView)))]
pub async fn get_sign_up(mut c: Call, Path(id): Path<String>) -> Response {
    let r = match c.owns(Jar::SignUp, &id) {
        Ok(()) => c.svc.sign_up(&mut c.req).await,
        Err(f) => Err(f),
    };
    c.answer(r)
}

#[utoipa::path(post, path = "/v1/client/sign_ups/{id}/prepare_verification", tag = "sign-up", params(("id" = String, Path)),
    request_body = StrategyBody,
    responses((status = 200, description = "The email code is sent (`strategy=email_code`).", body = SignUpView)))]
pub async fn prepare_verification(mut c: Call, Path(id): Path<String>, Input(b): Input<StrategyBody>) -> Response {
    let r = match c.owns(Jar::SignUp, &id).and_then(|()| email_code(b.strategy)) {
        Ok(()) => c.svc.sign_up_send_email_code(&mut c.req).await,
        Err(f) => Err(f),
    };
    c.answer(r)
}

#[utoipa::path(post, path = "/v1/client/sign_ups/{id}/attempt_verification", tag = "sign-up", params(("id" = String, Path)),
    request_body = CodeBody,
    responses((status = 200, description = "The address is verified: `complete`, with `created_session_id`.", body = SignUpView)))]
pub async fn attempt_verification(mut c: Call, Path(id): Path<String>, Input(b): Input<CodeBody>) -> Response {
    let r = match c.owns(Jar::SignUp, &id).and_then(|()| email_code(b.strategy)) {
        Ok(()) => c.svc.sign_up_verify_email_code(&mut c.req, b.code).await,
        Err(f) => Err(f),
    };
    let r = match r {
        Ok(mut view) if view.status == SignUpStatus::Complete => match c.svc.sign_up_finalize(&mut c.req).await {
            Ok(done) => {
                view.created_session_id = Some(done.session_id);
                Ok(view)
            }
            Err(f) => Err(f),
        },
        other => other,
    };
    c.answer(r)
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
pub async fn create_token(mut c: Call, Path(id): Path<String>) -> Response {
    let r = match c.owns(Jar::Session, &id) {
        Ok(()) => c.svc.token(&mut c.req).await,
        Err(f) => Err(f),
    };
    c.answer(r)
}

#[utoipa::path(post, path = "/v1/client/sessions/{id}/end", tag = "session", params(("id" = String, Path)),
    responses((status = 200, description = "Signed out: the client without its session.", body = ClientView)))]
pub async fn end_session(mut c: Call, Path(id): Path<String>) -> Response {
    let r = match c.owns(Jar::Session, &id) {
        Ok(()) => match c.svc.sign_out(&mut c.req).await {
            Ok(()) => c.svc.client(&mut c.req).await,
            Err(f) => Err(f),
        },
        Err(f) => Err(f),
    };
    c.answer(r)
}
