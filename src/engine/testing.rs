//! Test support: [`FactsBuilder`] builds [`Facts`] tersely for the engine's unit tests, and a
//! few helpers run one rule or the whole engine over them.
//!
//! The default is an EC2 instance `i-1` in `subnet-1` of `vpc-1` (10.0.0.0/16), region
//! us-east-1, whose control plane was read and is empty (no route tables, endpoints, prefix
//! lists), no DNS answers, no proxy settings, no probes:
//!
//! ```ignore
//! let facts = FactsBuilder::new()
//!     .table("rtb-1", &["0.0.0.0/0 -> nat-1", "pl-s3 -> vpce-gw"])
//!     .gateway_endpoint("vpce-gw")
//!     .prefix_list("pl-s3", "com.amazonaws.us-east-1.s3", &["52.216.0.0/15"])
//!     .dns(S3, &["52.216.1.1"])
//!     .build();
//! ```
//!
//! A route is written as the engine writes it, `DEST -> TARGET`, optionally followed by
//! ` (blackhole)` or ` (propagated)`; the target's id prefix picks its field (`nat-`, `igw-`,
//! `vpce-`, `tgw-`, `pcx-`, `eni-`, `i-`, `eigw-`, `vgw-`, `local`, …).

use std::net::IpAddr;

use ipnet::IpNet;

use super::context::Cx;
use super::kinds::{Decision, EvidenceKind};
use super::rules::{judge_address, Query};
use super::{Analysis, TargetPath};
use crate::facts::{
    AnswerSource, ClientSettings, EndpointInterface, EndpointType, EnvSetting, Facts,
    FirstHopProbe, IgwAttachment, InternetGateway, LookupStatus, NatConnectivity, NatGateway,
    Observed, PrefixList, Probes, Request, Resolution, Route, RouteOrigin, RouteTable, TcpOutcome,
    TcpProbe, Vantage, VantageKind, VpcEndpoint,
};
use crate::names::targets::{Target, TargetRole};

/// The primary target of the default facts (region us-east-1, no bucket).
pub(crate) const S3: &str = "s3.us-east-1.amazonaws.com";

pub(crate) fn ip(s: &str) -> IpAddr {
    s.parse().unwrap_or_else(|e| panic!("{s}: {e}"))
}

pub(crate) fn net(s: &str) -> IpNet {
    s.parse().unwrap_or_else(|e| panic!("{s}: {e}"))
}

/// A route from `DEST -> TARGET[ (blackhole)| (propagated)]`.
pub(crate) fn route(spec: &str) -> Route {
    let (spec, state, origin) = if let Some(s) = spec.strip_suffix(" (blackhole)") {
        (s, "blackhole", None)
    } else if let Some(s) = spec.strip_suffix(" (propagated)") {
        (s, "active", Some(RouteOrigin::EnableVgwRoutePropagation))
    } else {
        (spec, "active", None)
    };
    let (dest, target) = spec
        .split_once(" -> ")
        .unwrap_or_else(|| panic!("route {spec:?}: want `DEST -> TARGET`"));
    let mut r = Route {
        state: state.into(),
        origin,
        ..Route::default()
    };
    if dest.starts_with("pl-") {
        r.destination_prefix_list_id = Some(dest.to_string());
    } else if dest.contains(':') {
        r.destination_ipv6_cidr_block = Some(net(dest));
    } else {
        r.destination_cidr_block = Some(net(dest));
    }
    let t = Some(target.to_string());
    match target.split('-').next().unwrap_or("") {
        "nat" => r.nat_gateway_id = t,
        "tgw" => r.transit_gateway_id = t,
        "pcx" => r.vpc_peering_connection_id = t,
        "eni" => r.network_interface_id = t,
        "i" => r.instance_id = t,
        "eigw" => r.egress_only_internet_gateway_id = t,
        "cagw" => r.carrier_gateway_id = t,
        "lgw" => r.local_gateway_id = t,
        _ if target.starts_with("arn:") => r.core_network_arn = t,
        _ => r.gateway_id = t,
    }
    r
}

