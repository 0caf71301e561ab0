//! The OpenAPI 3.1 document of `/v1`, generated from the handlers and the
//! wire types (utoipa), served at `/v1/openapi.json`: both ways to carry the
//! client, and every error code with an example under its status.

use super::{client, me};
use axum::{http::header, response::IntoResponse, response::Response};
use proto::{ApiErrors, Fault};
use std::collections::BTreeMap;
use utoipa::openapi::{
    example::ExampleBuilder,
    link::LinkBuilder,
    security::{ApiKey, ApiKeyValue, Http, HttpAuthScheme, SecurityRequirement, SecurityScheme},
    ContentBuilder, HeaderBuilder, OpenApi as Doc, Ref, RefOr, ResponseBuilder,
};
use utoipa::{Modify, OpenApi};

#[derive(OpenApi)]
#[openapi(
    info(
        title = "mfa-signin /v1",
        license(name = "MIT", identifier = "MIT"),
        description = "Sign-in with MFA for every client that is not this server's own pages. Shaped after \
                       Clerk's Frontend API; docs/api.md tells the differences. A native client sends its client \
                       token as `Authorization: Bearer ct_…` (none on its first call, or `?_is_native=1`) and keeps \
                       the rotated one from each answer's `Authorization` header; a browser sends its cookies.",
    ),
    paths(
        client::get_environment,
        client::touch_environment,
        client::get_client,
        client::delete_client,
        client::end_sessions,
        client::create_sign_in,
        client::get_sign_in,
        client::prepare_first_factor,
        client::attempt_first_factor,
        client::reset_password,
        client::prepare_second_factor,
        client::attempt_second_factor,
        client::create_sign_up,
        client::get_sign_up,
        client::prepare_verification,
        client::attempt_verification,
        client::create_token,
        client::jwks,
        client::create_dev_browser,
        client::end_session,
        client::touch_session,
        me::get_me,
        me::update_me,
        me::delete_me,
        me::my_data,
        me::update_metadata,
        me::reverify,
        me::create_totp,
        me::verify_totp,
        me::delete_totp,
        me::create_phone,
        me::verify_phone,
        me::delete_phone,
        me::default_second_factor,
        me::create_backup_codes,
        me::delete_backup_codes,
        me::change_password,
        me::active_sessions,
        me::revoke_session,
        me::revoke_others,
        me::create_passkey,
        me::verify_passkey,
        me::rename_passkey,
        me::delete_passkey,
        me::trusted_devices,
        me::revoke_trusted_device,
    ),
    components(schemas(ApiErrors)),
    modifiers(&Transport, &Errors, &Links, &Forms),
    tags(
        (name = "client", description = "What this client carries."),
        (name = "sign-in", description = "Sign-in: password, codes, second factor, recovery."),
        (name = "sign-up", description = "Sign-up: email, password, the emailed code."),
        (name = "session", description = "The client's session: tokens for the app's backend, sign-out."),
        (name = "user", description = "The signed-in user: factors, password, sessions."),
    )
)]
pub struct ApiDoc;

/// The two ways to carry the client, either of them (or none, for a first call).
struct Transport;

impl Modify for Transport {
    fn modify(&self, doc: &mut Doc) {
        let c = doc.components.get_or_insert_with(Default::default);
        let mut bearer = Http::new(HttpAuthScheme::Bearer);
        bearer.bearer_format = Some("client token (ct_…)".into());
        bearer.description = Some(
            "A native client's client token. Each answer carries the rotated one in its `Authorization` \
             header; keep it as a keychain would. Never together with an `Origin` header \
             (`origin_authorization_headers_conflict`)."
                .into(),
        );
        c.add_security_scheme("client_token", SecurityScheme::Http(bearer));
        c.add_security_scheme(
            "cookies",
            SecurityScheme::ApiKey(ApiKey::Cookie(ApiKeyValue::with_description(
                "__Host-session",
                "A browser's cookies (`__Host-client`, `__Host-sign_in`, `__Host-sign_up`, `__Host-session`; \
                 without the prefix in development).",
            ))),
        );
        c.add_security_scheme(
            "native_flag",
            SecurityScheme::ApiKey(ApiKey::Query(ApiKeyValue::with_description(
                "_is_native",
                "Clerk's flag (`1`): answer with a client token though none was sent yet.",
            ))),
        );
        doc.security = Some(vec![
            SecurityRequirement::new("client_token", Vec::<String>::new()),
            SecurityRequirement::new("cookies", Vec::<String>::new()),
            SecurityRequirement::new("native_flag", Vec::<String>::new()),
            SecurityRequirement::default(),
        ]);
    }
}

/// Refusals before any handler, on both APIs (the guard, the body).
pub(crate) const EDGE: [(u16, &str, &str); 6] = [
    (400, "request_invalid", "Send JSON or a form with the documented fields."),
    (400, "host_invalid", "The Host header does not name a host."),
    (421, "host_invalid", "This server does not answer for that host."),
    (403, "origin_invalid", "Cross-site requests are refused."),
    (404, "resource_not_found", "No such endpoint."),
    (413, "request_too_large", "The request is too large."),
];

