use super::context::{gateway_endpoint_fix, pass, skip, CheckResult, Context, Draft, PreviewMode};
use crate::engine::PathKind;

check! {
    S3ViaNatGateway, "S3P103", "s3-via-nat-gateway", Routing, Warning, Stable,
    "S3 traffic leaves through a NAT gateway, which charges per GB, instead of a free gateway endpoint",
    restates: [NatGateway]
}

impl S3ViaNatGateway {
    fn run(cx: &Context) -> CheckResult {
        let primary = cx.need_primary()?;
        if cx.cross_region(primary) {
            // The gateway endpoint cannot serve another region's bucket: S3P601 says so.
            return pass();
        }
        let d = &primary.decision;
        match d.path {
            PathKind::Unknown => skip(format!(
                "the path is not known: {}",
                d.reason.as_deref().unwrap_or("no reason recorded")
            )),
            PathKind::NatGateway => {
                let nat = d.via.as_deref().unwrap_or("the NAT gateway");
                let how = match (d.route.as_deref(), d.route_table.as_deref()) {
                    (Some(route), Some(table)) => format!("route {route} in {table}"),
                    _ => d
                        .basis
                        .clone()
                        .unwrap_or_else(|| "the route tables were not read".to_string()),
                };
                let mut draft = Draft::new(format!(
                    "S3 traffic to {} leaves through NAT gateway {nat} ({how}); NAT gateways charge data processing for every GB, a gateway endpoint for S3 in the same region costs nothing",
                    primary.target.host,
                ));
                // A name that no S3 gateway endpoint carries (acceleration, a Multi-Region
                // Access Point, a directory bucket's zonal name) needs another fix: S3P701,
                // S3P702 or S3P704 gives it.
                let compat = primary.target.family.map(crate::names::compat);
                draft = match compat {
                    Some(c) if c.gateway_service != Some("s3") => draft.fix(format!(
                        "{} ({} name) is not carried by the S3 gateway endpoint ({}): {}",
                        primary.target.host,
                        c.host_kind.label(),
                        c.why,
                        if cx.preview == PreviewMode::Off {
                            "run again with --preview for the finding (S3P701, S3P702 or S3P704) that gives its fix"
                        } else {
                            "see the S3P70x finding for its fix"
                        }
                    )),
                    _ => match d.route_table.as_deref() {
                        Some(table) => draft.fix(gateway_endpoint_fix(cx, table)),
                        // The table is not known: how to find it, then the same command.
                        None => {
                            let region = cx.region().unwrap_or("REGION");
                            let subnet = cx
                                .facts
                                .vantage
                                .get()
                                .and_then(|v| v.subnet_id.as_deref())
                                .unwrap_or("SUBNET_ID");
                            draft
                                .fix(format!(
                                    "aws ec2 describe-route-tables --region {region} --filters Name=association.subnet-id,Values={subnet} --query 'RouteTables[].RouteTableId' --output text"
                                ))
                                .fix(format!(
                                    "then, with that table: {}",
                                    gateway_endpoint_fix(cx, "RTB_ID")
                                ))
                        }
                    },
                };
                draft = draft.evidence_of(d);
                Ok(vec![draft])
            }
            _ => pass(),
        }
    }
}
