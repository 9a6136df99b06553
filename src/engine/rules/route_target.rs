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