/// An S3 target of the default region by host (its family read from the name).
pub(crate) fn target(host: &str) -> Target {
    Target::new(host.to_string(), TargetRole::Service)
}

/// DNS's answer for one of S3's standard names.
pub(crate) fn s3_query<'a>(t: &'a Target, addr: &str) -> Query<'a> {
    Query {
        addr: ip(addr),
        target: Some(t),
        source: AnswerSource::Dns,
        from_s3_dns: true,
    }
}

/// An address with nothing known about it (a proxy's).
pub(crate) fn bare(addr: &str) -> Query<'static> {
    Query::bare(ip(addr), AnswerSource::Dns)
}

/// Runs the engine and returns the judged target `host`.
pub(crate) fn judged(facts: &Facts, host: &str) -> TargetPath {
    let a: Analysis = super::analyze(facts);
    a.target(host)
        .unwrap_or_else(|| {
            panic!(
                "{host} not judged; targets: {:?}",
                a.targets.iter().map(|t| &t.target.host).collect::<Vec<_>>()
            )
        })
        .clone()
}

/// All the address rules (with the basis) for `addr` as DNS's answer for [`S3`].
pub(crate) fn decide_s3(facts: &Facts, addr: &str) -> Decision {
    let t = target(S3);
    judge_address(&Cx::new(facts), s3_query(&t, addr))
}

/// All the address rules for `addr` as DNS's answer for `host`.
pub(crate) fn decide_for(facts: &Facts, host: &str, addr: &str) -> Decision {
    let t = target(host);
    judge_address(&Cx::new(facts), s3_query(&t, addr))
}

/// The details of `d`'s evidence of `kind`, in order.
pub(crate) fn evidence(d: &Decision, kind: EvidenceKind) -> Vec<&str> {
    d.evidence
        .iter()
        .filter(|e| e.kind == kind)
        .map(|e| e.detail.as_str())
        .collect()
}

/// Runs `f` with the context of `facts`.
pub(crate) fn with_cx<R>(facts: &Facts, f: impl FnOnce(&Cx) -> R) -> R {
    f(&Cx::new(facts))
}

pub(crate) struct FactsBuilder {
    facts: Facts,
    next_eni: usize,
}

impl Default for FactsBuilder {
    fn default() -> Self {
        Self::new()
    }
}

impl FactsBuilder {
    pub(crate) fn new() -> Self {
        let mut facts = Facts::empty(
            Request {
                region: Some("us-east-1".to_string()),
                ..Request::default()
            },
            "not collected in this test",
        );
        let mut v = Vantage::new(VantageKind::Ec2Instance);
        v.instance_id = Some("i-1".to_string());
        v.region = Some("us-east-1".to_string());
        v.vpc_id = Some("vpc-1".to_string());
        v.subnet_id = Some("subnet-1".to_string());
        v.vpc_ipv4_cidr_blocks = vec![net("10.0.0.0/16")];
        v.local_ipv4s = vec![ip("10.0.0.10")];
        facts.vantage = Observed::collected(v);
        facts.route_tables = Observed::collected(vec![]);
        facts.vpc_endpoints = Observed::collected(vec![]);
        facts.prefix_lists = Observed::collected(vec![]);
        facts.dns = Observed::collected(vec![]);
        facts.client_settings = Observed::collected(ClientSettings::default());
        FactsBuilder { facts, next_eni: 1 }
    }

    pub(crate) fn build(self) -> Facts {
        self.facts
    }

    fn vantage_mut(&mut self) -> &mut Vantage {
        match &mut self.facts.vantage {
            Observed::Collected { value } => value,
            _ => panic!("the vantage is not collected"),
        }
    }

