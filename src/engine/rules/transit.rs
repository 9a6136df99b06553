//! Beyond a transit gateway (hub-and-spoke): the decision keeps its first hop
//! (`transit-gateway via tgw-…`) and gains the hops after it, as far as the facts of the far
//! side go ([`crate::facts::Transit`]):
//!
//! 1. the vantage VPC's attachment to the transit gateway, and the transit gateway route table
//!    associated with it (none: the transit gateway drops the traffic);
//! 2. the longest match for the address in that table (a blackhole or no match: dropped);
//! 3. in the VPC the route leads to: the interface endpoint whose ENI owns the address, else a
//!    host of that VPC, else the longest match in the route table of the attachment's subnets —
//!    where a **gateway endpoint cannot carry the traffic** (gateway endpoints are not
//!    transitive: they serve only traffic that starts in their own VPC).
//!
//! Nothing is guessed: a part of the far side that was not read ends the hops with an
//! `unknown` hop that says what was missing.

use std::net::IpAddr;

use crate::engine::context::Cx;
use crate::engine::kinds::{
    ev, BlockCause, Confidence, Decision, Evidence, EvidenceKind, Hop, PathKind,
};
use crate::engine::lookup::{self, max_len, Outcome};
use crate::engine::text::{classify_route_target, route_target_label};
use crate::facts::{EndpointType, HubVpc, Observed, RouteTable, TgwRoute, Transit};

use super::{route_lpm, Query};

/// Adds the hops beyond `d`'s transit gateway, when the facts hold the far side.
pub(crate) fn follow(cx: &Cx, d: &mut Decision, q: &Query) {
    if d.path != PathKind::TransitGateway {
        return;
    }
    let Some(tgw) = d.via.clone() else { return };
    let transit = match &cx.facts.transit {
        Observed::Collected { value } => value,
        Observed::Failed { .. } => {
            let why = cx
                .facts
                .transit
                .missing_reason()
                .unwrap_or_else(|| "failed".to_string());
            d.hops
                .push(Hop::unknown(format!("beyond {tgw} was not read: {why}")));
            return;
        }
        // Not gathered (an older facts file, a run that does not follow transit gateways).
        _ => return,
    };
    let vpc = cx.vantage.and_then(|v| v.vpc_id.as_deref());
    d.hops = hops(transit, &tgw, vpc, q);
    if let Some(e) = far_end_evidence(transit, d.hops.last(), q.addr, &tgw) {
        d.evidence.push(e);
    }
}

/// The far end named with what judges it: a hub interface endpoint's security groups and
/// whether its policy restricts anything (the checks judge both: S3P304, S3P604).
fn far_end_evidence(t: &Transit, hop: Option<&Hop>, addr: IpAddr, tgw: &str) -> Option<Evidence> {
    let hop = hop.filter(|h| h.path == PathKind::InterfaceEndpoint)?;
    let (ep_id, hub_id) = (hop.via.as_deref()?, hop.vpc_id.as_deref()?);
    let ep = t
        .hubs
        .iter()
        .filter(|h| h.vpc_id == hub_id)
        .find_map(|h| h.vpc_endpoints.get()?.iter().find(|e| e.id == ep_id))?;
    let groups = if ep.security_group_ids.is_empty() {
        "no security group".to_string()
    } else {
        format!("security groups {}", ep.security_group_ids.join(", "))
    };
    let policy = match ep.policy_document.as_deref() {
        None => "its policy was not read",
        Some(p) if full_access(p) => "its policy allows everything",
        Some(_) => "its policy restricts what it carries (judged per bucket with --bucket)",
    };
    Some(ev(
        EvidenceKind::Eni,
        format!("{addr} is an address of interface endpoint {ep_id} in {hub_id}, reached through {tgw}: {groups}; {policy}"),
    ))
}

/// Whether an endpoint policy is the full-access one (one Allow of everything to everyone).
fn full_access(policy: &str) -> bool {
    let Ok(v) = serde_json::from_str::<serde_json::Value>(policy) else {
        return false;
    };
    let all = |x: &serde_json::Value| {
        x == "*" || x.as_array().is_some_and(|a| a.len() == 1 && a[0] == "*")
    };
    let statements = match &v["Statement"] {
        serde_json::Value::Array(a) => a.clone(),
        o @ serde_json::Value::Object(_) => vec![o.clone()],
        _ => return false,
    };
    statements.len() == 1 && {
        let st = &statements[0];
        st["Effect"] == "Allow"
            && (all(&st["Principal"]) || st["Principal"]["AWS"] == "*")
            && all(&st["Action"])
            && all(&st["Resource"])
            && st.get("Condition").is_none()
            && st.get("NotAction").is_none()
            && st.get("NotResource").is_none()
    }
}

