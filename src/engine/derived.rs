//! The DNS answers an instance in a subnet would get, derived from the control plane alone
//! (`s3path route` and `s3path audit` make no DNS queries): the ENIs of an S3 interface
//! endpoint whose private DNS serves the VPC, else a public S3 address from the region's S3
//! prefix list.

use std::net::IpAddr;

use ipnet::IpNet;

use crate::facts::{
    dns_within, AnswerSource, DnsRecord, EndpointType, Facts, LookupStatus, PrefixList, PrivateDns,
    Resolution, ResolverRule, Transit, VpcDnsAttributes, VpcEndpoint,
};
use crate::names::targets;
use crate::names::HostKind;

/// [`derived_answers`] for the region, buckets, endpoints, DNS attributes, prefix lists and
/// availability zone the facts hold (parts that were not collected count as empty).
pub fn answers_from(facts: &Facts) -> Vec<Resolution> {
    let region = facts.region().unwrap_or_default();
    derived_answers(
        region,
        &facts.request.buckets,
        facts.vpc_endpoints.get().map(Vec::as_slice).unwrap_or(&[]),
        facts.vpc_dns_attributes.get(),
        facts.prefix_lists.get().map(Vec::as_slice).unwrap_or(&[]),
        facts
            .vantage
            .get()
            .and_then(|v| v.availability_zone.as_deref()),
        facts.transit.get(),
    )
}

/// What a derived answer's `resolver` says when nothing but the endpoints and prefix lists
/// made it (a private hosted zone's answer names the zone instead).
pub const SIMULATED: &str = "derived from the control plane (no DNS query)";

