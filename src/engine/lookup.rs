//! Route lookup: the longest-prefix match over one route table, every prefix-list route
//! standing for each entry of its list. The result is typed (which route won and why, or why
//! no route can be chosen); the wording is left to the decision.
//!
//! AWS's order (VPC user guide, "How route priority works"): the longest prefix wins; on equal
//! prefixes a static CIDR route beats a prefix-list route, which beats a propagated route.
//! A prefix list whose entries could not be read is never a silent loser: unless the rules
//! below rule it out, any less specific match is undecidable.

use std::net::IpAddr;

use ipnet::IpNet;

use crate::facts::{AddressFamily, PrefixList, Route, RouteOrigin, RouteTable};

/// What the lookup knows about the address besides its value.
#[derive(Debug, Clone, Copy)]
pub struct AddressContext<'a> {
    /// The region of the S3 name this address answers for (`None` for a proxy or a name that
    /// is not S3's): only that region's AWS-managed S3 list can hold it.
    pub s3_region: Option<&'a str>,
    /// The prefix-list service whose list holds the name's addresses (`s3`, `s3express`);
    /// lists of other services are ruled out.
    pub service: &'a str,
    /// The address is the answer of a DNS query (or derived by `route`) for one of S3's
    /// standard names, not a hosts-file pin or an override.
    pub from_s3_dns: bool,
}

impl Default for AddressContext<'_> {
    fn default() -> Self {
        AddressContext {
            s3_region: None,
            service: "s3",
            from_s3_dns: false,
        }
    }
}

/// A route that matches the address.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Hit<'a> {
    pub route: &'a Route,
    /// The prefix length that matched (the entry's, for a prefix-list route).
    pub len: u8,
    /// The entry of the list (or the route's own CIDR) that matched; `None` when the match
    /// rests on an assumption about a list that was not read.
    pub cidr: Option<IpNet>,
    /// The prefix list that matched, when the route names one.
    pub list: Option<&'a PrefixList>,
}

/// The outcome of a lookup.
#[derive(Debug, Clone, PartialEq)]
pub enum Outcome<'a> {
    /// This route carries the address.
    Route(Hit<'a>),
    /// This route carries the address on an assumption (its list was not read): the
    /// assumption is in `Lookup::assumptions`.
    AssumedRoute(Hit<'a>),
    /// No route matches.
    NoRoute,
    /// A route whose prefix list could not be read could be more specific than `best`.
    Undecidable {
        best: Option<Hit<'a>>,
        unread: Vec<&'a Route>,
    },
}

/// The outcome and the assumptions it made, each in one sentence.
#[derive(Debug, Clone, PartialEq)]
pub struct Lookup<'a> {
    pub outcome: Outcome<'a>,
    pub assumptions: Vec<String>,
}

/// The longest prefix an address of this family can match (32 or 128).
pub(crate) fn max_len(addr: IpAddr) -> u8 {
    if addr.is_ipv4() {
        32
    } else {
        128
    }
}

/// Priority on equal prefixes: static CIDR routes, then prefix-list routes, then propagated.
fn rank(route: &Route) -> u8 {
    if route.origin == Some(RouteOrigin::EnableVgwRoutePropagation) {
        0
    } else if route.destination_prefix_list_id.is_some() {
        1
    } else {
        2
    }
}

fn better(a: &Hit, b: &Hit) -> bool {
    (a.len, rank(a.route)) > (b.len, rank(b.route))
}

