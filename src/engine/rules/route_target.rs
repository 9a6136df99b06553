//! The winning route's target as a path: the kind of its target (`nat-…` a NAT gateway,
//! `vpce-…` a gateway endpoint, …), unless the target is dead ([`super::dead_target`]) or is
//! an internet gateway this vantage cannot use ([`super::public_address`]). The evidence
//! starts with the match itself (and the prefix-list entry that matched).

use std::net::IpAddr;

use crate::engine::context::Cx;
use crate::engine::kinds::{ev, Confidence, Decision, EvidenceKind};
use crate::engine::lookup::Hit;
use crate::engine::text::{classify_route_target, route_target_label};
use crate::facts::RouteTable;

use super::{dead_target, public_address};

/// The decision of `hit`'s route for `what` (an address, or a class of addresses); `addr` is
/// the address, when there is one.
pub(crate) fn decide(
    cx: &Cx,
    what: &str,
    addr: Option<IpAddr>,
    table: &RouteTable,
    hit: Hit,
) -> Decision {
    let route = hit.route;
    let route_text = format!(
        "{} -> {}",
        route.destination_label(),
        route_target_label(route)
    );
    let mut d = dead_target::rule(cx, route, table, &route_text).unwrap_or_else(|| {
        let (kind, via) = classify_route_target(route, cx.endpoints);
        let mut d = Decision::new(kind, Confidence::Inferred);
        d.via = via;
        d
    });
    d.route = Some(route_text.clone());
    d.evidence.insert(
        0,
        ev(
            EvidenceKind::Route,
            format!(
                "longest match for {what} in {}: {route_text}{}",
                table.id,
                if route.is_blackhole() {
                    " (blackhole)"
                } else {
                    ""
                }
            ),
        ),
    );
    if let (Some(pl), Some(c), Some(addr)) = (hit.list, hit.cidr, addr) {
        d.evidence.insert(
            1,
            ev(
                EvidenceKind::PrefixList,
                format!(
                    "{addr} is in {c}, an entry of prefix list {}{}",
                    pl.id,
                    pl.name
                        .as_deref()
                        .map(|n| format!(" ({n})"))
                        .unwrap_or_default()
                ),
            ),
        );
    }
    public_address::rule(cx, d, addr)
}

#[cfg(test)]
mod tests {
    use crate::engine::kinds::PathKind;
    use crate::engine::testing::*;
    use crate::facts::EndpointType;

    #[test]
    fn each_target_kind_names_its_path() {
        let cases = [
            ("tgw-1", "transit-gateway via tgw-1"),
            ("pcx-1", "vpc-peering via pcx-1"),
            ("eni-1", "network-interface via eni-1"),
            ("i-1", "network-interface via i-1"),
            ("vgw-1", "virtual-private-gateway via vgw-1"),
            ("cagw-1", "carrier-gateway via cagw-1"),
            ("lgw-1", "local-gateway via lgw-1"),
            ("xgw-1", "unrecognized-gateway via xgw-1"),
        ];
        for (target, label) in cases {
            let f = FactsBuilder::new()
                .table("rtb-1", &[&format!("0.0.0.0/0 -> {target}")])
                .build();
            assert_eq!(decide_s3(&f, "52.216.1.1").label(), label, "{target}");
        }
    }

    #[test]
    fn a_vpce_target_of_a_cidr_route_is_a_gateway_load_balancer_endpoint() {
        // Unknown endpoint: a CIDR route can only point at a GWLB endpoint.
        let f = FactsBuilder::new()
            .table("rtb-1", &["0.0.0.0/0 -> vpce-fw"])
            .endpoints(crate::facts::Observed::not_collected("skipped"))
            .build();
        assert_eq!(
            decide_s3(&f, "52.216.1.1").path,
            PathKind::GatewayLoadBalancerEndpoint
        );
        // Known endpoint: its type decides.
        let f = FactsBuilder::new()
            .table("rtb-1", &["0.0.0.0/0 -> vpce-fw"])
            .endpoint(endpoint(
                "vpce-fw",
                EndpointType::GatewayLoadBalancer,
                "available",
            ))
            .build();
        assert_eq!(
            decide_s3(&f, "52.216.1.1").label(),
            "gateway-load-balancer-endpoint via vpce-fw"
        );
    }
}
