//! TLS for the API (rustls, with the `ring` provider). For use on one machine the server makes a
//! self-signed certificate for `localhost` and `127.0.0.1` on first start; a production
//! deployment gives its own certificate and key, or puts a reverse proxy in front.

use std::path::{Path, PathBuf};

/// Where the certificate and key come from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Tls {
    /// Plain HTTP (behind a TLS reverse proxy, or on loopback for tools and tests).
    Off,
    /// A self-signed certificate kept in this folder (`tls/cert.pem`, `tls/key.pem`).
    SelfSigned(PathBuf),
    /// The operator's certificate chain and key (PEM files).
    Files { cert: PathBuf, key: PathBuf },
}

impl Tls {
    /// `DESK_SERVER_TLS` = `off` | `self-signed` (the default) | `files` (with
    /// `DESK_SERVER_TLS_CERT` and `DESK_SERVER_TLS_KEY`).
    pub fn from_setting(mode: Option<&str>, data_dir: &Path, cert: Option<PathBuf>, key: Option<PathBuf>) -> Result<Self, String> {
        match mode.unwrap_or("self-signed") {
            "off" => Ok(Tls::Off),
            "self-signed" => Ok(Tls::SelfSigned(data_dir.join("tls"))),
            "files" => match (cert, key) {
                (Some(cert), Some(key)) => Ok(Tls::Files { cert, key }),
                _ => Err("DESK_SERVER_TLS=files needs DESK_SERVER_TLS_CERT and DESK_SERVER_TLS_KEY".into()),
            },
            other => Err(format!("DESK_SERVER_TLS must be off, self-signed or files, not {other:?}")),
        }
    }

    /// The certificate and key PEM, making the self-signed pair on first use. `None` when off.
    pub fn pem(&self) -> Result<Option<(Vec<u8>, Vec<u8>)>, String> {
        let read = |p: &Path| std::fs::read(p).map_err(|e| format!("{}: {e}", p.display()));
        match self {
            Tls::Off => Ok(None),
            Tls::Files { cert, key } => Ok(Some((read(cert)?, read(key)?))),
            Tls::SelfSigned(dir) => {
                let (cert, key) = (dir.join("cert.pem"), dir.join("key.pem"));
                if !cert.exists() || !key.exists() {
                    let made = rcgen::generate_simple_self_signed(vec!["localhost".to_owned(), "127.0.0.1".to_owned()]).map_err(|e| e.to_string())?;
                    std::fs::create_dir_all(dir).map_err(|e| format!("{}: {e}", dir.display()))?;
                    write_private(&key, made.key_pair.serialize_pem().as_bytes())?;
                    std::fs::write(&cert, made.cert.pem()).map_err(|e| format!("{}: {e}", cert.display()))?;
                    tracing::info!(cert = %cert.display(), "made a self-signed certificate for localhost");
                }
                Ok(Some((read(&cert)?, read(&key)?)))
            }
        }
    }
}

#[cfg(unix)]
fn write_private(path: &Path, bytes: &[u8]) -> Result<(), String> {
    use std::io::Write;
    use std::os::unix::fs::OpenOptionsExt;
    let mut f = std::fs::OpenOptions::new().write(true).create(true).truncate(true).mode(0o600).open(path).map_err(|e| format!("{}: {e}", path.display()))?;
    f.write_all(bytes).map_err(|e| format!("{}: {e}", path.display()))
}

#[cfg(not(unix))]
fn write_private(path: &Path, bytes: &[u8]) -> Result<(), String> {
    std::fs::write(path, bytes).map_err(|e| format!("{}: {e}", path.display()))
}

/// Serves the API on `listener`, over TLS when a certificate is given.
pub async fn serve(listener: std::net::TcpListener, app: axum::Router, pem: Option<(Vec<u8>, Vec<u8>)>) -> std::io::Result<()> {
    match pem {
        None => {
            listener.set_nonblocking(true)?;
            axum::serve(tokio::net::TcpListener::from_std(listener)?, app).await
        }
        Some((cert, key)) => {
            // One process-wide crypto provider; a second install (tests) is a no-op.
            let _ = rustls::crypto::ring::default_provider().install_default();
            let config = axum_server::tls_rustls::RustlsConfig::from_pem(cert, key).await?;
            listener.set_nonblocking(true)?;
            axum_server::from_tcp_rustls(listener, config)?.serve(app.into_make_service()).await
        }
    }
}
