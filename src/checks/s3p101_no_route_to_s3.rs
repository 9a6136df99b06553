use super::{gateway_endpoint_fix, Category, Check, CheckMeta, Context, Draft, Outcome, Severity};
use crate::engine::{BlockCause, PathKind};

pub struct NoRouteToS3;

static META: CheckMeta = CheckMeta {
    id: "S3P101",
    name: "no-route-to-s3",
    category: Category::Routing,
    severity: Severity::Error,
    summary: "the subnet's route table has no usable route to the S3 addresses",
    doc: include_str!("../../checks/S3P101.md"),
};

impl Check for NoRouteToS3 {
    fn meta(&self) -> &'static CheckMeta {
        &META
    }

    fn evaluate(&self, cx: &Context) -> Outcome {
        let Some(primary) = cx.primary() else {
            return Outcome::Skipped("no region to judge against".to_string());
        };
        let d = primary.decision.terminal();
        match (d.path, d.blocked_by) {
            (PathKind::Unknown, _) => Outcome::Skipped(format!(
                "the path is not known: {}",
                d.reason.as_deref().unwrap_or("no reason recorded")
            )),
            // A dead NAT gateway is S3P106's; an S3 gateway endpoint that exists but is not
            // available is S3P302's.
            (PathKind::Blocked, Some(BlockCause::DeadTarget))
                if d.via.as_deref().is_some_and(|v| v.starts_with("nat-"))
                    || cx.endpoint(d.via.as_deref()).is_some() =>
            {
                Outcome::Pass
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
                Outcome::Fail(vec![draft])
            }
            _ => Outcome::Pass,
        }
    }
}
