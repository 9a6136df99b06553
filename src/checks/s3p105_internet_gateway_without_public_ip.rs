use super::{gateway_endpoint_fix, Category, Check, CheckMeta, Context, Draft, Outcome, Severity};
use crate::engine::{BlockCause, PathKind};

pub struct InternetGatewayWithoutPublicIp;

static META: CheckMeta = CheckMeta {
    id: "S3P105",
    name: "internet-gateway-without-public-ip",
    category: Category::Routing,
    severity: Severity::Error,
    summary: "S3 is routed to an internet gateway but this host has no public address to use it",
    doc: include_str!("../../checks/S3P105.md"),
};

impl Check for InternetGatewayWithoutPublicIp {
    fn meta(&self) -> &'static CheckMeta {
        &META
    }

    fn evaluate(&self, cx: &Context) -> Outcome {
        let Some(primary) = cx.primary() else {
            return Outcome::Skipped("no region to judge against".to_string());
        };
        let d = primary.decision.terminal();
        if d.path == PathKind::Unknown {
            return Outcome::Skipped(format!(
                "the path is not known: {}",
                d.reason.as_deref().unwrap_or("no reason recorded")
            ));
        }
        if d.blocked_by != Some(BlockCause::NoPublicAddress) {
            return Outcome::Pass;
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
        Outcome::Fail(vec![draft])
    }
}