    /// Changes the vantage.
    pub(crate) fn vantage(mut self, f: impl FnOnce(&mut Vantage)) -> Self {
        f(self.vantage_mut());
        self
    }

    /// The VPC's CIDR blocks (IPv4 and IPv6), replacing the default 10.0.0.0/16.
    pub(crate) fn vpc_cidrs(self, cidrs: &[&str]) -> Self {
        self.vantage(|v| {
            let nets: Vec<IpNet> = cidrs.iter().map(|c| net(c)).collect();
            v.vpc_ipv4_cidr_blocks = nets
                .iter()
                .copied()
                .filter(|n| n.addr().is_ipv4())
                .collect();
            v.vpc_ipv6_cidr_blocks = nets.into_iter().filter(|n| n.addr().is_ipv6()).collect();
        })
    }

    /// The instance's public IPv4 address.
    pub(crate) fn public_ip(self, addr: &str) -> Self {
        self.vantage(|v| v.public_ipv4s.push(ip(addr)))
    }

    /// One of the instance's IPv6 addresses.
    pub(crate) fn ipv6(self, addr: &str) -> Self {
        self.vantage(|v| v.ipv6s.push(ip(addr)))
    }

    /// A host that is not in AWS (no subnet, no VPC).
    pub(crate) fn off_aws(mut self) -> Self {
        let mut v = Vantage::new(VantageKind::OffAws);
        v.region = Some("us-east-1".to_string());
        self.facts.vantage = Observed::collected(v);
        self
    }

    /// `s3path route`'s vantage: the subnet itself, no host.
    pub(crate) fn subnet_view(self) -> Self {
        self.vantage(|v| {
            v.kind = VantageKind::Subnet;
            v.instance_id = None;
            v.local_ipv4s.clear();
        })
    }

    /// A route table explicitly associated with the vantage's subnet.
    pub(crate) fn table(self, id: &str, routes: &[&str]) -> Self {
        self.push_table(id, false, vec!["subnet-1".to_string()], routes)
    }

    /// The VPC's main table (no association with the subnet).
    pub(crate) fn main_table(self, id: &str, routes: &[&str]) -> Self {
        self.push_table(id, true, vec![], routes)
    }

    /// A table associated with another subnet.
    pub(crate) fn other_table(self, id: &str, routes: &[&str]) -> Self {
        self.push_table(id, false, vec!["subnet-other".to_string()], routes)
    }

    fn push_table(mut self, id: &str, main: bool, subnets: Vec<String>, routes: &[&str]) -> Self {
        let t = RouteTable {
            id: id.to_string(),
            vpc_id: Some("vpc-1".to_string()),
            main,
            subnet_ids: subnets,
            routes: routes.iter().map(|r| route(r)).collect(),
        };
        push(&mut self.facts.route_tables, t);
        self
    }

    pub(crate) fn route_tables(mut self, o: Observed<Vec<RouteTable>>) -> Self {
        self.facts.route_tables = o;
        self
    }

    /// Any VPC endpoint.
    pub(crate) fn endpoint(mut self, e: VpcEndpoint) -> Self {
        push(&mut self.facts.vpc_endpoints, e);
        self
    }

    pub(crate) fn endpoints(mut self, o: Observed<Vec<VpcEndpoint>>) -> Self {
        self.facts.vpc_endpoints = o;
        self
    }

    /// An available S3 gateway endpoint of us-east-1.
    pub(crate) fn gateway_endpoint(self, id: &str) -> Self {
        self.endpoint(endpoint(id, EndpointType::Gateway, "available"))
    }

