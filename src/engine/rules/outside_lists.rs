//! A name whose addresses AWS documents outside every prefix list — a Transfer Acceleration
//! name (CloudFront edges), a Multi-Region Access Point without its interface endpoint
//! (gateway endpoints cannot carry it) — which `route` cannot resolve: its path is that of "a
//! public address outside every AWS-managed list", decided when the only route that can carry
//! such an address is the default route.

use ipnet::IpNet;

use crate::engine::context::Cx;
use crate::engine::kinds::{BlockCause, Decision, EvidenceKind};
use crate::engine::lookup::Hit;
use crate::engine::text::route_target_label;
use crate::names::targets::Target;
use crate::names::HostKind;

use super::route_target;

/// Private, shared, link-local and loopback ranges: never where a public name's addresses are.
fn private(n: &IpNet) -> bool {
    [
        "10.0.0.0/8",
        "172.16.0.0/12",
        "192.168.0.0/16",
        "100.64.0.0/10",
        "169.254.0.0/16",
        "127.0.0.0/8",
    ]
    .iter()
    .filter_map(|p| p.parse::<IpNet>().ok())
    .any(|p| p.contains(n))
}

/// `None` for names this rule is not about (every name but accelerate and Multi-Region
/// Access Point names) or without a route table.
pub(crate) fn rule(cx: &Cx, target: &Target) -> Option<Decision> {
    let kind = target.family?;
    if !matches!(kind, HostKind::Accelerate | HostKind::MultiRegion) {
        return None;
    }
    let c = crate::names::compat(kind);
    let (table, _) = cx.table?;
    let what = format!(
        "the addresses of {} (a {} name: outside every S3 prefix list)",
        target.host,
        kind.label()
    );
    if let Some(v) = cx.vantage {
        if v.vpc_ipv4_cidr_blocks.iter().any(|n| !private(n)) {
            return Some(Decision::unknown(format!(
                "{what} are not derived, and the VPC has public CIDR blocks its local route could hold"
            )));
        }
    }
    let mut defaults = Vec::new();
    let mut others = Vec::new();
    for r in &table.routes {
        if r.gateway_id.as_deref() == Some("local") {
            continue;
        }
        if let Some(pl) = &r.destination_prefix_list_id {
            // An AWS-managed list holds its own service's addresses only.
            let aws = cx
                .lists
                .iter()
                .find(|l| &l.id == pl)
                .is_some_and(|l| l.aws_service().is_some());
            if !aws {
                others.push(r);
            }
            continue;
        }
        match r.destination_cidr_block {
            Some(n) if n.prefix_len() == 0 => defaults.push(r),
            Some(n) if private(&n) => {}
            Some(_) => others.push(r),
            None => {}
        }
    }
    if !others.is_empty() {
        let shown: Vec<String> = others
            .iter()
            .take(3)
            .map(|r| format!("{} -> {}", r.destination_label(), route_target_label(r)))
            .collect();
        return Some(Decision::unknown(format!(
            "{what} are not derived, and {} in {} could carry them instead of the default route",
            shown.join(", "),
            table.id
        )));
    }
    let mut d = match defaults.first() {
        None => Decision::blocked(
            BlockCause::NoRoute,
            format!(
                "route table {} has no route for public addresses, and {what} are public",
                table.id
            ),
        ),
        Some(route) => {
            let hit = Hit {
                route,
                len: 0,
                cidr: route.destination_cidr_block,
                list: None,
            };
            route_target::decide(cx, &what, None, table, hit)
        }
    };
    d.push(EvidenceKind::Assumption, format!("{}: {}", c.source, c.why));
    d.basis = Some(format!(
        "{} (AWS documents them outside every VPC endpoint's reach); the only route of {} for public addresses is the default route",
        c.why, table.id
    ));
    Some(d)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::kinds::{Confidence, PathKind};
    use crate::engine::testing::*;

    const ACCEL: &str = "app-data.s3-accelerate.amazonaws.com";

    fn subnet(routes: &[&str]) -> crate::facts::Facts {
        FactsBuilder::new()
            .subnet_view()
            .table("rtb-1", routes)
            .gateway_endpoint("vpce-gw")
            .prefix_list("pl-s3", "com.amazonaws.us-east-1.s3", &["52.216.0.0/15"])
            .build()
    }

    #[test]
    fn an_accelerate_name_takes_the_default_route_even_with_a_gateway_endpoint() {
        let f = subnet(&[
            "10.0.0.0/16 -> local",
            "0.0.0.0/0 -> nat-1",
            "pl-s3 -> vpce-gw",
        ]);
        let d = with_cx(&f, |cx| rule(cx, &target(ACCEL))).expect("decided");
        assert_eq!(d.label(), "nat-gateway via nat-1");
        assert_eq!(d.confidence, Confidence::Inferred);
        assert_eq!(d.route.as_deref(), Some("0.0.0.0/0 -> nat-1"));
        assert!(evidence(&d, EvidenceKind::Route)[0].starts_with(
            "longest match for the addresses of app-data.s3-accelerate.amazonaws.com (a Transfer Acceleration name: outside every S3 prefix list) in rtb-1"
        ));
        assert_eq!(evidence(&d, EvidenceKind::Assumption).len(), 1);
        assert!(d
            .basis
            .as_deref()
            .is_some_and(|b| b
                .ends_with("the only route of rtb-1 for public addresses is the default route")));
    }

    #[test]
    fn another_public_route_or_a_customer_list_could_carry_it() {
        let f = subnet(&["0.0.0.0/0 -> nat-1", "52.0.0.0/8 -> tgw-1"]);
        let d = with_cx(&f, |cx| rule(cx, &target(ACCEL))).expect("decided");
        assert_eq!(d.path, PathKind::Unknown);
        assert!(d.reason.as_deref().is_some_and(|r| r.contains(
            "52.0.0.0/8 -> tgw-1 in rtb-1 could carry them instead of the default route"
        )));
        let f = subnet(&["0.0.0.0/0 -> nat-1", "pl-corp -> tgw-1"]);
        let d = with_cx(&f, |cx| rule(cx, &target(ACCEL))).expect("decided");
        assert_eq!(d.path, PathKind::Unknown);
        // Private ranges cannot hold a public name's addresses.
        let f = subnet(&["0.0.0.0/0 -> nat-1", "192.168.0.0/16 -> tgw-1"]);
        let d = with_cx(&f, |cx| rule(cx, &target(ACCEL))).expect("decided");
        assert_eq!(d.path, PathKind::NatGateway);
    }

    #[test]
    fn without_a_default_route_it_is_blocked() {
        let f = subnet(&["10.0.0.0/16 -> local", "pl-s3 -> vpce-gw"]);
        let d = with_cx(&f, |cx| rule(cx, &target(ACCEL))).expect("decided");
        assert_eq!(d.blocked_by, Some(BlockCause::NoRoute));
    }

    #[test]
    fn a_public_vpc_block_or_another_kind_of_name_is_not_decided_here() {
        let f = FactsBuilder::new()
            .subnet_view()
            .vpc_cidrs(&["10.0.0.0/16", "52.95.0.0/24"])
            .table("rtb-1", &["0.0.0.0/0 -> nat-1"])
            .build();
        let d = with_cx(&f, |cx| rule(cx, &target(ACCEL))).expect("decided");
        assert_eq!(d.path, PathKind::Unknown);
        assert!(with_cx(&f, |cx| rule(cx, &target(S3))).is_none());
    }
}
