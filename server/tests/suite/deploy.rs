//! The deploy guide (docs/deploy.md), tested: the release build's layout
//! (the binary with `site/` and `hash.txt` beside it, copied alone, starts
//! and serves its files compressed and cached), its systemd unit, and its
//! nginx config in front of a production server over TLS.

use crate::common::*;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

const HASH: &str = "Xq3vLr8TnYb2WcKd5eFgHa";

/// What `cargo leptos build --release --precompress` leaves: files named by
/// their content, a `.br` twin of each (here only of the JS), `hash.txt`.
fn release_layout(dir: &Path) -> Vec<u8> {
    let pkg = dir.join("site/pkg");
    std::fs::create_dir_all(&pkg).unwrap();
    std::fs::copy(BIN, dir.join("mfa-signin")).unwrap();
    let js = "export function hydrate() { return 'the app'; }\n".repeat(40);
    std::fs::write(pkg.join(format!("mfa-signin.{HASH}.js")), &js).unwrap();
    // Not brotli at all: proves the twin itself is what is sent.
    std::fs::write(pkg.join(format!("mfa-signin.{HASH}.js.br")), b"the precompressed twin").unwrap();
    std::fs::write(pkg.join(format!("mfa-signin.{HASH}.wasm")), b"\0asm\x01\0\0\0").unwrap();
    std::fs::write(pkg.join(format!("mfa-signin.{HASH}.css")), "body { margin: 0 }\n".repeat(20)).unwrap();
    std::fs::write(dir.join("site/robots.txt"), "User-agent: *\nDisallow: /account/\n".repeat(4)).unwrap();
    std::fs::write(dir.join("hash.txt"), format!("js: {HASH}\nwasm: {HASH}\ncss: {HASH}\n")).unwrap();
    js.into_bytes()
}

