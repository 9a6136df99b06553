//! Wording shared by the engine and the checks: route targets, lookup and probe outcomes,
//! capped lists.

use std::net::IpAddr;

use super::kinds::PathKind;
use crate::facts::{Route, RouteTarget, TcpOutcome, VpcEndpoint};

/// The route's target as written (`vpce-…`, `nat-…`, `local`, …).
pub fn route_target_label(route: &Route) -> String {
    route.target_id().unwrap_or("(no target)").to_string()
}

/// The path kind and resource of a route's target.
pub fn classify_route_target(
    route: &Route,
    endpoints: Option<&[VpcEndpoint]>,
) -> (PathKind, Option<String>) {
    let Some(target) = route.target(endpoints) else {
        return (PathKind::Unknown, None);
    };
    let kind = match &target {
        RouteTarget::Local => PathKind::Local,
        RouteTarget::InternetGateway(_) => PathKind::InternetGateway,
        RouteTarget::VirtualPrivateGateway(_) => PathKind::VirtualPrivateGateway,
        RouteTarget::GatewayEndpoint(_) => PathKind::GatewayEndpoint,
        RouteTarget::GwlbEndpoint(_) => PathKind::GatewayLoadBalancerEndpoint,
        RouteTarget::Other(_) => PathKind::UnrecognizedGateway,
        RouteTarget::Nat(_) => PathKind::NatGateway,
        RouteTarget::TransitGateway(_) => PathKind::TransitGateway,
        RouteTarget::Peering(_) => PathKind::VpcPeering,
        RouteTarget::NetworkInterface(_) | RouteTarget::Instance(_) => PathKind::NetworkInterface,
        RouteTarget::EgressOnlyInternetGateway(_) => PathKind::EgressOnlyInternetGateway,
        RouteTarget::CarrierGateway(_) => PathKind::CarrierGateway,
        RouteTarget::LocalGateway(_) => PathKind::LocalGateway,
        RouteTarget::CoreNetwork(_) => PathKind::CoreNetwork,
    };
    (kind, Some(target.id().to_string()))
}

pub fn tcp_outcome_name(o: TcpOutcome) -> &'static str {
    match o {
        TcpOutcome::Connected => "connected",
        TcpOutcome::Refused => "refused",
        TcpOutcome::TimedOut => "timed out",
        TcpOutcome::Unreachable => "unreachable",
        TcpOutcome::Error => "failed",
    }
}

/// At most this many items of a list are spelled out in one piece of evidence.
pub const EVIDENCE_LIST_CAP: usize = 8;

/// `a, b, c and 12 more`: the first [`EVIDENCE_LIST_CAP`] items, then a count.
pub fn join_capped<T: std::fmt::Display>(items: &[T]) -> String {
    let shown: Vec<String> = items
        .iter()
        .take(EVIDENCE_LIST_CAP)
        .map(|i| i.to_string())
        .collect();
    let more = items.len().saturating_sub(EVIDENCE_LIST_CAP);
    if more > 0 {
        format!("{} and {more} more", shown.join(", "))
    } else {
        shown.join(", ")
    }
}

pub fn join_ips(ips: &[IpAddr]) -> String {
    join_capped(ips)
}
