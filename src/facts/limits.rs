//! The most items of each list a facts file may hold (generous against AWS's own quotas:
//! 1,000 routes per table and entries per prefix list), so a hostile file cannot make the
//! judge's work or output blow up; and [`Facts::check_limits`].

use super::host::Resolution;
use super::{Facts, Part};

pub const ANSWERS: usize = 256;
pub const ADDRESSES: usize = 64;
pub const CNAMES: usize = 16;
pub const ROUTE_TABLES: usize = 2000;
pub const ROUTES: usize = 1000;
pub const ENDPOINTS: usize = 1000;
pub const ENIS: usize = 64;
pub const PREFIX_LISTS: usize = 500;
pub const CIDRS: usize = 1000;
pub const NAT_GATEWAYS: usize = 500;
pub const SECURITY_GROUPS: usize = 2500;
pub const SG_RULES: usize = 1000;
pub const NETWORK_ACLS: usize = 1000;
pub const ACL_ENTRIES: usize = 200;
pub const BUCKETS: usize = 64;
pub const REQUESTS: usize = 64;
pub const PROBES: usize = 256;
pub const SETTINGS: usize = 256;
/// VPCs followed beyond a transit gateway, and transit gateway attachments/route tables.
pub const HUBS: usize = 8;
pub const TGW_ATTACHMENTS: usize = 64;
pub const TGW_ROUTES: usize = 10000;
/// Private hosted zones and Resolver rules of a VPC kept for S3 names, records read per zone,
/// and values per record.
pub const ZONES: usize = 64;
pub const RESOLVER_RULES: usize = 256;
pub const ZONE_RECORDS: usize = 1000;
pub const RECORD_VALUES: usize = 64;

