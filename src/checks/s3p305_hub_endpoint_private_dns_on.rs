use super::context::{pass, CheckResult, Context, Draft};
use crate::engine::PathKind;
use crate::facts::Observed;

check! {
    HubEndpointPrivateDnsOn, "S3P305", "hub-endpoint-private-dns-on", Endpoint, Info, Preview,
    "the hub's interface endpoint that serves this VPC has private DNS on: its zone answers only inside the hub"
}

impl HubEndpointPrivateDnsOn {
    fn run(cx: &Context) -> CheckResult {
        let Observed::Collected { value: transit } = &cx.facts.transit else {
            return pass();
        };
        let mut drafts = Vec::new();
        let mut seen: Vec<&str> = Vec::new();
        for t in &cx.analysis.targets {
            let d = t.decision.terminal();
            let Some(hop) = d.hops.last() else { continue };
            if hop.path != PathKind::InterfaceEndpoint {
                continue;
            }
            let (Some(ep_id), Some(hub_id)) = (hop.via.as_deref(), hop.vpc_id.as_deref()) else {
                continue;
            };
            if seen.contains(&ep_id) {
                continue;
            }
            seen.push(ep_id);
            let Some(ep) = transit
                .hubs
                .iter()
                .filter(|h| h.vpc_id == hub_id)
                .find_map(|h| h.vpc_endpoints.get()?.iter().find(|e| e.id == ep_id))
            else {
                continue;
            };
            if !ep.private_dns_enabled {
                continue;
            }
            let region = cx.region().unwrap_or("REGION");
            drafts.push(
                Draft::new(format!(
                    "{} reaches interface endpoint {ep_id} in {hub_id} through {}, and that endpoint has private DNS on: the zone private DNS creates answers only inside {hub_id}, so this VPC resolves S3 through a private hosted zone of its own shared with it (or a Resolver rule), not through the endpoint's setting",
                    t.target.host,
                    d.via.as_deref().unwrap_or("the transit gateway"),
                ))
                .fix(format!(
                    "keep one source of truth for the spokes: a private hosted zone s3.{region}.amazonaws.com with alias records to the endpoint's regional DNS name, associated with every spoke VPC (aws route53 associate-vpc-with-hosted-zone); private DNS on the hub endpoint only serves the hub itself"
                ))
                .evidence(format!("{ep_id}: private DNS enabled, in {hub_id}")),
            );
        }
        if drafts.is_empty() {
            pass()
        } else {
            Ok(drafts)
        }
    }
}