fn hops(t: &Transit, tgw: &str, vpc: Option<&str>, q: &Query) -> Vec<Hop> {
    let addr = q.addr;
    let Some(att) = t.attachments.iter().find(|a| {
        a.transit_gateway_id == tgw && a.resource_type == "vpc" && a.resource_id.as_deref() == vpc
    }) else {
        return vec![Hop::unknown(format!(
            "no attachment of {} to {tgw} was found (the transit gateway may belong to another account)",
            vpc.unwrap_or("this VPC")
        ))];
    };
    if att.state != "available" {
        let mut h = Hop::new(PathKind::Blocked, Some(att.id.clone()), None);
        h.reason = Some(format!("attachment {} is {}", att.id, att.state));
        h.blocked_by = Some(BlockCause::DeadTarget);
        return vec![h];
    }
    let Some(rtb_id) = &att.route_table_id else {
        let mut h = Hop::new(PathKind::Blocked, Some(att.id.clone()), None);
        h.reason = Some(format!(
            "attachment {} is associated with no transit gateway route table: {tgw} drops its traffic",
            att.id
        ));
        h.blocked_by = Some(BlockCause::NoRoute);
        return vec![h];
    };
    let Some(table) = t.route_tables.iter().find(|r| &r.id == rtb_id) else {
        return vec![Hop::unknown(format!("{rtb_id} was not read"))];
    };
    let routes = match &table.routes {
        Observed::Collected { value } => value,
        other => {
            return vec![Hop::unknown(format!(
                "the routes of {rtb_id} were not read: {}",
                other.missing_reason().unwrap_or_default()
            ))]
        }
    };
    let best = longest(routes, addr);
    // A prefix-list route or an unread part of the table could be more specific.
    let unread_lists: Vec<&str> = routes
        .iter()
        .filter(|r| r.destination.is_none())
        .filter_map(|r| r.prefix_list_id.as_deref())
        .collect();
    if !unread_lists.is_empty() || table.truncated {
        let why = if table.truncated {
            format!("{rtb_id} has more routes than one search returns")
        } else {
            format!(
                "{rtb_id} has prefix-list routes ({}) whose entries s3path does not read",
                unread_lists.join(", ")
            )
        };
        if best.is_none_or(|r| {
            r.destination
                .is_some_and(|n| n.prefix_len() < max_len(addr))
        }) {
            return vec![Hop::unknown(format!(
                "which route of {rtb_id} carries {addr} is undecided: {why}"
            ))];
        }
    }
    let Some(route) = best else {
        let mut h = Hop::new(PathKind::Blocked, None, None);
        h.route_table = Some(rtb_id.clone());
        h.reason = Some(format!(
            "no route of transit gateway route table {rtb_id} matches {addr}: {tgw} drops it"
        ));
        h.blocked_by = Some(BlockCause::NoRoute);
        return vec![h];
    };
    let dest = route.destination.map(|n| n.to_string()).unwrap_or_default();
    let route_text = |to: &str| format!("{dest} -> {to}");
    if route.state == "blackhole" || route.attachments.is_empty() {
        let mut h = Hop::new(PathKind::Blocked, None, None);
        h.route_table = Some(rtb_id.clone());
        h.route = Some(route_text("blackhole"));
        h.reason = Some(format!(
            "the route {dest} of transit gateway route table {rtb_id} is a blackhole"
        ));
        h.blocked_by = Some(BlockCause::Blackhole);
        return vec![h];
    }
    let next = &route.attachments[0];
    let ecmp = route.attachments.len() > 1;
    let Some(far_vpc) = next
        .resource_id
        .as_deref()
        .filter(|_| next.resource_type == "vpc")
    else {
        let mut h = Hop::unknown(format!(
            "{tgw} sends {addr} to its {} attachment {} ({}); s3path follows VPC attachments only",
            next.resource_type,
            next.attachment_id,
            next.resource_id.as_deref().unwrap_or("no resource id")
        ));
        h.via = Some(next.attachment_id.clone());
        h.route_table = Some(rtb_id.clone());
        h.route = Some(route_text(&next.attachment_id));
        return vec![h];
    };
    if Some(far_vpc) == vpc {
        let mut h = Hop::unknown(format!(
            "{rtb_id} sends {addr} back to {far_vpc}, the VPC it came from"
        ));
        h.route_table = Some(rtb_id.clone());
        return vec![h];
    }
    let Some(hub) = t.hubs.iter().find(|h| h.vpc_id == far_vpc) else {
        let mut h = Hop::unknown(format!(
            "{far_vpc} (through {}) was not read",
            next.attachment_id
        ));
        h.vpc_id = Some(far_vpc.to_string());
        return vec![h];
    };
    let mut h = in_hub(hub, q);
    h.route_table = h.route_table.or_else(|| Some(rtb_id.clone()));
    if ecmp {
        h.reason.get_or_insert_with(|| {
            format!(
                "{rtb_id} spreads {dest} over {} attachments (ECMP); the first is shown",
                route.attachments.len()
            )
        });
    }
    vec![h]
}

