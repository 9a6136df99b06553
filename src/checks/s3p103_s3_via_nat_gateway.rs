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
                let table = d.route_table.as_deref().unwrap_or("RTB_ID");
                let nat = d.via.as_deref().unwrap_or("the NAT gateway");
                let mut draft = Draft::new(format!(
                    "S3 traffic to {} leaves through NAT gateway {nat} (route {} in {table}); NAT gateways charge data processing for every GB, a gateway endpoint for S3 in the same region costs nothing",
                    primary.target.host,
                    d.route.as_deref().unwrap_or("?"),
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
                    _ => draft.fix(gateway_endpoint_fix(cx, table)),
                };
                draft = draft.evidence_of(d);
                Ok(vec![draft])
            }
            _ => pass(),
        }
    }
}
