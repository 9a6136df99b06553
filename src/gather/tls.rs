//! TLS handshake probe: SNI = the S3 name, validated first against the system trust store,
//! then against the custom bundles users configure behind TLS-inspecting proxies
//! (`SSL_CERT_FILE`, `AWS_CA_BUNDLE`). Says which store validated the chain.

use std::net::{IpAddr, SocketAddr};
use std::sync::Arc;
use std::time::{Duration, Instant};

use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, ServerName};
use rustls::{CertificateError, RootCertStore};

use crate::facts::{TlsOutcome, TlsProbe};

/// Where the system's trust store usually lives (Debian/Ubuntu, RHEL/Amazon Linux, Alpine).
const SYSTEM_BUNDLES: [&str; 3] = [
    "/etc/ssl/certs/ca-certificates.crt",
    "/etc/pki/tls/certs/ca-bundle.crt",
    "/etc/ssl/cert.pem",
];

/// A named set of trust anchors.
#[derive(Clone)]
pub struct TrustStore {
    pub label: String,
    roots: Arc<RootCertStore>,
}

impl TrustStore {
    pub fn roots(&self) -> &RootCertStore {
        &self.roots
    }
}

/// The largest CA bundle read (the system bundle is about 200 KiB).
pub const MAX_BUNDLE_BYTES: u64 = 8 * 1024 * 1024;

/// The certificates of the PEM bundle at `path`, as trust anchors.
pub fn load(path: &str) -> Result<RootCertStore, String> {
    let mut roots = RootCertStore::empty();
    let pem = read_bundle(path)?;
    let certs: Vec<CertificateDer<'static>> = CertificateDer::pem_slice_iter(pem.as_bytes())
        .filter_map(Result::ok)
        .collect();
    let (added, _) = roots.add_parsable_certificates(certs);
    if added == 0 {
        return Err(format!("{path}: no usable certificates"));
    }
    Ok(roots)
}

/// A CA bundle, when it is a regular file under [`MAX_BUNDLE_BYTES`] (a FIFO or a device named
/// in AWS_CA_BUNDLE must not block the run).
pub fn read_bundle(path: &str) -> Result<String, String> {
    crate::input::read_regular_file(std::path::Path::new(path), MAX_BUNDLE_BYTES)
        .map_err(|e| format!("{path}: {e}"))
}

/// The system store, then each custom bundle named in the environment (label = `VAR=path`).
pub fn stores(custom: &[(String, String)]) -> (Vec<TrustStore>, Vec<String>) {
    let mut out = Vec::new();
    let mut errors = Vec::new();
    match SYSTEM_BUNDLES
        .iter()
        .find(|p| std::path::Path::new(p).exists())
    {
        Some(p) => match load(p) {
            Ok(r) => out.push(TrustStore {
                label: format!("system ({p})"),
                roots: Arc::new(r),
            }),
            Err(e) => errors.push(e),
        },
        None => errors.push("no system trust store found".to_string()),
    }
    for (var, path) in custom {
        match load(path) {
            Ok(r) => out.push(TrustStore {
                label: format!("{var}={path}"),
                roots: Arc::new(r),
            }),
            Err(e) => errors.push(format!("{var}: {e}")),
        }
    }
    (out, errors)
}

async fn handshake(
    addr: IpAddr,
    name: &str,
    store: &TrustStore,
    limit: Duration,
) -> Result<(), (TlsOutcome, String)> {
    let provider = Arc::new(rustls::crypto::aws_lc_rs::default_provider());
    let config = rustls::ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(|e| (TlsOutcome::HandshakeFailed, e.to_string()))?
        .with_root_certificates(store.roots.clone())
        .with_no_client_auth();
    let server_name = ServerName::try_from(name.to_string())
        .map_err(|e| (TlsOutcome::HandshakeFailed, format!("{name}: {e}")))?;
    let connector = tokio_rustls::TlsConnector::from(Arc::new(config));
    let attempt = async {
        let tcp = tokio::net::TcpStream::connect(SocketAddr::new(addr, 443))
            .await
            .map_err(|e| (TlsOutcome::ConnectFailed, e.to_string()))?;
        connector
            .connect(server_name, tcp)
            .await
            .map(|_| ())
            .map_err(|e| {
                let outcome = match e
                    .get_ref()
                    .and_then(|inner| inner.downcast_ref::<rustls::Error>())
                {
                    Some(rustls::Error::InvalidCertificate(CertificateError::NotValidForName))
                    | Some(rustls::Error::InvalidCertificate(
                        CertificateError::NotValidForNameContext { .. },
                    )) => TlsOutcome::NameMismatch,
                    Some(rustls::Error::InvalidCertificate(_)) => TlsOutcome::Untrusted,
                    _ => TlsOutcome::HandshakeFailed,
                };
                (outcome, e.to_string())
            })
    };
    match tokio::time::timeout(limit, attempt).await {
        Ok(r) => r,
        Err(_) => Err((
            TlsOutcome::TimedOut,
            format!("no handshake within {} ms", limit.as_millis()),
        )),
    }
}

/// Probes `addr` with SNI `name`: the first store that validates the chain wins.
pub async fn probe(addr: IpAddr, name: &str, stores: &[TrustStore], limit: Duration) -> TlsProbe {
    let start = Instant::now();
    let mut probe = TlsProbe {
        address: addr,
        server_name: name.to_string(),
        outcome: TlsOutcome::HandshakeFailed,
        validated_by: None,
        error: None,
        latency_ms: None,
    };
    if stores.is_empty() {
        probe.outcome = TlsOutcome::NotAttempted;
        probe.error = Some("no trust store could be loaded".to_string());
        return probe;
    }
    // The last store tried gives the most specific answer: a store that knows the issuer can
    // tell a name mismatch from an unknown issuer.
    // One budget for every store tried, not one per store.
    let until = tokio::time::Instant::now() + limit;
    let mut last_error: Option<(TlsOutcome, String)> = None;
    for store in stores {
        let left = until.saturating_duration_since(tokio::time::Instant::now());
        if left.is_zero() {
            last_error = Some((
                TlsOutcome::TimedOut,
                format!("no verdict within {} ms", limit.as_millis()),
            ));
            break;
        }
        match handshake(addr, name, store, left).await {
            Ok(()) => {
                probe.outcome = TlsOutcome::Verified;
                probe.validated_by = Some(store.label.clone());
                probe.latency_ms = Some((start.elapsed().as_secs_f64() * 1e4).round() / 10.0);
                return probe;
            }
            Err((outcome, e)) => {
                // Only an unknown issuer can be cured by another store.
                let retry = outcome == TlsOutcome::Untrusted;
                last_error = Some((outcome, e));
                if !retry {
                    break;
                }
            }
        }
    }
    if let Some((outcome, e)) = last_error {
        probe.outcome = outcome;
        probe.error = Some(e);
    }
    probe
}
