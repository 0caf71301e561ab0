//! Webhooks against a receiver started here: every delivery signed as
//! Standard Webhooks sign them, retried with the same id until the
//! receiver takes it, dead after the schedule and sent again on replay,
//! never to a private address unless allowed, and not lost when the server
//! is killed mid-delivery.

use crate::common::*;
use axum::{extract::State, http::HeaderMap, http::StatusCode, routing::post, Router};
use serde_json::Value;
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// What a receiver got: each request's webhook headers and body.
#[derive(Clone, Debug)]
struct Got {
    id: String,
    timestamp: i64,
    signature: String,
    svix_id: String,
    body: String,
}

impl Got {
    fn json(&self) -> Value {
        serde_json::from_str(&self.body).unwrap()
    }
}

struct Receiver {
    got: Mutex<Vec<Got>>,
    /// The first `fail` requests are answered 500.
    fail: Mutex<usize>,
    /// The first `hang` requests get no answer for a minute.
    hang: usize,
}

async fn hook(State(r): State<Arc<Receiver>>, headers: HeaderMap, body: String) -> StatusCode {
    let h = |n: &str| headers.get(n).and_then(|v| v.to_str().ok()).unwrap_or_default().to_string();
    let n = {
        let mut got = r.got.lock().unwrap();
        got.push(Got {
            id: h("webhook-id"),
            timestamp: h("webhook-timestamp").parse().unwrap_or(0),
            signature: h("webhook-signature"),
            svix_id: h("svix-id"),
            body,
        });
        got.len()
    };
    if n <= r.hang {
        tokio::time::sleep(Duration::from_secs(60)).await;
    }
    if n <= *r.fail.lock().unwrap() {
        return StatusCode::INTERNAL_SERVER_ERROR;
    }
    StatusCode::NO_CONTENT
}

/// A receiver on a port of its own: (its URL, what it got).
async fn receiver(fail: usize, hang: usize) -> (String, Arc<Receiver>) {
    let r = Arc::new(Receiver { got: Mutex::new(vec![]), fail: Mutex::new(fail), hang });
    let app = Router::new().route("/hook", post(hook)).with_state(r.clone());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}/hook", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    (url, r)
}

