//! Rule 4: the longest-prefix match over the route table that governs the vantage's subnet
//! (its explicit association, else the VPC's main table). The lookup itself, with AWS's tie
//! rules and what an unread prefix list allows, is [`crate::engine::lookup`]; this rule turns
//! its outcome into a decision: the winning route's path ([`super::route_target`]), `blocked`
//! when no route matches, `unknown` when a list that could not be read could be more specific.

use std::net::IpAddr;

use crate::engine::context::Cx;
use crate::engine::kinds::{BlockCause, Decision, EvidenceKind, PathKind};
use crate::engine::lookup::{self, AddressContext, Hit, Outcome};
use crate::engine::text::{join_capped, route_target_label};
use crate::facts::{Route, RouteTable};
use crate::targets::Target;

use super::{route_target, Query};

/// What the lookup may assume about the address: the prefix-list service and region of the S3
/// name it answers for (none for a proxy or a name no list holds).
pub(crate) fn address_context<'a>(q: &Query<'a>) -> AddressContext<'a> {
    let service = q.target.and_then(Target::list_service);
    AddressContext {
        s3_region: service.and(q.target.and_then(|t| t.region.as_deref())),
        service: service.unwrap_or("s3"),
        from_s3_dns: q.from_s3_dns,
    }
}

/// `None` when no route table governs the subnet (then [`super::probe_only`] decides).
pub(crate) fn rule(cx: &Cx, q: &Query) -> Option<Decision> {
    let (table, association) = cx.table?;
    let addr = q.addr;
    let found = lookup::lookup(addr, table, &cx.lists, &address_context(q));
    let mut d = match found.outcome {
        Outcome::Route(hit) | Outcome::AssumedRoute(hit) => {
            route_target::decide(cx, &addr.to_string(), Some(addr), table, hit)
        }
        Outcome::NoRoute => no_route(table, addr),
        Outcome::Undecidable { best, unread } => undecidable(cx, table, addr, best, &unread),
    };
    for a in found.assumptions {
        d.push(EvidenceKind::Assumption, a);
    }
    if d.path != PathKind::Unknown {
        d.route_table = Some(table.id.clone());
        if association == "main" {
            d.push(
                EvidenceKind::Route,
                format!(
                    "the subnet has no explicit route table association, so the VPC's main table {} applies",
                    table.id
                ),
            );
        }
    }
    Some(d)
}

/// No route matches: `blocked`, listing the table's routes.
fn no_route(table: &RouteTable, addr: IpAddr) -> Decision {
    let mut d = Decision::blocked(
        BlockCause::NoRoute,
        format!("route table {} has no route that matches {addr}", table.id),
    );
    let routes: Vec<String> = table
        .routes
        .iter()
        .map(|r| format!("{} -> {}", r.destination_label(), route_target_label(r)))
        .collect();
    d.push(
        EvidenceKind::Route,
        format!("{} routes: {}", table.id, join_capped(&routes)),
    );
    d
}

/// A prefix-list route whose entries could not be read could be more specific than `best`:
/// `unknown`, naming the lists and the call that would read them.
fn undecidable(
    cx: &Cx,
    table: &RouteTable,
    addr: IpAddr,
    best: Option<Hit>,
    unread: &[&Route],
) -> Decision {
    let lists: Vec<String> = unread
        .iter()
        .map(|r| {
            let id = r.destination_prefix_list_id.as_deref().unwrap_or("?");
            let why = cx
                .lists
                .iter()
                .find(|l| l.id == id)
                .and_then(|l| l.entries_error.clone())
                .or_else(|| cx.facts.prefix_lists.missing_reason())
                .unwrap_or_else(|| "were not read".to_string());
            format!("{id} -> {} (entries {why})", route_target_label(r))
        })
        .collect();
    let against = match best {
        Some(b) => format!(
            "the matching route {} -> {}",
            b.route.destination_label(),
            route_target_label(b.route)
        ),
        None => "no route at all".to_string(),
    };
    let mut d = Decision::unknown(format!(
        "in {} the prefix-list route {} could be more specific for {addr} than {against}; its entries could not be read",
        table.id,
        join_capped(&lists)
    ));
    d.route_table = Some(table.id.clone());
    d.push(
        EvidenceKind::Missing,
        format!(
            "what would decide it: the entries of {} (ec2:GetManagedPrefixListEntries)",
            join_capped(
                &unread
                    .iter()
                    .filter_map(|r| r.destination_prefix_list_id.clone())
                    .collect::<Vec<_>>()
            )
        ),
    );
    d
}
