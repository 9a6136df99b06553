//! Wording shared by the engine and the checks: route targets, lookup and probe outcomes,
//! capped lists.

use std::net::IpAddr;

use super::kinds::PathKind;
use crate::facts::{EndpointType, LookupStatus, Route, TcpOutcome, VpcEndpoint};

/// The route's target as written (`vpce-…`, `nat-…`, `local`, …).
pub fn route_target_label(route: &Route) -> String {
    [
        &route.gateway_id,
        &route.nat_gateway_id,
        &route.transit_gateway_id,
        &route.vpc_peering_connection_id,
        &route.network_interface_id,
        &route.instance_id,
        &route.egress_only_internet_gateway_id,
        &route.carrier_gateway_id,
        &route.local_gateway_id,
        &route.core_network_arn,
    ]
    .into_iter()
    .find_map(|f| f.clone())
    .unwrap_or_else(|| "(no target)".to_string())
}

/// The path kind and resource of a route's target.
pub fn classify_route_target(
    route: &Route,
    endpoints: Option<&[VpcEndpoint]>,
) -> (PathKind, Option<String>) {
    let some = |k: PathKind, id: &String| (k, Some(id.clone()));
    if let Some(g) = &route.gateway_id {
        return if g == "local" {
            (PathKind::Local, Some("local".to_string()))
        } else if g.starts_with("igw-") {
            some(PathKind::InternetGateway, g)
        } else if g.starts_with("vgw-") {
            some(PathKind::VirtualPrivateGateway, g)
        } else if g.starts_with("vpce-") {
            let ty =
                endpoints.and_then(|eps| eps.iter().find(|e| &e.id == g).map(|e| e.endpoint_type));
            match ty {
                Some(EndpointType::GatewayLoadBalancer) => {
                    some(PathKind::GatewayLoadBalancerEndpoint, g)
                }
                Some(_) => some(PathKind::GatewayEndpoint, g),
                // Gateway endpoints are targets of prefix-list routes; a vpce- target of a CIDR
                // route is a Gateway Load Balancer endpoint.
                None if route.destination_prefix_list_id.is_some() => {
                    some(PathKind::GatewayEndpoint, g)
                }
                None => some(PathKind::GatewayLoadBalancerEndpoint, g),
            }
        } else {
            some(PathKind::UnrecognizedGateway, g)
        };
    }
    if let Some(id) = &route.nat_gateway_id {
        return some(PathKind::NatGateway, id);
    }
    if let Some(id) = &route.transit_gateway_id {
        return some(PathKind::TransitGateway, id);
    }
    if let Some(id) = &route.vpc_peering_connection_id {
        return some(PathKind::VpcPeering, id);
    }
    if let Some(id) = route
        .network_interface_id
        .as_ref()
        .or(route.instance_id.as_ref())
    {
        return some(PathKind::NetworkInterface, id);
    }
    if let Some(id) = &route.egress_only_internet_gateway_id {
        return some(PathKind::EgressOnlyInternetGateway, id);
    }
    if let Some(id) = &route.carrier_gateway_id {
        return some(PathKind::CarrierGateway, id);
    }
    if let Some(id) = &route.local_gateway_id {
        return some(PathKind::LocalGateway, id);
    }
    if let Some(id) = &route.core_network_arn {
        return some(PathKind::CoreNetwork, id);
    }
    (PathKind::Unknown, None)
}

pub fn status_name(s: LookupStatus) -> &'static str {
    s.as_str()
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
