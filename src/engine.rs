//! The path engine: for each target host and each of its addresses, which way the traffic
//! leaves. A pure function of [`Facts`]; no I/O.

use std::fmt;
use std::net::IpAddr;

use ipnet::IpNet;
use serde::{Deserialize, Serialize};

use crate::facts::{
    AnswerSource, EndpointType, Facts, LookupStatus, Route, RouteTable, TcpOutcome, Vantage,
    VantageKind, VpcEndpoint,
};
use crate::proxy::{self, ProxyDecision};
use crate::targets::{self, Target, TargetClass};

/// The ways traffic can leave. Each has its own kebab-case name; there is no catch-all.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum PathKind {
    InterfaceEndpoint,
    ResourceEndpoint,
    ServiceNetworkEndpoint,
    Local,
    GatewayEndpoint,
    GatewayLoadBalancerEndpoint,
    NatGateway,
    InternetGateway,
    EgressOnlyInternetGateway,
    TransitGateway,
    VpcPeering,
    VirtualPrivateGateway,
    NetworkInterface,
    CarrierGateway,
    LocalGateway,
    CoreNetwork,
    /// A `gateway_id` whose prefix s3path does not know.
    UnrecognizedGateway,
    Proxy,
    /// The vantage is not in a VPC: traffic leaves through the host's own network.
    OffAws,
    Blocked,
    Unknown,
}

impl PathKind {
    pub const ALL: [PathKind; 21] = [
        PathKind::InterfaceEndpoint,
        PathKind::ResourceEndpoint,
        PathKind::ServiceNetworkEndpoint,
        PathKind::Local,
        PathKind::GatewayEndpoint,
        PathKind::GatewayLoadBalancerEndpoint,
        PathKind::NatGateway,
        PathKind::InternetGateway,
        PathKind::EgressOnlyInternetGateway,
        PathKind::TransitGateway,
        PathKind::VpcPeering,
        PathKind::VirtualPrivateGateway,
        PathKind::NetworkInterface,
        PathKind::CarrierGateway,
        PathKind::LocalGateway,
        PathKind::CoreNetwork,
        PathKind::UnrecognizedGateway,
        PathKind::Proxy,
        PathKind::OffAws,
        PathKind::Blocked,
        PathKind::Unknown,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            PathKind::InterfaceEndpoint => "interface-endpoint",
            PathKind::ResourceEndpoint => "resource-endpoint",
            PathKind::ServiceNetworkEndpoint => "service-network-endpoint",
            PathKind::Local => "local",
            PathKind::GatewayEndpoint => "gateway-endpoint",
            PathKind::GatewayLoadBalancerEndpoint => "gateway-load-balancer-endpoint",
            PathKind::NatGateway => "nat-gateway",
            PathKind::InternetGateway => "internet-gateway",
            PathKind::EgressOnlyInternetGateway => "egress-only-internet-gateway",
            PathKind::TransitGateway => "transit-gateway",
            PathKind::VpcPeering => "vpc-peering",
            PathKind::VirtualPrivateGateway => "virtual-private-gateway",
            PathKind::NetworkInterface => "network-interface",
            PathKind::CarrierGateway => "carrier-gateway",
            PathKind::LocalGateway => "local-gateway",
            PathKind::CoreNetwork => "core-network",
            PathKind::UnrecognizedGateway => "unrecognized-gateway",
            PathKind::Proxy => "proxy",
            PathKind::OffAws => "off-aws",
            PathKind::Blocked => "blocked",
            PathKind::Unknown => "unknown",
        }
    }

    pub fn parse(s: &str) -> Option<PathKind> {
        PathKind::ALL.into_iter().find(|k| k.as_str() == s)
    }

    /// A human description ("NAT gateway").
    pub fn describe(self) -> &'static str {
        match self {
            PathKind::InterfaceEndpoint => "interface endpoint (PrivateLink)",
            PathKind::ResourceEndpoint => "PrivateLink resource endpoint",
            PathKind::ServiceNetworkEndpoint => "service network endpoint",
            PathKind::Local => "a host inside the VPC",
            PathKind::GatewayEndpoint => "gateway endpoint",
            PathKind::GatewayLoadBalancerEndpoint => "Gateway Load Balancer endpoint",
            PathKind::NatGateway => "NAT gateway",
            PathKind::InternetGateway => "internet gateway",
            PathKind::EgressOnlyInternetGateway => "egress-only internet gateway",
            PathKind::TransitGateway => "transit gateway",
            PathKind::VpcPeering => "VPC peering connection",
            PathKind::VirtualPrivateGateway => "virtual private gateway",
            PathKind::NetworkInterface => "network interface (NAT instance or appliance)",
            PathKind::CarrierGateway => "carrier gateway",
            PathKind::LocalGateway => "local gateway (Outposts)",
            PathKind::CoreNetwork => "Cloud WAN core network",
            PathKind::UnrecognizedGateway => "gateway of an unrecognized type",
            PathKind::Proxy => "HTTPS proxy",
            PathKind::OffAws => "this host's own network (not in a VPC)",
            PathKind::Blocked => "nothing (blocked)",
            PathKind::Unknown => "an undetermined path",
        }
    }
}

