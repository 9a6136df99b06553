use super::context::{pass, skip, CheckResult, Context, Draft};
use crate::facts::parts;
use crate::facts::TlsOutcome;

check! {
    TlsIdentityMismatch, "S3P503", "tls-identity-mismatch", Probe, Error, Stable,
    "the TLS certificate at an S3 address does not cover the S3 name, or no trust store accepts it"
}

impl TlsIdentityMismatch {
    fn run(cx: &Context) -> CheckResult {
        let probes = cx.need(parts::Probes)?;
        if probes.tls.is_empty() {
            return skip("no TLS handshake was attempted".to_string());
        }
        let drafts: Vec<Draft> = probes
            .tls
            .iter()
            .filter(|p| matches!(p.outcome, TlsOutcome::NameMismatch | TlsOutcome::Untrusted))
            .map(|p| {
                let dotted_bucket = cx.facts.request.buckets.iter().any(|b| {
                    b.contains('.') && p.server_name.starts_with(&format!("{b}.s3."))
                });
                let what = if p.outcome == TlsOutcome::NameMismatch {
                    "presents a certificate that does not cover that name"
                } else {
                    "presents a certificate chain that no configured trust store accepts"
                };
                let mut d = Draft::new(format!(
                    "{} (SNI {}) {what}: the address is not S3, or something intercepts TLS on the way",
                    p.address, p.server_name
                ));
                if dotted_bucket {
                    d.message = format!(
                        "{} (SNI {}) {what}: bucket names with dots do not match S3's *.s3.<region> wildcard certificate, so virtual-hosted HTTPS cannot verify",
                        p.address, p.server_name
                    );
                    d = d.fix("use path-style requests for this bucket (aws configure set default.s3.addressing_style path), or a bucket name without dots");
                } else {
                    d = d.fix(format!(
                        "inspect the certificate: openssl s_client -connect {}:443 -servername {} </dev/null | openssl x509 -noout -subject -issuer -ext subjectAltName",
                        p.address, p.server_name
                    ));
                    d = d.fix("if the address comes from the hosts file or a custom DNS zone, remove the override (see S3P401, S3P203)");
                }
                d.evidence(p.error.clone().unwrap_or_default())
            })
            .collect();
        if drafts.is_empty() {
            pass()
        } else {
            Ok(drafts)
        }
    }
}
