use super::context::{pass, skip, CheckResult, Context, Draft};
use crate::engine::PathKind;

check! {
    InterfaceEndpointOtherAz, "S3P303", "interface-endpoint-other-az", Endpoint, Warning, Stable,
    "the interface endpoint has no network interface in this host's availability zone"
}

impl InterfaceEndpointOtherAz {
    fn run(cx: &Context) -> CheckResult {
        let primary = cx.need_primary()?;
        let d = primary.decision.terminal();
        if d.path != PathKind::InterfaceEndpoint {
            return pass();
        }
        let Some(az) = cx
            .facts
            .vantage
            .get()
            .and_then(|v| v.availability_zone.as_deref())
        else {
            return skip("this host's availability zone is not known".to_string());
        };
        let Some(ep) = cx.endpoint(d.via.as_deref()) else {
            return skip("the endpoint is not among the facts".to_string());
        };
        if ep
            .network_interfaces
            .iter()
            .any(|n| n.availability_zone.as_deref() == Some(az))
        {
            return pass();
        }
        let zones: Vec<&str> = ep
            .network_interfaces
            .iter()
            .filter_map(|n| n.availability_zone.as_deref())
            .collect();
        let region = cx.region().unwrap_or("REGION");
        let subnet = cx
            .facts
            .vantage
            .get()
            .and_then(|v| v.subnet_id.as_deref())
            .unwrap_or("SUBNET_ID");
        Ok(vec![Draft::new(format!(
            "interface endpoint {} has network interfaces only in {}, not in {az}: every request crosses availability zones (added latency, cross-AZ data charges, and an outage of that zone cuts this one off)",
            ep.id,
            if zones.is_empty() { "no zone".to_string() } else { zones.join(", ") }
        ))
        .fix(format!(
            "aws ec2 modify-vpc-endpoint --region {region} --vpc-endpoint-id {} --add-subnet-ids {subnet}",
            ep.id
        ))])
    }
}