/// Why an unread list cannot hold the address, when the facts say so; `None` when it might.
fn rules_out(list: Option<&PrefixList>, addr: IpAddr, cx: &AddressContext) -> Option<String> {
    let list = list?;
    let (region, service) = list.aws_service()?;
    let name = list.name.as_deref().unwrap_or(&list.id);
    let target_region = cx.s3_region?;
    let wanted = cx.service;
    if service != wanted && service != format!("ipv6.{wanted}") {
        return Some(format!(
            "prefix list {} ({name}) was not read; an AWS-managed list of {service} holds no {wanted} address",
            list.id
        ));
    }
    if region != target_region {
        return Some(format!(
            "prefix list {} ({name}) was not read; it holds {region}'s {wanted} addresses, and {addr} answers for a name of {target_region}",
            list.id
        ));
    }
    let family_v6 = list
        .address_family
        .as_ref()
        .map(|f| *f == AddressFamily::Ipv6);
    match (family_v6, addr.is_ipv6()) {
        (Some(v6), a6) if v6 != a6 => Some(format!(
            "prefix list {} ({name}) was not read; it is an {} list and {addr} is not",
            list.id,
            if v6 { "IPv6" } else { "IPv4" }
        )),
        _ => None,
    }
}

/// Whether an unread list may be assumed to hold the address: the region's own S3 list, for
/// an address DNS gave for one of that region's S3 names, of the list's family (IPv4 when the
/// family is not known).
fn assumed_to_hold(list: &PrefixList, addr: IpAddr, cx: &AddressContext) -> bool {
    let (Some(region), true) = (cx.s3_region, cx.from_s3_dns) else {
        return false;
    };
    let family_ok = match &list.address_family {
        Some(f) => (*f == AddressFamily::Ipv6) == addr.is_ipv6(),
        None => addr.is_ipv4(),
    };
    list.aws_service() == Some((region, cx.service)) && family_ok
}

