use super::context::{pass, CheckResult, Context, Draft};
use crate::engine::PathKind;
use crate::facts::{parts, Observed};

check! {
    HubEndpointSgBlocksSpoke, "S3P304", "hub-endpoint-sg-blocks-spoke", Endpoint, Error, Preview,
    "the hub's interface endpoint, reached through a transit gateway, allows no inbound TCP 443 from this VPC"
}

impl HubEndpointSgBlocksSpoke {
    fn run(cx: &Context) -> CheckResult {
        let Observed::Collected { value: transit } = &cx.facts.transit else {
            return pass();
        };
        let v = cx.need(parts::Vantage)?;
        let mut drafts = Vec::new();
        let mut seen: Vec<String> = Vec::new();
        for t in &cx.analysis.targets {
            let d = t.decision.terminal();
            let Some(hop) = d.hops.last() else { continue };
            if hop.path != PathKind::InterfaceEndpoint {
                continue;
            }
            let (Some(ep_id), Some(hub_id)) = (&hop.via, &hop.vpc_id) else {
                continue;
            };
            if seen.contains(ep_id) {
                continue;
            }
            seen.push(ep_id.clone());
            let Some(hub) = transit.hubs.iter().find(|h| &h.vpc_id == hub_id) else {
                continue;
            };
            let Some(ep) = hub
                .vpc_endpoints
                .get()
                .and_then(|eps| eps.iter().find(|e| &e.id == ep_id))
            else {
                continue;
            };
            let Some(groups) = hub.security_groups.get() else {
                continue;
            };
            let theirs: Vec<_> = groups
                .iter()
                .filter(|g| ep.security_group_ids.contains(&g.id))
                .collect();
            if theirs.is_empty() || theirs.len() < ep.security_group_ids.len() {
                continue;
            }
            // The sources traffic from this VPC has: the host's own addresses when known,
            // else the VPC's blocks (route judges a subnet, not a host).
            let sources: Vec<ipnet::IpNet> = if v.local_ipv4s.is_empty() {
                v.vpc_ipv4_cidr_blocks.clone()
            } else {
                v.local_ipv4s
                    .iter()
                    .map(|ip| ipnet::IpNet::from(*ip))
                    .collect()
            };
            if sources.is_empty() {
                continue;
            }
            let mut undecidable = false;
            let allowed = theirs.iter().any(|g| {
                g.ingress.iter().filter(|r| r.covers_tcp(443)).any(|r| {
                    if !r.prefix_list_ids.is_empty() || !r.group_ids.is_empty() {
                        // A prefix list or a referenced group (TGW security group referencing)
                        // may hold this VPC: not judged here.
                        undecidable = true;
                    }
                    r.cidrs.iter().any(|c| {
                        sources
                            .iter()
                            .any(|s| c.contains(&s.network()) || s.contains(&c.network()))
                    })
                })
            });
            if allowed || undecidable {
                continue;
            }
            let region = cx.region().unwrap_or("REGION");
            let src = sources
                .iter()
                .map(|s| s.to_string())
                .collect::<Vec<_>>()
                .join(", ");
            drafts.push(
                Draft::new(format!(
                    "{} reaches interface endpoint {ep_id} in {hub_id} through {}, but the endpoint's security groups ({}) allow no inbound TCP 443 from {src}: connections time out",
                    t.target.host,
                    d.via.as_deref().unwrap_or("the transit gateway"),
                    ep.security_group_ids.join(", ")
                ))
                .fix(format!(
                    "aws ec2 authorize-security-group-ingress --region {region} --group-id {} --protocol tcp --port 443 --cidr {}",
                    ep.security_group_ids.first().map(String::as_str).unwrap_or("ENDPOINT_SG_ID"),
                    v.vpc_ipv4_cidr_blocks
                        .first()
                        .map(|c| c.to_string())
                        .unwrap_or_else(|| sources[0].to_string())
                )),
            );
        }
        if drafts.is_empty() {
            pass()
        } else {
            Ok(drafts)
        }
    }
}
