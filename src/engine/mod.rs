//! The path engine: for each target host and each of its addresses, which way the traffic
//! leaves. A pure function of [`Facts`]; no I/O.
//!
//! - [`kinds`]: path kinds, confidence, evidence, the decision;
//! - [`lookup`]: the longest-prefix match over a route table (typed result);
//! - [`liveness`]: whether a route's target can carry traffic;
//! - [`text`]: wording shared with the checks;
//! - this module: the decision for each target and address (ENI, VPC CIDR, route, probes).

pub mod derived;
pub mod kinds;
pub mod liveness;
pub mod lookup;
pub mod text;

use std::net::IpAddr;

use serde::Serialize;

pub use kinds::{BlockCause, Confidence, Decision, Evidence, EvidenceKind, PathKind};
pub use text::{
    classify_route_target, join_capped, join_ips, route_target_label, status_name,
    tcp_outcome_name, EVIDENCE_LIST_CAP,
};

use crate::facts::{
    AnswerSource, EndpointType, Facts, LookupStatus, PrefixList, RouteTable, TcpOutcome, Vantage,
    VantageKind, VpcEndpoint,
};
use crate::names::targets::{self, Target, TargetClass};
use crate::proxy::{self, ProxyDecision};
use kinds::ev;
use lookup::{AddressContext, Hit, Outcome};

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
    /// The path of the target as a whole: the path of the address the client uses first
    /// (IPv6 when this host has an IPv6 address and the name has one, else IPv4).
    pub decision: Decision,
    /// The address `decision` is about (the one the client connects to first).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub chosen_address: Option<IpAddr>,
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
    /// Every `--bucket` input with the host names the application uses for it.
    pub names: Vec<crate::names::NamePlan>,
}

impl Analysis {
    pub fn primary(&self) -> Option<&TargetPath> {
        self.targets.iter().find(|t| t.primary)
    }

    /// The judged target of this host name.
    pub fn target(&self, host: &str) -> Option<&TargetPath> {
        self.targets.iter().find(|t| t.target.host == host)
    }
}

/// How a derived answer is marked in the evidence.
const DERIVED: &str = "derived from the control plane, not a DNS query";

