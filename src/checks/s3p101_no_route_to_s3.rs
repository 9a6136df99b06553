use super::context::{gateway_endpoint_fix, pass, skip, CheckResult, Context, Draft};
use crate::engine::{BlockCause, PathKind};

check! {
    NoRouteToS3, "S3P101", "no-route-to-s3", Routing, Error, Stable,
    "the subnet's route table has no usable route to the S3 addresses",
    restates: [Blocked]
}

impl NoRouteToS3 {
    fn run(cx: &Context) -> CheckResult {
        let primary = cx.need_primary()?;
        let d = primary.decision.terminal();
        match (d.path, d.blocked_by) {
            (PathKind::Unknown, _) => skip(format!(
                "the path is not known: {}",
                d.reason.as_deref().unwrap_or("no reason recorded")
            )),
            // A dead NAT gateway is S3P106's; an S3 gateway endpoint that exists but is not
            // available is S3P302's.
            (PathKind::Blocked, Some(BlockCause::DeadTarget))
                if matches!(
                    d.dead_route_target(),
                    Some(crate::facts::RouteTarget::Nat(_))
                ) || cx.endpoint(d.via.as_deref()).is_some() =>
            {
                pass()
            }
            (
                PathKind::Blocked,
                Some(
                    cause @ (BlockCause::NoRoute | BlockCause::Blackhole | BlockCause::DeadTarget),
                ),
            ) => {
                let table = d
                    .route_table
                    .clone()
                    .unwrap_or_else(|| "RTB_ID".to_string());
                let region = cx.region().unwrap_or("REGION");
                let through = if primary.decision.path == PathKind::Proxy {
                    format!(
                        " (requests go to proxy {}, which is unreachable)",
                        primary.decision.via.as_deref().unwrap_or("?")
                    )
                } else {
                    String::new()
                };
                let mut draft = Draft::new(format!(
                    "{} is unreachable{through}: {}",
                    primary.target.host,
                    d.reason.as_deref().unwrap_or("blocked")
                ));
                if let Some(r) = &d.remedy {
                    draft = draft.fix(r.clone());
                } else if cause == BlockCause::Blackhole {
                    let dest = d
                        .route
                        .as_deref()
                        .and_then(|r| r.split(" -> ").next())
                        .unwrap_or("DESTINATION");
                    let flag = if dest.starts_with("pl-") {
                        "--destination-prefix-list-id"
                    } else if dest.contains(':') {
                        "--destination-ipv6-cidr-block"
                    } else {
                        "--destination-cidr-block"
                    };
                    draft = draft.fix(format!(
                        "aws ec2 delete-route --region {region} --route-table-id {table} {flag} {dest}"
                    ));
                }
                draft = draft.fix(gateway_endpoint_fix(cx, &table));
                draft = draft.evidence_of(d);
                Ok(vec![draft])
            }
            _ => pass(),
        }
    }
}
