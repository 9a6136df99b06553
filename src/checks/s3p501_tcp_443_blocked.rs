use super::context::{pass, skip, CheckResult, Context, Draft};
use crate::engine::PathKind;
use crate::facts::parts;
use crate::facts::TcpOutcome;

check! {
    Tcp443Blocked, "S3P501", "tcp-443-blocked", Probe, Error, Stable,
    "TCP connections to port 443 of the primary S3 name's addresses fail"
}

impl Tcp443Blocked {
    fn run(cx: &Context) -> CheckResult {
        let probes = cx.need(parts::Probes)?;
        let primary = cx.need_primary()?;
        if primary.decision.path == PathKind::Proxy {
            return skip(
                "requests go to a proxy; the proxy's own reachability is not probed".to_string(),
            );
        }
        let region = cx.region().unwrap_or("REGION");
        let source = cx
            .facts
            .vantage
            .get()
            .and_then(|v| {
                v.security_group_ids
                    .first()
                    .map(|sg| format!("--source-group {sg}"))
                    .or_else(|| v.local_ipv4s.first().map(|ip| format!("--cidr {ip}/32")))
            })
            .unwrap_or_else(|| "--cidr CLIENT_CIDR".to_string());
        let mut drafts = Vec::new();
        for a in &primary.addresses {
            let Some(p) = probes
                .tcp
                .iter()
                .find(|p| p.address == a.address && p.port == 443)
            else {
                continue;
            };
            if p.outcome == TcpOutcome::Connected {
                continue;
            }
            let outcome = match p.outcome {
                TcpOutcome::Refused => "was refused",
                TcpOutcome::TimedOut => "timed out",
                TcpOutcome::Unreachable => "was unreachable",
                _ => "failed",
            };
            let mut d = Draft::new(format!(
                "TCP {}:443 ({}) {outcome} on the {} path",
                a.address,
                primary.target.host,
                a.decision.label()
            ));
            if a.decision.path == PathKind::InterfaceEndpoint {
                let ep = a.decision.via.as_deref().unwrap_or("the endpoint");
                let sgs: Vec<String> = cx
                    .endpoint(Some(ep))
                    .map(|e| e.security_group_ids.clone())
                    .unwrap_or_default();
                let sg = sgs
                    .first()
                    .cloned()
                    .unwrap_or_else(|| "ENDPOINT_SG_ID".to_string());
                d.message.push_str(&format!(
                    "; the security group of {ep} ({}) must allow inbound 443 from this host",
                    if sgs.is_empty() {
                        "not known".to_string()
                    } else {
                        sgs.join(", ")
                    }
                ));
                d = d.fix(format!(
                    "aws ec2 authorize-security-group-ingress --region {region} --group-id {sg} --protocol tcp --port 443 {source}"
                ));
            } else {
                d = d.fix("check this host's security group egress (443 to the S3 prefix list or 0.0.0.0/0) and the subnet's network ACL, including inbound ephemeral ports 1024-65535 for the replies");
            }
            if let Some(e) = &p.error {
                d = d.evidence(e.clone());
            }
            d = d.evidence_of(&a.decision);
            drafts.push(d);
        }
        if drafts.is_empty() {
            pass()
        } else {
            Ok(drafts)
        }
    }
}
