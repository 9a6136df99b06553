use super::context::{pass, skip, CheckResult, Context, Draft};
use crate::engine::PathKind;
use crate::facts::parts;
use crate::facts::SgRule;

check! {
    SecurityGroupEgressBlocks443, "S3P107", "security-group-egress-blocks-443", Routing, Error, Stable,
    "no security group of this host allows outbound TCP 443 to the S3 addresses",
    restates: [Blocked]
}

impl SecurityGroupEgressBlocks443 {
    fn run(cx: &Context) -> CheckResult {
        let groups = cx.need(parts::SecurityGroups)?;
        let v = cx.need(parts::Vantage)?;
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
                    .and_then(|ls| ls.iter().find(|l| l.is_s3_list_of(region)))
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

#[cfg(test)]
mod tests {
    use crate::engine::testing::*;
    use crate::facts::{Observed, SecurityGroup};
    use crate::report::{judge, JudgeOptions};

    /// In the China partition the S3 list is `cn.com.amazonaws.<region>.s3`: the fix opens 443
    /// to it (it once looked for `com.amazonaws.<region>.s3` only and fell back to one address).
    #[test]
    fn the_fix_names_the_region_s_s3_list_in_china_too() {
        for (region, list, suffix) in [
            (
                "cn-north-1",
                "cn.com.amazonaws.cn-north-1.s3",
                "amazonaws.com.cn",
            ),
            ("eu-west-1", "com.amazonaws.eu-west-1.s3", "amazonaws.com"),
        ] {
            let mut facts = FactsBuilder::new()
                .vantage(|v| {
                    v.region = Some(region.into());
                    v.security_group_ids = vec!["sg-1".into()];
                })
                .table("rtb-1", &["0.0.0.0/0 -> nat-1"])
                .nat("nat-1", "available")
                .prefix_list("pl-s3", list, &["54.222.0.0/16"])
                .dns(&format!("s3.{region}.{suffix}"), &["54.222.1.1"])
                .build();
            facts.request.region = Some(region.into());
            facts.security_groups = Observed::collected(vec![SecurityGroup {
                id: "sg-1".into(),
                ingress: vec![],
                egress: vec![],
            }]);
            let r = judge(&facts, &JudgeOptions::default());
            let f = r
                .findings
                .iter()
                .find(|f| f.id == "S3P107")
                .unwrap_or_else(|| panic!("{region}: no S3P107 in {:?}", r.findings));
            assert!(
                f.remediation
                    .iter()
                    .any(|s| s.contains("PrefixListId=pl-s3")),
                "{region}: {:?}",
                f.remediation
            );
        }
    }
}
