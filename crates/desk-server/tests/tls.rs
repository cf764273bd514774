//! The API over TLS with the self-signed certificate the server makes for local use: a client
//! that trusts that certificate talks to it; plain HTTP to the same port gets nothing; the key is
//! readable by its owner only, and a second start keeps the same certificate.

use std::time::Duration;

use desk_server::tls::{serve, Tls};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_api_speaks_tls_with_its_self_signed_certificate() {
    let dir = tempfile::tempdir().unwrap();
    let tls = Tls::from_setting(None, dir.path(), None, None).unwrap();
    assert_eq!(tls, Tls::SelfSigned(dir.path().join("tls")), "self-signed is the default");
    let (cert, key) = tls.pem().unwrap().unwrap();
    let (cert2, _) = tls.pem().unwrap().unwrap();
    assert_eq!(cert, cert2, "the certificate is made once");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(dir.path().join("tls/key.pem")).unwrap().permissions().mode();
        assert_eq!(mode & 0o077, 0);
    }
    let app = axum::Router::new().route("/v1/health", axum::routing::get(|| async { "ok" }));
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    tokio::spawn(serve(listener, app, Some((cert.clone(), key))));
    tokio::time::sleep(Duration::from_millis(200)).await;

    let trusting = reqwest::Client::builder().add_root_certificate(reqwest::Certificate::from_pem(&cert).unwrap()).build().unwrap();
    let body = trusting.get(format!("https://localhost:{port}/v1/health")).send().await.unwrap().text().await.unwrap();
    assert_eq!(body, "ok");
    let stranger = reqwest::Client::new();
    assert!(stranger.get(format!("https://localhost:{port}/v1/health")).send().await.is_err(), "a client that does not trust the certificate is refused");
    assert!(stranger.get(format!("http://127.0.0.1:{port}/v1/health")).send().await.map(|r| r.status().is_success()).unwrap_or(false) == false, "no plain HTTP on the TLS port");
    assert!(Tls::from_setting(Some("files"), dir.path(), None, None).is_err());
    assert!(Tls::from_setting(Some("sometimes"), dir.path(), None, None).is_err());
    assert_eq!(Tls::from_setting(Some("off"), dir.path(), None, None).unwrap(), Tls::Off);
}