impl fmt::Display for PathKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Confidence {
    /// The control plane and a live probe agree.
    Confirmed,
    /// Decided from one source only, or with an assumption (see the evidence).
    Inferred,
    /// Not decided.
    None,
}

/// Why a path is `blocked`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum BlockCause {
    /// No route matches the address.
    NoRoute,
    /// The matching route is a blackhole.
    Blackhole,
    /// The route leads to an internet gateway but the vantage has no public address.
    NoPublicAddress,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum EvidenceKind {
    Dns,
    HostsFile,
    VpcCidr,
    Eni,
    Route,
    PrefixList,
    Proxy,
    Probe,
    Vantage,
    Assumption,
    Missing,
}

/// One piece of evidence behind a decision, in words an engineer can check.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Evidence {
    pub kind: EvidenceKind,
    pub detail: String,
}

fn ev(kind: EvidenceKind, detail: impl Into<String>) -> Evidence {
    Evidence {
        kind,
        detail: detail.into(),
    }
}

/// The decided path for one address (or a whole target).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Decision {
    pub path: PathKind,
    /// The resource the traffic goes through (`vpce-…`, `nat-…`, `proxy:3128`, …).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub via: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub route_table: Option<String>,
    /// The route that decided, as written in the table (`pl-… -> vpce-…`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub route: Option<String>,
    pub confidence: Confidence,
    /// For `unknown`/`blocked`: why, in one sentence.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub blocked_by: Option<BlockCause>,
    pub evidence: Vec<Evidence>,
    /// For `proxy`: the path to the proxy itself.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub next: Option<Box<Decision>>,
    /// `Some(false)` when a live probe contradicts the decision.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub probe_agrees: Option<bool>,
}

impl Decision {
    fn new(path: PathKind, confidence: Confidence) -> Self {
        Decision {
            path,
            via: None,
            route_table: None,
            route: None,
            confidence,
            reason: None,
            blocked_by: None,
            evidence: Vec::new(),
            next: None,
            probe_agrees: None,
        }
    }

    fn unknown(reason: impl Into<String>) -> Self {
        Decision {
            reason: Some(reason.into()),
            ..Decision::new(PathKind::Unknown, Confidence::None)
        }
    }

    fn blocked(cause: BlockCause, reason: impl Into<String>) -> Self {
        Decision {
            reason: Some(reason.into()),
            blocked_by: Some(cause),
            ..Decision::new(PathKind::Blocked, Confidence::Inferred)
        }
    }

    fn with_via(mut self, via: impl Into<String>) -> Self {
        self.via = Some(via.into());
        self
    }

    fn push(&mut self, kind: EvidenceKind, detail: impl Into<String>) {
        self.evidence.push(ev(kind, detail));
    }

    /// The kind and resource, e.g. `gateway-endpoint via vpce-0abc`.
    pub fn label(&self) -> String {
        match &self.via {
            Some(v) => format!("{} via {v}", self.path),
            None => self.path.to_string(),
        }
    }

    /// The path that finally carries the traffic (for a proxy, the path to the proxy).
    pub fn terminal(&self) -> &Decision {
        match &self.next {
            Some(n) => n.terminal(),
            None => self,
        }
    }

    fn same_path(&self, other: &Decision) -> bool {
        self.path == other.path && self.via == other.via
    }
}

/// One resolved address of a target and its path.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct AddressPath {
    pub address: IpAddr,
    #[serde(flatten)]
    pub decision: Decision,
}

