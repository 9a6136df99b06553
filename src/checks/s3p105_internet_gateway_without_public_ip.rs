use super::context::{gateway_endpoint_fix, pass, skip, CheckResult, Context, Draft};
use crate::engine::{BlockCause, PathKind};

check! {
    InternetGatewayWithoutPublicIp, "S3P105", "internet-gateway-without-public-ip", Routing, Error, Stable,
    "S3 is routed to an internet gateway but this host has no public address to use it",
    restates: [Blocked]
}

impl InternetGatewayWithoutPublicIp {
    fn run(cx: &Context) -> CheckResult {
        let primary = cx.need_primary()?;
        let d = primary.decision.terminal();
        if d.path == PathKind::Unknown {
            return skip(format!(
                "the path is not known: {}",
                d.reason.as_deref().unwrap_or("no reason recorded")
            ));
        }
        if d.blocked_by != Some(BlockCause::NoPublicAddress) {
            return pass();
        }
        let region = cx.region().unwrap_or("REGION");
        let instance = cx
            .facts
            .vantage
            .get()
            .and_then(|v| v.instance_id.as_deref())
            .unwrap_or("INSTANCE_ID");
        let table = d.route_table.as_deref().unwrap_or("RTB_ID");
        let mut draft = Draft::new(format!(
            "{}: {}",
            primary.target.host,
            d.reason.as_deref().unwrap_or("internet gateway without a public address")
        ))
        .fix(gateway_endpoint_fix(cx, table))
        .fix(format!(
            "or give the instance a public address: aws ec2 allocate-address --region {region} --domain vpc, then aws ec2 associate-address --region {region} --instance-id {instance} --allocation-id ALLOCATION_ID"
        ));
        draft = draft.evidence_of(d);
        Ok(vec![draft])
    }
}
