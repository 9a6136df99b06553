use super::context::{gateway_endpoint_fix, pass, CheckResult, Context, Draft};
use crate::engine::BlockCause;

check! {
    HubGatewayEndpointNotTransitive, "S3P109", "hub-gateway-endpoint-not-transitive", Routing, Error, Stable,
    "S3 traffic crosses a transit gateway to a VPC whose only S3 path is a gateway endpoint, which never serves another VPC"
}

impl HubGatewayEndpointNotTransitive {
    fn run(cx: &Context) -> CheckResult {
        // One finding per (transit gateway, far endpoint), listing the names that take it.
        let mut found: Vec<(String, String, Vec<String>)> = Vec::new();
        let mut hub: Option<&crate::facts::HubVpc> = None;
        for t in &cx.analysis.targets {
            let d = t.decision.terminal();
            let Some(hop) = d
                .hops
                .iter()
                .find(|h| h.blocked_by == Some(BlockCause::NotTransitive))
            else {
                continue;
            };
            let tgw = d.via.clone().unwrap_or_default();
            if hub.is_none() {
                hub = cx.facts.transit.get().and_then(|t| {
                    t.hubs
                        .iter()
                        .find(|h| Some(h.vpc_id.as_str()) == hop.vpc_id.as_deref())
                });
            }
            let key = format!(
                "{} in {}",
                hop.via.as_deref().unwrap_or("a gateway endpoint"),
                hop.vpc_id.as_deref().unwrap_or("the far VPC")
            );
            match found.iter_mut().find(|(g, k, _)| *g == tgw && *k == key) {
                Some((_, _, hosts)) => hosts.push(t.target.host.clone()),
                None => found.push((tgw, key, vec![t.target.host.clone()])),
            }
        }
        if found.is_empty() {
            return pass();
        }
        let region = cx.region().unwrap_or("REGION");
        let table = cx.table_or_placeholder();
        let s3_name = format!("s3.{region}.{}", crate::partitions::of(region).dns_suffix);
        let hub_vpc = hub.map_or("HUB_VPC_ID", |h| h.vpc_id.as_str());
        let hub_subnets = hub
            .filter(|h| !h.attachment_subnet_ids.is_empty())
            .map_or("HUB_SUBNET_IDS".to_string(), |h| {
                h.attachment_subnet_ids.join(" ")
            });
        Ok(found
            .into_iter()
            .map(|(tgw, endpoint, hosts)| {
                Draft::new(format!(
                    "{} leave{} through {tgw} for gateway endpoint {endpoint}; gateway endpoints serve only traffic that starts in their own VPC, so requests from this VPC are not carried by it",
                    hosts.join(", "),
                    if hosts.len() == 1 { "s" } else { "" }
                ))
                .fix(format!(
                    "give this VPC its own gateway endpoint (no charge): {}",
                    gateway_endpoint_fix(cx, table)
                ))
                .fix(format!(
                    "or serve the spokes from the hub with an interface endpoint (its security group must allow TCP 443 from the spokes): aws ec2 create-vpc-endpoint --region {region} --vpc-endpoint-type Interface --service-name {} --vpc-id {hub_vpc} --subnet-ids {hub_subnets} --no-private-dns-enabled, then a private hosted zone for {s3_name} pointing at it, associated with this VPC",
                    crate::names::s3_service_name(region),
                ))
            })
            .collect())
    }
}
