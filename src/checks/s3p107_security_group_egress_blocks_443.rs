use super::{pass, skip, CheckResult, Context, Draft};
use crate::engine::PathKind;
use crate::facts::SgRule;

check! {
    SecurityGroupEgressBlocks443, "S3P107", "security-group-egress-blocks-443", Routing, Error, Stable,
    "no security group of this host allows outbound TCP 443 to the S3 addresses"
}

impl SecurityGroupEgressBlocks443 {
    fn run(cx: &Context) -> CheckResult {
        let groups = cx.need("security groups", &cx.facts.security_groups)?;
        let v = cx.need("the vantage", &cx.facts.vantage)?;
        if v.security_group_ids.is_empty() {
            return skip("this host's security groups are not known".to_string());
        }
        let primary = cx.need_primary()?;
        let mine: Vec<_> = groups
            .iter()
            .filter(|g| v.security_group_ids.contains(&g.id))
            .collect();
        if mine.is_empty() {
            return skip("this host's security groups are not among the facts".to_string());
        }
        let lists = cx.facts.prefix_lists.get();
        let endpoint_sgs = |via: Option<&str>| -> Vec<String> {
            cx.endpoint(via)
                .map(|e| e.security_group_ids.clone())
                .unwrap_or_default()
        };
        let allows = |rule: &SgRule, addr: std::net::IpAddr, eps: &[String]| -> bool {
            rule.covers_tcp(443)
                && (rule.cidrs.iter().any(|c| c.contains(&addr))
                    || rule.group_ids.iter().any(|g| eps.contains(g))
                    || rule.prefix_list_ids.iter().any(|pl| {
                        match lists
                            .and_then(|ls| ls.iter().find(|l| &l.id == pl && !l.cidrs.is_empty()))
                        {
                            Some(l) => l.cidrs.iter().any(|c| c.contains(&addr)),
                            // A list whose entries we cannot read may well allow it.
                            None => true,
                        }
                    }))
        };
        let mut drafts = Vec::new();
        for a in &primary.addresses {
            if a.decision.path == PathKind::Proxy {
                continue;
            }
            let eps = endpoint_sgs(a.decision.via.as_deref());
            let ok = mine
                .iter()
                .any(|g| g.egress.iter().any(|r| allows(r, a.address, &eps)));
            if !ok {
                let region = cx.region().unwrap_or("REGION");
                let sg = &mine[0].id;
                let pl = cx
                    .facts
                    .prefix_lists
                    .get()
                    .and_then(|ls| {
                        ls.iter().find(|l| {
                            l.name.as_deref() == Some(&format!("com.amazonaws.{region}.s3"))
                        })
                    })
                    .map(|l| l.id.clone());
                let target = match (&a.decision.path, pl) {
                    (PathKind::InterfaceEndpoint, _) => format!("--cidr {}/32", a.address),
                    (_, Some(pl)) => format!("--ip-permissions 'IpProtocol=tcp,FromPort=443,ToPort=443,PrefixListIds=[{{PrefixListId={pl}}}]'"),
                    _ => format!("--cidr {}/32", a.address),
                };
                let fix = if target.starts_with("--ip-permissions") {
                    format!("aws ec2 authorize-security-group-egress --region {region} --group-id {sg} {target}")
                } else {
                    format!("aws ec2 authorize-security-group-egress --region {region} --group-id {sg} --protocol tcp --port 443 {target}")
                };
                drafts.push(
                    Draft::new(format!(
                        "none of this host's security groups ({}) allows outbound TCP 443 to {} ({}, {})",
                        v.security_group_ids.join(", "),
                        a.address,
                        primary.target.host,
                        a.decision.label()
                    ))
                    .fix(fix)
                    .evidence(format!(
                        "egress rules: {}",
                        mine.iter()
                            .map(|g| format!("{}: {} rule(s)", g.id, g.egress.len()))
                            .collect::<Vec<_>>()
                            .join(", ")
                    )),
                );
            }
        }
        if drafts.is_empty() {
            pass()
        } else {
            Ok(drafts)
        }
    }
}