/// The answer an instance in the subnet would get for each name: the ENIs of an S3 interface
/// endpoint whose private DNS serves this VPC (own AZ first), else a public S3 address from the
/// region's S3 prefix list. Names that the control plane cannot answer are left out.
pub fn derived_answers(
    region: &str,
    buckets: &[String],
    endpoints: &[VpcEndpoint],
    attrs: Option<&VpcDnsAttributes>,
    prefix_lists: &[PrefixList],
    az: Option<&str>,
    transit: Option<&Transit>,
) -> Vec<Resolution> {
    let private_dns_on = attrs.is_some_and(|a| a.enable_dns_support && a.enable_dns_hostnames);
    let eni_ips = |ep: &VpcEndpoint| -> Vec<IpAddr> {
        let mut enis: Vec<_> = ep.network_interfaces.iter().collect();
        enis.sort_by_key(|e| e.availability_zone.as_deref() != az);
        enis.iter().flat_map(|e| e.addresses()).collect()
    };
    let private_dns = endpoints.iter().find(|e| {
        e.endpoint_type == EndpointType::Interface
            && e.is_s3_service(region)
            && e.is_available()
            && e.private_dns_enabled
            && e.private_dns_only_for_inbound_resolver_endpoint != Some(true)
            && private_dns_on
    });
    // A public S3 address of the name's own region: the first host of an entry of that
    // region's S3 list (only lists that were read; IPv6 from an IPv6 S3 list, when one is).
    let public_of = |service: &str, r: &str, v6: bool| -> Option<IpAddr> {
        let v6_service = format!("ipv6.{service}");
        prefix_lists
            .iter()
            .filter(|l| l.entries_known())
            .filter(|l| {
                l.aws_service()
                    .is_some_and(|(lr, svc)| lr == r && (svc == service || svc == v6_service))
            })
            .flat_map(|l| l.cidrs.iter())
            .find(|c| c.addr().is_ipv6() == v6)
            .map(|c: &IpNet| first_host(c))
    };
    let public = |r: &str, v6: bool| public_of("s3", r, v6);
    let answer = |host: &str, addresses: Vec<IpAddr>| Resolution {
        host: host.to_string(),
        status: LookupStatus::Answered,
        source: AnswerSource::Derived,
        addresses,
        cname_chain: vec![],
        ttl: None,
        error: None,
        resolver: Some(SIMULATED.to_string()),
    };
    let mut out = Vec::new();
    for t in targets::plan(region, buckets, endpoints, None) {
        let name_region = t.region.as_deref().unwrap_or(region);
        let same_region = name_region == region;
        // Every name here is the plan's (no override, no presigned host).
        let Some(family) = t.planned_family() else {
            continue;
        };
        // A private hosted zone associated with the VPC (typically a hub-and-spoke zone that
        // points the S3 names at a shared endpoint) answers before the public DNS; a Resolver
        // forwarding rule hands the name to a forwarder whose answer is not derived. The
        // endpoint's own private DNS, when on, is itself such a zone (the two cannot overlap).
        if private_dns.is_none() || !matches!(family, HostKind::Regional | HostKind::AccessPoint) {
            if let Some(dns) = transit.and_then(|t| t.private_dns.get()) {
                match zone_answer(&t.host, dns, transit, endpoints, &eni_ips) {
                    ZoneAnswer::Public => {}
                    ZoneAnswer::NotDerived => continue,
                    ZoneAnswer::Answer(status, addresses, via) => {
                        let mut a = answer(&t.host, addresses);
                        a.status = status;
                        a.resolver = Some(via);
                        out.push(a);
                        continue;
                    }
                }
            }
        }
        match family {
            // The endpoint's private zone is `s3.<region>.amazonaws.com` and its subdomains: the
            // dual-stack names are outside it.
            HostKind::Regional if same_region && private_dns.is_some() => {
                out.push(answer(&t.host, eni_ips(private_dns.expect("checked"))));
            }
            HostKind::Regional | HostKind::Dualstack | HostKind::LegacyGlobal => {
                // Interface endpoint private DNS serves its own region's regional names only;
                // the legacy global names and other regions' names answer publicly.
                let dual = family == HostKind::Dualstack;
                let mut addrs: Vec<IpAddr> = public(name_region, false).into_iter().collect();
                if dual {
                    addrs.extend(public(name_region, true));
                }
                if !addrs.is_empty() {
                    out.push(answer(&t.host, addrs));
                }
            }
            HostKind::EndpointSpecific => {
                if let Some(ep) = endpoints
                    .iter()
                    .find(|e| Some(&e.id) == t.endpoint_id.as_ref())
                {
                    out.push(answer(&t.host, eni_ips(ep)));
                }
            }
            // Access point names resolve to the region's public S3 addresses. Whether an S3
            // interface endpoint's private DNS answers for them is not derived: left out then.
            HostKind::AccessPoint => {
                if !(same_region && private_dns.is_some()) {
                    out.extend(public(name_region, false).map(|a| answer(&t.host, vec![a])));
                }
            }
            // A directory bucket's zonal name: the region's s3express list.
            HostKind::Zonal => {
                let s3express_private = endpoints.iter().any(|e| {
                    e.endpoint_type == EndpointType::Interface
                        && e.service_name.as_deref()
                            == Some(&*format!("com.amazonaws.{name_region}.s3express"))
                        && e.private_dns_enabled
                });
                if !s3express_private {
                    out.extend(
                        public_of("s3express", name_region, false)
                            .map(|a| answer(&t.host, vec![a])),
                    );
                }
            }
            // A Multi-Region Access Point's global name: with private DNS on, an interface
            // endpoint for com.amazonaws.s3-global.accesspoint answers for every MRAP name in
            // the VPC (AWS: "all Multi-Region Access Point requests in the VPC go through this
            // endpoint"); without one, no list holds its addresses and none is derived.
            HostKind::MultiRegion => {
                let mrap = endpoints.iter().find(|e| {
                    e.endpoint_type == EndpointType::Interface
                        && e.service_name.as_deref() == Some("com.amazonaws.s3-global.accesspoint")
                        && e.is_available()
                        && e.private_dns_enabled
                        && private_dns_on
                });
                if let Some(ep) = mrap {
                    out.push(answer(&t.host, eni_ips(ep)));
                }
            }
            // FIPS, accelerate, website and Object Lambda names: no list is documented to hold
            // their addresses, so none is derived (the checks say where such a name can and
            // cannot go).
            HostKind::Fips
            | HostKind::LegacyDashRegion
            | HostKind::Accelerate
            | HostKind::Website
            | HostKind::ObjectLambda => {}
        }
    }
    out
}

