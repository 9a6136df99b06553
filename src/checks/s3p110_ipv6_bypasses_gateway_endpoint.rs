use super::context::{pass, CheckResult, Context, Draft};
use crate::engine::PathKind;
use crate::facts::EndpointType;
use crate::facts::Part;

check! {
    Ipv6BypassesGatewayEndpoint, "S3P110", "ipv6-bypasses-gateway-endpoint", Routing, Warning, Preview,
    "IPv6 connections to S3 leave by another route than the IPv4-only gateway endpoint"
}

impl Ipv6BypassesGatewayEndpoint {
    fn run(cx: &Context) -> CheckResult {
        let region = cx.need_region()?;
        let Some(table) = cx.analysis.route_table.as_ref() else {
            return Err(cx.missing(Part::RouteTables));
        };
        let Some(gws) = cx.s3_endpoints(EndpointType::Gateway) else {
            return Err(cx.missing(Part::VpcEndpoints));
        };
        let Some(gw) = gws
            .iter()
            .find(|e| e.route_table_ids.iter().any(|t| t == &table.id))
        else {
            return pass();
        };
        let mut drafts = Vec::new();
        for t in &cx.analysis.targets {
            let same_region = t.target.region.as_deref() == Some(region);
            if !t.target.is_standard_s3_name() || !same_region || cx.cross_region(t) {
                continue;
            }
            let Some(addr) = t.chosen_address.filter(|a| a.is_ipv6()) else {
                continue;
            };
            let d = &t.decision;
            if matches!(
                d.path,
                PathKind::GatewayEndpoint | PathKind::InterfaceEndpoint | PathKind::Unknown
            ) {
                continue;
            }
            let kind = gw.ip_address_type.as_ref().map_or("ipv4", |t| t.as_str());
            let setting = cx
                .facts
                .client_settings
                .get()
                .and_then(|s| s.dualstack())
                .filter(|(on, _)| *on)
                .map(|(_, src)| src);
            let mut draft = Draft::new(format!(
                "for {}, this host connects first to IPv6 {addr}, which leaves through {}, not through gateway endpoint {} ({kind}) on {}",
                t.target.host,
                d.described(),
                gw.id,
                table.id
            ))
            .fix(format!(
                "let IPv6 traffic use the endpoint: aws ec2 modify-vpc-endpoint --region {region} --vpc-endpoint-id {} --ip-address-type dualstack",
                gw.id
            ));
            if let Some(src) = &setting {
                draft = draft.fix(format!(
                    "or keep the application on the IPv4 names: turn off {src} (AWS_USE_DUALSTACK_ENDPOINT=false)"
                ));
            }
            drafts.push(draft.evidence_of(d));
            if drafts.len() >= 4 {
                break;
            }
        }
        if drafts.is_empty() {
            pass()
        } else {
            Ok(drafts)
        }
    }
}