/// And on `/v1`: the client token's.
const CLIENT_EDGE: [(u16, &str, &str); 2] = [
    (
        400,
        "origin_authorization_headers_conflict",
        "A request may carry an Origin or an Authorization header, not both.",
    ),
    (401, "authorization_invalid", "The client token is not one of ours: start again without it."),
];

/// Every error, under its status on every operation, each code an example.
struct Errors;

impl Modify for Errors {
    fn modify(&self, doc: &mut Doc) {
        add_errors(doc, &[&EDGE[..], &CLIENT_EDGE[..]].concat());
        let rotated = HeaderBuilder::new()
            .description(Some(
                "The rotated client token (`ct_…`), when the request came with one or with `_is_native`.",
            ))
            .build();
        for op in operations(doc) {
            for res in op.responses.responses.values_mut() {
                if let RefOr::T(r) = res {
                    r.headers.insert("Authorization".into(), RefOr::T(rotated.clone()));
                }
            }
        }
    }
}

/// Every fault under its status, as shared responses (`Error{status}`) on
/// every operation of `doc`, each code an example; `edge` adds the
/// refusals made before any handler.
pub(crate) fn add_errors(doc: &mut Doc, edge: &[(u16, &str, &str)]) {
    let mut by_status: BTreeMap<u16, Vec<(String, ApiErrors)>> = BTreeMap::new();
    for f in Fault::examples() {
        let e = ApiErrors::from(f);
        let field = f.field().and_then(|p| serde_json::to_value(p).ok());
        let name = match field.as_ref().and_then(|v| v.as_str()) {
            Some(p) => format!("{} ({p})", f.code()),
            None => f.code().to_string(),
        };
        by_status.entry(e.status).or_default().push((name, e));
    }
    for &(status, code, message) in edge {
        let list = by_status.entry(status).or_default();
        if !list.iter().any(|(n, _)| n == code) {
            list.push((code.to_string(), web::guard::refusal(status, code, message)));
        }
    }
    let c = doc.components.get_or_insert_with(Default::default);
    for (status, examples) in &by_status {
        let content = ContentBuilder::new().schema(Some(Ref::from_schema_name("ApiErrors"))).examples_from_iter(
            examples
                .iter()
                .map(|(name, e)| (name.clone(), ExampleBuilder::new().value(serde_json::to_value(e).ok()).build())),
        );
        let codes: Vec<&str> = examples.iter().map(|(n, _)| n.as_str()).collect();
        let res = ResponseBuilder::new()
            .description(format!("Refused: {}.", codes.join(", ")))
            .content("application/json", content.build())
            .build();
        c.responses.insert(format!("Error{status}"), RefOr::T(res));
    }
    for op in operations(doc) {
        for status in by_status.keys() {
            let name = format!("Error{status}");
            op.responses.responses.insert(status.to_string(), RefOr::Ref(Ref::from_response_name(name)));
        }
    }
}

/// Which answer's id the steps on an id take: a client (Schemathesis's
/// stateful phase among them) can follow a sign-in or sign-up from its start.
struct Links;

const LINKS: [(&str, &str, &[&str]); 3] = [
    (
        "create_sign_in",
        "$response.body#/id",
        &[
            "get_sign_in",
            "prepare_first_factor",
            "attempt_first_factor",
            "reset_password",
            "prepare_second_factor",
            "attempt_second_factor",
        ],
    ),
    ("create_sign_up", "$response.body#/id", &["get_sign_up", "prepare_verification", "attempt_verification"]),
    ("attempt_second_factor", "$response.body#/created_session_id", &["create_token", "end_session"]),
];

impl Modify for Links {
    fn modify(&self, doc: &mut Doc) {
        for (from, value, to) in LINKS {
            let ok = operations(doc)
                .find(|op| op.operation_id.as_deref() == Some(from))
                .and_then(|op| op.responses.responses.get_mut("200"));
            if let Some(RefOr::T(res)) = ok {
                for op in to {
                    let link = LinkBuilder::new().operation_id(*op).parameter("id", value).build();
                    res.links.insert((*op).to_string(), RefOr::T(link));
                }
            }
        }
    }
}

/// Every operation of the document.
pub(crate) fn operations(doc: &mut Doc) -> impl Iterator<Item = &mut utoipa::openapi::path::Operation> {
    doc.paths
        .paths
        .values_mut()
        .flat_map(|i| [&mut i.get, &mut i.post, &mut i.patch, &mut i.put, &mut i.delete])
        .flatten()
}

/// Every body may also come as a form, as Clerk's SDKs send it (`Input`).
pub(crate) struct Forms;

impl Modify for Forms {
    fn modify(&self, doc: &mut Doc) {
        for op in operations(doc) {
            if let Some(RefOr::T(body)) = &mut op.request_body {
                if let Some(json) = body.content.get("application/json").cloned() {
                    body.content.insert("application/x-www-form-urlencoded".into(), json);
                }
            }
        }
    }
}

/// `GET /v1/openapi.json`.
pub async fn document() -> Response {
    match ApiDoc::openapi().to_json() {
        Ok(json) => ([(header::CONTENT_TYPE, "application/json")], json).into_response(),
        Err(_) => web::guard::refuse(axum::http::StatusCode::SERVICE_UNAVAILABLE, "service_unavailable", "Try again."),
    }
}