/// The requests `r` got, once it got `n` (within 30 s).
async fn got(r: &Receiver, n: usize) -> Vec<Got> {
    for _ in 0..300 {
        let got = r.got.lock().unwrap().clone();
        if got.len() >= n {
            return got;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("the receiver got {:?}, not {n} requests", r.got.lock().unwrap());
}

fn private_ok() -> Opts {
    Opts::default().with("MFA_WEBHOOKS_ALLOW_PRIVATE", "1").with("MFA_WEBHOOKS_RETRY", "1,1,1,1")
}

/// `mfa-signin webhooks add`: (endpoint id, secret).
fn add(s: &Server, url: &str, events: &str) -> (String, String) {
    let mut args = vec!["--json", "webhooks", "add", "--url", url];
    if !events.is_empty() {
        args.extend(["--events", events]);
    }
    // The operator's CLI on the tests' instance: loopback endpoints allowed.
    let out = cli_env(s, &[("MFA_WEBHOOKS_ALLOW_PRIVATE", "1")], &args);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    (v["id"].as_str().unwrap().into(), v["secret"].as_str().unwrap().into())
}

fn deliveries(s: &Server) -> Vec<Value> {
    let out = cli(s, &["--json", "webhooks", "deliveries"]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    serde_json::from_slice(&out.stdout).unwrap()
}

/// The newest delivery once `done` holds of it (within 30 s).
async fn delivery_when(s: &Server, done: impl Fn(&Value) -> bool) -> Value {
    for _ in 0..300 {
        if let Some(d) = deliveries(s).into_iter().next().filter(|d| done(d)) {
            return d;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("no such delivery: {:?}", deliveries(s));
}

/// The signature checks out with the endpoint's secret.
fn signed(g: &Got, secret: &str) -> bool {
    let key = domain::webhooks::key(secret).unwrap();
    domain::webhooks::signature(&key, &g.id, g.timestamp, &g.body).unwrap() == g.signature
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_receiver_that_fails_three_times_gets_the_event_again_with_the_same_id() {
    let s = start(private_ok());
    let (url, r) = receiver(3, 0).await;
    let (_, secret) = add(&s, &url, "");
    user(&s, "hooked@example.com", false, false, false).await;

    let tries = got(&r, 4).await;
    let first = &tries[0];
    assert!(first.id.starts_with("msg_"), "{first:?}");
    for t in &tries {
        assert_eq!((&t.id, &t.svix_id, &t.body), (&first.id, &first.id, &first.body), "every try is the same message");
        assert!(signed(t, &secret), "{t:?}");
        assert!((t.timestamp - unix() as i64).abs() < 60, "signed at the try: {t:?}");
    }
    let e = first.json();
    assert_eq!((e["type"].as_str(), e["object"].as_str()), (Some("user.created"), Some("event")), "{e}");
    assert!(e["data"]["id"].as_str().unwrap().starts_with("user_"), "{e}");
    assert_eq!(e["data"]["email_addresses"][0]["email_address"], "hooked@example.com", "{e}");
    assert!(e["data"]["private_metadata"].is_object(), "the backend's view: {e}");

    let d = delivery_when(&s, |d| d["state"] == "delivered").await;
    assert_eq!((d["attempts"].as_i64(), d["msg_id"].as_str()), (Some(4), Some(first.id.as_str())), "{d}");
    // Taken: never sent again.
    tokio::time::sleep(Duration::from_secs(2)).await;
    assert_eq!(r.got.lock().unwrap().len(), 4);
    // A wrong secret does not verify it.
    assert!(!signed(first, &domain::webhooks::new_secret()));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_endpoint_hears_the_events_it_wants_of_a_sign_in() {
    let s = start(private_ok());
    let (url, r) = receiver(0, 0).await;
    add(&s, &url, "session.created,session.ended,password.changed");
    let (all_url, all) = receiver(0, 0).await;
    add(&s, &all_url, "");
    user(&s, "events@example.com", false, false, false).await;

    let mut c = Client::new(&s);
    let r1 = c.password("events@example.com", PASSWORD).await;
    assert_eq!(r1.status_field(), "complete", "{}", r1.text);
    let fin = c.api("sign_in/finalize", &[]).await;
    assert_eq!(fin.status, 200, "{}", fin.text);
    let r2 = c.api("user/password", &[("password", "another long enough passphrase")]).await;
    assert_eq!(r2.status, 200, "{}", r2.text);
    c.api("session/sign_out", &[]).await;

    let events: Vec<Value> = got(&r, 3).await.iter().map(Got::json).collect();
    let types: Vec<&str> = events.iter().map(|e| e["type"].as_str().unwrap()).collect();
    assert_eq!(types, ["session.created", "password.changed", "session.ended"], "{events:?}");
    let (created, ended) = (&events[0]["data"], &events[2]["data"]);
    assert!(created["id"].as_str().unwrap().starts_with("sess_"), "{created}");
    assert_eq!(created["id"], ended["id"], "the same session");
    assert_eq!((created["status"].as_str(), ended["status"].as_str()), (Some("active"), Some("ended")));
    assert_eq!(created["user_id"], events[1]["data"]["id"]);

    // The endpoint that wants everything heard the user made too, first.
    let everything: Vec<Value> = got(&all, 4).await.iter().map(Got::json).collect();
    assert_eq!(everything[0]["type"], "user.created", "{everything:?}");
    // Each event is one message: the same id for both endpoints.
    let ids = |v: &[Got], t: &str| v.iter().filter(|g| g.json()["type"] == t).map(|g| g.id.clone()).collect::<Vec<_>>();
    let (mine, theirs) = (r.got.lock().unwrap().clone(), all.got.lock().unwrap().clone());
    assert_eq!(ids(&mine, "session.created"), ids(&theirs, "session.created"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_dead_delivery_is_sent_again_on_replay() {
    let s = start(private_ok().with("MFA_WEBHOOKS_RETRY", "1"));
    let (url, r) = receiver(usize::MAX, 0).await;
    add(&s, &url, "user.created");
    user(&s, "dead@example.com", false, false, false).await;

    let d = delivery_when(&s, |d| d["state"] == "dead").await;
    assert_eq!(d["attempts"], 2, "{d}");
    assert!(d["last_error"].as_str().unwrap().contains("500"), "{d}");
    let first = got(&r, 2).await[0].clone();

    *r.fail.lock().unwrap() = 0;
    let msg = d["msg_id"].as_str().unwrap();
    let out = cli(&s, &["webhooks", "replay", msg]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let again = got(&r, 3).await[2].clone();
    assert_eq!((&again.id, &again.body), (&first.id, &first.body));
    delivery_when(&s, |d| d["state"] == "delivered").await;
    assert!(!cli(&s, &["webhooks", "replay", "msg_nothing"]).status.success());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn webhooks_never_reach_private_addresses_unless_allowed() {
    let s = start(Opts::default().with("MFA_WEBHOOKS_RETRY", "1"));
    let (url, r) = receiver(0, 0).await;
    for bad in
        [url.clone(), url.replace("http://", "https://"), "https://169.254.169.254/".into(), "https://[::1]/".into()]
    {
        let out = cli(&s, &["webhooks", "add", "--url", &bad]);
        assert!(!out.status.success(), "{bad} taken");
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(err.contains("https") || err.contains("private"), "{err}");
    }
    // A name is checked when it resolves: localhost reaches nothing.
    let port = url.rsplit(':').next().unwrap().split('/').next().unwrap().to_string();
    add(&s, &format!("https://localhost:{port}/hook"), "");
    user(&s, "ssrf@example.com", false, false, false).await;
    let d = delivery_when(&s, |d| d["state"] == "dead").await;
    assert!(d["last_error"].as_str().unwrap().contains("no public address"), "{d}");
    assert!(r.got.lock().unwrap().is_empty());
    assert!(!cli(&s, &["webhooks", "add", "--url", "https://hooks.example.com/", "--events", "user.exploded"])
        .status
        .success());
}

/// The server is killed while the receiver holds the delivery's request:
/// the next server on the database sends it again, with the same id.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_server_killed_mid_delivery_loses_no_event() {
    let (db, url) = temp_db();
    let opts = private_ok().with("MFA_WEBHOOKS_TIMEOUT", "5");
    let mut a = start_with_db(opts.clone(), &url);
    let (hook_url, r) = receiver(0, 1).await;
    add(&a, &hook_url, "");
    user(&a, "killed@example.com", false, false, false).await;
    let held = got(&r, 1).await[0].clone();
    a.kill();

    let b = start_with_db(opts, &url);
    let again = got(&r, 2).await[1].clone();
    assert_eq!((&again.id, &again.body), (&held.id, &held.body));
    assert_eq!(again.json()["type"], "user.created");
    delivery_when(&b, |d| d["state"] == "delivered").await;
    drop(b);
    drop(db);
}

/// An endpoint that never answers holds up only itself: another gets the
/// same event at once, long before the first one's try times out.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_hanging_endpoint_holds_up_no_other() {
    let s = start(private_ok().with("MFA_WEBHOOKS_TIMEOUT", "40"));
    let (stuck_url, stuck) = receiver(0, usize::MAX).await;
    add(&s, &stuck_url, "");
    let (url, r) = receiver(0, 0).await;
    add(&s, &url, "");
    user(&s, "beside@example.com", false, false, false).await;
    got(&stuck, 1).await;
    let started = std::time::Instant::now();
    let delivered = got(&r, 1).await;
    assert_eq!(delivered[0].id, stuck.got.lock().unwrap()[0].id);
    // And the next event too, while the first endpoint still hangs.
    user(&s, "beside-2@example.com", false, false, false).await;
    got(&r, 2).await;
    assert!(started.elapsed() < Duration::from_secs(20), "held up {:?}", started.elapsed());
    assert_eq!(stuck.got.lock().unwrap().len(), 1, "the hanging endpoint is tried once at a time");
}

/// Two nodes on one database: every event is sent once, by one of them
/// (a try is taken by a lease in one statement).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_nodes_send_each_event_once() {
    let a = start(private_ok());
    let b = start_with_db(private_ok(), &a.db_url);
    let (url, r) = receiver(0, 0).await;
    add(&a, &url, "user.created");
    for n in 0..12 {
        let node = if n % 2 == 0 { &a } else { &b };
        user(node, &format!("node-{n}@example.com"), false, false, false).await;
    }
    let got = got(&r, 12).await;
    // Time for a second send, were there one.
    tokio::time::sleep(Duration::from_secs(3)).await;
    let mut ids: Vec<String> = r.got.lock().unwrap().iter().map(|g| g.id.clone()).collect();
    assert_eq!(ids.len(), 12, "{got:?}");
    ids.sort();
    ids.dedup();
    assert_eq!(ids.len(), 12, "no message twice");
}