/// One target host with its DNS answer and paths.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TargetPath {
    #[serde(flatten)]
    pub target: Target,
    pub primary: bool,
    /// How the name resolved (`answered`, `nxdomain`, …), or `not_resolved`.
    pub resolution: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub answer_source: Option<AnswerSource>,
    /// The path of the target as a whole (the first address's when addresses disagree).
    pub decision: Decision,
    pub addresses: Vec<AddressPath>,
    /// False when the target's addresses take different paths.
    pub consistent: bool,
}

/// Which route table governs the vantage's subnet, and why.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct EffectiveTable {
    pub id: String,
    /// `explicit` (the subnet is associated with it) or `main` (fallback to the VPC's main
    /// table).
    pub association: String,
}

/// The outcome of the engine: everything the checks and the verdict read.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Analysis {
    pub region: Option<String>,
    pub route_table: Option<EffectiveTable>,
    pub targets: Vec<TargetPath>,
}

impl Analysis {
    pub fn primary(&self) -> Option<&TargetPath> {
        self.targets.iter().find(|t| t.primary)
    }
}

/// Runs the engine over `facts`.
pub fn analyze(facts: &Facts) -> Analysis {
    let region = facts.region().map(str::to_string);
    let cx = Cx::new(facts);
    let route_table = cx.table.map(|(t, assoc)| EffectiveTable {
        id: t.id.clone(),
        association: assoc.to_string(),
    });
    let targets = match &region {
        None => Vec::new(),
        Some(r) => {
            let endpoints = facts.vpc_endpoints.get().map(Vec::as_slice).unwrap_or(&[]);
            let endpoint_override = facts
                .client_settings
                .get()
                .and_then(|s| s.s3_endpoint_override())
                .and_then(|(_, url)| targets::url_host(&url));
            let mut planned = targets::plan_for(
                r,
                &facts.request.buckets,
                &facts.bucket_regions(),
                endpoints,
                endpoint_override.as_deref(),
            );
            // A presigned URL's host, unless it is already one of the names judged.
            if let Some(p) = facts.presigned.get() {
                if !planned.iter().any(|t| t.host.eq_ignore_ascii_case(&p.host)) {
                    planned.push(Target {
                        host: p.host.clone(),
                        class: targets::TargetClass::Presigned,
                        bucket: None,
                        endpoint_id: None,
                    });
                }
            }
            planned
                .into_iter()
                .enumerate()
                .map(|(i, t)| cx.judge_target(t, i == 0))
                .collect()
        }
    };
    Analysis {
        region,
        route_table,
        targets,
    }
}

/// Finds the route table that governs `subnet_id`: its explicit association, else the main
/// table of its VPC.
pub fn effective_table<'a>(
    tables: &'a [RouteTable],
    subnet_id: &str,
    vpc_id: Option<&str>,
) -> Option<(&'a RouteTable, &'static str)> {
    if let Some(t) = tables
        .iter()
        .find(|t| t.subnet_ids.iter().any(|s| s == subnet_id))
    {
        return Some((t, "explicit"));
    }
    tables
        .iter()
        .find(|t| {
            t.main && (vpc_id.is_none() || t.vpc_id.is_none() || t.vpc_id.as_deref() == vpc_id)
        })
        .map(|t| (t, "main"))
}

struct Cx<'a> {
    facts: &'a Facts,
    vantage: Option<&'a Vantage>,
    endpoints: Option<&'a [VpcEndpoint]>,
    table: Option<(&'a RouteTable, &'static str)>,
}