/// The Resolver forwarding rule that decides `host` in the facts' VPC (most specific among the
/// rules and private hosted zones, a rule winning a tie), when one does: the name's answer then
/// comes from the rule's forwarder, which the control plane does not show.
pub fn forwarding_rule<'a>(facts: &'a Facts, host: &str) -> Option<&'a ResolverRule> {
    let dns = facts.transit.get()?.private_dns.get()?;
    let rule = dns
        .resolver_rules
        .get()?
        .iter()
        .filter(|r| dns_within(host, &r.domain_name))
        .max_by_key(|r| labels(&r.domain_name))?;
    let zone = dns
        .hosted_zones
        .get()
        .into_iter()
        .flatten()
        .filter(|z| dns_within(host, &z.name))
        .map(|z| labels(&z.name))
        .max();
    (rule.rule_type.eq_ignore_ascii_case("FORWARD")
        && zone.is_none_or(|z| labels(&rule.domain_name) >= z))
    .then_some(rule)
}

/// What the VPC's private hosted zones and Resolver rules make of one name.
enum ZoneAnswer {
    /// Neither covers the name (or a SYSTEM rule leaves it to the usual resolution).
    Public,
    /// A forwarding rule, an unreadable zone or a record whose target is not known: not derived.
    NotDerived,
    /// The zone's answer and the sentence that says where it comes from.
    Answer(LookupStatus, Vec<IpAddr>, String),
}

fn labels(name: &str) -> usize {
    name.trim_end_matches('.').split('.').count()
}

/// The most specific zone or rule for `host` decides (a rule wins a tie, as Route 53 Resolver
/// applies them); in a zone, the exact record, else the closest wildcard.
fn zone_answer(
    host: &str,
    dns: &PrivateDns,
    transit: Option<&Transit>,
    endpoints: &[VpcEndpoint],
    eni_ips: &dyn Fn(&VpcEndpoint) -> Vec<IpAddr>,
) -> ZoneAnswer {
    let zone = dns
        .hosted_zones
        .get()
        .into_iter()
        .flatten()
        .filter(|z| dns_within(host, &z.name))
        .max_by_key(|z| labels(&z.name));
    let rule = dns
        .resolver_rules
        .get()
        .into_iter()
        .flatten()
        .filter(|r| dns_within(host, &r.domain_name))
        .max_by_key(|r| labels(&r.domain_name));
    if let Some(r) = rule {
        if zone.is_none_or(|z| labels(&r.domain_name) >= labels(&z.name)) {
            return if r.rule_type.eq_ignore_ascii_case("FORWARD") {
                ZoneAnswer::NotDerived
            } else {
                ZoneAnswer::Public
            };
        }
    }
    // Zones or rules that could not be read are not guessed at: the answer stays the one the
    // endpoints and prefix lists give (as without the zones), and the facts say what was not read.
    let Some(zone) = zone else {
        return ZoneAnswer::Public;
    };
    let Some(records) = zone.records.get() else {
        return ZoneAnswer::NotDerived;
    };
    let of_name = |n: &str| {
        records
            .iter()
            .filter(move |r| r.name.eq_ignore_ascii_case(n))
            .collect::<Vec<_>>()
    };
    let mut found = of_name(host);
    if found.is_empty() {
        // The closest enclosing wildcard inside the zone.
        let mut parent = host;
        while let Some((_, rest)) = parent.split_once('.') {
            if !dns_within(rest, &zone.name) {
                break;
            }
            found = of_name(&format!("*.{rest}"));
            if !found.is_empty() {
                break;
            }
            parent = rest;
        }
    }
    let zone_says = |what: String| {
        format!(
            "private hosted zone {} ({}) associated with the VPC: {what}",
            zone.name, zone.id
        )
    };
    if found.is_empty() {
        if zone.truncated {
            return ZoneAnswer::NotDerived;
        }
        return ZoneAnswer::Answer(
            LookupStatus::Nxdomain,
            vec![],
            zone_says(format!("no record for {host}")),
        );
    }
    let addresses: Vec<IpAddr> = found
        .iter()
        .filter(|r| matches!(r.record_type.as_str(), "A" | "AAAA") && r.alias_target.is_none())
        .flat_map(|r| r.values.iter().filter_map(|v| v.parse().ok()))
        .collect();
    let record = found[0];
    if !addresses.is_empty() {
        return ZoneAnswer::Answer(
            LookupStatus::Answered,
            addresses,
            zone_says(format!("record {} {}", record.name, record.record_type)),
        );
    }
    // An alias or CNAME: to an interface endpoint's DNS name (the hub's, or this VPC's).
    let Some((target, ep, vpc)) = found
        .iter()
        .find_map(|r| endpoint_target(r, transit, endpoints))
    else {
        return ZoneAnswer::NotDerived;
    };
    let how = if record.alias_target.is_some() {
        "alias"
    } else {
        "CNAME"
    };
    let place = vpc.map(|v| format!(" in {v}")).unwrap_or_default();
    ZoneAnswer::Answer(
        LookupStatus::Answered,
        eni_ips(ep),
        zone_says(format!(
            "record {} {how} to {target}, the DNS name of {}{place}",
            record.name, ep.id
        )),
    )
}

