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
use crate::facts::{Route, RouteTable, RouteTableAssociation};
use crate::names::targets::Target;

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
        if association == RouteTableAssociation::Main {
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::kinds::Confidence;
    use crate::engine::testing::*;
    use crate::facts::Observed;

    const S3_LIST: &str = "com.amazonaws.us-east-1.s3";

    fn gateway_vpc() -> FactsBuilder {
        FactsBuilder::new()
            .table("rtb-1", &["0.0.0.0/0 -> nat-1", "pl-s3 -> vpce-gw"])
            .gateway_endpoint("vpce-gw")
    }

    #[test]
    fn the_default_route_to_a_nat_gateway() {
        let f = FactsBuilder::new()
            .table("rtb-1", &["10.0.0.0/16 -> local", "0.0.0.0/0 -> nat-1"])
            .build();
        let d = decide_s3(&f, "52.216.1.1");
        assert_eq!(d.label(), "nat-gateway via nat-1");
        assert_eq!(d.confidence, Confidence::Inferred);
        assert_eq!(d.route.as_deref(), Some("0.0.0.0/0 -> nat-1"));
        assert_eq!(d.route_table.as_deref(), Some("rtb-1"));
        assert_eq!(
            evidence(&d, EvidenceKind::Route),
            ["longest match for 52.216.1.1 in rtb-1: 0.0.0.0/0 -> nat-1"]
        );
        assert_eq!(
            d.basis.as_deref(),
            Some("the route 0.0.0.0/0 -> nat-1 in rtb-1; no live probe confirmed it")
        );
    }

    #[test]
    fn a_gateway_endpoint_route_wins_for_an_entry_of_its_list() {
        let f = gateway_vpc()
            .prefix_list("pl-s3", S3_LIST, &["52.216.0.0/15", "3.5.0.0/19"])
            .build();
        let d = decide_s3(&f, "52.217.4.4");
        assert_eq!(d.label(), "gateway-endpoint via vpce-gw");
        assert_eq!(d.route.as_deref(), Some("pl-s3 -> vpce-gw"));
        assert_eq!(
            evidence(&d, EvidenceKind::PrefixList),
            ["52.217.4.4 is in 52.216.0.0/15, an entry of prefix list pl-s3 (com.amazonaws.us-east-1.s3)"]
        );
        // An address outside the list's entries takes the default route.
        assert_eq!(decide_s3(&f, "54.1.1.1").path, PathKind::NatGateway);
    }

    #[test]
    fn the_longest_prefix_wins_whatever_the_order_of_the_routes() {
        let f = FactsBuilder::new()
            .table(
                "rtb-1",
                &[
                    "52.216.0.0/15 -> tgw-1",
                    "0.0.0.0/0 -> nat-1",
                    "52.216.1.0/24 -> pcx-1",
                ],
            )
            .build();
        assert_eq!(decide_s3(&f, "52.216.1.1").label(), "vpc-peering via pcx-1");
        assert_eq!(
            decide_s3(&f, "52.216.2.1").label(),
            "transit-gateway via tgw-1"
        );
    }

    #[test]
    fn on_equal_prefixes_a_static_route_beats_a_prefix_list_entry() {
        let f = FactsBuilder::new()
            .table("rtb-1", &["pl-corp -> tgw-1", "52.216.0.0/15 -> nat-1"])
            .prefix_list("pl-corp", "corp-s3", &["52.216.0.0/15"])
            .build();
        assert_eq!(decide_s3(&f, "52.216.1.1").label(), "nat-gateway via nat-1");
    }

    #[test]
    fn on_equal_prefixes_a_prefix_list_entry_beats_a_propagated_route() {
        let f = FactsBuilder::new()
            .table(
                "rtb-1",
                &["52.216.0.0/15 -> vgw-1 (propagated)", "pl-corp -> tgw-1"],
            )
            .prefix_list("pl-corp", "corp-s3", &["52.216.0.0/15"])
            .build();
        assert_eq!(
            decide_s3(&f, "52.216.1.1").label(),
            "transit-gateway via tgw-1"
        );
        // A longer propagated route still wins.
        let f = FactsBuilder::new()
            .table(
                "rtb-1",
                &["52.216.1.0/24 -> vgw-1 (propagated)", "pl-corp -> tgw-1"],
            )
            .prefix_list("pl-corp", "corp-s3", &["52.216.0.0/15"])
            .build();
        assert_eq!(
            decide_s3(&f, "52.216.1.1").label(),
            "virtual-private-gateway via vgw-1"
        );
    }

    #[test]
    fn no_matching_route_is_blocked_and_lists_the_routes() {
        let f = FactsBuilder::new()
            .table(
                "rtb-1",
                &["10.0.0.0/16 -> local", "192.168.0.0/16 -> tgw-1"],
            )
            .build();
        let d = decide_s3(&f, "52.216.1.1");
        assert_eq!(d.path, PathKind::Blocked);
        assert_eq!(d.blocked_by, Some(BlockCause::NoRoute));
        assert_eq!(
            d.reason.as_deref(),
            Some("route table rtb-1 has no route that matches 52.216.1.1")
        );
        assert_eq!(
            evidence(&d, EvidenceKind::Route),
            ["rtb-1 routes: 10.0.0.0/16 -> local, 192.168.0.0/16 -> tgw-1"]
        );
        assert_eq!(d.route_table.as_deref(), Some("rtb-1"));
    }

    #[test]
    fn the_main_table_applies_without_an_explicit_association_and_says_so() {
        let f = FactsBuilder::new()
            .other_table("rtb-other", &["0.0.0.0/0 -> igw-1"])
            .main_table("rtb-main", &["0.0.0.0/0 -> nat-1"])
            .build();
        let d = decide_s3(&f, "52.216.1.1");
        assert_eq!(d.label(), "nat-gateway via nat-1");
        assert_eq!(d.route_table.as_deref(), Some("rtb-main"));
        assert_eq!(
            evidence(&d, EvidenceKind::Route).last().copied(),
            Some("the subnet has no explicit route table association, so the VPC's main table rtb-main applies")
        );
        // An explicit association wins over the main table.
        let f = FactsBuilder::new()
            .main_table("rtb-main", &["0.0.0.0/0 -> nat-1"])
            .table("rtb-1", &["0.0.0.0/0 -> tgw-1"])
            .build();
        let d = decide_s3(&f, "52.216.1.1");
        assert_eq!(d.route_table.as_deref(), Some("rtb-1"));
        assert_eq!(evidence(&d, EvidenceKind::Route).len(), 1);
    }

    #[test]
    fn an_unread_customer_list_makes_the_default_route_undecidable() {
        let f = FactsBuilder::new()
            .table("rtb-1", &["0.0.0.0/0 -> nat-1", "pl-corp -> tgw-1"])
            .unread_prefix_list("pl-corp", Some("corp-s3"), "AccessDenied")
            .build();
        let d = decide_s3(&f, "52.216.1.1");
        assert_eq!(d.path, PathKind::Unknown);
        assert_eq!(d.confidence, Confidence::Undetermined);
        assert_eq!(
            d.reason.as_deref(),
            Some("in rtb-1 the prefix-list route pl-corp -> tgw-1 (entries AccessDenied) could be more specific for 52.216.1.1 than the matching route 0.0.0.0/0 -> nat-1; its entries could not be read")
        );
        assert_eq!(
            evidence(&d, EvidenceKind::Missing),
            ["what would decide it: the entries of pl-corp (ec2:GetManagedPrefixListEntries)"]
        );
        assert_eq!(d.route_table.as_deref(), Some("rtb-1"));
        assert!(d.route.is_none());
        assert!(d.basis.is_none());
    }

    #[test]
    fn only_a_static_host_route_cannot_be_beaten_by_an_unread_list() {
        let f = FactsBuilder::new()
            .table("rtb-1", &["52.216.1.1/32 -> nat-2", "pl-corp -> tgw-1"])
            .unread_prefix_list("pl-corp", None, "AccessDenied")
            .build();
        assert_eq!(decide_s3(&f, "52.216.1.1").label(), "nat-gateway via nat-2");
        // A /31 can: undecidable.
        let f = FactsBuilder::new()
            .table("rtb-1", &["52.216.1.0/31 -> nat-2", "pl-corp -> tgw-1"])
            .unread_prefix_list("pl-corp", None, "AccessDenied")
            .build();
        assert_eq!(decide_s3(&f, "52.216.1.1").path, PathKind::Unknown);
    }

    #[test]
    fn an_unread_s3_list_of_the_names_region_is_assumed_to_hold_its_address() {
        let f = gateway_vpc()
            .unread_prefix_list("pl-s3", Some(S3_LIST), "AccessDenied")
            .build();
        let d = decide_s3(&f, "52.216.1.1");
        assert_eq!(d.label(), "gateway-endpoint via vpce-gw");
        assert_eq!(d.confidence, Confidence::Inferred);
        let assumed = evidence(&d, EvidenceKind::Assumption);
        assert_eq!(assumed.len(), 1);
        assert!(assumed[0].starts_with(
            "the entries of pl-s3 (com.amazonaws.us-east-1.s3) were not read; 52.216.1.1 is taken to be one of them because DNS gave it for an S3 name of us-east-1"
        ));
        // No entry matched, so there is no prefix-list evidence.
        assert!(evidence(&d, EvidenceKind::PrefixList).is_empty());
        assert_eq!(
            d.basis.as_deref(),
            Some("the route pl-s3 -> vpce-gw in rtb-1, with an assumption stated in the evidence; no live probe confirmed it")
        );
    }

    #[test]
    fn an_unread_s3_list_holds_no_other_regions_address() {
        let f = gateway_vpc()
            .unread_prefix_list("pl-s3", Some(S3_LIST), "AccessDenied")
            .build();
        let d = decide_for(&f, "s3.eu-west-1.amazonaws.com", "52.92.1.1");
        assert_eq!(d.label(), "nat-gateway via nat-1");
        assert!(evidence(&d, EvidenceKind::Assumption)[0].contains(
            "it holds us-east-1's s3 addresses, and 52.92.1.1 answers for a name of eu-west-1"
        ));
    }

    #[test]
    fn an_unread_s3_list_is_not_assumed_for_a_proxy_address_or_against_a_more_specific_route() {
        let f = gateway_vpc()
            .unread_prefix_list("pl-s3", Some(S3_LIST), "AccessDenied")
            .build();
        let proxy = with_cx(&f, |cx| rule(cx, &bare("52.216.1.1"))).expect("decided");
        assert_eq!(proxy.path, PathKind::Unknown);
        let f = FactsBuilder::new()
            .table("rtb-1", &["52.0.0.0/8 -> tgw-1", "pl-s3 -> vpce-gw"])
            .gateway_endpoint("vpce-gw")
            .unread_prefix_list("pl-s3", Some(S3_LIST), "AccessDenied")
            .build();
        let d = decide_s3(&f, "52.216.1.1");
        assert_eq!(d.path, PathKind::Unknown);
        assert!(d
            .reason
            .as_deref()
            .is_some_and(|r| r.contains("than the matching route 52.0.0.0/8 -> tgw-1")));
    }

    #[test]
    fn a_list_that_was_never_read_takes_its_name_from_the_gateway_endpoint() {
        let f = gateway_vpc()
            .prefix_lists(Observed::failed("AccessDenied"))
            .build();
        // Known to be us-east-1's S3 list: assumed for an S3 name of us-east-1.
        assert_eq!(
            decide_s3(&f, "52.216.1.1").label(),
            "gateway-endpoint via vpce-gw"
        );
        // Not for a proxy's address, and the reason says where the name came from.
        let d = with_cx(&f, |cx| rule(cx, &bare("52.216.1.1"))).expect("decided");
        assert!(d.reason.as_deref().is_some_and(|r| r.contains(
            "pl-s3 -> vpce-gw (entries failed: AccessDenied; its name comes from gateway endpoint vpce-gw)"
        )));
    }

    #[test]
    fn an_ipv6_address_takes_the_ipv6_routes() {
        let f = FactsBuilder::new()
            .table("rtb-1", &["0.0.0.0/0 -> nat-1", "::/0 -> eigw-1"])
            .build();
        let d = decide_s3(&f, "2600:1f18::1");
        assert_eq!(d.label(), "egress-only-internet-gateway via eigw-1");
        assert_eq!(d.route.as_deref(), Some("::/0 -> eigw-1"));
        // An IPv4-only table has no route for it.
        let f = FactsBuilder::new()
            .table("rtb-1", &["0.0.0.0/0 -> nat-1"])
            .build();
        assert_eq!(
            decide_s3(&f, "2600:1f18::1").blocked_by,
            Some(BlockCause::NoRoute)
        );
    }

    #[test]
    fn passes_without_a_route_table() {
        let f = FactsBuilder::new().build();
        assert!(with_cx(&f, |cx| rule(cx, &bare("52.216.1.1"))).is_none());
    }
}
