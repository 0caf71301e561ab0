//! The release build's layout: the binary with `site/` and `hash.txt` beside
//! it, copied alone, starts and serves its files compressed and cached.

use crate::common::*;
use std::io::Read;
use std::path::Path;

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
