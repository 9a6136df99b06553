//! The vocabulary of the engine: path kinds, confidence, evidence and the decision.

use std::fmt;

use serde::{Deserialize, Serialize};

/// The ways traffic can leave. Each has its own kebab-case name; there is no catch-all.
/// (`--expect` takes these names; `unknown` cannot be expected.)
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, clap::ValueEnum)]
#[serde(rename_all = "kebab-case")]
#[value(rename_all = "kebab-case")]
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
    #[value(skip)]
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

/// How much a decision can be trusted, by what it rests on (docs/confidence.md).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Confidence {
    /// The control plane (route table, endpoint ENI) and a live probe agree.
    Confirmed,
    /// From the control plane; no live probe contradicts it (none may have been made).
    Inferred,
    /// From live signals only (a first-hop probe, a DNS answer), because the control plane
    /// is unavailable. Never meets `--expect`.
    Probable,
    /// Not decided.
    Undetermined,
}

impl Confidence {
    pub fn as_str(self) -> &'static str {
        match self {
            Confidence::Confirmed => "confirmed",
            Confidence::Inferred => "inferred",
            Confidence::Probable => "probable",
            Confidence::Undetermined => "undetermined",
        }
    }

    /// True when a decision this sure may meet an expectation (`--expect`).
    pub fn decides(self) -> bool {
        matches!(self, Confidence::Confirmed | Confidence::Inferred)
    }
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
    /// The route's target does not exist or cannot carry traffic (a deleted or failed NAT
    /// gateway, a detached internet gateway, an endpoint that is not `available`).
    DeadTarget,
    /// A gateway endpoint of another VPC: gateway endpoints serve only traffic that starts in
    /// their own VPC, never traffic arriving over a transit gateway, peering or VPN.
    NotTransitive,
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

pub(crate) fn ev(kind: EvidenceKind, detail: impl Into<String>) -> Evidence {
    Evidence {
        kind,
        detail: detail.into(),
    }
}

/// The decided path for one address (or a whole target).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
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
    /// For `blocked`: the command that makes the route usable again (written by the checks
    /// layer from `dead_target`, see `checks::fixes`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub remedy: Option<String>,
    /// For `blocked` by a dead route target: what is dead, on which route of which table.
    #[serde(skip)]
    pub dead_target: Option<DeadRoute>,
    /// What the decision rests on, in plain words ("the route table rtb-… and a live
    /// first-hop probe", "live probes only: …").
    #[serde(skip_serializing_if = "Option::is_none")]
    pub basis: Option<String>,
    /// Beyond the first hop (a transit gateway): where the traffic goes next, in order, as far
    /// as the control plane of the far side was readable (`engine::rules::transit`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub hops: Vec<Hop>,
}

/// One hop beyond a decision's first: a transit gateway route table's choice, then what the
/// VPC at the far end does with the address.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Hop {
    pub path: PathKind,
    /// The resource (`vpce-…`, `nat-…`, `tgw-attach-…`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub via: Option<String>,
    /// The VPC the hop is in.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub vpc_id: Option<String>,
    /// The route table that decided it (a transit gateway route table or the far VPC's).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub route_table: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub route: Option<String>,
    pub confidence: Confidence,
    /// Why the hop is `unknown` or `blocked`, or cannot carry the traffic.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub blocked_by: Option<BlockCause>,
}

impl Hop {
    pub(crate) fn new(path: PathKind, via: Option<String>, vpc_id: Option<String>) -> Self {
        Hop {
            path,
            via,
            vpc_id,
            route_table: None,
            route: None,
            confidence: Confidence::Inferred,
            reason: None,
            blocked_by: None,
        }
    }

    pub(crate) fn unknown(reason: impl Into<String>) -> Self {
        Hop {
            confidence: Confidence::Undetermined,
            reason: Some(reason.into()),
            ..Hop::new(PathKind::Unknown, None, None)
        }
    }

    /// `interface-endpoint vpce-… (vpc-…)`.
    pub fn label(&self) -> String {
        let mut s = self.path.to_string();
        if let Some(v) = &self.via {
            s.push(' ');
            s.push_str(v);
        }
        let mut notes: Vec<&str> = Vec::new();
        if let Some(vpc) = &self.vpc_id {
            notes.push(vpc);
        }
        if self.blocked_by == Some(BlockCause::NotTransitive) {
            notes.push("not usable from another VPC");
        }
        if !notes.is_empty() {
            s.push_str(&format!(" ({})", notes.join(", ")));
        }
        s
    }

    /// True when the path ends at this hop: the traffic cannot get through it, or it could
    /// not be followed further (`unknown`).
    pub fn ends_path(&self) -> bool {
        self.blocked_by.is_some() || matches!(self.path, PathKind::Blocked | PathKind::Unknown)
    }
}

