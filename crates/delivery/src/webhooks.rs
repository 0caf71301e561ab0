//! Webhook deliveries over HTTP. Never to a loopback, private or
//! link-local address unless `webhooks.allow_private`: names are resolved
//! here and only public addresses are connected to (so a name that
//! resolves to an internal address, or changes its answer between the
//! check and the connection, reaches nothing), no proxy from the
//! environment, no redirects followed.

use async_trait::async_trait;
use domain::settings::Settings;
use domain::webhooks::{private_ip, Post};
use reqwest::dns::{Addrs, Name, Resolve, Resolving};
use std::{net::SocketAddr, sync::Arc, time::Duration};

/// Sends deliveries (`domain::webhooks::Post`).
pub struct Webhooks {
    http: reqwest::Client,
    allow_private: bool,
}

impl Webhooks {
    pub fn new(s: &Settings) -> Result<Webhooks, String> {
        let allow_private = s.webhooks.allow_private;
        let http = reqwest::Client::builder()
            .timeout(Duration::from_secs(s.webhooks.timeout.unsigned_abs()))
            .redirect(reqwest::redirect::Policy::none())
            .no_proxy()
            .dns_resolver(Arc::new(Public { allow_private }))
            .user_agent("mfa-signin-webhooks")
            .build()
            .map_err(|e| format!("webhooks: {e}"))?;
        Ok(Webhooks { http, allow_private })
    }
}

/// A resolver that answers only the addresses a webhook may reach.
struct Public {
    allow_private: bool,
}

impl Resolve for Public {
    fn resolve(&self, name: Name) -> Resolving {
        let allow_private = self.allow_private;
        Box::pin(async move {
            let found = tokio::net::lookup_host((name.as_str(), 0)).await?;
            let public: Vec<SocketAddr> = found.filter(|a| allow_private || !private_ip(a.ip())).collect();
            if public.is_empty() {
                return Err(format!("{} resolves to no public address", name.as_str()).into());
            }
            Ok(Box::new(public.into_iter()) as Addrs)
        })
    }
}

/// An error with its causes (reqwest's own says only "error sending request").
fn causes(e: &dyn std::error::Error) -> String {
    let mut out = e.to_string();
    let mut source = e.source();
    while let Some(s) = source {
        out.push_str(": ");
        out.push_str(&s.to_string());
        source = s.source();
    }
    out
}

#[async_trait]
impl Post for Webhooks {
    async fn post(&self, url: &str, headers: &[(&'static str, String)], body: &str) -> Result<(), String> {
        let url = reqwest::Url::parse(url).map_err(|e| format!("not a URL: {e}"))?;
        // A literal address is connected to without the resolver.
        let literal = match url.host() {
            Some(url::Host::Ipv4(ip)) => Some(std::net::IpAddr::V4(ip)),
            Some(url::Host::Ipv6(ip)) => Some(std::net::IpAddr::V6(ip)),
            _ => None,
        };
        if literal.is_some_and(private_ip) && !self.allow_private {
            return Err("refused: a private address".into());
        }
        let mut req = self.http.post(url).header("content-type", "application/json").body(body.to_string());
        for (name, value) in headers {
            req = req.header(*name, value);
        }
        let r = req.send().await.map_err(|e| causes(&e.without_url()))?;
        let status = r.status();
        if status.is_success() {
            return Ok(());
        }
        Err(format!("answered {}", status.as_u16()))
    }
}
