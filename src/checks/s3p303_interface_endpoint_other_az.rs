use super::{Category, Check, CheckMeta, Context, Draft, Outcome, Severity};
use crate::engine::PathKind;

pub struct InterfaceEndpointOtherAz;

static META: CheckMeta = CheckMeta {
    id: "S3P303",
    name: "interface-endpoint-other-az",
    category: Category::Endpoint,
    severity: Severity::Warning,
    summary: "the interface endpoint has no network interface in this host's availability zone",
    doc: include_str!("../../checks/S3P303.md"),
};

impl Check for InterfaceEndpointOtherAz {
    fn meta(&self) -> &'static CheckMeta {
        &META
    }

    fn evaluate(&self, cx: &Context) -> Outcome {
        let Some(primary) = cx.primary() else {
            return Outcome::Skipped("no region to judge against".to_string());
        };
        let d = primary.decision.terminal();
        if d.path != PathKind::InterfaceEndpoint {
            return Outcome::Pass;
        }
        let Some(az) = cx
            .facts
            .vantage
            .get()
            .and_then(|v| v.availability_zone.as_deref())
        else {
            return Outcome::Skipped("this host's availability zone is not known".to_string());
        };
        let Some(ep) = cx.endpoint(d.via.as_deref()) else {
            return Outcome::Skipped("the endpoint is not among the facts".to_string());
        };
        if ep
            .network_interfaces
            .iter()
            .any(|n| n.availability_zone.as_deref() == Some(az))
        {
            return Outcome::Pass;
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
        Outcome::Fail(vec![Draft::new(format!(
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
