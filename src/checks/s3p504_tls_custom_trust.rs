use super::context::{pass, skip, CheckResult, Context, Draft};
use crate::facts::parts;
use crate::facts::TlsOutcome;

check! {
    TlsCustomTrust, "S3P504", "tls-custom-trust", Probe, Warning, Stable,
    "the S3 certificate chain validates only with a custom CA bundle (TLS interception)"
}

impl TlsCustomTrust {
    fn run(cx: &Context) -> CheckResult {
        let probes = cx.need(parts::Probes)?;
        let verified: Vec<_> = probes
            .tls
            .iter()
            .filter(|p| p.outcome == TlsOutcome::Verified)
            .collect();
        if verified.is_empty() {
            return skip("no TLS handshake was verified".to_string());
        }
        let custom: Vec<_> = verified
            .iter()
            .filter(|p| {
                p.validated_by
                    .as_deref()
                    .is_some_and(|v| !v.starts_with("system"))
            })
            .collect();
        if custom.is_empty() {
            return pass();
        }
        let by = custom[0].validated_by.clone().unwrap_or_default();
        let mut d = Draft::new(format!(
            "the certificates for {} validate only with {by}, not with the system trust store: a TLS-inspecting proxy or appliance is in the path, and clients without that bundle fail with certificate errors",
            custom
                .iter()
                .map(|p| format!("{} at {}", p.server_name, p.address))
                .collect::<Vec<_>>()
                .join(", ")
        ))
        .fix("if inspection is intended, give every client the bundle (AWS_CA_BUNDLE for the CLI and SDKs, SSL_CERT_FILE for OpenSSL-based tools)")
        .fix("if not, exempt S3 from inspection on the proxy or firewall, and prefer a VPC endpoint path that does not cross it");
        for p in custom {
            d = d.evidence(format!(
                "{} ({}) validated by {}",
                p.server_name,
                p.address,
                p.validated_by.as_deref().unwrap_or("?")
            ));
        }
        Ok(vec![d])
    }
}
