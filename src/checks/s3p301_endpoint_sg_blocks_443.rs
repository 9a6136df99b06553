use super::context::{pass, skip, CheckResult, Context, Draft};
use crate::engine::PathKind;
use crate::facts::parts;

check! {
    EndpointSgBlocks443, "S3P301", "endpoint-sg-blocks-443", Endpoint, Error, Stable,
    "the interface endpoint's security groups do not allow inbound TCP 443 from this host"
}

impl EndpointSgBlocks443 {
    fn run(cx: &Context) -> CheckResult {
        let primary = cx.need_primary()?;
        let d = primary.decision.terminal();
        if d.path != PathKind::InterfaceEndpoint {
            return pass();
        }
        let groups = cx.need(parts::SecurityGroups)?;
        let v = cx.need(parts::Vantage)?;
        let Some(ep) = cx.endpoint(d.via.as_deref()) else {
            return skip("the endpoint is not among the facts".to_string());
        };
        let theirs: Vec<_> = groups
            .iter()
            .filter(|g| ep.security_group_ids.contains(&g.id))
            .collect();
        if theirs.is_empty() {
            return skip(format!(
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
            return pass();
        }
        let region = cx.region().unwrap_or("REGION");
        let source = v
            .security_group_ids
            .first()
            .map(|sg| format!("--source-group {sg}"))
            .or_else(|| v.local_ipv4s.first().map(|ip| format!("--cidr {ip}/32")))
            .unwrap_or_else(|| "--cidr CLIENT_CIDR".to_string());
        Ok(vec![Draft::new(format!(
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
