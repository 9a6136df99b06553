//! What every rule reads: the facts, and what the engine derives from them once per run (the
//! vantage, the endpoint list, the prefix lists completed from the endpoints, the route table
//! that governs the vantage's subnet).

use std::net::IpAddr;

use crate::facts::{
    AnswerSource, EndpointType, Facts, PrefixList, RouteTable, RouteTableAssociation, TcpOutcome,
    Vantage, VantageKind, VpcEndpoint,
};

pub(crate) struct Cx<'a> {
    pub(super) facts: &'a Facts,
    pub(super) vantage: Option<&'a Vantage>,
    pub(super) endpoints: Option<&'a [VpcEndpoint]>,
    /// The prefix lists read, plus the lists a gateway endpoint identifies (see [`lists`]).
    pub(super) lists: Vec<PrefixList>,
    /// The route table that governs the vantage's subnet, and how (`explicit` or `main`).
    pub(super) table: Option<(&'a RouteTable, RouteTableAssociation)>,
}

/// The prefix lists as read, completed with what the endpoints tell: a route
/// `pl-… -> vpce-…` whose target is a gateway endpoint for `com.amazonaws.<r>.<svc>` has that
/// service's AWS-managed list as its destination (AWS adds the route when the endpoint is
/// associated), so an unread list without a name is known to be that list.
pub(super) fn lists(facts: &Facts) -> Vec<PrefixList> {
    let mut out: Vec<PrefixList> = facts.prefix_lists.get().cloned().unwrap_or_default();
    let (Some(tables), Some(eps)) = (facts.route_tables.get(), facts.vpc_endpoints.get()) else {
        return out;
    };
    for r in tables.iter().flat_map(|t| t.routes.iter()) {
        let (Some(pl), Some(g)) = (&r.destination_prefix_list_id, &r.gateway_id) else {
            continue;
        };
        let Some(ep) = eps
            .iter()
            .find(|e| &e.id == g && e.endpoint_type == EndpointType::Gateway)
        else {
            continue;
        };
        let Some(service) = ep.service_name.clone() else {
            continue;
        };
        match out.iter_mut().find(|l| &l.id == pl) {
            Some(l) if l.name.is_none() => {
                l.name = Some(service);
                l.owner_id = Some("AWS".to_string());
            }
            Some(_) => {}
            None => out.push(PrefixList {
                name: Some(service),
                owner_id: Some("AWS".to_string()),
                entries_error: Some(format!(
                    "{}; its name comes from gateway endpoint {}",
                    facts
                        .prefix_lists
                        .missing_reason()
                        .unwrap_or_else(|| "were not read".to_string()),
                    ep.id
                )),
                ..PrefixList::new(pl.clone())
            }),
        }
    }
    out
}

impl<'a> Cx<'a> {
    pub(crate) fn new(facts: &'a Facts) -> Self {
        let vantage = facts.vantage.get();
        let endpoints = facts.vpc_endpoints.get().map(Vec::as_slice);
        let table = match (
            facts.route_tables.get(),
            vantage.and_then(|v| v.subnet_id.as_deref()),
        ) {
            (Some(tables), Some(subnet)) => {
                effective_table(tables, subnet, vantage.and_then(|v| v.vpc_id.as_deref()))
            }
            _ => None,
        };
        Cx {
            facts,
            vantage,
            endpoints,
            lists: lists(facts),
            table,
        }
    }

    /// The host's global IPv6 address, when it has one: then a client connects to a name's
    /// IPv6 answer first (RFC 6724's default policy; a link-local or unique-local source loses
    /// to IPv4 for a global destination).
    pub(super) fn prefers_ipv6(&self) -> Option<IpAddr> {
        self.vantage.and_then(|v| {
            v.ipv6s.iter().copied().find(|a| match a {
                // 2000::/3, global unicast.
                IpAddr::V6(v6) => (v6.segments()[0] & 0xe000) == 0x2000,
                IpAddr::V4(_) => false,
            })
        })
    }

    /// True when a TCP probe to `addr`:443 connected.
    pub(super) fn tcp_connected(&self, addr: IpAddr) -> bool {
        self.facts.probes.get().is_some_and(|p| {
            p.tcp
                .iter()
                .any(|t| t.address == addr && t.port == 443 && t.outcome == TcpOutcome::Connected)
        })
    }

    /// True when the facts are `s3path route`'s view of a subnet (no host, answers derived).
    pub(super) fn is_route_view(&self) -> bool {
        self.vantage.is_some_and(|v| v.kind == VantageKind::Subnet)
            || self
                .facts
                .dns
                .get()
                .is_some_and(|d| d.iter().any(|r| r.source == AnswerSource::Derived))
    }

    /// True when `addr` is inside one of the VPC's CIDR blocks.
    pub(super) fn in_vpc(&self, addr: IpAddr) -> bool {
        self.vantage
            .is_some_and(|v| v.vpc_cidr_containing(addr).is_some())
    }
}

/// Finds the route table that governs `subnet_id`: its explicit association, else the main
/// table of its VPC.
pub fn effective_table<'a>(
    tables: &'a [RouteTable],
    subnet_id: &str,
    vpc_id: Option<&str>,
) -> Option<(&'a RouteTable, RouteTableAssociation)> {
    if let Some(t) = tables
        .iter()
        .find(|t| t.subnet_ids.iter().any(|s| s == subnet_id))
    {
        return Some((t, RouteTableAssociation::Explicit));
    }
    tables
        .iter()
        .find(|t| {
            t.main && (vpc_id.is_none() || t.vpc_id.is_none() || t.vpc_id.as_deref() == vpc_id)
        })
        .map(|t| (t, RouteTableAssociation::Main))
}
