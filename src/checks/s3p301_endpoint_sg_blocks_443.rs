use super::{skipped_for, Category, Check, CheckMeta, Context, Draft, Outcome, Severity};
use crate::engine::PathKind;

pub struct EndpointSgBlocks443;

static META: CheckMeta = CheckMeta {
    id: "S3P301",
    name: "endpoint-sg-blocks-443",
    category: Category::Endpoint,
    severity: Severity::Error,
    summary: "the interface endpoint's security groups do not allow inbound TCP 443 from this host",
    doc: include_str!("../../checks/S3P301.md"),
};

impl Check for EndpointSgBlocks443 {
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
        let Some(groups) = cx.facts.security_groups.get() else {
            return skipped_for("security groups", cx.facts.security_groups.missing_reason());
        };
        let Some(v) = cx.facts.vantage.get() else {
            return skipped_for("the vantage", cx.facts.vantage.missing_reason());
        };
        let Some(ep) = cx.endpoint(d.via.as_deref()) else {
            return Outcome::Skipped("the endpoint is not among the facts".to_string());
        };
        let theirs: Vec<_> = groups
            .iter()
            .filter(|g| ep.security_group_ids.contains(&g.id))
            .collect();
        if theirs.is_empty() {
            return Outcome::Skipped(format!(
                "the security groups of {} are not among the facts",
                ep.id
            ));
        }
        let allowed = theirs.iter().any(|g| {
            g.ingress.iter().any(|r| {
                r.covers_tcp(443)
                    && (r
                        .group_ids
                        .iter()
                        .any(|id| v.security_group_ids.contains(id))
                        || r.cidrs
                            .iter()
                            .any(|c| v.local_ipv4s.iter().any(|ip| c.contains(ip))))
            })
        });
        if allowed {
            return Outcome::Pass;
        }
        let region = cx.region().unwrap_or("REGION");
        let source = v
            .security_group_ids
            .first()
            .map(|sg| format!("--source-group {sg}"))
            .or_else(|| v.local_ipv4s.first().map(|ip| format!("--cidr {ip}/32")))
            .unwrap_or_else(|| "--cidr CLIENT_CIDR".to_string());
        Outcome::Fail(vec![Draft::new(format!(
            "S3 traffic goes to interface endpoint {}, but its security groups ({}) allow no inbound TCP 443 from this host ({}): connections time out",
            ep.id,
            ep.security_group_ids.join(", "),
            if v.security_group_ids.is_empty() {
                v.local_ipv4s.iter().map(|i| i.to_string()).collect::<Vec<_>>().join(", ")
            } else {
                v.security_group_ids.join(", ")
            }
        ))
        .fix(format!(
            "aws ec2 authorize-security-group-ingress --region {region} --group-id {} --protocol tcp --port 443 {source}",
            ep.security_group_ids.first().map(String::as_str).unwrap_or("ENDPOINT_SG_ID")
        ))])
    }
}