impl Facts {
    /// Checks every list against [`limits`]: `Err` names the list, its length and the limit.
    /// One arm per [`Part`]: a new part does not compile until its limits are decided here.
    pub fn check_limits(&self) -> Result<(), String> {
        fn at_most(what: &str, n: usize, max: usize) -> Result<(), String> {
            if n > max {
                Err(format!("{what} has {n} items; at most {max} are accepted"))
            } else {
                Ok(())
            }
        }
        fn resolution(part: &str, r: &Resolution) -> Result<(), String> {
            at_most(
                &format!("{part} answer for {}", r.host),
                r.addresses.len(),
                ADDRESSES,
            )?;
            at_most(
                &format!("{part} CNAME chain of {}", r.host),
                r.cname_chain.len(),
                CNAMES,
            )
        }
        at_most("request.buckets", self.request.buckets.len(), BUCKETS)?;
        if let Some(a) = &self.aws_access {
            at_most(
                "aws_access.connections",
                a.connections.len(),
                super::MAX_ACCESS_ROUTES,
            )?;
        }
        for &part in Part::ALL {
            let name = part.name();
            match part {
                Part::Dns | Part::VpcResolverDns => {
                    let answers = match part {
                        Part::Dns => &self.dns,
                        _ => &self.vpc_resolver_dns,
                    };
                    if let Some(a) = answers.get() {
                        at_most(name, a.len(), ANSWERS)?;
                        for r in a {
                            resolution(name, r)?;
                        }
                    }
                }
                Part::RouteTables => {
                    if let Some(ts) = self.route_tables.get() {
                        at_most(name, ts.len(), ROUTE_TABLES)?;
                        for t in ts {
                            at_most(&format!("route table {}", t.id), t.routes.len(), ROUTES)?;
                            at_most(
                                &format!("subnets of route table {}", t.id),
                                t.subnet_ids.len(),
                                ROUTES,
                            )?;
                        }
                    }
                }
                Part::VpcEndpoints => {
                    if let Some(es) = self.vpc_endpoints.get() {
                        at_most(name, es.len(), ENDPOINTS)?;
                        for e in es {
                            at_most(
                                &format!("ENIs of {}", e.id),
                                e.network_interfaces.len(),
                                ENIS,
                            )?;
                            at_most(
                                &format!("DNS entries of {}", e.id),
                                e.dns_entries.len(),
                                ENIS,
                            )?;
                            at_most(
                                &format!("route tables of {}", e.id),
                                e.route_table_ids.len(),
                                ROUTE_TABLES,
                            )?;
                        }
                    }
                }
                Part::PrefixLists => {
                    if let Some(ls) = self.prefix_lists.get() {
                        at_most(name, ls.len(), PREFIX_LISTS)?;
                        for l in ls {
                            at_most(&format!("prefix list {}", l.id), l.cidrs.len(), CIDRS)?;
                        }
                    }
                }
                Part::NatGateways => {
                    if let Some(n) = self.nat_gateways.get() {
                        at_most(name, n.len(), NAT_GATEWAYS)?;
                    }
                }
                Part::InternetGateways => {
                    if let Some(g) = self.internet_gateways.get() {
                        at_most(name, g.len(), NAT_GATEWAYS)?;
                    }
                }
                Part::DhcpDnsServers => {
                    if let Some(d) = self.dhcp_dns_servers.get() {
                        at_most(name, d.len(), ADDRESSES)?;
                    }
                }
                Part::SecurityGroups => {
                    if let Some(gs) = self.security_groups.get() {
                        at_most(name, gs.len(), SECURITY_GROUPS)?;
                        for g in gs {
                            at_most(
                                &format!("rules of {}", g.id),
                                g.ingress.len() + g.egress.len(),
                                SG_RULES,
                            )?;
                        }
                    }
                }
                Part::NetworkAcls => {
                    if let Some(acls) = self.network_acls.get() {
                        at_most(name, acls.len(), NETWORK_ACLS)?;
                        for a in acls {
                            at_most(
                                &format!("entries of {}", a.id),
                                a.entries.len(),
                                ACL_ENTRIES,
                            )?;
                        }
                    }
                }
                Part::Buckets => {
                    if let Some(bs) = self.buckets.get() {
                        at_most(name, bs.len(), BUCKETS)?;
                        for b in bs {
                            at_most(
                                &format!("requests of bucket {}", b.name),
                                b.requests.len(),
                                REQUESTS,
                            )?;
                        }
                    }
                }
                Part::Probes => {
                    if let Some(p) = self.probes.get() {
                        at_most("probes.tcp", p.tcp.len(), PROBES)?;
                        at_most("probes.tls", p.tls.len(), PROBES)?;
                        at_most("probes.icmp", p.icmp.len(), PROBES)?;
                        at_most("probes.first_hop", p.first_hop.len(), PROBES)?;
                        at_most("probes.errors", p.errors.len(), PROBES)?;
                    }
                }
                Part::ClientSettings => {
                    if let Some(s) = self.client_settings.get() {
                        at_most("client_settings.proxy_env", s.proxy_env.len(), SETTINGS)?;
                        at_most("client_settings.aws_env", s.aws_env.len(), SETTINGS)?;
                        if let Some(p) = &s.aws_profile {
                            at_most("client_settings.aws_profile", p.settings.len(), SETTINGS)?;
                        }
                    }
                }
                Part::Vantage => {
                    if let Some(v) = self.vantage.get() {
                        let n = v.vpc_ipv4_cidr_blocks.len()
                            + v.vpc_ipv6_cidr_blocks.len()
                            + v.local_ipv4s.len()
                            + v.public_ipv4s.len()
                            + v.ipv6s.len()
                            + v.security_group_ids.len();
                        at_most("vantage lists", n, SETTINGS)?;
                    }
                }
                Part::Presigned => {
                    if let Some(p) = self.presigned.get() {
                        resolution(name, &p.resolution)?;
                        at_most("presigned.tcp", p.tcp.len(), PROBES)?;
                    }
                }
                Part::Clock => {
                    if let Some(c) = self.clock.get() {
                        at_most("clock.errors", c.errors.len(), SETTINGS)?;
                    }
                }
                Part::Transit => {
                    if let Some(t) = self.transit.get() {
                        at_most("transit.attachments", t.attachments.len(), TGW_ATTACHMENTS)?;
                        at_most(
                            "transit.route_tables",
                            t.route_tables.len(),
                            TGW_ATTACHMENTS,
                        )?;
                        for rt in &t.route_tables {
                            if let Some(r) = rt.routes.get() {
                                at_most(&format!("routes of {}", rt.id), r.len(), TGW_ROUTES)?;
                                for route in r {
                                    at_most(
                                        &format!("attachments of a route of {}", rt.id),
                                        route.attachments.len(),
                                        TGW_ATTACHMENTS,
                                    )?;
                                }
                            }
                        }
                        at_most("transit.hubs", t.hubs.len(), HUBS)?;
                        if let Some(d) = t.private_dns.get() {
                            if let Some(z) = d.hosted_zones.get() {
                                at_most("transit.private_dns.hosted_zones", z.len(), ZONES)?;
                                for zone in z {
                                    let r = zone.records.get().map_or(0, Vec::len);
                                    at_most(&format!("records of {}", zone.id), r, ZONE_RECORDS)?;
                                    for rec in zone.records.get().into_iter().flatten() {
                                        at_most(
                                            &format!("values of a record of {}", zone.id),
                                            rec.values.len(),
                                            RECORD_VALUES,
                                        )?;
                                    }
                                }
                            }
                            if let Some(r) = d.resolver_rules.get() {
                                at_most(
                                    "transit.private_dns.resolver_rules",
                                    r.len(),
                                    RESOLVER_RULES,
                                )?;
                                for rule in r {
                                    at_most(
                                        &format!("targets of {}", rule.id),
                                        rule.target_ips.len(),
                                        RECORD_VALUES,
                                    )?;
                                }
                            }
                        }
                        for h in &t.hubs {
                            let what = |l: &str| format!("{l} of hub {}", h.vpc_id);
                            at_most(&what("subnets"), h.attachment_subnet_ids.len(), CIDRS)?;
                            if let Some(c) = h.cidrs.get() {
                                at_most(&what("CIDRs"), c.len(), CIDRS)?;
                            }
                            if let Some(ts) = h.route_tables.get() {
                                at_most(&what("route tables"), ts.len(), ROUTE_TABLES)?;
                                for t in ts {
                                    at_most(&what(&t.id), t.routes.len(), ROUTES)?;
                                    at_most(&what(&t.id), t.subnet_ids.len(), ROUTES)?;
                                }
                            }
                            if let Some(es) = h.vpc_endpoints.get() {
                                at_most(&what("endpoints"), es.len(), ENDPOINTS)?;
                                for e in es {
                                    at_most(&what(&e.id), e.network_interfaces.len(), ENIS)?;
                                    at_most(&what(&e.id), e.security_group_ids.len(), ENIS)?;
                                    at_most(&what(&e.id), e.subnet_ids.len(), ENIS)?;
                                    at_most(&what(&e.id), e.route_table_ids.len(), ROUTE_TABLES)?;
                                    at_most(&what(&e.id), e.dns_entries.len(), ENIS)?;
                                }
                            }
                            if let Some(l) = h.prefix_lists.get() {
                                at_most(&what("prefix lists"), l.len(), PREFIX_LISTS)?;
                                for pl in l {
                                    at_most(&what(&pl.id), pl.cidrs.len(), CIDRS)?;
                                }
                            }
                            if let Some(g) = h.security_groups.get() {
                                at_most(&what("security groups"), g.len(), SECURITY_GROUPS)?;
                                for sg in g {
                                    at_most(
                                        &what(&sg.id),
                                        sg.egress.len() + sg.ingress.len(),
                                        SG_RULES,
                                    )?;
                                }
                            }
                            if let Some(n) = h.nat_gateways.get() {
                                at_most(&what("NAT gateways"), n.len(), NAT_GATEWAYS)?;
                            }
                            if let Some(n) = h.internet_gateways.get() {
                                at_most(&what("internet gateways"), n.len(), NAT_GATEWAYS)?;
                            }
                        }
                    }
                }
                // No lists in these.
                Part::MetadataService | Part::VpcDnsAttributes => {}
            }
        }
        Ok(())
    }
}