    /// An endpoint of type `ty` in `state` with one ENI per address (IPv4 or IPv6), in
    /// us-east-1a, subnet-1.
    pub(crate) fn eni_endpoint(
        mut self,
        id: &str,
        ty: EndpointType,
        state: &str,
        addrs: &[&str],
    ) -> Self {
        let mut e = endpoint(id, ty, state);
        for a in addrs {
            let addr = ip(a);
            e.network_interfaces.push(EndpointInterface {
                id: format!("eni-{}", self.next_eni),
                subnet_id: Some("subnet-1".to_string()),
                availability_zone: Some("us-east-1a".to_string()),
                private_ipv4: addr.is_ipv4().then_some(addr),
                ipv6s: if addr.is_ipv6() { vec![addr] } else { vec![] },
            });
            self.next_eni += 1;
        }
        self.endpoint(e)
    }

    /// An available S3 interface endpoint with one ENI per address.
    pub(crate) fn interface_endpoint(self, id: &str, addrs: &[&str]) -> Self {
        self.eni_endpoint(id, EndpointType::Interface, "available", addrs)
    }

    /// A prefix list with its entries (AWS-managed when named `com.amazonaws.…`).
    pub(crate) fn prefix_list(mut self, id: &str, name: &str, cidrs: &[&str]) -> Self {
        let cidrs: Vec<IpNet> = cidrs.iter().map(|c| net(c)).collect();
        let v6 = cidrs.first().is_some_and(|c| c.addr().is_ipv6());
        let l = PrefixList {
            name: Some(name.to_string()),
            owner_id: Some(owner(name)),
            address_family: Some(if v6 { "IPv6" } else { "IPv4" }.into()),
            cidrs,
            ..PrefixList::new(id)
        };
        push(&mut self.facts.prefix_lists, l);
        self
    }

    /// A prefix list whose entries could not be read (`error`); `name` when it is known.
    pub(crate) fn unread_prefix_list(mut self, id: &str, name: Option<&str>, error: &str) -> Self {
        let l = PrefixList {
            name: name.map(str::to_string),
            owner_id: name.map(owner),
            entries_error: Some(error.to_string()),
            ..PrefixList::new(id)
        };
        push(&mut self.facts.prefix_lists, l);
        self
    }

    pub(crate) fn prefix_lists(mut self, o: Observed<Vec<PrefixList>>) -> Self {
        self.facts.prefix_lists = o;
        self
    }

    /// A NAT gateway of the VPC in `state`.
    pub(crate) fn nat(mut self, id: &str, state: &str) -> Self {
        let n = NatGateway {
            id: id.to_string(),
            state: state.into(),
            connectivity_type: NatConnectivity::Public,
            subnet_id: Some("subnet-public".to_string()),
            private_ips: vec![],
            public_ips: vec![],
        };
        push(&mut self.facts.nat_gateways, n);
        self
    }

    /// An internet gateway, attached to `vpc` when given.
    pub(crate) fn igw(mut self, id: &str, vpc: Option<&str>) -> Self {
        let g = InternetGateway {
            id: id.to_string(),
            attachments: vpc
                .map(|v| IgwAttachment {
                    vpc_id: v.to_string(),
                    state: "available".into(),
                })
                .into_iter()
                .collect(),
        };
        push(&mut self.facts.internet_gateways, g);
        self
    }

    /// The system resolver's answer for `host`.
    pub(crate) fn dns(self, host: &str, addrs: &[&str]) -> Self {
        self.answer(host, AnswerSource::Dns, LookupStatus::Answered, addrs)
    }

    /// A hosts-file pin.
    pub(crate) fn hosts_file(self, host: &str, addrs: &[&str]) -> Self {
        self.answer(host, AnswerSource::HostsFile, LookupStatus::Answered, addrs)
    }

    /// An answer `s3path route` derived from the control plane.
    pub(crate) fn derived(self, host: &str, addrs: &[&str]) -> Self {
        self.answer(host, AnswerSource::Derived, LookupStatus::Answered, addrs)
    }

    /// A lookup that ended with `status` and no address.
    pub(crate) fn dns_status(self, host: &str, status: LookupStatus) -> Self {
        self.answer(host, AnswerSource::Dns, status, &[])
    }