#[tokio::test]
async fn a_release_build_copied_alone_serves_its_site_compressed_and_cached() {
    let dir = std::env::temp_dir().join(format!("mfa_site_{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let js = release_layout(&dir);
    // No Leptos.toml, no source tree: the working directory is empty of both.
    let s = start(Opts { bin: Some(dir.join("mfa-signin")), cwd: Some(dir.clone()), ..Opts::default() });
    let http = reqwest::Client::new();
    let get = |path: &str, enc: &str| http.get(format!("{}{path}", s.base)).header("accept-encoding", enc).send();

    // The page names the files by their hash, and is sent uncompressed
    // whatever the browser takes: a page may hold a secret beside what a
    // request put in it (BREACH).
    let page = get("/sign-in", "br, gzip, zstd").await.unwrap();
    assert_eq!(page.status(), 200);
    assert!(page.headers().get("content-encoding").is_none(), "a page is never compressed");
    let html = page.text().await.unwrap();
    for f in ["js", "wasm", "css"] {
        assert!(html.contains(&format!("/pkg/mfa-signin.{HASH}.{f}")), "the page names the hashed .{f}: {html}");
    }

    // The precompressed twin, as is, cached for good.
    let r = get(&format!("/pkg/mfa-signin.{HASH}.js"), "gzip, br").await.unwrap();
    assert_eq!(r.status(), 200);
    let h = r.headers().clone();
    assert_eq!(h["content-encoding"], "br");
    assert_eq!(h["cache-control"], "public, max-age=31536000, immutable");
    assert!(h["vary"].to_str().unwrap().to_ascii_lowercase().contains("accept-encoding"));
    assert!(h["content-type"].to_str().unwrap().contains("javascript"));
    assert_eq!(r.bytes().await.unwrap().as_ref(), b"the precompressed twin");

    // No gzip twin: compressed now, and it is the file.
    let r = get(&format!("/pkg/mfa-signin.{HASH}.js"), "gzip").await.unwrap();
    assert_eq!(r.headers()["content-encoding"], "gzip");
    let mut plain = Vec::new();
    flate2::read::GzDecoder::new(r.bytes().await.unwrap().as_ref()).read_to_end(&mut plain).unwrap();
    assert_eq!(plain, js);

    // Nothing taken: the file itself.
    let r = get(&format!("/pkg/mfa-signin.{HASH}.js"), "identity").await.unwrap();
    assert!(r.headers().get("content-encoding").is_none());
    assert_eq!(r.bytes().await.unwrap().as_ref(), js.as_slice());

    // A file not named by its content is checked again on each use.
    let r = get("/robots.txt", "br").await.unwrap();
    assert_eq!(r.status(), 200);
    assert_eq!(r.headers()["cache-control"], "no-cache");
    let modified = r.headers()["last-modified"].clone();
    let again = http.get(format!("{}/robots.txt", s.base)).header("if-modified-since", modified).send().await.unwrap();
    assert_eq!(again.status(), 304, "an unchanged file is not sent again");

    // An API answer is never compressed either.
    let r = get("/v1/environment", "br, gzip").await.unwrap();
    assert_eq!(r.status(), 200);
    assert!(r.headers().get("content-encoding").is_none());

    // What is not there is the not-found page.
    let r = get("/pkg/nothing.js", "br").await.unwrap();
    assert_eq!(r.status(), 404);
    drop(s);
    let _ = std::fs::remove_dir_all(&dir);
}

/// The guide's fenced block that starts with `first` (its first line), or
/// the whole block of language `lang`.
fn guide_block(lang: &str, first: Option<&str>) -> String {
    let guide = std::fs::read_to_string(workspace().join("docs/deploy.md")).unwrap();
    let fence = format!("```{lang}\n");
    guide
        .split(&fence)
        .skip(1)
        .map(|b| b.split("```").next().unwrap().to_string())
        .find(|b| first.is_none_or(|f| b.lines().next() == Some(f)))
        .unwrap_or_else(|| panic!("docs/deploy.md has no {lang} block starting {first:?}"))
}

fn scratch(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("mfa_{name}_{}_{}", std::process::id(), unix()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// The guide's unit, with its paths pointing at a copy of this binary:
/// `systemd-analyze verify` finds nothing to say, and `security` (offline)
/// rates its exposure 2.0 or less of 10.
#[test]
fn the_guides_systemd_unit_verifies_and_is_sandboxed() {
    let dir = scratch("systemd");
    std::fs::copy(BIN, dir.join("mfa-signin")).unwrap();
    let unit = guide_block("ini", Some("# /etc/systemd/system/mfa-signin.service"))
        .replace("/opt/mfa-signin", dir.to_str().unwrap());
    let path = dir.join("mfa-signin.service");
    std::fs::write(&path, unit).unwrap();
    let out = Command::new("systemd-analyze").arg("verify").arg(&path).output().expect("systemd-analyze");
    let said = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success() && said.trim().is_empty(), "verify: {said}");
    // --threshold is in tenths: above 2.0 it fails.
    let out = Command::new("systemd-analyze")
        .args(["security", "--offline=true", "--threshold=20", "--no-pager"])
        .arg(&path)
        .output()
        .unwrap();
    let report = String::from_utf8_lossy(&out.stdout);
    let level = report.lines().find(|l| l.contains("Overall exposure level")).unwrap_or_default();
    assert!(out.status.success(), "{report}{}", String::from_utf8_lossy(&out.stderr));
    eprintln!("the guide's unit: {level}");
    let _ = std::fs::remove_dir_all(&dir);
}

/// nginx, as the guide configures it, in front of a production server at
/// `https://auth.example.com:<port>`: the pages and a sign-in go through
/// over TLS with `__Host-` cookies, the proxy's request id reaches the
/// server and comes back, and nothing is compressed on the way.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_guides_nginx_config_fronts_the_server_over_tls() {
    let nginx = ["/usr/sbin/nginx", "/usr/bin/nginx"]
        .into_iter()
        .find(|p| Path::new(p).exists())
        .expect("nginx (scripts/setup.sh installs Debian's nginx-light)");
    let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let origin = format!("https://auth.example.com:{port}");
    let s = start(
        Opts { dev: false, ..Opts::default() }
            .with("MFA_ORIGIN", &origin)
            .with("MFA_TRUSTED_PROXIES", "127.0.0.1")
            .with("MFA_ALLOWED_HOSTS", "auth.example.com"),
    );
    let out = cli(&s, &["user", "create", "--email", "proxied@example.com", "--password", PASSWORD]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));

    let dir = scratch("nginx");
    let (ca, cert, key) = crate::delivery::certificates_for("auth.example.com");
    let upstream = s.base.trim_start_matches("http://");
    let server = guide_block("nginx", None)
        .replace("listen 443 ssl;", &format!("listen 127.0.0.1:{port} ssl;"))
        .replace(
            "# ssl_certificate …; ssl_certificate_key …;",
            &format!("ssl_certificate {}; ssl_certificate_key {};", cert.display(), key.display()),
        )
        .replace("http://127.0.0.1:3000", &format!("http://{upstream}"));
    assert!(server.contains(&cert.display().to_string()) && server.contains(upstream), "{server}");
    let d = dir.display();
    // nginx started as root would switch to `nobody`, who cannot read here.
    let as_root = if is_root() { "user root root;" } else { "" };
    let conf = format!(
        "{as_root}\nworker_processes 1;\ndaemon off;\npid {d}/nginx.pid;\nerror_log {d}/error.log warn;\nevents {{}}\n\
         http {{\n access_log off;\n client_body_temp_path {d}/body;\n proxy_temp_path {d}/proxy;\n\
         fastcgi_temp_path {d}/fastcgi;\n uwsgi_temp_path {d}/uwsgi;\n scgi_temp_path {d}/scgi;\n{server}\n}}\n"
    );
    std::fs::write(dir.join("nginx.conf"), conf).unwrap();
    let _proxy = Stopped(
        Command::new(nginx)
            .args(["-p", dir.to_str().unwrap(), "-e", &format!("{d}/error.log"), "-c", &format!("{d}/nginx.conf")])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap(),
    );
    let curl = |args: &[&str]| {
        let out = Command::new("curl")
            .args(["-sS", "-D", "-", "--cacert", ca.to_str().unwrap()])
            .args(["--resolve", &format!("auth.example.com:{port}:127.0.0.1")])
            .args(["-H", "Accept-Encoding: br, gzip"])
            .args(args)
            .output()
            .unwrap();
        format!("{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr))
    };
    // Up within ten seconds.
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
    loop {
        let r = curl(&[&format!("{origin}/healthz")]);
        if r.starts_with("HTTP/1.1 200") {
            break;
        }
        let log = std::fs::read_to_string(dir.join("error.log")).unwrap_or_default();
        assert!(std::time::Instant::now() < deadline, "nginx did not answer: {r}\n{log}");
        std::thread::sleep(std::time::Duration::from_millis(50));
    }

    let page = curl(&[&format!("{origin}/sign-in")]);
    let head = page.split("\r\n\r\n").next().unwrap().to_ascii_lowercase();
    assert!(head.starts_with("http/1.1 200"), "{page}");
    assert!(!head.contains("content-encoding"), "a page is never compressed: {head}");
    // nginx's $request_id (32 hex digits; ours are 16), kept and echoed.
    let id = head.lines().find_map(|l| l.strip_prefix("x-request-id: ")).expect("a request id").trim().to_string();
    assert!(id.len() == 32 && id.chars().all(|c| c.is_ascii_hexdigit()), "{id}");

    // A sign-in through it: the origin check passes, the cookies are the
    // production ones.
    let jar = dir.join("cookies");
    let signed = curl(&[
        "-c",
        jar.to_str().unwrap(),
        "-H",
        &format!("Origin: {origin}"),
        "-H",
        "Accept: application/json",
        "--data-urlencode",
        "identifier=proxied@example.com",
        "--data-urlencode",
        &format!("password={PASSWORD}"),
        &format!("{origin}/api/sign_in/password"),
    ]);
    assert!(signed.starts_with("HTTP/1.1 200"), "{signed}");
    assert!(signed.contains("\"complete\""), "{signed}");
    let cookies: Vec<&str> = signed.lines().filter(|l| l.to_ascii_lowercase().starts_with("set-cookie:")).collect();
    assert!(
        !cookies.is_empty() && cookies.iter().all(|c| c.contains("__Host-") && c.contains("Secure")),
        "{cookies:?}"
    );

    let _ = std::fs::remove_dir_all(&dir);
}

/// A child process stopped when the test ends, even by a failed assertion.
struct Stopped(std::process::Child);

impl Drop for Stopped {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn is_root() -> bool {
    Command::new("id").arg("-u").output().is_ok_and(|o| o.stdout.starts_with(b"0"))
}
