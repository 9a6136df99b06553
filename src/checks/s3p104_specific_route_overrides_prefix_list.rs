use std::collections::BTreeMap;

use super::context::{pass, skip, CheckResult, Context, Draft};
use crate::engine::route_target_label;
use crate::facts::parts;

check! {
    SpecificRouteOverridesPrefixList, "S3P104", "specific-route-overrides-prefix-list", Routing, Warning, Stable,
    "a more specific CIDR route wins over the S3 prefix-list route for some S3 addresses"
}

impl SpecificRouteOverridesPrefixList {
    fn run(cx: &Context) -> CheckResult {
        let tables = cx.need(parts::RouteTables)?;
        let lists = cx.need(parts::PrefixLists)?;
        let Some(eff) = &cx.analysis.route_table else {
            return skip("the subnet's route table is not known".to_string());
        };
        let Some(table) = tables.iter().find(|t| t.id == eff.id) else {
            return skip(format!("route table {} is not among the facts", eff.id));
        };
        let pl_routes: Vec<_> = table
            .routes
            .iter()
            .filter(|r| {
                r.target(None).is_some_and(|t| t.vpc_endpoint().is_some()) && !r.is_blackhole()
            })
            .filter_map(|r| {
                let id = r.destination_prefix_list_id.as_deref()?;
                lists.iter().find(|l| l.id == id).map(|l| (r, l))
            })
            .collect();
        if pl_routes.is_empty() {
            return pass();
        }
        // winning route text -> (prefix list route, entry, addresses)
        let mut overridden: BTreeMap<String, (String, String, Vec<String>)> = BTreeMap::new();
        for t in &cx.analysis.targets {
            if !t.target.is_compared_regional_name() || cx.cross_region(t) {
                continue;
            }
            for a in &t.addresses {
                let Some(won) = &a.decision.route else {
                    continue;
                };
                for (route, list) in &pl_routes {
                    let Some(entry) = list.cidrs.iter().find(|c| c.contains(&a.address)) else {
                        continue;
                    };
                    if won.starts_with(&list.id) {
                        continue;
                    }
                    let e = overridden.entry(won.clone()).or_insert_with(|| {
                        (
                            format!("{} -> {}", list.id, route_target_label(route)),
                            entry.to_string(),
                            Vec::new(),
                        )
                    });
                    let addr = format!("{} ({})", a.address, t.target.host);
                    if !e.2.contains(&addr) {
                        e.2.push(addr);
                    }
                }
            }
        }
        if overridden.is_empty() {
            return pass();
        }
        let region = cx.region().unwrap_or("REGION");
        let drafts = overridden
            .into_iter()
            .map(|(won, (pl_route, entry, addrs))| {
                let dest = won.split(" -> ").next().unwrap_or("CIDR");
                let flag = if dest.contains(':') {
                    "--destination-ipv6-cidr-block"
                } else {
                    "--destination-cidr-block"
                };
                Draft::new(format!(
                    "in {}, route {won} is more specific than prefix-list entry {entry} of route {pl_route}, so {} bypass the gateway endpoint",
                    eff.id,
                    addrs.join(", ")
                ))
                .fix(format!(
                    "if the specific route is not needed: aws ec2 delete-route --region {region} --route-table-id {} {flag} {dest}",
                    eff.id
                ))
                .evidence(format!("winning route {won}"))
                .evidence(format!("{pl_route} covers {entry}"))
            })
            .collect();
        Ok(drafts)
    }
}