    pub(crate) fn answer(
        mut self,
        host: &str,
        source: AnswerSource,
        status: LookupStatus,
        addrs: &[&str],
    ) -> Self {
        let r = Resolution {
            host: host.to_string(),
            status,
            source,
            addresses: addrs.iter().map(|a| ip(a)).collect(),
            cname_chain: vec![],
            ttl: None,
            error: None,
            resolver: None,
        };
        push(&mut self.facts.dns, r);
        self
    }

    pub(crate) fn dns_observed(mut self, o: Observed<Vec<Resolution>>) -> Self {
        self.facts.dns = o;
        self
    }

    /// A proxy variable (`https_proxy`, `NO_PROXY`, …) as set in the environment.
    pub(crate) fn env(mut self, name: &str, value: &str) -> Self {
        let s = match &mut self.facts.client_settings {
            Observed::Collected { value } => value,
            _ => panic!("client settings are not collected"),
        };
        s.proxy_env.push(EnvSetting {
            name: name.to_string(),
            value: value.to_string(),
        });
        self
    }

    /// An SDK variable (`AWS_USE_DUALSTACK_ENDPOINT`, `AWS_ENDPOINT_URL_S3`, …).
    pub(crate) fn aws_env(mut self, name: &str, value: &str) -> Self {
        let s = match &mut self.facts.client_settings {
            Observed::Collected { value } => value,
            _ => panic!("client settings are not collected"),
        };
        s.aws_env.push(EnvSetting {
            name: name.to_string(),
            value: value.to_string(),
        });
        self
    }

    fn probes_mut(&mut self) -> &mut Probes {
        if self.facts.probes.get().is_none() {
            self.facts.probes = Observed::collected(Probes::default());
        }
        match &mut self.facts.probes {
            Observed::Collected { value } => value,
            _ => unreachable!(),
        }
    }

    /// A TCP probe to `addr`:443.
    pub(crate) fn tcp(mut self, addr: &str, outcome: TcpOutcome) -> Self {
        self.probes_mut().tcp.push(TcpProbe {
            address: ip(addr),
            port: 443,
            outcome,
            latency_ms: Some(1.5),
            error: None,
        });
        self
    }

    /// A first-hop probe toward `addr`: `responder` answered at TTL 1, or none up to TTL 3.
    pub(crate) fn first_hop(mut self, addr: &str, responder: Option<&str>) -> Self {
        self.probes_mut().first_hop.push(FirstHopProbe {
            target: ip(addr),
            responder: responder.map(ip),
            ttl: responder.map(|_| 1),
            max_ttl: 3,
        });
        self
    }
}

fn owner(name: &str) -> String {
    if name.starts_with("com.amazonaws.") || name.starts_with("cn.com.amazonaws.") {
        "AWS".to_string()
    } else {
        "111122223333".to_string()
    }
}

/// An S3 endpoint of us-east-1 with nothing else.
pub(crate) fn endpoint(id: &str, ty: EndpointType, state: &str) -> VpcEndpoint {
    VpcEndpoint {
        id: id.to_string(),
        vpc_id: Some("vpc-1".to_string()),
        endpoint_type: ty,
        service_name: Some("com.amazonaws.us-east-1.s3".to_string()),
        state: state.into(),
        route_table_ids: vec![],
        subnet_ids: vec![],
        network_interfaces: vec![],
        dns_entries: vec![],
        private_dns_enabled: false,
        private_dns_only_for_inbound_resolver_endpoint: None,
        security_group_ids: vec![],
        policy_document: None,
        ip_address_type: None,
        resource_configuration_arn: None,
    }
}

/// Appends to a collected list, collecting it first when it was not.
fn push<T>(o: &mut Observed<Vec<T>>, item: T) {
    match o {
        Observed::Collected { value } => value.push(item),
        _ => *o = Observed::collected(vec![item]),
    }
}