/// The interface endpoint whose DNS name a record points to: `(target, endpoint, its VPC when
/// it is a hub's)`.
fn endpoint_target<'a>(
    r: &DnsRecord,
    transit: Option<&'a Transit>,
    endpoints: &'a [VpcEndpoint],
) -> Option<(String, &'a VpcEndpoint, Option<&'a str>)> {
    let target = r
        .alias_target
        .clone()
        .or_else(|| (r.record_type == "CNAME").then(|| r.values.first().cloned())?)?;
    let bare = |n: &str| {
        n.trim_end_matches('.')
            .trim_start_matches("*.")
            .to_ascii_lowercase()
    };
    let t = bare(&target);
    let names = |e: &VpcEndpoint| e.dns_entries.iter().any(|d| bare(&d.dns_name) == t);
    let local = endpoints
        .iter()
        .filter(|e| e.endpoint_type == EndpointType::Interface)
        .find(|e| names(e))
        .map(|e| (e, None));
    let hub = || {
        transit?.hubs.iter().find_map(|h| {
            h.vpc_endpoints
                .get()?
                .iter()
                .filter(|e| e.endpoint_type == EndpointType::Interface)
                .find(|e| names(e))
                .map(|e| (e, Some(h.vpc_id.as_str())))
        })
    };
    let (ep, vpc) = local.or_else(hub)?;
    Some((target, ep, vpc))
}

