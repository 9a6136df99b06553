use super::{gateway_endpoint_fix, Category, Check, CheckMeta, Context, Draft, Outcome, Severity};
use crate::engine::PathKind;

pub struct S3ViaNatGateway;

static META: CheckMeta = CheckMeta {
    id: "S3P103",
    name: "s3-via-nat-gateway",
    category: Category::Routing,
    severity: Severity::Warning,
    summary: "S3 traffic leaves through a NAT gateway, which charges per GB, instead of a free gateway endpoint",
    doc: include_str!("../../checks/S3P103.md"),
};

impl Check for S3ViaNatGateway {
    fn meta(&self) -> &'static CheckMeta {
        &META
    }

    fn evaluate(&self, cx: &Context) -> Outcome {
        let Some(primary) = cx.primary() else {
            return Outcome::Skipped("no region to judge against".to_string());
        };
        if cx.cross_region(primary) {
            // The gateway endpoint cannot serve another region's bucket: S3P601 says so.
            return Outcome::Pass;
        }
        let d = &primary.decision;
        match d.path {
            PathKind::Unknown => Outcome::Skipped(format!(
                "the path is not known: {}",
                d.reason.as_deref().unwrap_or("no reason recorded")
            )),
            PathKind::NatGateway => {
                let table = d.route_table.as_deref().unwrap_or("RTB_ID");
                let nat = d.via.as_deref().unwrap_or("the NAT gateway");
                let mut draft = Draft::new(format!(
                    "S3 traffic to {} leaves through NAT gateway {nat} (route {} in {table}); NAT gateways charge data processing for every GB, a gateway endpoint for S3 in the same region costs nothing",
                    primary.target.host,
                    d.route.as_deref().unwrap_or("?"),
                ))
                .fix(gateway_endpoint_fix(cx, table));
                draft = draft.evidence_of(d);
                Outcome::Fail(vec![draft])
            }
            _ => Outcome::Pass,
        }
    }
}
