//! `/metrics` in Prometheus' text format, on an address of its own
//! (`--metrics-addr`; off without it): what the service counts
//! (`domain::metrics`), request latency by route, and gauges read from the
//! database at each scrape.

use axum::{
    extract::{MatchedPath, Request, State},
    http::header,
    middleware::Next,
    response::{IntoResponse, Response},
    routing::get,
    Router,
};
use domain::metrics as m;
use metrics_exporter_prometheus::{Matcher, PrometheusBuilder, PrometheusHandle};
use std::{net::SocketAddr, sync::Arc, time::Instant};

pub const REQUESTS: &str = "mfa_http_request_duration_seconds";
const SESSIONS: &str = "mfa_sessions_active";
const BACKLOG: &str = "mfa_webhook_backlog";
const POOL: &str = "mfa_db_pool_connections";

/// Installs the exporter as the process' recorder, every metric described.
pub fn install() -> Result<PrometheusHandle, String> {
    // Seconds: a request or a hash of tens of milliseconds is the norm.
    const LATENCY: [f64; 12] = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 10.0];
    let handle = PrometheusBuilder::new()
        .set_buckets_for_metric(Matcher::Full(REQUESTS.into()), &LATENCY)
        .and_then(|b| b.set_buckets_for_metric(Matcher::Full(m::PASSWORD_HASH.into()), &LATENCY))
        .and_then(PrometheusBuilder::install_recorder)
        .map_err(|e| format!("metrics: {e}"))?;
    for (name, help) in m::COUNTERS {
        metrics::describe_counter!(name, help);
    }
    metrics::describe_histogram!(m::PASSWORD_HASH, metrics::Unit::Seconds, "Time argon2id took per password, by op.");
    metrics::describe_histogram!(
        REQUESTS,
        metrics::Unit::Seconds,
        "HTTP requests answered, by route, method and status."
    );
    metrics::describe_gauge!(SESSIONS, "Sessions not yet expired.");
    metrics::describe_gauge!(m::DELIVERIES_QUEUED, "Emails handed over to be sent and not sent yet.");
    metrics::describe_gauge!(BACKLOG, "Webhook deliveries waiting for a try.");
    metrics::describe_gauge!(POOL, "The database pool's connections, by state (idle, busy).");
    Ok(handle)
}

/// Times a request, labelled by its route's pattern (never its path: a
/// label takes a bounded set of values).
pub async fn track(req: Request, next: Next) -> Response {
    let start = Instant::now();
    let route = req.extensions().get::<MatchedPath>().map_or("unmatched".to_string(), |p| p.as_str().to_string());
    let method: &'static str = match req.method().as_str() {
        "GET" => "GET",
        "POST" => "POST",
        "PUT" => "PUT",
        "PATCH" => "PATCH",
        "DELETE" => "DELETE",
        "HEAD" => "HEAD",
        "OPTIONS" => "OPTIONS",
        _ => "other",
    };
    let res = next.run(req).await;
    let status = res.status().as_u16().to_string();
    metrics::histogram!(REQUESTS, "route" => route, "method" => method, "status" => status)
        .record(start.elapsed().as_secs_f64());
    res
}

#[derive(Clone)]
struct Scrape {
    handle: PrometheusHandle,
    service: Arc<domain::service::Service>,
    clock: Arc<dyn domain::clock::Clock>,
}

/// Serves `/metrics` on `addr` until the server stops.
pub async fn serve(
    addr: SocketAddr,
    handle: PrometheusHandle,
    service: Arc<domain::service::Service>,
    clock: Arc<dyn domain::clock::Clock>,
) -> Result<(), String> {
    let listener = tokio::net::TcpListener::bind(addr).await.map_err(|e| format!("bind metrics {addr}: {e}"))?;
    let local = listener.local_addr().map_err(|e| e.to_string())?;
    println!("metrics on http://{local}/metrics");
    // Histograms keep their samples until upkeep folds them in.
    let upkept = handle.clone();
    tokio::spawn(async move {
        let mut tick = tokio::time::interval(std::time::Duration::from_secs(5));
        loop {
            tick.tick().await;
            upkept.run_upkeep();
        }
    });
    let app = Router::new().route("/metrics", get(scrape)).with_state(Scrape { handle, service, clock });
    tokio::spawn(async move {
        if let Err(e) = axum::serve(listener, app).await {
            tracing::error!(error = %e, "metrics listener");
        }
    });
    Ok(())
}

async fn scrape(State(s): State<Scrape>) -> Response {
    match s.service.gauges(s.clock.now()).await {
        Ok(g) => {
            metrics::gauge!(SESSIONS).set(g.sessions as f64);
            metrics::gauge!(BACKLOG).set(g.webhook_backlog as f64);
            metrics::gauge!(POOL, "state" => "idle").set(f64::from(g.pool_idle));
            metrics::gauge!(POOL, "state" => "busy").set(f64::from(g.pool_open.saturating_sub(g.pool_idle)));
        }
        Err(e) => tracing::warn!(error = ?e, "metrics: reading the gauges"),
    }
    s.handle.run_upkeep();
    ([(header::CONTENT_TYPE, "text/plain; version=0.0.4; charset=utf-8")], s.handle.render()).into_response()
}