fn first_host(net: &IpNet) -> IpAddr {
    match net.network() {
        IpAddr::V4(a) => IpAddr::V4(std::net::Ipv4Addr::from(u32::from(a).saturating_add(1))),
        IpAddr::V6(a) => IpAddr::V6(std::net::Ipv6Addr::from(u128::from(a).saturating_add(1))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::facts::{DnsEntry, EndpointInterface};

    fn s3_list() -> PrefixList {
        PrefixList {
            id: "pl-6da54004".into(),
            name: Some("com.amazonaws.eu-west-1.s3".into()),
            owner_id: Some("AWS".into()),
            address_family: Some("IPv4".into()),
            cidrs: vec!["52.218.0.0/17".parse().unwrap()],
            entries_error: None,
            entries_failure: None,
        }
    }

    fn interface(private_dns: bool, inbound_only: Option<bool>) -> VpcEndpoint {
        VpcEndpoint {
            id: "vpce-0if".into(),
            vpc_id: None,
            endpoint_type: EndpointType::Interface,
            service_name: Some("com.amazonaws.eu-west-1.s3".into()),
            state: "available".into(),
            route_table_ids: vec![],
            subnet_ids: vec![],
            network_interfaces: ["eu-west-1b", "eu-west-1a"]
                .iter()
                .enumerate()
                .map(|(i, az)| EndpointInterface {
                    id: format!("eni-{i}"),
                    subnet_id: None,
                    availability_zone: Some(az.to_string()),
                    private_ipv4: Some(format!("10.0.{i}.20").parse().unwrap()),
                    ipv6s: vec![],
                })
                .collect(),
            dns_entries: vec![DnsEntry {
                dns_name: "*.vpce-0if-abc.s3.eu-west-1.vpce.amazonaws.com".into(),
                hosted_zone_id: None,
            }],
            private_dns_enabled: private_dns,
            private_dns_only_for_inbound_resolver_endpoint: inbound_only,
            security_group_ids: vec![],
            policy_document: None,
            resource_configuration_arn: None,
            ip_address_type: None,
        }
    }

    const ON: VpcDnsAttributes = VpcDnsAttributes {
        enable_dns_support: true,
        enable_dns_hostnames: true,
    };

    fn answer<'a>(a: &'a [Resolution], host: &str) -> Option<&'a Resolution> {
        a.iter().find(|r| r.host == host)
    }

    #[test]
    fn a_multi_region_access_point_answers_from_its_interface_endpoint_only() {
        let mut ep = interface(true, None);
        ep.service_name = Some("com.amazonaws.s3-global.accesspoint".into());
        let buckets = ["mfzwi23gnjvgw.mrap".to_string()];
        let host = "mfzwi23gnjvgw.mrap.accesspoint.s3-global.amazonaws.com";
        let a = derived_answers(
            "eu-west-1",
            &buckets,
            &[ep.clone()],
            Some(&ON),
            &[s3_list()],
            Some("eu-west-1a"),
            None,
        );
        let r = answer(&a, host).expect("derived from the endpoint's ENIs");
        assert_eq!(
            r.addresses[0],
            "10.0.1.20".parse::<IpAddr>().unwrap(),
            "own AZ first"
        );
        // Private DNS off, or no such endpoint: nothing derived (no list holds its addresses).
        ep.private_dns_enabled = false;
        let a = derived_answers(
            "eu-west-1",
            &buckets,
            &[ep],
            Some(&ON),
            &[s3_list()],
            None,
            None,
        );
        assert!(answer(&a, host).is_none());
        let a = derived_answers(
            "eu-west-1",
            &buckets,
            &[],
            Some(&ON),
            &[s3_list()],
            None,
            None,
        );
        assert!(answer(&a, host).is_none());
    }

    #[test]
    fn public_answers_come_from_the_s3_prefix_list() {
        let a = derived_answers("eu-west-1", &[], &[], Some(&ON), &[s3_list()], None, None);
        let r = answer(&a, "s3.eu-west-1.amazonaws.com").unwrap();
        assert_eq!(r.addresses, ["52.218.0.1".parse::<IpAddr>().unwrap()]);
        assert!(
            answer(&a, "s3.amazonaws.com").is_none(),
            "us-east-1's list is not read"
        );
    }

    #[test]
    fn private_dns_answers_with_the_enis_own_az_first() {
        let eps = [interface(true, None)];
        let a = derived_answers(
            "eu-west-1",
            &[],
            &eps,
            Some(&ON),
            &[s3_list()],
            Some("eu-west-1a"),
            None,
        );
        let r = answer(&a, "s3.eu-west-1.amazonaws.com").unwrap();
        assert_eq!(r.addresses[0], "10.0.1.20".parse::<IpAddr>().unwrap());
        assert!(answer(&a, "bucket.vpce-0if-abc.s3.eu-west-1.vpce.amazonaws.com").is_some());
    }

    #[test]
    fn private_dns_does_not_apply_when_off_inbound_only_or_attributes_off() {
        for (ep, attrs) in [
            (interface(false, None), ON),
            (interface(true, Some(true)), ON),
            (
                interface(true, None),
                VpcDnsAttributes {
                    enable_dns_support: true,
                    enable_dns_hostnames: false,
                },
            ),
        ] {
            let a = derived_answers(
                "eu-west-1",
                &[],
                &[ep],
                Some(&attrs),
                &[s3_list()],
                None,
                None,
            );
            let r = answer(&a, "s3.eu-west-1.amazonaws.com").unwrap();
            assert_eq!(r.addresses, ["52.218.0.1".parse::<IpAddr>().unwrap()]);
        }
    }

    fn zone(name: &str, records: Vec<DnsRecord>) -> crate::facts::HostedZone {
        crate::facts::HostedZone {
            id: format!("Z-{name}"),
            name: name.into(),
            owner: None,
            records: crate::facts::Observed::collected(records),
            truncated: false,
        }
    }

    fn a(name: &str, ip: &str) -> DnsRecord {
        DnsRecord {
            name: name.into(),
            record_type: "A".into(),
            values: vec![ip.into()],
            alias_target: None,
        }
    }

    fn transit_with(
        zones: Vec<crate::facts::HostedZone>,
        rules: Vec<crate::facts::ResolverRule>,
    ) -> Transit {
        Transit {
            private_dns: crate::facts::Observed::collected(PrivateDns {
                hosted_zones: crate::facts::Observed::collected(zones),
                resolver_rules: crate::facts::Observed::collected(rules),
            }),
            ..Transit::default()
        }
    }

    fn forward(domain: &str) -> crate::facts::ResolverRule {
        crate::facts::ResolverRule {
            id: "rslvr-rr-1".into(),
            name: None,
            domain_name: domain.into(),
            rule_type: "FORWARD".into(),
            target_ips: vec!["10.9.0.2:53".into()],
        }
    }

    fn with_zones(t: &Transit, buckets: &[String]) -> Vec<Resolution> {
        derived_answers(
            "eu-west-1",
            buckets,
            &[],
            Some(&ON),
            &[s3_list()],
            None,
            Some(t),
        )
    }

    #[test]
    fn a_private_zone_answers_with_its_exact_record_else_its_closest_wildcard() {
        let t = transit_with(
            vec![zone(
                "s3.eu-west-1.amazonaws.com",
                vec![
                    a("s3.eu-west-1.amazonaws.com", "10.0.0.5"),
                    a("*.s3.eu-west-1.amazonaws.com", "10.0.0.6"),
                ],
            )],
            vec![],
        );
        let buckets = ["logs".to_string()];
        let got = with_zones(&t, &buckets);
        let r = answer(&got, "s3.eu-west-1.amazonaws.com").unwrap();
        assert_eq!(r.addresses, ["10.0.0.5".parse::<IpAddr>().unwrap()]);
        assert!(r
            .resolver
            .as_deref()
            .unwrap()
            .contains("Z-s3.eu-west-1.amazonaws.com"));
        let b = answer(&got, "logs.s3.eu-west-1.amazonaws.com").unwrap();
        assert_eq!(b.addresses, ["10.0.0.6".parse::<IpAddr>().unwrap()]);
        // Outside the zone: the public answer, as without it.
        let g = answer(&got, "s3.amazonaws.com");
        assert!(g.is_none_or(|g| g.resolver.as_deref() == Some(SIMULATED)));
    }

    #[test]
    fn a_name_the_zone_lacks_does_not_exist_and_a_forwarding_rule_is_not_derived() {
        let t = transit_with(
            vec![zone(
                "s3.eu-west-1.amazonaws.com",
                vec![a("s3.eu-west-1.amazonaws.com", "10.0.0.5")],
            )],
            vec![],
        );
        let buckets = ["logs".to_string()];
        let got = with_zones(&t, &buckets);
        let b = answer(&got, "logs.s3.eu-west-1.amazonaws.com").unwrap();
        assert_eq!(b.status, LookupStatus::Nxdomain);
        // A forwarding rule of the same domain wins over the zone: nothing derived.
        let t = transit_with(
            vec![zone(
                "s3.eu-west-1.amazonaws.com",
                vec![a("s3.eu-west-1.amazonaws.com", "10.0.0.5")],
            )],
            vec![forward("s3.eu-west-1.amazonaws.com")],
        );
        assert!(answer(&with_zones(&t, &[]), "s3.eu-west-1.amazonaws.com").is_none());
        // A more specific zone wins over a broader rule.
        let t = transit_with(
            vec![zone(
                "s3.eu-west-1.amazonaws.com",
                vec![a("s3.eu-west-1.amazonaws.com", "10.0.0.5")],
            )],
            vec![forward("amazonaws.com")],
        );
        let got = with_zones(&t, &[]);
        let r = answer(&got, "s3.eu-west-1.amazonaws.com").unwrap();
        assert_eq!(r.addresses, ["10.0.0.5".parse::<IpAddr>().unwrap()]);
        // The broader rule still takes the names the zone does not cover.
        assert!(answer(&got, "s3.dualstack.eu-west-1.amazonaws.com").is_none());
        let plain = derived_answers("eu-west-1", &[], &[], Some(&ON), &[s3_list()], None, None);
        assert!(
            answer(&plain, "s3.dualstack.eu-west-1.amazonaws.com").is_some(),
            "answered without the rule"
        );
    }
}
