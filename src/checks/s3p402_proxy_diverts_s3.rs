use super::context::{pass, CheckResult, Context, Draft};
use crate::engine::PathKind;
use crate::facts::parts;
use crate::proxy;
use crate::validate::{has_global_endpoint, partition_dns_suffix};

check! {
    ProxyDivertsS3, "S3P402", "proxy-diverts-s3", Host, Warning, Stable,
    "an HTTPS proxy setting sends S3 requests to a proxy instead of the VPC's own path"
}

impl ProxyDivertsS3 {
    fn run(cx: &Context) -> CheckResult {
        let settings = cx.need(parts::ClientSettings)?;
        let primary = cx.need_primary()?;
        if primary.decision.path != PathKind::Proxy {
            return pass();
        }
        let region = cx.region().unwrap_or("REGION");
        let suffix = partition_dns_suffix(region);
        let proxy = primary.decision.via.as_deref().unwrap_or("?");
        let next = primary
            .decision
            .next
            .as_ref()
            .map(|n| n.label())
            .unwrap_or_else(|| "unknown".to_string());
        let no_proxy = proxy::no_proxy(settings);
        let mut msg = format!(
            "HTTPS requests to {} go to proxy {proxy} (reached through {next}); the VPC's own path to S3 only carries the proxy's traffic",
            primary.target.host
        );
        let mut d = Draft::new(String::new());
        match no_proxy {
            Some((var, value)) => {
                let addr_entries = proxy::address_entries(value);
                if !addr_entries.is_empty() {
                    msg.push_str(&format!(
                        "; {var} entries {} match only requests addressed by IP, never an S3 host name",
                        addr_entries.join(", ")
                    ));
                }
            }
            None => d = d.evidence("NO_PROXY is not set"),
        }
        let mut names = vec![format!("s3.{region}.{suffix}")];
        if has_global_endpoint(region) {
            names.push("s3.amazonaws.com".to_string());
        }
        let var = no_proxy.map(|(v, _)| v).unwrap_or("NO_PROXY");
        d = d.fix(format!(
            "if S3 should not use the proxy, exempt it (a domain entry also covers bucket names below it): export {var}=\"${{{var}:+${var},}}{}\"",
            names.join(",")
        ));
        d = d.fix("set the same in the service's environment (systemd unit, task definition, container env) and restart it");
        d.message = msg;
        d = d.evidence_of(&primary.decision);
        Ok(vec![d])
    }
}