impl<'a> Cx<'a> {
    fn new(facts: &'a Facts) -> Self {
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
            table,
        }
    }

    fn judge_target(&self, target: Target, primary: bool) -> TargetPath {
        let mut out = TargetPath {
            primary,
            resolution: "not_resolved".to_string(),
            answer_source: None,
            decision: Decision::unknown("not judged"),
            addresses: Vec::new(),
            consistent: true,
            target,
        };
        // A proxy takes the request before the client's own DNS matters.
        if let Some(settings) = self.facts.client_settings.get() {
            match proxy::decide(settings, &out.target.host) {
                ProxyDecision::Proxied(p) => {
                    let mut d =
                        Decision::new(PathKind::Proxy, Confidence::Inferred).with_via(p.address());
                    d.push(
                        EvidenceKind::Proxy,
                        format!(
                            "{}={} applies to https://{}",
                            p.variable, p.url, out.target.host
                        ),
                    );
                    if let Some((var, value)) = proxy::no_proxy(settings) {
                        d.push(
                            EvidenceKind::Proxy,
                            format!("{var}={value} does not exempt {}", out.target.host),
                        );
                    }
                    let next = self.judge_proxy_host(&p.host);
                    d.confidence = next.confidence;
                    d.next = Some(Box::new(next));
                    if let Some(res) = self.facts.resolution(&out.target.host) {
                        out.resolution = status_name(res.status).to_string();
                        out.answer_source = Some(res.source);
                    }
                    out.decision = d;
                    return out;
                }
                ProxyDecision::Invalid { variable, error } => {
                    out.decision = Decision::unknown(format!(
                        "{variable} is set but unusable ({error}); clients disagree on whether they ignore it or fail"
                    ));
                    return out;
                }
                ProxyDecision::NoProxy | ProxyDecision::Bypassed { .. } => {}
            }
        }
        let res = match self.facts.dns.get() {
            None => {
                let why = self.facts.dns.missing_reason().unwrap_or_default();
                out.decision = Decision::unknown(format!("DNS answers {why}"));
                return out;
            }
            Some(_) => match self.facts.resolution(&out.target.host) {
                None => {
                    out.decision =
                        Decision::unknown(format!("{} was not looked up", out.target.host));
                    return out;
                }
                Some(r) => r,
            },
        };
        out.resolution = status_name(res.status).to_string();
        out.answer_source = Some(res.source);
        if res.status != LookupStatus::Answered || res.addresses.is_empty() {
            let detail = res
                .error
                .as_deref()
                .map(|e| format!(": {e}"))
                .unwrap_or_default();
            out.decision = Decision::unknown(format!(
                "{} did not resolve ({}{detail})",
                out.target.host,
                status_name(res.status)
            ));
            return out;
        }
        let dns_evidence = match res.source {
            AnswerSource::HostsFile => ev(
                EvidenceKind::HostsFile,
                format!("{} is pinned in the hosts file", out.target.host),
            ),
            AnswerSource::Dns => {
                let chain = if res.cname_chain.is_empty() {
                    String::new()
                } else {
                    format!(" via CNAME {}", res.cname_chain.join(" -> "))
                };
                let by = res
                    .resolver
                    .as_deref()
                    .map(|r| format!(" (resolver {r})"))
                    .unwrap_or_default();
                ev(
                    EvidenceKind::Dns,
                    format!(
                        "{}{chain} resolved to {}{by}",
                        out.target.host,
                        join_ips(&res.addresses)
                    ),
                )
            }
        };
        let from_dns = res.source == AnswerSource::Dns;
        for &addr in &res.addresses {
            let mut d = self.judge_address(addr, Some(&out.target), from_dns);
            d.evidence.insert(0, dns_evidence.clone());
            out.addresses.push(AddressPath {
                address: addr,
                decision: d,
            });
        }
        let first = &out.addresses[0].decision;
        out.consistent = out.addresses.iter().all(|a| a.decision.same_path(first));
        out.decision = first.clone();
        out
    }

    /// The path to the proxy: its address is an IP literal or resolved by the system resolver.
    fn judge_proxy_host(&self, host: &str) -> Decision {
        let addr = match host.parse::<IpAddr>() {
            Ok(ip) => ip,
            Err(_) => match self.facts.resolution(host) {
                Some(r) if r.status == LookupStatus::Answered && !r.addresses.is_empty() => {
                    let mut d = self.judge_address(r.addresses[0], None, false);
                    d.evidence.insert(
                        0,
                        ev(
                            if r.source == AnswerSource::HostsFile {
                                EvidenceKind::HostsFile
                            } else {
                                EvidenceKind::Dns
                            },
                            format!("proxy {host} resolved to {}", join_ips(&r.addresses)),
                        ),
                    );
                    return d;
                }
                Some(r) => {
                    return Decision::unknown(format!(
                        "proxy host {host} did not resolve ({})",
                        status_name(r.status)
                    ))
                }
                None => return Decision::unknown(format!("proxy host {host} was not looked up")),
            },
        };
        self.judge_address(addr, None, false)
    }

    /// Decides the path of one address. `target` is the S3 name it answers for (None for a
    /// proxy), `from_dns` whether the answer came from DNS rather than the hosts file.
    fn judge_address(&self, addr: IpAddr, target: Option<&Target>, from_dns: bool) -> Decision {
        // 1. An interface (or resource) endpoint's ENI.
        if let Some(eps) = self.endpoints {
            for ep in eps {
                for eni in &ep.network_interfaces {
                    if eni.addresses().any(|a| a == addr) {
                        let kind = match ep.endpoint_type {
                            EndpointType::Resource => PathKind::ResourceEndpoint,
                            EndpointType::ServiceNetwork => PathKind::ServiceNetworkEndpoint,
                            _ => PathKind::InterfaceEndpoint,
                        };
                        let mut d = Decision::new(kind, Confidence::Inferred).with_via(&ep.id);
                        d.push(
                            EvidenceKind::Eni,
                            format!(
                                "{addr} is {} of {} ({}{})",
                                eni.id,
                                ep.id,
                                eni.availability_zone.as_deref().unwrap_or("AZ unknown"),
                                eni.subnet_id
                                    .as_deref()
                                    .map(|s| format!(", {s}"))
                                    .unwrap_or_default()
                            ),
                        );
                        if !ep.is_available() {
                            d.push(
                                EvidenceKind::Eni,
                                format!("{} is in state {}", ep.id, ep.state),
                            );
                        }
                        self.confirm(&mut d, addr);
                        return d;
                    }
                }
            }
        }
        // 2. Inside the VPC but not an endpoint ENI.
        if let Some(v) = self.vantage {
            if let Some(net) = v.vpc_cidr_containing(addr) {
                let is_s3_name = target.is_some_and(|t| t.class != TargetClass::EndpointSpecific);
                let mut d = if self.endpoints.is_none() && is_s3_name && from_dns {
                    let mut d = Decision::new(PathKind::InterfaceEndpoint, Confidence::Inferred);
                    d.push(
                        EvidenceKind::Assumption,
                        format!(
                            "the VPC endpoint list {}; an S3 name answered by DNS with an address inside the VPC is taken to be an interface endpoint ENI",
                            self.facts.vpc_endpoints.missing_reason().unwrap_or_default()
                        ),
                    );
                    d
                } else {
                    Decision::new(PathKind::Local, Confidence::Inferred).with_via(addr.to_string())
                };
                d.push(
                    EvidenceKind::VpcCidr,
                    format!(
                        "{addr} is inside VPC CIDR block {net}{}",
                        if self.endpoints.is_some() {
                            " and is not an endpoint ENI"
                        } else {
                            ""
                        }
                    ),
                );
                self.confirm(&mut d, addr);
                return d;
            }
            if v.kind == VantageKind::OffAws && v.subnet_id.is_none() {
                let mut d = Decision::new(PathKind::OffAws, Confidence::Inferred);
                d.push(
                    EvidenceKind::Vantage,
                    "this host is not an EC2 instance or ECS task and no subnet was named",
                );
                self.confirm(&mut d, addr);
                return d;
            }
        }
        // 3. The subnet's route table.
        let Some((table, association)) = self.table else {
            return self.without_routes(addr);
        };
        let mut d = self.route_lookup(addr, table, target);
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
        self.confirm(&mut d, addr);
        d
    }

    /// Longest-prefix match over `table`, with prefix-list routes standing for each CIDR of
    /// their list.
    fn route_lookup(&self, addr: IpAddr, table: &RouteTable, target: Option<&Target>) -> Decision {
        let lists = self.facts.prefix_lists.get();
        let mut best: Option<(u8, &Route, Option<IpNet>)> = None;
        let mut unresolved_pl: Vec<&Route> = Vec::new();
        for route in &table.routes {
            let matched: Option<(u8, Option<IpNet>)> = if let Some(pl_id) =
                &route.destination_prefix_list_id
            {
                // A real prefix list is never empty: an empty one was not really read.
                match lists.and_then(|ls| ls.iter().find(|l| &l.id == pl_id && !l.cidrs.is_empty()))
                {
                    Some(list) => list
                        .cidrs
                        .iter()
                        .filter(|c| c.contains(&addr))
                        .map(|c| (c.prefix_len(), Some(*c)))
                        .max_by_key(|(len, _)| *len),
                    None => {
                        unresolved_pl.push(route);
                        None
                    }
                }
            } else {
                route
                    .destination_cidr_block
                    .or(route.destination_ipv6_cidr_block)
                    .filter(|net| net.contains(&addr))
                    .map(|net| (net.prefix_len(), Some(net)))
            };
            if let Some((len, cidr)) = matched {
                if best.is_none_or(|(b, _, _)| len > b) {
                    best = Some((len, route, cidr));
                }
            }
        }

        let mut caveats = Vec::new();
        let best_len = best.map(|(len, _, _)| len);
        for route in unresolved_pl {
            let pl = route.destination_prefix_list_id.as_deref().unwrap_or("");
            let why = self
                .facts
                .prefix_lists
                .missing_reason()
                .unwrap_or_else(|| "was not collected".to_string());
            let same_region_s3_name = target.is_some_and(|t| {
                matches!(
                    t.class,
                    TargetClass::Regional | TargetClass::BucketRegional | TargetClass::Dualstack
                )
            });
            if same_region_s3_name && self.route_target_is_s3_gateway(route) {
                if best_len.is_none_or(|len| len == 0) {
                    // The S3 prefix list covers this region's S3 addresses, and any of its
                    // entries is more specific than a default route.
                    let mut d = self.route_decision(addr, route, None);
                    d.push(
                        EvidenceKind::Assumption,
                        format!(
                            "the CIDRs of {pl} ({why}) are taken to cover this region's S3 address {addr}; the only competing route is a default route"
                        ),
                    );
                    return d;
                }
                // A more specific CIDR route competes with a list we cannot read: say so
                // rather than guess which one wins.
                let mut d = Decision::unknown(format!(
                    "route {pl} -> {} in {} could not be ranked against the more specific route that matches {addr}: prefix list {why}",
                    route_target_label(route),
                    table.id
                ));
                d.route_table = Some(table.id.clone());
                return d;
            }
            caveats.push(format!(
                "route {pl} -> {} in {} was not evaluated: prefix list {why}",
                route_target_label(route),
                table.id
            ));
        }

        let Some((_, route, cidr)) = best else {
            let mut d = Decision::blocked(
                BlockCause::NoRoute,
                format!("route table {} has no route that matches {addr}", table.id),
            );
            d.route_table = Some(table.id.clone());
            d.push(
                EvidenceKind::Route,
                format!(
                    "{} routes: {}",
                    table.id,
                    table
                        .routes
                        .iter()
                        .map(|r| format!("{} -> {}", r.destination_label(), route_target_label(r)))
                        .collect::<Vec<_>>()
                        .join(", ")
                ),
            );
            for c in caveats {
                d.push(EvidenceKind::Missing, c);
            }
            return d;
        };
        let mut d = self.route_decision(addr, route, cidr);
        for c in caveats {
            d.push(EvidenceKind::Missing, c);
        }
        d
    }

    fn route_target_is_s3_gateway(&self, route: &Route) -> bool {
        let Some(id) = route.gateway_id.as_deref() else {
            return false;
        };
        match (self.endpoints, self.facts.region()) {
            (Some(eps), Some(region)) => eps.iter().any(|e| {
                e.id == id && e.endpoint_type == EndpointType::Gateway && e.is_s3_service(region)
            }),
            // Without the endpoint list, a vpce- target of a prefix-list route is a gateway
            // endpoint; that it serves S3 is the assumption stated in the evidence.
            _ => true,
        }
    }

    /// Turns the winning route into a decision.
    fn route_decision(&self, addr: IpAddr, route: &Route, cidr: Option<IpNet>) -> Decision {
        let target = route_target_label(route);
        let route_text = format!("{} -> {}", route.destination_label(), target);
        let matched = match (&route.destination_prefix_list_id, cidr) {
            (Some(pl), Some(c)) => {
                let name = self
                    .facts
                    .prefix_lists
                    .get()
                    .and_then(|ls| ls.iter().find(|l| &l.id == pl))
                    .and_then(|l| l.name.clone())
                    .map(|n| format!(" ({n})"))
                    .unwrap_or_default();
                Some(ev(
                    EvidenceKind::PrefixList,
                    format!("{addr} is in {c}, an entry of prefix list {pl}{name}"),
                ))
            }
            _ => None,
        };
        let mut d = if route.is_blackhole() {
            Decision::blocked(
                BlockCause::Blackhole,
                format!(
                    "the matching route {route_text} is a blackhole (its target no longer exists)"
                ),
            )
        } else {
            let (kind, via) = classify_route_target(route, self.endpoints);
            let mut d = Decision::new(kind, Confidence::Inferred);
            d.via = via;
            d
        };
        d.route = Some(route_text.clone());
        d.push(
            EvidenceKind::Route,
            format!(
                "longest match for {addr} in {}: {route_text}{}",
                self.table.map(|(t, _)| t.id.as_str()).unwrap_or("?"),
                if route.is_blackhole() {
                    " (blackhole)"
                } else {
                    ""
                }
            ),
        );
        if let Some(m) = matched {
            d.push(m.kind, m.detail);
        }
        if d.path == PathKind::InternetGateway {
            if self.vantage.is_some_and(|v| v.kind == VantageKind::Subnet) {
                d.push(
                    EvidenceKind::Vantage,
                    "instances in this subnet need a public IPv4 address or Elastic IP (IPv6: an IPv6 address) to use it",
                );
            } else if let Some(v) = self.vantage {
                let needed = if addr.is_ipv4() {
                    &v.public_ipv4s
                } else {
                    &v.ipv6s
                };
                if needed.is_empty() {
                    let family = if addr.is_ipv4() {
                        "public IPv4 address or Elastic IP"
                    } else {
                        "IPv6 address"
                    };
                    let via = d.via.clone().unwrap_or_default();
                    let mut b = Decision::blocked(BlockCause::NoPublicAddress, format!(
                        "the route sends {addr} to internet gateway {via}, but this vantage has no {family}"
                    ));
                    b.via = Some(via);
                    b.route = d.route.take();
                    b.evidence = std::mem::take(&mut d.evidence);
                    b.push(
                        EvidenceKind::Vantage,
                        format!(
                            "vantage {} has no {family}",
                            v.instance_id.as_deref().unwrap_or("(this host)")
                        ),
                    );
                    return b;
                }
                d.push(
                    EvidenceKind::Vantage,
                    format!("vantage has {}", join_ips(needed)),
                );
            }
        }
        d
    }

    /// Without a route table: a live first-hop probe can still tell NAT from a gateway endpoint.
    fn without_routes(&self, addr: IpAddr) -> Decision {
        let why = if self.facts.route_tables.get().is_some() {
            match self.vantage.and_then(|v| v.subnet_id.as_deref()) {
                Some(s) => format!("no route table of the VPC governs {s} (no explicit association and no main table)"),
                None => "the vantage's subnet is not known".to_string(),
            }
        } else {
            format!(
                "route tables {}",
                self.facts.route_tables.missing_reason().unwrap_or_default()
            )
        };
        if let (Some(probes), Some(v)) = (self.facts.probes.get(), self.vantage) {
            if let Some(hop) = probes.first_hop.iter().find(|h| h.target == addr) {
                match hop.responder {
                    Some(r) if v.vpc_cidr_containing(r).is_some() => {
                        let mut d = Decision::new(PathKind::NatGateway, Confidence::Inferred)
                            .with_via(r.to_string());
                        d.push(
                            EvidenceKind::Probe,
                            format!(
                                "first hop toward {addr} answered from {r} (TTL {}), inside the VPC: a NAT gateway or NAT instance",
                                hop.ttl.unwrap_or(1)
                            ),
                        );
                        d.push(EvidenceKind::Missing, why);
                        return d;
                    }
                    Some(r) => {
                        let mut d = Decision::unknown(format!(
                            "first hop toward {addr} answered from {r}, outside the VPC; {why}"
                        ));
                        d.push(EvidenceKind::Probe, format!("first hop answered from {r}"));
                        return d;
                    }
                    None if self.tcp_connected(addr) => {
                        let mut d = Decision::new(PathKind::GatewayEndpoint, Confidence::Inferred);
                        d.push(
                            EvidenceKind::Probe,
                            format!(
                                "no hop answered toward {addr} up to TTL {} while TCP 443 connected: the signature of a gateway endpoint",
                                hop.max_ttl
                            ),
                        );
                        d.push(EvidenceKind::Missing, why);
                        return d;
                    }
                    None => {}
                }
            }
        }
        Decision::unknown(why)
    }

    fn tcp_connected(&self, addr: IpAddr) -> bool {
        self.facts.probes.get().is_some_and(|p| {
            p.tcp
                .iter()
                .any(|t| t.address == addr && t.port == 443 && t.outcome == TcpOutcome::Connected)
        })
    }

    /// Raises the confidence to `confirmed` when a live probe agrees with the control-plane
    /// decision, and records disagreement.
    fn confirm(&self, d: &mut Decision, addr: IpAddr) {
        let Some(probes) = self.facts.probes.get() else {
            return;
        };
        let tcp = probes
            .tcp
            .iter()
            .find(|t| t.address == addr && t.port == 443);
        let hop = probes.first_hop.iter().find(|h| h.target == addr);
        let in_vpc = |ip: IpAddr| {
            self.vantage
                .is_some_and(|v| v.vpc_cidr_containing(ip).is_some())
        };
        let connected = tcp.is_some_and(|t| t.outcome == TcpOutcome::Connected);
        let agrees: Option<bool> = match d.path {
            PathKind::GatewayEndpoint => hop.map(|h| h.responder.is_none()),
            PathKind::NatGateway | PathKind::NetworkInterface => {
                hop.map(|h| h.responder.is_some_and(in_vpc))
            }
            PathKind::InternetGateway => hop.map(|h| h.responder.is_none_or(|r| !in_vpc(r))),
            PathKind::Blocked => tcp.map(|t| t.outcome != TcpOutcome::Connected),
            PathKind::Unknown | PathKind::Proxy => None,
            // A failed connection is a reachability problem (S3P501), not a different path.
            _ => connected.then_some(true),
        };
        if let Some(t) = tcp {
            d.push(
                EvidenceKind::Probe,
                format!(
                    "TCP {}:{} {}{}",
                    addr,
                    t.port,
                    tcp_outcome_name(t.outcome),
                    t.latency_ms
                        .map(|l| format!(" in {l:.1} ms"))
                        .unwrap_or_default()
                ),
            );
        }
        if let Some(h) = hop {
            d.push(
                EvidenceKind::Probe,
                match h.responder {
                    Some(r) => format!(
                        "first hop toward {addr} answered from {r} at TTL {}",
                        h.ttl.unwrap_or(1)
                    ),
                    None => format!("no hop answered toward {addr} up to TTL {}", h.max_ttl),
                },
            );
        }
        match agrees {
            Some(true) if d.confidence == Confidence::Inferred && self.control_plane_decided(d) => {
                // For egress paths a TCP success alone does not tell which way it went.
                let egress = matches!(
                    d.path,
                    PathKind::GatewayEndpoint | PathKind::NatGateway | PathKind::InternetGateway
                );
                if !egress || (hop.is_some() && (connected || d.path == PathKind::NatGateway)) {
                    d.confidence = Confidence::Confirmed;
                }
                d.probe_agrees = Some(true);
            }
            Some(true) => d.probe_agrees = Some(true),
            Some(false) => d.probe_agrees = Some(false),
            None => {}
        }
    }

    /// True when the decision rests on control-plane facts rather than on an assumption.
    fn control_plane_decided(&self, d: &Decision) -> bool {
        !d.evidence
            .iter()
            .any(|e| e.kind == EvidenceKind::Assumption)
            && (d.route.is_some()
                || d.evidence
                    .iter()
                    .any(|e| matches!(e.kind, EvidenceKind::Eni | EvidenceKind::VpcCidr)))
    }
}

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
    match s {
        LookupStatus::Answered => "answered",
        LookupStatus::Nxdomain => "nxdomain",
        LookupStatus::NoData => "no_data",
        LookupStatus::Servfail => "servfail",
        LookupStatus::Timeout => "timeout",
        LookupStatus::Error => "error",
    }
}

fn tcp_outcome_name(o: TcpOutcome) -> &'static str {
    match o {
        TcpOutcome::Connected => "connected",
        TcpOutcome::Refused => "refused",
        TcpOutcome::TimedOut => "timed out",
        TcpOutcome::Unreachable => "unreachable",
        TcpOutcome::Error => "failed",
    }
}

pub fn join_ips(ips: &[IpAddr]) -> String {
    ips.iter()
        .map(|i| i.to_string())
        .collect::<Vec<_>>()
        .join(", ")
}