/// The longest CIDR route of a transit gateway route table that holds `addr`; on equal
/// prefixes AWS prefers static routes over propagated ones.
fn longest(routes: &[TgwRoute], addr: IpAddr) -> Option<&TgwRoute> {
    routes
        .iter()
        .filter(|r| r.destination.is_some_and(|n| n.contains(&addr)))
        .max_by_key(|r| {
            (
                r.destination.map(|n| n.prefix_len()).unwrap_or(0),
                r.route_type.as_deref() == Some("static"),
            )
        })
}

/// What the far VPC does with `addr`.
fn in_hub(hub: &HubVpc, q: &Query) -> Hop {
    let addr = q.addr;
    let vpc = Some(hub.vpc_id.clone());
    let Some(endpoints) = hub.vpc_endpoints.get() else {
        let mut h = Hop::unknown(format!(
            "the VPC endpoints of {} were not read: {}",
            hub.vpc_id,
            hub.vpc_endpoints.missing_reason().unwrap_or_default()
        ));
        h.vpc_id = vpc;
        return h;
    };
    if let Some(ep) = endpoints.iter().find(|e| {
        e.network_interfaces
            .iter()
            .any(|i| i.private_ipv4 == Some(addr) || i.ipv6s.contains(&addr))
    }) {
        let kind = match ep.endpoint_type {
            EndpointType::Interface => PathKind::InterfaceEndpoint,
            EndpointType::Resource => PathKind::ResourceEndpoint,
            EndpointType::ServiceNetwork => PathKind::ServiceNetworkEndpoint,
            _ => PathKind::NetworkInterface,
        };
        return Hop::new(kind, Some(ep.id.clone()), vpc);
    }
    if let Some(cidrs) = hub.cidrs.get() {
        if cidrs.iter().any(|c| c.contains(&addr)) {
            let mut h = Hop::new(PathKind::Local, Some(addr.to_string()), vpc);
            h.reason = Some(format!(
                "{addr} is inside {} but is no endpoint's address there (a proxy or appliance?)",
                hub.vpc_id
            ));
            return h;
        }
    }
    let Some(tables) = hub.route_tables.get() else {
        let mut h = Hop::unknown(format!("the route tables of {} were not read", hub.vpc_id));
        h.vpc_id = vpc;
        return h;
    };
    let Some(table) = attachment_table(hub, tables) else {
        let mut h = Hop::unknown(format!(
            "no route table governs the subnets of {} in {}",
            hub.attachment_id, hub.vpc_id
        ));
        h.vpc_id = vpc;
        return h;
    };
    let lists = hub.prefix_lists.get().map(Vec::as_slice).unwrap_or(&[]);
    let found = lookup::lookup(addr, table, lists, &route_lpm::address_context(q));
    let hit = match found.outcome {
        Outcome::Route(hit) | Outcome::AssumedRoute(hit) => hit,
        Outcome::NoRoute => {
            let mut h = Hop::new(PathKind::Blocked, None, vpc);
            h.route_table = Some(table.id.clone());
            h.reason = Some(format!("no route of {} matches {addr}", table.id));
            h.blocked_by = Some(BlockCause::NoRoute);
            return h;
        }
        Outcome::Undecidable { .. } => {
            let mut h = Hop::unknown(format!(
                "which route of {} carries {addr} is undecided (a prefix list was not read)",
                table.id
            ));
            h.vpc_id = vpc;
            h.route_table = Some(table.id.clone());
            return h;
        }
    };
    let (kind, via) = classify_route_target(hit.route, Some(endpoints));
    let mut h = Hop::new(kind, via, vpc);
    h.route_table = Some(table.id.clone());
    h.route = Some(format!(
        "{} -> {}",
        hit.route.destination_label(),
        route_target_label(hit.route)
    ));
    if hit.route.is_blackhole() {
        h.blocked_by = Some(BlockCause::Blackhole);
        h.reason = Some(format!("the route in {} is a blackhole", table.id));
    } else if kind == PathKind::GatewayEndpoint {
        h.blocked_by = Some(BlockCause::NotTransitive);
        h.reason = Some(format!(
            "{} is a gateway endpoint of {}: gateway endpoints serve only traffic that starts in their own VPC, never traffic arriving through a transit gateway",
            h.via.as_deref().unwrap_or("the endpoint"),
            hub.vpc_id
        ));
    }
    if matches!(found.outcome, Outcome::AssumedRoute(_)) {
        h.confidence = Confidence::Inferred;
    }
    h
}

/// The route table of the attachment's subnets (explicit association, else the main table).
/// When its subnets have different tables, the first subnet's is used.
fn attachment_table<'a>(hub: &HubVpc, tables: &'a [RouteTable]) -> Option<&'a RouteTable> {
    let main = tables.iter().find(|t| t.main);
    match hub.attachment_subnet_ids.first() {
        Some(s) => tables.iter().find(|t| t.subnet_ids.contains(s)).or(main),
        None => main,
    }
}