/// Why a route's target cannot carry traffic.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum DeadTarget {
    /// AWS marks the route `blackhole`: its target no longer exists or is no longer attached.
    Blackhole { target: String },
    /// The NAT gateway is not among the VPC's NAT gateways.
    NatDeleted { id: String },
    /// The NAT gateway exists but is not `available` (`pending`, `failed`, `deleting`, …).
    NatNotAvailable {
        id: String,
        state: crate::facts::NatState,
    },
    /// The internet gateway does not exist.
    InternetGatewayDeleted { id: String },
    /// The internet gateway is not attached to the VPC.
    InternetGatewayDetached { id: String, vpc_id: Option<String> },
    /// The VPC endpoint does not exist.
    EndpointDeleted { id: String },
    /// The VPC endpoint exists but is not `available`.
    EndpointNotAvailable {
        id: String,
        state: crate::facts::EndpointState,
    },
}

impl DeadTarget {
    /// One sentence: what is wrong with the target of the route `dest -> target`.
    pub fn reason(&self, dest: &str) -> String {
        match self {
            DeadTarget::Blackhole { target } => format!(
                "the route {dest} -> {target} is a blackhole: its target no longer exists or is no longer attached"
            ),
            DeadTarget::NatDeleted { id } => {
                format!("NAT gateway {id} is not among the VPC's NAT gateways (deleted)")
            }
            DeadTarget::NatNotAvailable { id, state } => format!("NAT gateway {id} is {state}"),
            DeadTarget::InternetGatewayDeleted { id } => {
                format!("internet gateway {id} does not exist (deleted)")
            }
            DeadTarget::InternetGatewayDetached { id, vpc_id } => format!(
                "internet gateway {id} is not attached to {}",
                vpc_id.as_deref().unwrap_or("this VPC")
            ),
            DeadTarget::EndpointDeleted { id } => {
                format!("VPC endpoint {id} does not exist (deleted)")
            }
            DeadTarget::EndpointNotAvailable { id, state } => {
                format!("VPC endpoint {id} is {state}")
            }
        }
    }
}

/// A route whose target cannot carry traffic, as the engine found it.
#[derive(Debug, Clone, PartialEq)]
pub struct DeadRoute {
    pub target: DeadTarget,
    pub route: crate::facts::Route,
    pub route_table: String,
}

impl Decision {
    pub(crate) fn new(path: PathKind, confidence: Confidence) -> Self {
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
            remedy: None,
            dead_target: None,
            basis: None,
            hops: Vec::new(),
        }
    }

    pub(crate) fn unknown(reason: impl Into<String>) -> Self {
        Decision {
            reason: Some(reason.into()),
            ..Decision::new(PathKind::Unknown, Confidence::Undetermined)
        }
    }

    pub(crate) fn blocked(cause: BlockCause, reason: impl Into<String>) -> Self {
        Decision {
            reason: Some(reason.into()),
            blocked_by: Some(cause),
            ..Decision::new(PathKind::Blocked, Confidence::Inferred)
        }
    }

    pub(crate) fn with_via(mut self, via: impl Into<String>) -> Self {
        self.via = Some(via.into());
        self
    }

    pub(crate) fn push(&mut self, kind: EvidenceKind, detail: impl Into<String>) {
        self.evidence.push(ev(kind, detail));
    }

    /// The kind and resource, e.g. `gateway-endpoint via vpce-0abc`, and the hops beyond it
    /// (`transit-gateway via tgw-… → interface-endpoint vpce-… (vpc-hub)`).
    pub fn label(&self) -> String {
        let mut s = match &self.via {
            Some(v) => format!("{} via {v}", self.path),
            None => self.path.to_string(),
        };
        for h in &self.hops {
            s.push_str(" → ");
            s.push_str(&h.label());
        }
        s
    }

    /// The target of the route whose dead target blocks this decision.
    pub fn dead_route_target(&self) -> Option<crate::facts::RouteTarget> {
        self.dead_target.as_ref().and_then(|d| d.route.target(None))
    }

    /// What carries the traffic, with its article, for a sentence: "the NAT gateway nat-…",
    /// "a host inside the VPC (10.0.9.9)", "this host's own network (not in a VPC)".
    pub fn described(&self) -> String {
        let what = self.path.describe();
        let article = match self.path {
            // Their descriptions carry their own article.
            PathKind::Local | PathKind::OffAws | PathKind::Unknown | PathKind::Blocked => "",
            _ => "the ",
        };
        match &self.via {
            Some(v) if self.path != PathKind::Local => format!("{article}{what} {v}"),
            Some(v) => format!("{article}{what} ({v})"),
            None => format!("{article}{what}"),
        }
    }

    /// The path that finally carries the traffic (for a proxy, the path to the proxy).
    pub fn terminal(&self) -> &Decision {
        match &self.next {
            Some(n) => n.terminal(),
            None => self,
        }
    }

    pub(crate) fn same_path(&self, other: &Decision) -> bool {
        self.path == other.path && self.via == other.via
    }
}