/// Longest-prefix match of `addr` over `table`; `lists` are the prefix lists read (or named).
pub fn lookup<'a>(
    addr: IpAddr,
    table: &'a RouteTable,
    lists: &'a [PrefixList],
    cx: &AddressContext,
) -> Lookup<'a> {
    let mut best: Option<Hit<'a>> = None;
    let mut unread: Vec<&'a Route> = Vec::new();
    let mut assumed: Vec<(&'a Route, &'a PrefixList)> = Vec::new();
    let mut assumptions = Vec::new();
    for route in &table.routes {
        let hit = if let Some(pl_id) = &route.destination_prefix_list_id {
            let list = lists.iter().find(|l| &l.id == pl_id);
            match list {
                Some(l) if l.entries_known() => l
                    .cidrs
                    .iter()
                    .filter(|c| c.contains(&addr))
                    .max_by_key(|c| c.prefix_len())
                    .map(|c| Hit {
                        route,
                        len: c.prefix_len(),
                        cidr: Some(*c),
                        list: Some(l),
                    }),
                _ => {
                    if let Some(why) = rules_out(list, addr, cx) {
                        assumptions.push(why);
                    } else if let Some(l) = list.filter(|l| assumed_to_hold(l, addr, cx)) {
                        assumed.push((route, l));
                    } else {
                        unread.push(route);
                    }
                    None
                }
            }
        } else {
            route
                .destination_cidr_block
                .or(route.destination_ipv6_cidr_block)
                .filter(|net| net.contains(&addr))
                .map(|net| Hit {
                    route,
                    len: net.prefix_len(),
                    cidr: Some(net),
                    list: None,
                })
        };
        if let Some(h) = hit {
            if best.as_ref().is_none_or(|b| better(&h, b)) {
                best = Some(h);
            }
        }
    }
    let full = max_len(addr);
    // A static route as long as an address can be is beaten by nothing.
    let unbeatable = best.is_some_and(|b| b.len == full && rank(b.route) == 2);
    if !unread.is_empty() && !unbeatable {
        return Lookup {
            outcome: Outcome::Undecidable { best, unread },
            assumptions,
        };
    }
    if let Some((route, list)) = assumed.first().copied() {
        // The list holds the address, with an entry of unknown length (at least 1).
        match best {
            Some(b) if b.len > 0 && !unbeatable => {
                return Lookup {
                    outcome: Outcome::Undecidable {
                        best: Some(b),
                        unread: assumed.iter().map(|(r, _)| *r).collect(),
                    },
                    assumptions,
                }
            }
            Some(b) if unbeatable => {
                return Lookup {
                    outcome: Outcome::Route(b),
                    assumptions,
                }
            }
            _ => {
                assumptions.push(format!(
                    "the entries of {} ({}) were not read; {addr} is taken to be one of them because DNS gave it for an S3 name of {}, and any entry is more specific than the default route",
                    list.id,
                    list.name.as_deref().unwrap_or("?"),
                    cx.s3_region.unwrap_or("?")
                ));
                return Lookup {
                    outcome: Outcome::AssumedRoute(Hit {
                        route,
                        len: 1,
                        cidr: None,
                        list: Some(list),
                    }),
                    assumptions,
                };
            }
        }
    }
    Lookup {
        outcome: match best {
            Some(b) => Outcome::Route(b),
            None => Outcome::NoRoute,
        },
        assumptions,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cidr(dest: &str, nat: &str) -> Route {
        Route {
            destination_cidr_block: Some(dest.parse().unwrap()),
            nat_gateway_id: Some(nat.into()),
            ..Route::default()
        }
    }

    fn pl(id: &str, target: &str) -> Route {
        Route {
            destination_prefix_list_id: Some(id.into()),
            gateway_id: Some(target.into()),
            ..Route::default()
        }
    }

    fn table(routes: Vec<Route>) -> RouteTable {
        RouteTable {
            id: "rtb-1".into(),
            vpc_id: None,
            main: false,
            subnet_ids: vec![],
            routes,
        }
    }

    fn list(id: &str, name: Option<&str>, owner: &str, cidrs: &[&str]) -> PrefixList {
        PrefixList {
            id: id.into(),
            name: name.map(str::to_string),
            owner_id: Some(owner.into()),
            address_family: Some("IPv4".into()),
            cidrs: cidrs.iter().map(|c| c.parse().unwrap()).collect(),
            entries_error: None,
            entries_failure: None,
        }
    }

    fn s3(region: &str) -> AddressContext<'_> {
        AddressContext {
            s3_region: Some(region),
            from_s3_dns: true,
            ..AddressContext::default()
        }
    }

    fn ip(s: &str) -> IpAddr {
        s.parse().unwrap()
    }

    fn winner<'a>(l: &Lookup<'a>) -> &'a Route {
        match &l.outcome {
            Outcome::Route(h) | Outcome::AssumedRoute(h) => h.route,
            other => panic!("no winner: {other:?}"),
        }
    }

    #[test]
    fn a_customer_list_beats_the_default_route() {
        let t = table(vec![cidr("0.0.0.0/0", "nat-1"), pl("pl-corp", "tgw-1")]);
        let lists = [list(
            "pl-corp",
            Some("corp-s3"),
            "111122223333",
            &["52.216.0.0/15"],
        )];
        let l = lookup(ip("52.217.1.1"), &t, &lists, &s3("us-east-1"));
        assert_eq!(
            winner(&l).destination_prefix_list_id.as_deref(),
            Some("pl-corp")
        );
        // An address outside the list takes the default route.
        let l = lookup(ip("3.3.3.3"), &t, &lists, &s3("us-east-1"));
        assert_eq!(winner(&l).nat_gateway_id.as_deref(), Some("nat-1"));
    }

    #[test]
    fn an_unread_customer_list_makes_less_specific_matches_undecidable() {
        let t = table(vec![cidr("0.0.0.0/0", "nat-1"), pl("pl-corp", "tgw-1")]);
        let mut l = list("pl-corp", None, "111122223333", &[]);
        l.entries_error = Some("AccessDenied".into());
        let lists = [l];
        let out = lookup(ip("52.217.1.1"), &t, &lists, &s3("us-east-1"));
        assert!(matches!(out.outcome, Outcome::Undecidable { .. }));
        // A list nobody named (not even a name) is just as undecidable.
        let out = lookup(ip("52.217.1.1"), &t, &[], &s3("us-east-1"));
        assert!(matches!(out.outcome, Outcome::Undecidable { .. }));
        // Only a static host route cannot be beaten.
        let t = table(vec![cidr("52.217.1.1/32", "nat-2"), pl("pl-corp", "tgw-1")]);
        let out = lookup(ip("52.217.1.1"), &t, &lists, &s3("us-east-1"));
        assert_eq!(winner(&out).nat_gateway_id.as_deref(), Some("nat-2"));
    }

    #[test]
    fn an_unread_s3_list_covers_its_own_region_only() {
        let t = table(vec![cidr("0.0.0.0/0", "nat-1"), pl("pl-s3", "vpce-gw")]);
        let lists = [list(
            "pl-s3",
            Some("com.amazonaws.us-east-1.s3"),
            "AWS",
            &[],
        )];
        // Its own region's S3 name: assumed, and said so.
        let out = lookup(ip("52.217.1.1"), &t, &lists, &s3("us-east-1"));
        assert!(matches!(out.outcome, Outcome::AssumedRoute(_)));
        assert_eq!(out.assumptions.len(), 1);
        // Another region's name: ruled out, the default route carries it, and said so.
        let out = lookup(ip("52.92.1.1"), &t, &lists, &s3("eu-west-1"));
        assert_eq!(winner(&out).nat_gateway_id.as_deref(), Some("nat-1"));
        assert!(out.assumptions[0].contains("eu-west-1"));
        // Not an S3 name (a proxy): undecidable.
        let out = lookup(ip("52.92.1.1"), &t, &lists, &AddressContext::default());
        assert!(matches!(out.outcome, Outcome::Undecidable { .. }));
        // An IPv6 address is not assumed into an IPv4 list.
        let t6 = table(vec![
            Route {
                destination_ipv6_cidr_block: Some("::/0".parse().unwrap()),
                egress_only_internet_gateway_id: Some("eigw-1".into()),
                ..Route::default()
            },
            pl("pl-s3", "vpce-gw"),
        ]);
        let out = lookup(ip("2600:1f18::1"), &t6, &lists, &s3("us-east-1"));
        assert_eq!(
            winner(&out).egress_only_internet_gateway_id.as_deref(),
            Some("eigw-1")
        );
    }

    #[test]
    fn a_more_specific_cidr_route_against_an_assumed_list_is_undecidable() {
        let t = table(vec![cidr("52.0.0.0/8", "nat-1"), pl("pl-s3", "vpce-gw")]);
        let lists = [list(
            "pl-s3",
            Some("com.amazonaws.us-east-1.s3"),
            "AWS",
            &[],
        )];
        let out = lookup(ip("52.217.1.1"), &t, &lists, &s3("us-east-1"));
        assert!(matches!(out.outcome, Outcome::Undecidable { .. }));
    }

    #[test]
    fn equal_prefixes_static_beats_prefix_list_beats_propagated() {
        let lists = [list("pl-a", Some("corp"), "111122223333", &["10.9.0.0/16"])];
        let t = table(vec![pl("pl-a", "tgw-1"), cidr("10.9.0.0/16", "nat-1")]);
        let out = lookup(ip("10.9.1.1"), &t, &lists, &AddressContext::default());
        assert_eq!(winner(&out).nat_gateway_id.as_deref(), Some("nat-1"));
        let mut propagated = cidr("10.9.0.0/16", "nat-x");
        propagated.nat_gateway_id = None;
        propagated.gateway_id = Some("vgw-1".into());
        propagated.origin = Some("EnableVgwRoutePropagation".into());
        let t = table(vec![propagated, pl("pl-a", "tgw-1")]);
        let out = lookup(ip("10.9.1.1"), &t, &lists, &AddressContext::default());
        assert_eq!(winner(&out).gateway_id.as_deref(), Some("tgw-1"));
    }

    #[test]
    fn no_route_and_longest_prefix() {
        let t = table(vec![
            cidr("10.0.0.0/8", "nat-1"),
            cidr("10.1.0.0/16", "nat-2"),
        ]);
        assert_eq!(
            lookup(ip("192.0.2.1"), &t, &[], &AddressContext::default()).outcome,
            Outcome::NoRoute
        );
        let out = lookup(ip("10.1.2.3"), &t, &[], &AddressContext::default());
        assert_eq!(winner(&out).nat_gateway_id.as_deref(), Some("nat-2"));
    }
}