/// Runs the engine over `facts`.
pub fn analyze(facts: &Facts) -> Analysis {
    let region = facts.region().map(str::to_string);
    let cx = Cx::new(facts);
    let route_table = cx.table.map(|(t, assoc)| EffectiveTable {
        id: t.id.clone(),
        association: assoc.to_string(),
    });
    let settings = crate::names::S3Settings::of(facts.client_settings.get());
    let bucket_regions = facts.bucket_regions();
    let endpoints = facts.vpc_endpoints.get().map(Vec::as_slice).unwrap_or(&[]);
    let (targets, names) = match &region {
        None => (Vec::new(), Vec::new()),
        Some(r) => {
            let input = targets::PlanInput {
                region: r,
                buckets: &facts.request.buckets,
                bucket_regions: &bucket_regions,
                endpoints,
                settings: &settings,
            };
            let mut planned = targets::plan_with(&input);
            // A presigned URL's host, unless it is already one of the names judged.
            if let Some(p) = facts.presigned.get() {
                if !planned.iter().any(|t| t.host.eq_ignore_ascii_case(&p.host)) {
                    planned.push(Target::new(p.host.clone(), TargetClass::Presigned));
                }
            }
            let judged = planned
                .into_iter()
                .enumerate()
                .map(|(i, t)| cx.judge_target(t, i == 0))
                .collect();
            (judged, targets::name_plans(&input))
        }
    };
    Analysis {
        region,
        route_table,
        targets,
        names,
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
    /// The prefix lists read, plus the lists a gateway endpoint identifies (see [`lists`]).
    lists: Vec<PrefixList>,
    table: Option<(&'a RouteTable, &'static str)>,
}

/// The prefix lists as read, completed with what the endpoints tell: a route
/// `pl-… -> vpce-…` whose target is a gateway endpoint for `com.amazonaws.<r>.<svc>` has that
/// service's AWS-managed list as its destination (AWS adds the route when the endpoint is
/// associated), so an unread list without a name is known to be that list.
fn lists(facts: &Facts) -> Vec<PrefixList> {
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
            lists: lists(facts),
            table,
        }
    }

    /// The host's global IPv6 address, when it has one: then a client connects to a name's
    /// IPv6 answer first (RFC 6724's default policy; a link-local or unique-local source loses
    /// to IPv4 for a global destination).
    fn prefers_ipv6(&self) -> Option<IpAddr> {
        self.vantage.and_then(|v| {
            v.ipv6s.iter().copied().find(|a| match a {
                // 2000::/3, global unicast.
                IpAddr::V6(v6) => (v6.segments()[0] & 0xe000) == 0x2000,
                IpAddr::V4(_) => false,
            })
        })
    }

    fn judge_target(&self, target: Target, primary: bool) -> TargetPath {
        let mut out = TargetPath {
            primary,
            resolution: "not_resolved".to_string(),
            answer_source: None,
            decision: Decision::unknown("not judged"),
            chosen_address: None,
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
                    // That the proxy takes the request is certain from the settings; how the
                    // proxy is reached is the nested decision with its own confidence.
                    if next.confidence == Confidence::Confirmed {
                        d.confidence = Confidence::Confirmed;
                    }
                    d.basis = Some(format!(
                        "the proxy setting {}; the path to the proxy is {} ({})",
                        p.variable,
                        next.path,
                        next.confidence.as_str()
                    ));
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
                None if self.is_route_view() && self.outside_lists(&out.target).is_some() => {
                    out.decision = self
                        .outside_lists(&out.target)
                        .unwrap_or_else(|| Decision::unknown("not judged".to_string()));
                    return out;
                }
                None => {
                    out.decision = Decision::unknown(format!(
                        "{} was not looked up{}",
                        out.target.host,
                        if self.is_route_view() {
                            " (s3path route derives answers from the control plane only: the interface endpoints' private DNS and the prefix-list entries of the name's region)"
                        } else {
                            ""
                        }
                    ));
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
        let by = res
            .resolver
            .as_deref()
            .map(|r| format!(" (resolver {r})"))
            .unwrap_or_default();
        let chain = if res.cname_chain.is_empty() {
            String::new()
        } else {
            format!(" via CNAME {}", join_capped(&res.cname_chain))
        };
        let n = res.addresses.len();
        let one_of = if n > 1 {
            format!(", one of {n} addresses")
        } else {
            String::new()
        };
        // Per address: only that address (evidence stays linear in the answer's size).
        let host = &out.target.host;
        let address_evidence = |addr: IpAddr| match res.source {
            AnswerSource::HostsFile => ev(
                EvidenceKind::HostsFile,
                format!("{host} is pinned to {addr} in the hosts file"),
            ),
            AnswerSource::Derived => ev(
                EvidenceKind::Dns,
                format!("{host} would resolve to {addr}{one_of} ({DERIVED})"),
            ),
            AnswerSource::Dns => ev(
                EvidenceKind::Dns,
                format!("{host}{chain} resolved to {addr}{one_of}{by}"),
            ),
        };
        let from_s3_dns =
            res.source != AnswerSource::HostsFile && out.target.list_service().is_some();
        for &addr in &res.addresses {
            let mut d = self.judge_address(addr, Some(&out.target), res.source, from_s3_dns);
            d.evidence.insert(0, address_evidence(addr));
            out.addresses.push(AddressPath {
                address: addr,
                decision: d,
            });
        }
        // The address the client connects to first.
        let v6_source = self.prefers_ipv6();
        let first_v6 = out.addresses.iter().position(|a| a.address.is_ipv6());
        let first_v4 = out.addresses.iter().position(|a| a.address.is_ipv4());
        let chosen = match (v6_source, first_v6, first_v4) {
            (Some(_), Some(i), _) => i,
            (_, _, Some(i)) => i,
            _ => 0,
        };
        let first = &out.addresses[chosen].decision;
        out.consistent = out.addresses.iter().all(|a| a.decision.same_path(first));
        let mut decision = first.clone();
        if first_v6.is_some() && first_v4.is_some() {
            let which = &out.addresses[chosen].address;
            decision.evidence.insert(
                1,
                ev(
                    EvidenceKind::Vantage,
                    match v6_source {
                        Some(src) if which.is_ipv6() => format!(
                            "{} has IPv4 and IPv6 addresses; this host has IPv6 address {src}, so clients connect to {which} first (RFC 6724)",
                            out.target.host
                        ),
                        _ => format!(
                            "{} has IPv4 and IPv6 addresses; this host has no global IPv6 address, so clients connect to {which}",
                            out.target.host
                        ),
                    },
                ),
            );
        }
        out.decision = decision;
        out.chosen_address = Some(out.addresses[chosen].address);
        out
    }

    /// A name whose addresses AWS documents outside every prefix list — a Transfer
    /// Acceleration name (CloudFront edges), a Multi-Region Access Point without its interface
    /// endpoint (gateway endpoints cannot carry it) — which `route` cannot resolve: its path is
    /// that of "a public address outside every AWS-managed list", decided when the only route
    /// that can carry such an address is the default route. `None` for other names.
    fn outside_lists(&self, target: &Target) -> Option<Decision> {
        let kind = target.host_kind?;
        if !matches!(
            kind,
            crate::names::HostKind::Accelerate | crate::names::HostKind::MultiRegion
        ) {
            return None;
        }
        let c = crate::names::compat(kind);
        let (table, _) = self.table?;
        let private = |n: &ipnet::IpNet| {
            [
                "10.0.0.0/8",
                "172.16.0.0/12",
                "192.168.0.0/16",
                "100.64.0.0/10",
                "169.254.0.0/16",
                "127.0.0.0/8",
            ]
            .iter()
            .filter_map(|p| p.parse::<ipnet::IpNet>().ok())
            .any(|p| p.contains(n))
        };
        let what = format!(
            "the addresses of {} (a {} name: outside every S3 prefix list)",
            target.host,
            kind.label()
        );
        if let Some(v) = self.vantage {
            if v.vpc_ipv4_cidr_blocks.iter().any(|n| !private(n)) {
                return Some(Decision::unknown(format!(
                    "{what} are not derived, and the VPC has public CIDR blocks its local route could hold"
                )));
            }
        }
        let mut defaults = Vec::new();
        let mut others = Vec::new();
        for r in &table.routes {
            if r.gateway_id.as_deref() == Some("local") {
                continue;
            }
            if let Some(pl) = &r.destination_prefix_list_id {
                // An AWS-managed list holds its own service's addresses only.
                let aws = self
                    .lists
                    .iter()
                    .find(|l| &l.id == pl)
                    .is_some_and(|l| l.aws_service().is_some());
                if !aws {
                    others.push(r);
                }
                continue;
            }
            match r.destination_cidr_block {
                Some(n) if n.prefix_len() == 0 => defaults.push(r),
                Some(n) if private(&n) => {}
                Some(_) => others.push(r),
                None => {}
            }
        }
        if !others.is_empty() {
            let shown: Vec<String> = others
                .iter()
                .take(3)
                .map(|r| format!("{} -> {}", r.destination_label(), route_target_label(r)))
                .collect();
            return Some(Decision::unknown(format!(
                "{what} are not derived, and {} in {} could carry them instead of the default route",
                shown.join(", "),
                table.id
            )));
        }
        let mut d = match defaults.first() {
            None => Decision::blocked(
                BlockCause::NoRoute,
                format!(
                    "route table {} has no route for public addresses, and {what} are public",
                    table.id
                ),
            ),
            Some(route) => {
                let hit = Hit {
                    route,
                    len: 0,
                    cidr: route.destination_cidr_block,
                    list: None,
                };
                self.route_decision_for(&what, None, table, hit)
            }
        };
        d.push(EvidenceKind::Assumption, format!("{}: {}", c.source, c.why));
        d.basis = Some(format!(
            "{} (AWS documents them outside every VPC endpoint's reach); the only route of {} for public addresses is the default route",
            c.why, table.id
        ));
        Some(d)
    }

    fn is_route_view(&self) -> bool {
        self.vantage.is_some_and(|v| v.kind == VantageKind::Subnet)
            || self
                .facts
                .dns
                .get()
                .is_some_and(|d| d.iter().any(|r| r.source == AnswerSource::Derived))
    }

    /// The path to the proxy: its address is an IP literal or resolved by the system resolver.
    fn judge_proxy_host(&self, host: &str) -> Decision {
        let addr = match host.parse::<IpAddr>() {
            Ok(ip) => ip,
            Err(_) => match self.facts.resolution(host) {
                Some(r) if r.status == LookupStatus::Answered && !r.addresses.is_empty() => {
                    let mut d = self.judge_address(r.addresses[0], None, r.source, false);
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
        self.judge_address(addr, None, AnswerSource::Dns, false)
    }

    /// Decides the path of one address. `target` is the S3 name it answers for (None for a
    /// proxy); `from_s3_dns` whether it is DNS's answer for one of S3's standard names.
    fn judge_address(
        &self,
        addr: IpAddr,
        target: Option<&Target>,
        source: AnswerSource,
        from_s3_dns: bool,
    ) -> Decision {
        let mut d = self.decide_address(addr, target, source, from_s3_dns);
        if d.basis.is_none() {
            d.basis = basis(&d);
        }
        d
    }

    fn decide_address(
        &self,
        addr: IpAddr,
        target: Option<&Target>,
        source: AnswerSource,
        from_s3_dns: bool,
    ) -> Decision {
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
                let mut d = if self.endpoints.is_none()
                    && is_s3_name
                    && source != AnswerSource::HostsFile
                {
                    // Live signal only: a DNS answer inside the VPC, without the endpoint list.
                    let mut d = Decision::new(PathKind::InterfaceEndpoint, Confidence::Probable);
                    d.push(
                        EvidenceKind::Assumption,
                        format!(
                            "the VPC endpoint list {}; an S3 name answered by DNS with an address inside the VPC is taken to be an interface endpoint ENI",
                            self.facts.vpc_endpoints.missing_reason().unwrap_or_default()
                        ),
                    );
                    d.basis = Some(format!(
                        "the DNS answer only: the VPC endpoint list {}",
                        self.facts
                            .vpc_endpoints
                            .missing_reason()
                            .unwrap_or_default()
                    ));
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
                d.basis = Some("no instance or task metadata answered on this host".to_string());
                self.confirm(&mut d, addr);
                return d;
            }
        }
        // 3. The subnet's route table.
        let Some((table, association)) = self.table else {
            return self.without_routes(addr);
        };
        let service = target.and_then(Target::list_service);
        let cx = AddressContext {
            s3_region: service.and(target.and_then(|t| t.region.as_deref())),
            service: service.unwrap_or("s3"),
            from_s3_dns,
        };
        let found = lookup::lookup(addr, table, &self.lists, &cx);
        let mut d = match found.outcome {
            Outcome::Route(hit) => self.route_decision(addr, table, hit),
            Outcome::AssumedRoute(hit) => self.route_decision(addr, table, hit),
            Outcome::NoRoute => {
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
            Outcome::Undecidable { best, unread } => {
                let lists: Vec<String> = unread
                    .iter()
                    .map(|r| {
                        let id = r.destination_prefix_list_id.as_deref().unwrap_or("?");
                        let why = self
                            .lists
                            .iter()
                            .find(|l| l.id == id)
                            .and_then(|l| l.entries_error.clone())
                            .or_else(|| self.facts.prefix_lists.missing_reason())
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
        self.confirm(&mut d, addr);
        d
    }

    /// Turns the winning route into a decision: its target's kind, unless the target is dead.
    fn route_decision(&self, addr: IpAddr, table: &RouteTable, hit: Hit) -> Decision {
        self.route_decision_for(&addr.to_string(), Some(addr), table, hit)
    }

    /// The decision of a route, for `what` (an address, or a class of addresses).
    fn route_decision_for(
        &self,
        what: &str,
        addr: Option<IpAddr>,
        table: &RouteTable,
        hit: Hit,
    ) -> Decision {
        let route = hit.route;
        let target = route_target_label(route);
        let route_text = format!("{} -> {}", route.destination_label(), target);
        let region = self.facts.region().unwrap_or("REGION");
        let mut d = match liveness::of(route, self.facts, region, &table.id) {
            liveness::Liveness::Dead { reason, fix } => {
                let cause = if route.is_blackhole() {
                    BlockCause::Blackhole
                } else {
                    BlockCause::DeadTarget
                };
                let mut d = Decision::blocked(
                    cause,
                    format!("the matching route {route_text} leads nowhere: {reason}"),
                );
                d.via = Some(target.clone());
                d.remedy = Some(fix);
                d
            }
            liveness::Liveness::Usable => {
                let (kind, via) = classify_route_target(route, self.endpoints);
                let mut d = Decision::new(kind, Confidence::Inferred);
                d.via = via;
                d
            }
        };
        d.route = Some(route_text.clone());
        d.evidence.insert(
            0,
            ev(
                EvidenceKind::Route,
                format!(
                    "longest match for {what} in {}: {route_text}{}",
                    table.id,
                    if route.is_blackhole() {
                        " (blackhole)"
                    } else {
                        ""
                    }
                ),
            ),
        );
        if let (Some(pl), Some(c), Some(addr)) = (hit.list, hit.cidr, addr) {
            d.evidence.insert(
                1,
                ev(
                    EvidenceKind::PrefixList,
                    format!(
                        "{addr} is in {c}, an entry of prefix list {}{}",
                        pl.id,
                        pl.name
                            .as_deref()
                            .map(|n| format!(" ({n})"))
                            .unwrap_or_default()
                    ),
                ),
            );
        }
        if d.path == PathKind::InternetGateway {
            if self.vantage.is_some_and(|v| v.kind == VantageKind::Subnet) {
                d.push(
                    EvidenceKind::Vantage,
                    "instances in this subnet need a public IPv4 address or Elastic IP (IPv6: an IPv6 address) to use it",
                );
            } else if let (Some(v), Some(addr)) = (self.vantage, addr) {
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

    /// Without a route table: a live first-hop probe can still tell NAT from a gateway
    /// endpoint, but only as a probable answer.
    fn without_routes(&self, addr: IpAddr) -> Decision {
        let why = if self.facts.route_tables.get().is_some() {
            match self.vantage.and_then(|v| v.subnet_id.as_deref()) {
                Some(s) => format!("no route table of the VPC governs {s} (no explicit association and no main table)"),
                None => "the vantage's subnet is not known".to_string(),
            }
        } else {
            format!(
                "the route tables {}",
                self.facts.route_tables.missing_reason().unwrap_or_default()
            )
        };
        if let (Some(probes), Some(v)) = (self.facts.probes.get(), self.vantage) {
            if let Some(hop) = probes.first_hop.iter().find(|h| h.target == addr) {
                match hop.responder {
                    Some(r) if v.vpc_cidr_containing(r).is_some() => {
                        let mut d = Decision::new(PathKind::NatGateway, Confidence::Probable)
                            .with_via(r.to_string());
                        d.push(
                            EvidenceKind::Probe,
                            format!(
                                "first hop toward {addr} answered from {r} (TTL {}), inside the VPC: a NAT gateway or NAT instance",
                                hop.ttl.unwrap_or(1)
                            ),
                        );
                        d.push(EvidenceKind::Missing, why.clone());
                        d.basis = Some(format!("a live first-hop probe only, because {why}"));
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
                        let mut d = Decision::new(PathKind::GatewayEndpoint, Confidence::Probable);
                        d.push(
                            EvidenceKind::Probe,
                            format!(
                                "no hop answered toward {addr} up to TTL {} while TCP 443 connected: the signature of a gateway endpoint",
                                hop.max_ttl
                            ),
                        );
                        d.push(EvidenceKind::Missing, why.clone());
                        d.basis = Some(format!(
                            "live probes only (first-hop silence and a TCP connection), because {why}"
                        ));
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
            PathKind::InternetGateway | PathKind::EgressOnlyInternetGateway => {
                hop.map(|h| h.responder.is_none_or(|r| !in_vpc(r)))
            }
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
        // What a probe can confirm: the address itself (an ENI, a VPC address), the first hop
        // of an egress path that shows it (NAT: a hop inside the VPC; gateway endpoint:
        // silence while TCP connects; internet gateway: no hop inside the VPC), or a blocked
        // path that does not connect. A transit gateway, peering connection, VPN or appliance
        // endpoint looks like any other working path to a probe: it stays inferred.
        let confirmable = match d.path {
            PathKind::GatewayEndpoint
            | PathKind::InternetGateway
            | PathKind::EgressOnlyInternetGateway => hop.is_some() && connected,
            PathKind::NatGateway | PathKind::NetworkInterface => hop.is_some(),
            PathKind::InterfaceEndpoint
            | PathKind::ResourceEndpoint
            | PathKind::ServiceNetworkEndpoint
            | PathKind::Local
            | PathKind::OffAws
            | PathKind::Blocked => true,
            _ => false,
        };
        match agrees {
            Some(true) if d.confidence == Confidence::Inferred && self.control_plane_decided(d) => {
                if confirmable {
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

/// What a decision rests on, in plain words, from its confidence and evidence.
fn basis(d: &Decision) -> Option<String> {
    let control = if let (Some(r), Some(t)) = (&d.route, &d.route_table) {
        format!("the route {r} in {t}")
    } else if d.evidence.iter().any(|e| e.kind == EvidenceKind::Eni) {
        format!(
            "the ENIs of {} in the VPC endpoint list",
            d.via.as_deref().unwrap_or("the endpoint")
        )
    } else if d.evidence.iter().any(|e| e.kind == EvidenceKind::VpcCidr) {
        "the VPC's CIDR blocks".to_string()
    } else {
        "the control plane".to_string()
    };
    let assumed = d
        .evidence
        .iter()
        .any(|e| e.kind == EvidenceKind::Assumption);
    let caveat = if assumed {
        ", with an assumption stated in the evidence"
    } else {
        ""
    };
    Some(match d.confidence {
        Confidence::Confirmed => format!("{control} and a live probe, which agree"),
        Confidence::Inferred => match d.probe_agrees {
            Some(false) => format!("{control}{caveat}; a live probe disagrees"),
            _ => format!("{control}{caveat}; no live probe confirmed it"),
        },
        Confidence::Probable => "live signals only".to_string(),
        Confidence::Undetermined => return None,
    })
}
