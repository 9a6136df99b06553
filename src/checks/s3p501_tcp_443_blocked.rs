use super::context::{pass, skip, Check, CheckResult, Context, Draft};
use super::s3p107_security_group_egress_blocks_443::SecurityGroupEgressBlocks443;
use super::s3p108_nacl_blocks_s3::NaclBlocksS3;
use crate::engine::PathKind;
use crate::facts::parts;
use crate::facts::{TcpOutcome, VantageKind};

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
            let on_path = match a.decision.path {
                PathKind::Unknown | PathKind::OffAws => String::new(),
                _ => format!(" on the {} path", a.decision.label()),
            };
            let mut d = Draft::new(format!(
                "TCP {}:443 ({}) {outcome}{on_path}",
                a.address, primary.target.host,
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
                for fix in elsewhere_fixes(cx, &a.decision) {
                    d = d.fix(fix);
                }
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

/// Whether a check looked and found nothing wrong.
fn passed(check: &dyn Check, cx: &Context) -> bool {
    matches!(check.evaluate(cx), Ok(drafts) if drafts.is_empty())
}

/// Where to look when the connection failed on a path that is not an interface endpoint, by
/// where s3path ran and what the other checks of this run already cleared.
fn elsewhere_fixes(cx: &Context, d: &crate::engine::Decision) -> Vec<String> {
    let kind = cx.facts.vantage.get().map(|v| v.kind.clone());
    let in_vpc = matches!(kind, Some(VantageKind::Ec2Instance | VantageKind::EcsTask));
    if !in_vpc {
        // Off AWS (or judging a subnet from elsewhere): no security group or network ACL is
        // between this host and S3.
        return vec![
            "check this host's firewall and the network it is on: a corporate firewall, VPN or proxy that blocks direct HTTPS to S3 (try: curl -sv https://s3.REGION.amazonaws.com/ -o /dev/null)"
                .replace("REGION", cx.region().unwrap_or("us-east-1")),
        ];
    }
    let sg_ok = passed(&SecurityGroupEgressBlocks443, cx);
    let nacl_ok = passed(&NaclBlocksS3, cx);
    let who = if kind == Some(VantageKind::EcsTask) {
        "this task's"
    } else {
        "this host's"
    };
    let mut fixes = Vec::new();
    match (sg_ok, nacl_ok) {
        (false, false) => fixes.push(format!(
            "check {who} security group egress (443 to the S3 prefix list or 0.0.0.0/0) and the subnet's network ACL, including inbound ephemeral ports 1024-65535 for the replies"
        )),
        (false, true) => fixes.push(format!(
            "check {who} security group egress (443 to the S3 prefix list or 0.0.0.0/0); the subnet's network ACL allows the traffic (S3P108 passed)"
        )),
        (true, false) => fixes.push(
            "check the subnet's network ACL, including inbound ephemeral ports 1024-65535 for the replies; the security group allows the traffic (S3P107 passed)"
                .to_string(),
        ),
        (true, true) => {}
    }
    let region = cx.region().unwrap_or("REGION");
    let beyond = match (d.path, d.via.as_deref()) {
        (PathKind::NatGateway, Some(nat)) => format!(
            "check NAT gateway {nat} and the route of its own subnet to an internet gateway: aws ec2 describe-nat-gateways --region {region} --nat-gateway-ids {nat}"
        ),
        (PathKind::TransitGateway | PathKind::VpcPeering | PathKind::NetworkInterface | PathKind::GatewayLoadBalancerEndpoint, Some(via)) => format!(
            "check what is behind {via}: the firewall, inspection or egress VPC it leads to must allow HTTPS to S3"
        ),
        _ => "check a firewall on the host itself (iptables or nftables rules that drop 443)".to_string(),
    };
    if sg_ok && nacl_ok {
        fixes.push(format!(
            "the security group and the network ACL allow the traffic (S3P107 and S3P108 passed): {beyond}"
        ));
    } else {
        fixes.push(format!("then {beyond}"));
    }
    fixes
}
