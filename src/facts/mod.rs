//! The `Facts` value: everything a verdict needs, gathered once, serializable and versioned.
//!
//! Every part is an [`Observed`]: collected (with its value), not collected (with the reason)
//! or failed (with the error). The path engine and the checks read only this value, so a
//! saved facts file can be judged again offline with `s3path replay`.

pub mod fleet;
pub mod inventory;
mod route_target;
mod states;

use std::net::IpAddr;

use ipnet::IpNet;
use serde::{Deserialize, Serialize};

pub use route_target::{RouteTableAssociation, RouteTarget};
pub use states::{
    AclAction, AddressFamily, AttachmentState, EndpointIpAddressType, EndpointState, IpProtocol,
    NatConnectivity, NatState, RouteOrigin, RouteState,
};

/// Version of the facts file format. Bump it when a field changes meaning or a required field
/// is added; `replay` refuses files from a newer version instead of misreading them.
pub const FACTS_SCHEMA_VERSION: u32 = 1;

/// One part of the facts: collected, not collected (why), or failed (error).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "status", rename_all = "snake_case")]
pub enum Observed<T> {
    Collected {
        value: T,
    },
    NotCollected {
        reason: String,
    },
    Failed {
        error: String,
        /// What kind of failure it was, typed (a denied action, a timeout, no credentials…),
        /// so checks never read prose. Absent in files written before it existed.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        cause: Option<Failure>,
    },
}

/// Why a part could not be gathered, as data.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Failure {
    /// The caller is not allowed to call `action` (`ec2:DescribeRouteTables`).
    Denied { action: String },
    /// No answer within the budget.
    TimedOut {
        #[serde(default, skip_serializing_if = "Option::is_none")]
        action: Option<String>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        after_ms: Option<u64>,
    },
    /// The credential chain yielded no credentials.
    NoCredentials,
    /// The API endpoint could not be reached (name resolution, connection).
    Unreachable {
        #[serde(default, skip_serializing_if = "Option::is_none")]
        action: Option<String>,
    },
    /// The resource asked about does not exist.
    NotFound,
    /// Anything else (the error text says what).
    Other,
}

impl Failure {
    /// One plain phrase ("timed out", "denied (ec2:DescribeRouteTables)").
    pub fn phrase(&self) -> String {
        match self {
            Failure::Denied { action } => format!("denied ({action})"),
            Failure::TimedOut { after_ms, .. } => match after_ms {
                Some(ms) => format!("timed out after {ms} ms"),
                None => "timed out".to_string(),
            },
            Failure::NoCredentials => "no credentials".to_string(),
            Failure::Unreachable { .. } => "the API could not be reached".to_string(),
            Failure::NotFound => "not found".to_string(),
            Failure::Other => "failed".to_string(),
        }
    }
}

impl<T> Observed<T> {
    pub fn collected(value: T) -> Self {
        Observed::Collected { value }
    }

    pub fn not_collected(reason: impl Into<String>) -> Self {
        Observed::NotCollected {
            reason: reason.into(),
        }
    }

    pub fn failed(error: impl Into<String>) -> Self {
        Observed::Failed {
            error: error.into(),
            cause: None,
        }
    }

    /// A failure with its typed cause.
    pub fn failed_with(error: impl Into<String>, cause: Failure) -> Self {
        Observed::Failed {
            error: error.into(),
            cause: Some(cause),
        }
    }

    /// The typed cause of a failure, when recorded.
    pub fn failure(&self) -> Option<&Failure> {
        match self {
            Observed::Failed { cause, .. } => cause.as_ref(),
            _ => None,
        }
    }

    /// The same status for another type (the value is dropped).
    /// The same status, with `f` applied to a collected value.
    pub fn map_ref<U>(&self, f: impl FnOnce(&T) -> U) -> Observed<U> {
        match self {
            Observed::Collected { value } => Observed::collected(f(value)),
            other => other.status_only(),
        }
    }

    /// The status alone: collected (with `()`), not collected (why) or failed (error).
    pub fn status(&self) -> Observed<()> {
        match self {
            Observed::Collected { .. } => Observed::collected(()),
            other => other.status_only(),
        }
    }

    pub fn status_only<U>(&self) -> Observed<U> {
        match self {
            Observed::Collected { .. } => Observed::not_collected("collected elsewhere"),
            Observed::NotCollected { reason } => Observed::not_collected(reason.clone()),
            Observed::Failed { error, cause } => Observed::Failed {
                error: error.clone(),
                cause: cause.clone(),
            },
        }
    }

    /// The value, when it was collected.
    pub fn get(&self) -> Option<&T> {
        match self {
            Observed::Collected { value } => Some(value),
            _ => None,
        }
    }

    /// Why the value is missing ("not collected: …" / "failed: …"), or `None` when collected.
    pub fn missing_reason(&self) -> Option<String> {
        match self {
            Observed::Collected { .. } => None,
            Observed::NotCollected { reason } => Some(format!("not collected: {reason}")),
            Observed::Failed { error, .. } => Some(format!("failed: {error}")),
        }
    }
}

impl<T> Default for Observed<T> {
    fn default() -> Self {
        Observed::not_collected("no gatherer produced this part")
    }
}

/// Declares which fields of a struct are its [`Observed`] parts, once: the part enum
/// (`ALL`, `name()`, `label()`), the struct's `status(part)` / `set_status(part, …)`, and its
/// `Default` (every part "no gatherer produced this part", the other fields as given) — a struct
/// literal, so a field that is neither a part nor listed among the others does not compile, and
/// no list of parts is ever written out by hand elsewhere.
macro_rules! observed_parts {
    (
        $strukt:ident, $(#[$pmeta:meta])* $part:ident, handles: $handles:ident,
        others: [$($other:ident = $init:expr),* $(,)?],
        parts: [$($variant:ident => $field:ident: $ty:ty, $label:literal;)*]
    ) => {
        $(#[$pmeta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, ::serde::Serialize, ::serde::Deserialize)]
        #[serde(rename_all = "snake_case")]
        pub enum $part {
            $($variant,)*
        }

        impl $part {
            /// Every part, in the order of the struct's fields.
            pub const ALL: &'static [$part] = &[$($part::$variant,)*];

            /// The field's name (`route_tables`), as in facts files and reports.
            pub fn name(self) -> &'static str {
                match self {
                    $($part::$variant => stringify!($field),)*
                }
            }

            /// How the part is named in prose ("route tables").
            pub fn label(self) -> &'static str {
                match self {
                    $($part::$variant => $label,)*
                }
            }
        }

        impl std::fmt::Display for $part {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.pad(self.name())
            }
        }

        impl $strukt {
            /// The status of `part`, without its value.
            pub fn status(&self, part: $part) -> $crate::facts::Observed<()> {
                match part {
                    $($part::$variant => self.$field.status(),)*
                }
            }

            /// Gives `part` the status `status` (its value, if any, is dropped).
            pub fn set_status(&mut self, part: $part, status: &$crate::facts::Observed<()>) {
                match part {
                    $($part::$variant => self.$field = status.status_only(),)*
                }
            }

        }

        /// Typed handles on each part ([`PartOf`](crate::facts::PartOf)): `need(parts::RouteTables)`
        /// gives the value with its type, or says which part is missing and why.
        pub mod $handles {
            $(
                #[derive(Debug, Clone, Copy)]
                pub struct $variant;
            )*
        }

        $(
            impl $crate::facts::PartOf<$strukt> for $handles::$variant {
                type Value = $ty;
                type Part = $part;
                const PART: $part = $part::$variant;
                fn of(s: &$strukt) -> &$crate::facts::Observed<$ty> {
                    &s.$field
                }
            }
        )*

        impl Default for $strukt {
            fn default() -> Self {
                $strukt {
                    $($other: $init,)*
                    $($field: $crate::facts::Observed::default(),)*
                }
            }
        }
    };
}
pub(crate) use observed_parts;

/// A typed handle on one part of `S` (generated by `observed_parts!`): which part it is and
/// where its value lives.
pub trait PartOf<S> {
    type Value;
    type Part: Copy;
    const PART: Self::Part;
    fn of(s: &S) -> &Observed<Self::Value>;
}

/// Everything s3path knows about one vantage point.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Facts {
    pub schema_version: u32,
    /// Version of the s3path that gathered these facts (informational).
    #[serde(default)]
    pub tool_version: String,
    /// When the facts were gathered (RFC 3339, informational; never read by the judge).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub gathered_at: Option<String>,
    /// What the run was asked about.
    pub request: Request,
    #[serde(default)]
    pub vantage: Observed<Vantage>,
    /// How the instance metadata service behaved (reachability, IMDSv2 token).
    #[serde(default)]
    pub metadata_service: Observed<MetadataService>,
    /// Answers of the system resolver (including the hosts file), one per host asked.
    #[serde(default)]
    pub dns: Observed<Vec<Resolution>>,
    /// Answers of the VPC resolver asked directly (to compare with the system view).
    #[serde(default)]
    pub vpc_resolver_dns: Observed<Vec<Resolution>>,
    /// Every route table of the vantage's VPC.
    #[serde(default)]
    pub route_tables: Observed<Vec<RouteTable>>,
    /// Every VPC endpoint of the vantage's VPC.
    #[serde(default)]
    pub vpc_endpoints: Observed<Vec<VpcEndpoint>>,
    /// Managed prefix lists: every list a route of the VPC names (customer-managed and
    /// AWS-managed, both address families) and the region's S3 list, with their entries.
    #[serde(default)]
    pub prefix_lists: Observed<Vec<PrefixList>>,
    /// The internet gateways the VPC's routes name, with their attachments.
    #[serde(default)]
    pub internet_gateways: Observed<Vec<InternetGateway>>,
    #[serde(default)]
    pub vpc_dns_attributes: Observed<VpcDnsAttributes>,
    /// `domain-name-servers` of the VPC's DHCP options (`AmazonProvidedDNS` or custom servers).
    #[serde(default)]
    pub dhcp_dns_servers: Observed<Vec<String>>,
    /// NAT gateways of the VPC.
    #[serde(default)]
    pub nat_gateways: Observed<Vec<NatGateway>>,
    /// Security groups of the VPC (the vantage's and the endpoints' among them).
    #[serde(default)]
    pub security_groups: Observed<Vec<SecurityGroup>>,
    /// Network ACLs of the VPC.
    #[serde(default)]
    pub network_acls: Observed<Vec<NetworkAcl>>,
    /// Proxy and SDK settings of the environment the tool ran in.
    #[serde(default)]
    pub client_settings: Observed<ClientSettings>,
    /// Live probes (TCP/TLS/first hop).
    #[serde(default)]
    pub probes: Observed<Probes>,
    /// One entry per `--bucket`: its region, the real read-only requests made to it, its
    /// bucket policy.
    #[serde(default)]
    pub buckets: Observed<Vec<BucketFacts>>,
    /// `--presigned URL`: where the URL's host resolves and whether it connects.
    #[serde(default)]
    pub presigned: Observed<PresignedCheck>,
    /// Where the gather's time went: each phase, when it started and how long it took
    /// (informational, never judged).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub timings: Vec<PhaseTiming>,
}

observed_parts!(
    Facts,
    /// One part of the [`Facts`].
    Part,
    handles: parts,
    others: [
        schema_version = FACTS_SCHEMA_VERSION,
        tool_version = env!("CARGO_PKG_VERSION").to_string(),
        gathered_at = None,
        request = Request::default(),
        timings = Vec::new(),
    ],
    parts: [
        Vantage => vantage: Vantage, "the vantage";
        MetadataService => metadata_service: MetadataService, "the metadata service";
        Dns => dns: Vec<Resolution>, "DNS answers";
        VpcResolverDns => vpc_resolver_dns: Vec<Resolution>, "VPC resolver answers";
        RouteTables => route_tables: Vec<RouteTable>, "route tables";
        VpcEndpoints => vpc_endpoints: Vec<VpcEndpoint>, "VPC endpoints";
        PrefixLists => prefix_lists: Vec<PrefixList>, "prefix lists";
        InternetGateways => internet_gateways: Vec<InternetGateway>, "internet gateways";
        VpcDnsAttributes => vpc_dns_attributes: VpcDnsAttributes, "VPC DNS attributes";
        DhcpDnsServers => dhcp_dns_servers: Vec<String>, "DHCP DNS servers";
        NatGateways => nat_gateways: Vec<NatGateway>, "NAT gateways";
        SecurityGroups => security_groups: Vec<SecurityGroup>, "security groups";
        NetworkAcls => network_acls: Vec<NetworkAcl>, "network ACLs";
        ClientSettings => client_settings: ClientSettings, "client settings";
        Probes => probes: Probes, "probes";
        Buckets => buckets: Vec<BucketFacts>, "bucket facts";
        Presigned => presigned: PresignedCheck, "presigned URL";
    ]
);

impl Part {
    /// The parts read from the EC2 API about the vantage's VPC.
    pub const CONTROL_PLANE: &'static [Part] = &[
        Part::RouteTables,
        Part::VpcEndpoints,
        Part::PrefixLists,
        Part::InternetGateways,
        Part::VpcDnsAttributes,
        Part::DhcpDnsServers,
        Part::NatGateways,
        Part::SecurityGroups,
        Part::NetworkAcls,
    ];
}

/// One phase of a gather: `identity`, `dns`, `control-plane`, `probes`, `buckets`, …
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PhaseTiming {
    pub phase: String,
    /// Milliseconds from the start of the run.
    pub started_ms: f64,
    pub took_ms: f64,
}

impl Facts {
    /// An empty facts value for `request`: every part not collected with `reason`.
    pub fn empty(request: Request, reason: &str) -> Self {
        let mut facts = Facts {
            request,
            ..Facts::default()
        };
        let status = Observed::not_collected(reason);
        for part in Part::ALL {
            facts.set_status(*part, &status);
        }
        facts
    }

    /// The region the facts are about: the request's, else the vantage's.
    pub fn region(&self) -> Option<&str> {
        self.request
            .region
            .as_deref()
            .or_else(|| self.vantage.get().and_then(|v| v.region.as_deref()))
    }

    /// The VPC's endpoints of type `ty` that serve S3 in `region`, when the endpoints were
    /// collected.
    pub fn s3_endpoints(&self, region: &str, ty: EndpointType) -> Option<Vec<&VpcEndpoint>> {
        Some(
            self.vpc_endpoints
                .get()?
                .iter()
                .filter(|e| e.endpoint_type == ty && e.is_s3_service(region))
                .collect(),
        )
    }

    /// `(bucket, region)` for every bucket whose region S3 told.
    pub fn bucket_regions(&self) -> Vec<(String, String)> {
        self.buckets
            .get()
            .map(|bs| {
                bs.iter()
                    .filter_map(|b| b.region.get().map(|r| (b.name.clone(), r.clone())))
                    .collect()
            })
            .unwrap_or_default()
    }

    /// The facts about bucket `name`, when gathered.
    pub fn bucket(&self, name: &str) -> Option<&BucketFacts> {
        self.buckets.get()?.iter().find(|b| b.name == name)
    }

    /// The system resolver's answer for `host`, when one was recorded.
    pub fn resolution(&self, host: &str) -> Option<&Resolution> {
        self.dns
            .get()
            .and_then(|d| d.iter().find(|r| r.host.eq_ignore_ascii_case(host)))
            .or_else(|| {
                self.presigned
                    .get()
                    .map(|p| &p.resolution)
                    .filter(|r| r.host.eq_ignore_ascii_case(host))
            })
    }
}

/// The largest facts file `replay` reads.
pub const MAX_FACTS_FILE_BYTES: u64 = 16 * 1024 * 1024;

/// The most items of each list a facts file may hold (generous against AWS's own quotas: 1,000
/// routes per table and entries per prefix list), so a hostile file cannot make the judge's
/// work or output blow up.
pub mod limits {
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
}

impl Facts {
    /// Checks every list against [`limits`]: `Err` names the list, its length and the limit.
    /// One arm per [`Part`]: a new part does not compile until its limits are decided here.
    pub fn check_limits(&self) -> Result<(), String> {
        use limits::*;
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
                // No lists in these.
                Part::MetadataService | Part::VpcDnsAttributes => {}
            }
        }
        Ok(())
    }
}

/// What the run was asked about.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct Request {
    /// The region to judge against (from `--region`, the environment or the vantage).
    #[serde(default)]
    pub region: Option<String>,
    /// Buckets named with `--bucket`, in order; the first decides the primary target.
    #[serde(default)]
    pub buckets: Vec<String>,
    /// `--key`: the object key checked in every bucket and used for policy evaluation.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub key: Option<String>,
}

/// Where the tool ran.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum VantageKind {
    Ec2Instance,
    EcsTask,
    OffAws,
    /// A subnet named to `s3path route`: judged from the control plane, no host involved.
    Subnet,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Vantage {
    pub kind: VantageKind,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub instance_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub task_arn: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub region: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub availability_zone: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub vpc_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub subnet_id: Option<String>,
    /// Every IPv4 CIDR block of the VPC, primary and secondary (any range, not only RFC 1918).
    #[serde(default)]
    pub vpc_ipv4_cidr_blocks: Vec<IpNet>,
    #[serde(default)]
    pub vpc_ipv6_cidr_blocks: Vec<IpNet>,
    #[serde(default)]
    pub local_ipv4s: Vec<IpAddr>,
    #[serde(default)]
    pub public_ipv4s: Vec<IpAddr>,
    #[serde(default)]
    pub ipv6s: Vec<IpAddr>,
    #[serde(default)]
    pub security_group_ids: Vec<String>,
    /// The vantage's AWS account (instance identity document, ECS task ARN).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub account_id: Option<String>,
}

impl Vantage {
    /// A vantage of `kind` with nothing else known yet.
    pub fn new(kind: VantageKind) -> Self {
        Vantage {
            kind,
            instance_id: None,
            task_arn: None,
            region: None,
            availability_zone: None,
            vpc_id: None,
            subnet_id: None,
            vpc_ipv4_cidr_blocks: vec![],
            vpc_ipv6_cidr_blocks: vec![],
            local_ipv4s: vec![],
            public_ipv4s: vec![],
            ipv6s: vec![],
            security_group_ids: vec![],
            account_id: None,
        }
    }

    /// Every CIDR block of the VPC, v4 then v6.
    pub fn vpc_cidrs(&self) -> impl Iterator<Item = &IpNet> {
        self.vpc_ipv4_cidr_blocks
            .iter()
            .chain(self.vpc_ipv6_cidr_blocks.iter())
    }

    /// The VPC CIDR block that contains `addr`, if any.
    pub fn vpc_cidr_containing(&self, addr: IpAddr) -> Option<&IpNet> {
        self.vpc_cidrs().find(|net| net.contains(&addr))
    }
}

/// How the instance metadata service answered.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MetadataService {
    pub endpoint: String,
    /// Whether anything answered HTTP at the endpoint.
    pub answered: bool,
    pub token: TokenStatus,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub detail: Option<String>,
}

/// The IMDSv2 session token request (`PUT /latest/api/token`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TokenStatus {
    Ok,
    /// The PUT got no answer while plain requests did: the response hop limit is too low for
    /// a container.
    NoAnswer,
    Failed,
    NotTried,
}

/// Where an answer came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AnswerSource {
    Dns,
    HostsFile,
    /// Not a DNS answer: `s3path route` derived it from the control plane (endpoint private
    /// DNS, the S3 prefix list) as the answer an instance in the subnet would get.
    Derived,
}

/// How a lookup ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum LookupStatus {
    Answered,
    Nxdomain,
    NoData,
    Servfail,
    Timeout,
    Error,
}

impl LookupStatus {
    /// The status as facts files and reports write it (`answered`, `nxdomain`, …).
    pub fn as_str(self) -> &'static str {
        match self {
            LookupStatus::Answered => "answered",
            LookupStatus::Nxdomain => "nxdomain",
            LookupStatus::NoData => "no_data",
            LookupStatus::Servfail => "servfail",
            LookupStatus::Timeout => "timeout",
            LookupStatus::Error => "error",
        }
    }
}

/// The answer to one name.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Resolution {
    pub host: String,
    pub status: LookupStatus,
    #[serde(default = "default_source")]
    pub source: AnswerSource,
    #[serde(default)]
    pub addresses: Vec<IpAddr>,
    /// CNAMEs followed, in order, from `host` to the name that carried the addresses.
    #[serde(default)]
    pub cname_chain: Vec<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ttl: Option<u32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
    /// Which resolver answered (address or "hosts file").
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub resolver: Option<String>,
}

fn default_source() -> AnswerSource {
    AnswerSource::Dns
}

/// A route table with its routes, as `describe-route-tables` shows it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RouteTable {
    pub id: String,
    #[serde(default)]
    pub vpc_id: Option<String>,
    /// True for the VPC's main route table.
    #[serde(default)]
    pub main: bool,
    /// Subnets explicitly associated with this table.
    #[serde(default)]
    pub subnet_ids: Vec<String>,
    #[serde(default)]
    pub routes: Vec<Route>,
}

/// One route. Exactly one destination and (normally) one target field is set, mirroring the
/// EC2 API so a route from `describe-route-tables` maps field for field.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct Route {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub destination_cidr_block: Option<IpNet>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub destination_ipv6_cidr_block: Option<IpNet>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub destination_prefix_list_id: Option<String>,
    /// `igw-…`, `vgw-…`, `vpce-…` or `local`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub gateway_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub nat_gateway_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub transit_gateway_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub vpc_peering_connection_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub network_interface_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub instance_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub egress_only_internet_gateway_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub carrier_gateway_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub local_gateway_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub core_network_arn: Option<String>,
    /// `active` or `blackhole` (`active` when absent).
    #[serde(default)]
    pub state: RouteState,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub origin: Option<RouteOrigin>,
}

impl Route {
    pub fn is_blackhole(&self) -> bool {
        self.state == RouteState::Blackhole
    }

    /// The route's target, typed; `None` when no target field is set. The first target field
    /// set wins, in the order of the fields. A `vpce-…` gateway is a Gateway Load Balancer
    /// endpoint when `endpoints` says so; when the endpoint is not among them, it is a gateway
    /// endpoint if the route's destination is a prefix list (gateway endpoints are targets of
    /// prefix-list routes only) and a Gateway Load Balancer endpoint otherwise.
    pub fn target(&self, endpoints: Option<&[VpcEndpoint]>) -> Option<RouteTarget> {
        if let Some(g) = &self.gateway_id {
            return Some(match RouteTarget::of_gateway_id(g) {
                RouteTarget::GatewayEndpoint(g) => {
                    let ty = endpoints
                        .and_then(|eps| eps.iter().find(|e| e.id == g).map(|e| e.endpoint_type));
                    match ty {
                        Some(EndpointType::GatewayLoadBalancer) => RouteTarget::GwlbEndpoint(g),
                        Some(_) => RouteTarget::GatewayEndpoint(g),
                        None if self.destination_prefix_list_id.is_some() => {
                            RouteTarget::GatewayEndpoint(g)
                        }
                        None => RouteTarget::GwlbEndpoint(g),
                    }
                }
                other => other,
            });
        }
        let to = |field: &Option<String>, make: fn(String) -> RouteTarget| field.clone().map(make);
        to(&self.nat_gateway_id, RouteTarget::Nat)
            .or_else(|| to(&self.transit_gateway_id, RouteTarget::TransitGateway))
            .or_else(|| to(&self.vpc_peering_connection_id, RouteTarget::Peering))
            .or_else(|| to(&self.network_interface_id, RouteTarget::NetworkInterface))
            .or_else(|| to(&self.instance_id, RouteTarget::Instance))
            .or_else(|| {
                to(
                    &self.egress_only_internet_gateway_id,
                    RouteTarget::EgressOnlyInternetGateway,
                )
            })
            .or_else(|| to(&self.carrier_gateway_id, RouteTarget::CarrierGateway))
            .or_else(|| to(&self.local_gateway_id, RouteTarget::LocalGateway))
            .or_else(|| to(&self.core_network_arn, RouteTarget::CoreNetwork))
    }

    /// The target as written in the route table (`vpce-…`, `nat-…`, `local`, …), when set.
    pub fn target_id(&self) -> Option<&str> {
        [
            &self.gateway_id,
            &self.nat_gateway_id,
            &self.transit_gateway_id,
            &self.vpc_peering_connection_id,
            &self.network_interface_id,
            &self.instance_id,
            &self.egress_only_internet_gateway_id,
            &self.carrier_gateway_id,
            &self.local_gateway_id,
            &self.core_network_arn,
        ]
        .into_iter()
        .find_map(|f| f.as_deref())
    }

    /// Makes `target` the route's only target, in the field the EC2 API uses for its kind.
    pub fn set_target(&mut self, target: RouteTarget) {
        for f in [
            &mut self.gateway_id,
            &mut self.nat_gateway_id,
            &mut self.transit_gateway_id,
            &mut self.vpc_peering_connection_id,
            &mut self.network_interface_id,
            &mut self.instance_id,
            &mut self.egress_only_internet_gateway_id,
            &mut self.carrier_gateway_id,
            &mut self.local_gateway_id,
            &mut self.core_network_arn,
        ] {
            *f = None;
        }
        let id = target.id().to_string();
        let field = match target {
            RouteTarget::Local
            | RouteTarget::GatewayEndpoint(_)
            | RouteTarget::GwlbEndpoint(_)
            | RouteTarget::InternetGateway(_)
            | RouteTarget::VirtualPrivateGateway(_)
            | RouteTarget::Other(_) => &mut self.gateway_id,
            RouteTarget::Nat(_) => &mut self.nat_gateway_id,
            RouteTarget::TransitGateway(_) => &mut self.transit_gateway_id,
            RouteTarget::Peering(_) => &mut self.vpc_peering_connection_id,
            RouteTarget::NetworkInterface(_) => &mut self.network_interface_id,
            RouteTarget::Instance(_) => &mut self.instance_id,
            RouteTarget::EgressOnlyInternetGateway(_) => &mut self.egress_only_internet_gateway_id,
            RouteTarget::CarrierGateway(_) => &mut self.carrier_gateway_id,
            RouteTarget::LocalGateway(_) => &mut self.local_gateway_id,
            RouteTarget::CoreNetwork(_) => &mut self.core_network_arn,
        };
        *field = Some(id);
    }

    /// The destination as written in the route table.
    pub fn destination_label(&self) -> String {
        if let Some(pl) = &self.destination_prefix_list_id {
            pl.clone()
        } else if let Some(net) = self
            .destination_cidr_block
            .or(self.destination_ipv6_cidr_block)
        {
            net.to_string()
        } else {
            "(no destination)".to_string()
        }
    }
}

/// A VPC endpoint and what it consists of.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct VpcEndpoint {
    pub id: String,
    /// The endpoint's VPC (kept by `audit`, which reads every VPC of a region at once).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub vpc_id: Option<String>,
    pub endpoint_type: EndpointType,
    #[serde(default)]
    pub service_name: Option<String>,
    /// `available`, `pending`, `rejected`, `deleting`, `failed`, …
    pub state: EndpointState,
    #[serde(default)]
    pub route_table_ids: Vec<String>,
    #[serde(default)]
    pub subnet_ids: Vec<String>,
    #[serde(default)]
    pub network_interfaces: Vec<EndpointInterface>,
    #[serde(default)]
    pub dns_entries: Vec<DnsEntry>,
    #[serde(default)]
    pub private_dns_enabled: bool,
    /// `PrivateDnsOnlyForInboundResolverEndpoint`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub private_dns_only_for_inbound_resolver_endpoint: Option<bool>,
    #[serde(default)]
    pub security_group_ids: Vec<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub policy_document: Option<String>,
    /// `ipv4`, `dualstack` or `ipv6`: for a gateway endpoint, whether IPv6 traffic can use it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ip_address_type: Option<EndpointIpAddressType>,
    /// For Resource endpoints: the resource configuration they reach.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub resource_configuration_arn: Option<String>,
}

impl VpcEndpoint {
    pub fn is_available(&self) -> bool {
        self.state == EndpointState::Available
    }

    /// True when this endpoint serves Amazon S3 in `region` (`com.amazonaws.<region>.s3`,
    /// or the China partition's `cn.com.amazonaws.<region>.s3`).
    pub fn is_s3_service(&self, region: &str) -> bool {
        match &self.service_name {
            Some(name) => {
                name == &format!("com.amazonaws.{region}.s3")
                    || name == &format!("cn.com.amazonaws.{region}.s3")
            }
            None => false,
        }
    }

    /// The regional endpoint-specific DNS name (`vpce-…-….s3.<r>.vpce.amazonaws.com`): the
    /// entry that carries no availability-zone suffix and is not a private-DNS name.
    pub fn regional_dns_name(&self) -> Option<&str> {
        let vpce_names: Vec<&str> = self
            .dns_entries
            .iter()
            .map(|e| e.dns_name.trim_start_matches("*.").trim_end_matches('.'))
            .filter(|n| n.starts_with("vpce-") && n.contains(".vpce."))
            .collect();
        // Zonal names carry the AZ in the first label: vpce-abc-def-us-east-1a.s3…
        vpce_names
            .iter()
            .copied()
            .find(|n| {
                let first = n.split('.').next().unwrap_or("");
                first.matches('-').count() == 2
            })
            .or_else(|| vpce_names.first().copied())
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum EndpointType {
    Gateway,
    Interface,
    GatewayLoadBalancer,
    Resource,
    ServiceNetwork,
}

/// One ENI of an interface (or resource) endpoint.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct EndpointInterface {
    pub id: String,
    #[serde(default)]
    pub subnet_id: Option<String>,
    #[serde(default)]
    pub availability_zone: Option<String>,
    #[serde(default)]
    pub private_ipv4: Option<IpAddr>,
    #[serde(default)]
    pub ipv6s: Vec<IpAddr>,
}

impl EndpointInterface {
    pub fn addresses(&self) -> impl Iterator<Item = IpAddr> + '_ {
        self.private_ipv4
            .into_iter()
            .chain(self.ipv6s.iter().copied())
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DnsEntry {
    pub dns_name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub hosted_zone_id: Option<String>,
}

/// A managed prefix list: AWS-managed (`com.amazonaws.<region>.s3`, owner `AWS`) or
/// customer-managed (any CIDRs, owned by an account).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PrefixList {
    pub id: String,
    #[serde(default)]
    pub name: Option<String>,
    /// `AWS` for AWS-managed lists, else the owning account.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub owner_id: Option<String>,
    /// `IPv4` or `IPv6`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub address_family: Option<AddressFamily>,
    #[serde(default)]
    pub cidrs: Vec<IpNet>,
    /// Why the entries could not be read (then `cidrs` is empty and means nothing).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub entries_error: Option<String>,
    /// The typed cause of `entries_error`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub entries_failure: Option<Failure>,
}

impl PrefixList {
    /// A list known by its id only (name, owner, family and entries not read yet).
    pub fn new(id: impl Into<String>) -> Self {
        PrefixList {
            id: id.into(),
            name: None,
            owner_id: None,
            address_family: None,
            cidrs: Vec::new(),
            entries_error: None,
            entries_failure: None,
        }
    }

    /// True when the entries were read: a real prefix list is never empty, so an empty one
    /// was not really read either.
    pub fn entries_known(&self) -> bool {
        self.entries_error.is_none() && !self.cidrs.is_empty()
    }

    /// `(region, service)` of an AWS-managed list named `com.amazonaws.<region>.<service>`
    /// (or the China partition's `cn.com.amazonaws.…`); `None` for customer-managed lists.
    pub fn aws_service(&self) -> Option<(&str, &str)> {
        if self.owner_id.as_deref().is_some_and(|o| o != "AWS") {
            return None;
        }
        let name = self.name.as_deref()?;
        let rest = name
            .strip_prefix("cn.com.amazonaws.")
            .or_else(|| name.strip_prefix("com.amazonaws."))?;
        let (region, service) = rest.split_once('.')?;
        Some((region, service))
    }

    /// True for the AWS-managed S3 list of `region`.
    pub fn is_s3_list_of(&self, region: &str) -> bool {
        self.aws_service() == Some((region, "s3"))
    }
}

/// An internet gateway a route names, and where it is attached.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct InternetGateway {
    pub id: String,
    /// `(vpc_id, state)` for each attachment (`available`/`attached`, `detaching`, …).
    #[serde(default)]
    pub attachments: Vec<IgwAttachment>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct IgwAttachment {
    pub vpc_id: String,
    pub state: AttachmentState,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct NatGateway {
    pub id: String,
    /// `available`, `pending`, `failed`, `deleting`, `deleted`.
    pub state: NatState,
    /// `public` or `private` (`public` when absent).
    #[serde(default)]
    pub connectivity_type: NatConnectivity,
    #[serde(default)]
    pub subnet_id: Option<String>,
    #[serde(default)]
    pub private_ips: Vec<IpAddr>,
    /// Elastic IPs: what S3 sees as `aws:SourceIp` for traffic through this NAT.
    #[serde(default)]
    pub public_ips: Vec<IpAddr>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SecurityGroup {
    pub id: String,
    #[serde(default)]
    pub ingress: Vec<SgRule>,
    #[serde(default)]
    pub egress: Vec<SgRule>,
}

/// One security group permission. `protocol` is `-1` (all), `tcp`, `udp`, `icmp` or a number.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SgRule {
    pub protocol: IpProtocol,
    #[serde(default)]
    pub from_port: Option<i32>,
    #[serde(default)]
    pub to_port: Option<i32>,
    #[serde(default)]
    pub cidrs: Vec<IpNet>,
    #[serde(default)]
    pub prefix_list_ids: Vec<String>,
    #[serde(default)]
    pub group_ids: Vec<String>,
}

impl SgRule {
    /// True when the rule covers TCP `port`.
    pub fn covers_tcp(&self, port: u16) -> bool {
        self.protocol.covers_tcp()
            && (self.protocol == IpProtocol::All
                || (self.from_port.unwrap_or(0) <= i32::from(port)
                    && i32::from(port) <= self.to_port.unwrap_or(65535)))
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct NetworkAcl {
    pub id: String,
    /// The ACL's VPC (kept by `audit`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub vpc_id: Option<String>,
    #[serde(default)]
    pub default: bool,
    #[serde(default)]
    pub subnet_ids: Vec<String>,
    #[serde(default)]
    pub entries: Vec<AclEntry>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AclEntry {
    pub rule_number: i32,
    pub egress: bool,
    /// `-1` (all) or a protocol number (`6` = TCP).
    pub protocol: IpProtocol,
    /// `allow` or `deny`.
    pub action: AclAction,
    pub cidr: IpNet,
    #[serde(default)]
    pub port_from: Option<i32>,
    #[serde(default)]
    pub port_to: Option<i32>,
}

impl NetworkAcl {
    /// The first rule (lowest number) that matches TCP traffic in the given direction to or
    /// from `peer` on `port`; rule 32767 (`*`) denies everything else.
    pub fn evaluate_tcp(&self, egress: bool, peer: IpAddr, port: u16) -> Option<&AclEntry> {
        let mut rules: Vec<&AclEntry> =
            self.entries.iter().filter(|e| e.egress == egress).collect();
        rules.sort_by_key(|e| e.rule_number);
        rules.into_iter().find(|e| {
            e.protocol.covers_tcp()
                && e.cidr.contains(&peer)
                && (e.protocol == IpProtocol::All
                    || (e.port_from.unwrap_or(0) <= i32::from(port)
                        && i32::from(port) <= e.port_to.unwrap_or(65535)))
        })
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct VpcDnsAttributes {
    pub enable_dns_support: bool,
    pub enable_dns_hostnames: bool,
}

/// Settings of the environment that change where an S3 request goes. Proxy URLs are stored
/// with any user-info removed; credentials are never read.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct ClientSettings {
    /// Proxy-related variables as set, by their exact name (`https_proxy`, `NO_PROXY`, …).
    #[serde(default)]
    pub proxy_env: Vec<EnvSetting>,
    /// Other variables that change the endpoint or region (`AWS_ENDPOINT_URL_S3`, …).
    #[serde(default)]
    pub aws_env: Vec<EnvSetting>,
    /// S3-relevant settings of the active profile in the AWS config file.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub aws_profile: Option<ProfileSettings>,
    /// `aws --version`: collected, or why not (not installed, or not asked because no
    /// interface endpoint is in the path, which is the only place the major version matters).
    #[serde(default)]
    pub aws_cli: Observed<String>,
}

#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct ProfileSettings {
    pub profile: String,
    pub file: String,
    #[serde(default)]
    pub settings: Vec<EnvSetting>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EnvSetting {
    pub name: String,
    pub value: String,
}

impl ClientSettings {
    pub fn proxy_var(&self, name: &str) -> Option<&str> {
        self.proxy_env
            .iter()
            .find(|s| s.name == name)
            .map(|s| s.value.as_str())
    }

    /// The endpoint URL the SDKs would use for S3 instead of the default, and where it is set
    /// (precedence: `AWS_ENDPOINT_URL_S3`, `AWS_ENDPOINT_URL`, the profile's `s3.endpoint_url`,
    /// then its `endpoint_url`).
    pub fn s3_endpoint_override(&self) -> Option<(String, String)> {
        let env = |n: &str| {
            self.aws_env
                .iter()
                .find(|s| s.name == n && !s.value.is_empty())
                .map(|s| (n.to_string(), s.value.clone()))
        };
        let profile = |k: &str| {
            self.aws_profile.as_ref().and_then(|p| {
                p.settings
                    .iter()
                    .find(|s| s.name == k && !s.value.is_empty())
                    .map(|s| {
                        (
                            format!("{k} in profile {} ({})", p.profile, p.file),
                            s.value.clone(),
                        )
                    })
            })
        };
        env("AWS_ENDPOINT_URL_S3")
            .or_else(|| env("AWS_ENDPOINT_URL"))
            .or_else(|| profile("s3.endpoint_url"))
            .or_else(|| profile("endpoint_url"))
    }

    /// Whether the application's SDK uses the dual-stack S3 names
    /// (`bucket.s3.dualstack.<region>.amazonaws.com`), and where that is set: the
    /// environment (`AWS_USE_DUALSTACK_ENDPOINT`) wins over the profile's
    /// `use_dualstack_endpoint` and its `s3 =` sub-setting.
    pub fn dualstack(&self) -> Option<(bool, String)> {
        self.setting(
            &["AWS_USE_DUALSTACK_ENDPOINT"],
            &["s3.use_dualstack_endpoint", "use_dualstack_endpoint"],
        )
        .map(|(v, src)| (v.trim().eq_ignore_ascii_case("true"), src))
    }

    /// A setting's value and where it is set: the first of the `env` variables that is set
    /// (non-empty), else the first of the profile's `keys` (`s3.x` = the `s3 =` block).
    pub fn setting(&self, env: &[&str], keys: &[&str]) -> Option<(String, String)> {
        for n in env {
            if let Some(s) = self
                .aws_env
                .iter()
                .find(|s| s.name == *n && !s.value.trim().is_empty())
            {
                return Some((s.value.clone(), format!("{}={}", s.name, s.value)));
            }
        }
        let p = self.aws_profile.as_ref()?;
        keys.iter()
            .find_map(|k| {
                p.settings
                    .iter()
                    .find(|s| s.name == *k && !s.value.trim().is_empty())
            })
            .map(|s| {
                (
                    s.value.clone(),
                    format!(
                        "{} = {} in profile {} ({})",
                        s.name, s.value, p.profile, p.file
                    ),
                )
            })
    }

    /// The major version of the installed AWS CLI.
    pub fn aws_cli_major(&self) -> Option<u32> {
        let v = self.aws_cli.get()?;
        let rest = v.split("aws-cli/").nth(1)?;
        rest.split('.').next()?.parse().ok()
    }
}

/// Live probe results.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct Probes {
    #[serde(default)]
    pub tcp: Vec<TcpProbe>,
    /// First-hop (TTL-limited) probes toward public S3 addresses.
    #[serde(default)]
    pub first_hop: Vec<FirstHopProbe>,
    /// ICMP echo (informational: S3 endpoints may not answer ping on every path).
    #[serde(default)]
    pub icmp: Vec<IcmpProbe>,
    /// TLS handshakes with SNI = the S3 name.
    #[serde(default)]
    pub tls: Vec<TlsProbe>,
    /// Probes that could not be made, and why.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub errors: Vec<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TcpOutcome {
    Connected,
    Refused,
    TimedOut,
    Unreachable,
    Error,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TcpProbe {
    pub address: IpAddr,
    pub port: u16,
    pub outcome: TcpOutcome,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub latency_ms: Option<f64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum IcmpOutcome {
    Reply,
    TimedOut,
    /// No privilege to send ICMP: not a failure of the path.
    Skipped,
    Error,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct IcmpProbe {
    pub address: IpAddr,
    pub outcome: IcmpOutcome,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rtt_ms: Option<f64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TlsOutcome {
    /// The chain validated and the certificate covers the name.
    Verified,
    /// The chain validated but the certificate does not cover the name.
    NameMismatch,
    /// No trust store validated the chain.
    Untrusted,
    HandshakeFailed,
    ConnectFailed,
    TimedOut,
    NotAttempted,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TlsProbe {
    pub address: IpAddr,
    pub server_name: String,
    pub outcome: TlsOutcome,
    /// The trust store that validated the chain (`system (/etc/ssl/…)`, `AWS_CA_BUNDLE=…`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub validated_by: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub latency_ms: Option<f64>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FirstHopProbe {
    /// The public S3 address probed.
    pub target: IpAddr,
    /// The address that answered with "time exceeded" at the lowest TTL, if any did.
    #[serde(default)]
    pub responder: Option<IpAddr>,
    /// The TTL at which `responder` answered.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ttl: Option<u8>,
    /// The highest TTL tried.
    pub max_ttl: u8,
}

/// What s3path learned about one bucket named with `--bucket`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct BucketFacts {
    pub name: String,
    /// The bucket's region, from the `x-amz-bucket-region` header S3 sends with every
    /// `HeadBucket` answer (200, 301, 403), or why it is not known.
    pub region: Observed<String>,
    /// The real, read-only requests made, in order (`HeadBucket`, `ListObjectsV2`,
    /// `HeadObject`), per way of reaching S3.
    #[serde(default)]
    pub requests: Vec<S3Request>,
    /// The bucket policy (`GetBucketPolicy`), as the JSON text S3 returned.
    #[serde(default)]
    pub bucket_policy: Observed<String>,
}

/// How a request was addressed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum RequestRoute {
    /// The name the application's client uses in the region it is configured for: the
    /// regional virtual-hosted name, or the FIPS, dual-stack, accelerate or path-style name its
    /// settings (or the URL it was given) plan.
    ClientRegion,
    /// The regional virtual-hosted name in the bucket's own region (what a client that
    /// follows the region redirect ends up using).
    BucketRegion,
    /// `https://bucket.vpce-….s3.<region>.vpce.amazonaws.com` as the endpoint URL.
    InterfaceEndpoint,
    /// The endpoint URL the SDKs are configured with (`AWS_ENDPOINT_URL_S3`, …).
    EndpointOverride,
}

/// How a request ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RequestOutcome {
    /// An HTTP answer came back (any status).
    Answered,
    /// No connection could be made.
    ConnectFailed,
    TimedOut,
    /// The name did not resolve.
    DnsFailed,
    /// TLS or another transport error after connecting.
    Error,
    /// Not made (see `error`).
    NotMade,
}

/// One real S3 request and what came back. Never carries credentials or signatures.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct S3Request {
    /// `HeadBucket`, `ListObjectsV2`, `HeadObject`.
    pub operation: String,
    pub route: RequestRoute,
    /// The host the request was sent to.
    pub host: String,
    /// The endpoint interface endpoint id, for `interface-endpoint` requests.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub endpoint_id: Option<String>,
    /// The address the connection went to.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub address: Option<IpAddr>,
    pub outcome: RequestOutcome,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status: Option<u16>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub latency_ms: Option<f64>,
    /// False when no credentials were available and the request went unsigned.
    #[serde(default)]
    pub signed: bool,
    /// S3's error code (`AccessDenied`, `PermanentRedirect`, `NoSuchBucket`, …).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error_code: Option<String>,
    /// S3's error message, or the transport error.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
    /// `x-amz-bucket-region` of the answer.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub bucket_region: Option<String>,
    /// `x-amz-request-id`, for a support case.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub request_id: Option<String>,
}

/// `--presigned URL`: the URL's host, how it resolved and whether port 443 answered. The query
/// string (signature, credential scope) is never stored.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PresignedCheck {
    /// `https://host/path` without the query string.
    pub url: String,
    pub host: String,
    /// The region named in the URL's credential scope (`X-Amz-Credential`), when present.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub signed_region: Option<String>,
    /// Seconds the URL stays valid from its signing time (`X-Amz-Expires`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expires_seconds: Option<u64>,
    pub resolution: Resolution,
    #[serde(default)]
    pub tcp: Vec<TcpProbe>,
}

/// Seconds since the Unix epoch as RFC 3339 UTC (`2026-11-26T01:02:03Z`); years past 9999
/// (out of the `time` crate's range) are written as 9999-12-31T23:59:59Z.
pub fn rfc3339(secs: u64) -> String {
    let t = i64::try_from(secs)
        .ok()
        .and_then(|s| time::OffsetDateTime::from_unix_timestamp(s).ok())
        .unwrap_or_else(|| time::PrimitiveDateTime::MAX.assume_utc());
    format!(
        "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}Z",
        t.year(),
        u8::from(t.month()),
        t.day(),
        t.hour(),
        t.minute(),
        t.second()
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rfc3339_dates() {
        for (secs, want) in [
            (0, "1970-01-01T00:00:00Z"),
            (951_782_400, "2000-02-29T00:00:00Z"),
            (1_795_741_323, "2026-11-27T01:02:03Z"),
            (4_102_444_800, "2100-01-01T00:00:00Z"),
        ] {
            assert_eq!(rfc3339(secs), want);
        }
    }

    #[test]
    fn every_part_has_a_distinct_name_and_label() {
        let mut names: Vec<_> = Part::ALL.iter().map(|p| p.name()).collect();
        names.sort();
        names.dedup();
        assert_eq!(names.len(), Part::ALL.len());
        // The name is the field's name in a facts file.
        let json = serde_json::to_value(Facts::default()).unwrap();
        for p in Part::ALL {
            assert_eq!(json[p.name()]["status"], "not_collected", "{p}");
            assert_eq!(serde_json::to_value(p).unwrap(), p.name());
        }
    }

    #[test]
    fn empty_and_set_status_reach_every_part() {
        let mut f = Facts::empty(Request::default(), "why");
        for &p in Part::ALL {
            assert_eq!(f.status(p), Observed::not_collected("why"), "{p}");
            f.set_status(p, &Observed::failed("boom"));
            assert_eq!(f.status(p), Observed::failed("boom"), "{p}");
        }
        for &p in Part::CONTROL_PLANE {
            assert!(Part::ALL.contains(&p));
        }
    }

    #[test]
    fn limits_cover_dhcp_servers_and_presigned_answers() {
        let f = Facts {
            dhcp_dns_servers: Observed::collected(vec!["10.0.0.2".into(); limits::ADDRESSES + 1]),
            ..Facts::default()
        };
        let e = f.check_limits().unwrap_err();
        assert!(e.starts_with("dhcp_dns_servers has"), "{e}");
    }

    fn endpoint_of(id: &str, endpoint_type: EndpointType) -> VpcEndpoint {
        VpcEndpoint {
            id: id.into(),
            vpc_id: None,
            endpoint_type,
            service_name: None,
            state: EndpointState::Available,
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

    fn route_to(dest: &str, target: RouteTarget) -> Route {
        let mut r = Route::default();
        if dest.starts_with("pl-") {
            r.destination_prefix_list_id = Some(dest.into());
        } else {
            r.destination_cidr_block = Some(dest.parse().unwrap());
        }
        r.set_target(target);
        r
    }

    #[test]
    fn every_route_target_survives_a_facts_file() {
        let id = |s: &str| s.to_string();
        let eps = [
            endpoint_of("vpce-gw", EndpointType::Gateway),
            endpoint_of("vpce-gwlb", EndpointType::GatewayLoadBalancer),
        ];
        let cases = [
            ("10.0.0.0/16", RouteTarget::Local, "gateway_id"),
            (
                "pl-1",
                RouteTarget::GatewayEndpoint(id("vpce-gw")),
                "gateway_id",
            ),
            (
                "0.0.0.0/0",
                RouteTarget::GwlbEndpoint(id("vpce-gwlb")),
                "gateway_id",
            ),
            (
                "0.0.0.0/0",
                RouteTarget::InternetGateway(id("igw-1")),
                "gateway_id",
            ),
            (
                "0.0.0.0/0",
                RouteTarget::VirtualPrivateGateway(id("vgw-1")),
                "gateway_id",
            ),
            (
                "0.0.0.0/0",
                RouteTarget::EgressOnlyInternetGateway(id("eigw-1")),
                "egress_only_internet_gateway_id",
            ),
            ("0.0.0.0/0", RouteTarget::Nat(id("nat-1")), "nat_gateway_id"),
            (
                "0.0.0.0/0",
                RouteTarget::TransitGateway(id("tgw-1")),
                "transit_gateway_id",
            ),
            (
                "0.0.0.0/0",
                RouteTarget::Peering(id("pcx-1")),
                "vpc_peering_connection_id",
            ),
            (
                "0.0.0.0/0",
                RouteTarget::NetworkInterface(id("eni-1")),
                "network_interface_id",
            ),
            ("0.0.0.0/0", RouteTarget::Instance(id("i-1")), "instance_id"),
            (
                "0.0.0.0/0",
                RouteTarget::CarrierGateway(id("cagw-1")),
                "carrier_gateway_id",
            ),
            (
                "0.0.0.0/0",
                RouteTarget::LocalGateway(id("lgw-1")),
                "local_gateway_id",
            ),
            (
                "0.0.0.0/0",
                RouteTarget::CoreNetwork(id("arn:aws:networkmanager::1:core-network/cn-1")),
                "core_network_arn",
            ),
            ("0.0.0.0/0", RouteTarget::Other(id("xgw-1")), "gateway_id"),
        ];
        for (dest, target, field) in cases {
            let r = route_to(dest, target.clone());
            let json = serde_json::to_value(&r).unwrap();
            // The EC2 API's field, holding the id as written.
            assert_eq!(json[field], target.id(), "{target:?}: {json}");
            let back: Route = serde_json::from_value(json).unwrap();
            assert_eq!(back, r);
            assert_eq!(back.target(Some(&eps)), Some(target.clone()));
            assert_eq!(back.target_id(), Some(target.id()));
            assert_eq!(target.to_string(), target.id());
        }
        assert_eq!(Route::default().target(None), None);
        assert_eq!(Route::default().target_id(), None);
    }

    #[test]
    fn a_vpce_target_is_what_the_endpoint_type_says() {
        // AWS and moto show a Gateway Load Balancer endpoint route as `GatewayId: vpce-…`.
        let json = r#"{"destination_cidr_block": "0.0.0.0/0", "gateway_id": "vpce-1"}"#;
        let r: Route = serde_json::from_str(json).unwrap();
        let gwlb = [endpoint_of("vpce-1", EndpointType::GatewayLoadBalancer)];
        let gw = [endpoint_of("vpce-1", EndpointType::Gateway)];
        let id = || "vpce-1".to_string();
        assert_eq!(r.target(Some(&gwlb)), Some(RouteTarget::GwlbEndpoint(id())));
        assert_eq!(
            r.target(Some(&gw)),
            Some(RouteTarget::GatewayEndpoint(id()))
        );
        // Endpoint unknown: a CIDR route's vpce- is a GWLB endpoint, a prefix-list route's a
        // gateway endpoint…
        assert_eq!(r.target(None), Some(RouteTarget::GwlbEndpoint(id())));
        assert_eq!(r.target(Some(&[])), Some(RouteTarget::GwlbEndpoint(id())));
        let pl = Route {
            destination_cidr_block: None,
            destination_prefix_list_id: Some("pl-1".into()),
            ..r.clone()
        };
        assert_eq!(pl.target(None), Some(RouteTarget::GatewayEndpoint(id())));
        // …unless the endpoint's type says otherwise.
        assert_eq!(
            pl.target(Some(&gwlb)),
            Some(RouteTarget::GwlbEndpoint(id()))
        );
        assert_eq!(r.target(None).unwrap().vpc_endpoint(), Some("vpce-1"));
        assert_eq!(RouteTarget::Nat(id()).vpc_endpoint(), None);
    }

    #[test]
    fn the_first_target_field_wins_and_set_target_clears_the_others() {
        let mut r = Route {
            nat_gateway_id: Some("nat-1".into()),
            instance_id: Some("i-1".into()),
            network_interface_id: Some("eni-1".into()),
            ..Route::default()
        };
        assert_eq!(r.target(None), Some(RouteTarget::Nat("nat-1".into())));
        assert_eq!(r.target_id(), Some("nat-1"));
        r.nat_gateway_id = None;
        assert_eq!(
            r.target(None),
            Some(RouteTarget::NetworkInterface("eni-1".into()))
        );
        r.set_target(RouteTarget::TransitGateway("tgw-1".into()));
        let json = serde_json::to_value(&r).unwrap();
        assert_eq!(
            json,
            serde_json::json!({"transit_gateway_id": "tgw-1", "state": "active"})
        );
    }

    #[test]
    fn routes_and_rules_of_older_files_read_and_write_back_unchanged() {
        let json = serde_json::json!({
            "route_tables": [{
                "id": "rtb-1", "vpc_id": "vpc-1", "main": true, "subnet_ids": [],
                "routes": [
                    {"destination_cidr_block": "10.0.0.0/16", "gateway_id": "local",
                     "state": "active", "origin": "CreateRouteTable"},
                    {"destination_cidr_block": "0.0.0.0/0", "nat_gateway_id": "nat-1",
                     "state": "blackhole", "origin": "CreateRoute"},
                    {"destination_cidr_block": "172.16.0.0/12", "transit_gateway_id": "tgw-1",
                     "state": "deprecated", "origin": "EnableVgwRoutePropagation"}
                ]
            }],
            "nat": {"id": "nat-1", "state": "failed", "connectivity_type": "private",
                    "subnet_id": null, "private_ips": [], "public_ips": []},
            "igw": {"id": "igw-1", "attachments": [{"vpc_id": "vpc-1", "state": "detaching"}]},
            "sg": {"id": "sg-1", "ingress": [], "egress": [
                {"protocol": "-1", "from_port": null, "to_port": null, "cidrs": ["0.0.0.0/0"],
                 "prefix_list_ids": [], "group_ids": []},
                {"protocol": "50", "from_port": null, "to_port": null, "cidrs": [],
                 "prefix_list_ids": [], "group_ids": []}
            ]},
            "acl": {"id": "acl-1", "default": true, "subnet_ids": [], "entries": [
                {"rule_number": 100, "egress": true, "protocol": "6", "action": "allow",
                 "cidr": "0.0.0.0/0", "port_from": 443, "port_to": 443},
                {"rule_number": 32767, "egress": true, "protocol": "-1", "action": "deny",
                 "cidr": "0.0.0.0/0", "port_from": null, "port_to": null}
            ]}
        });
        let tables: Vec<RouteTable> = serde_json::from_value(json["route_tables"].clone()).unwrap();
        let routes = &tables[0].routes;
        assert_eq!(routes[0].target(None), Some(RouteTarget::Local));
        assert!(routes[1].is_blackhole());
        assert_eq!(routes[2].state, RouteState::Other("deprecated".into()));
        assert_eq!(
            routes[2].origin,
            Some(RouteOrigin::EnableVgwRoutePropagation)
        );
        assert_eq!(serde_json::to_value(&tables).unwrap(), json["route_tables"]);

        let nat: NatGateway = serde_json::from_value(json["nat"].clone()).unwrap();
        assert_eq!(
            (nat.state.clone(), nat.connectivity_type.clone()),
            (NatState::Failed, NatConnectivity::Private)
        );
        assert_eq!(serde_json::to_value(&nat).unwrap(), json["nat"]);

        let igw: InternetGateway = serde_json::from_value(json["igw"].clone()).unwrap();
        assert_eq!(igw.attachments[0].state, AttachmentState::Detaching);
        assert_eq!(serde_json::to_value(&igw).unwrap(), json["igw"]);

        let sg: SecurityGroup = serde_json::from_value(json["sg"].clone()).unwrap();
        assert!(sg.egress[0].covers_tcp(443));
        assert_eq!(sg.egress[1].protocol, IpProtocol::Other("50".into()));
        assert!(!sg.egress[1].covers_tcp(443));
        assert_eq!(serde_json::to_value(&sg).unwrap(), json["sg"]);

        let acl: NetworkAcl = serde_json::from_value(json["acl"].clone()).unwrap();
        let hit = acl
            .evaluate_tcp(true, "52.216.1.1".parse().unwrap(), 443)
            .unwrap();
        assert_eq!((hit.rule_number, &hit.action), (100, &AclAction::Allow));
        let hit = acl
            .evaluate_tcp(true, "52.216.1.1".parse().unwrap(), 80)
            .unwrap();
        assert_eq!(hit.action, AclAction::Deny);
        assert_eq!(serde_json::to_value(&acl).unwrap(), json["acl"]);

        // Absent state and connectivity read as before: an active route, a public NAT.
        let r: Route = serde_json::from_str(r#"{"gateway_id": "igw-1"}"#).unwrap();
        assert_eq!(r.state, RouteState::Active);
        let n: NatGateway =
            serde_json::from_str(r#"{"id": "nat-1", "state": "available"}"#).unwrap();
        assert_eq!(n.connectivity_type, NatConnectivity::Public);
    }

    #[test]
    fn every_scenario_facts_file_writes_back_its_typed_words_unchanged() {
        let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/scenarios");
        let (mut seen, mut words_seen) = (0, 0);
        for entry in std::fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            if !path.to_string_lossy().ends_with(".facts.json") {
                continue;
            }
            let text = std::fs::read_to_string(&path).unwrap();
            let mut original: serde_json::Value = serde_json::from_str(&text).unwrap();
            // What an absent field reads as (before the types too): an active route, a public
            // NAT gateway.
            let defaults = |list: &mut serde_json::Value, key: &str, value: &str| {
                for item in list.as_array_mut().into_iter().flatten() {
                    if let Some(map) = item.as_object_mut() {
                        map.entry(key).or_insert_with(|| value.into());
                    }
                }
            };
            for t in original["route_tables"]["value"]
                .as_array_mut()
                .into_iter()
                .flatten()
            {
                defaults(&mut t["routes"], "state", "active");
            }
            defaults(
                &mut original["nat_gateways"]["value"],
                "connectivity_type",
                "public",
            );
            let facts: Facts = serde_json::from_str(&text).unwrap();
            let again = serde_json::to_value(&facts).unwrap();
            for part in [
                "route_tables",
                "prefix_lists",
                "vpc_endpoints",
                "nat_gateways",
                "internet_gateways",
                "security_groups",
                "network_acls",
            ] {
                let words = |v: &serde_json::Value| -> Vec<String> {
                    let mut out = Vec::new();
                    collect_words(v, &mut out);
                    out
                };
                let want = words(&original[part]);
                assert_eq!(words(&again[part]), want, "{}: {part}", path.display());
                words_seen += want.len();
            }
            seen += 1;
        }
        assert!(seen > 50, "{seen} scenario files");
        assert!(words_seen > 5 * seen, "{words_seen} words");
    }

    /// Every `state`, `origin`, `protocol`, `action`, `connectivity_type`, `address_family`,
    /// `ip_address_type` and target field,
    /// with its path, in document order.
    fn collect_words(v: &serde_json::Value, out: &mut Vec<String>) {
        const KEYS: [&str; 17] = [
            "state",
            "address_family",
            "ip_address_type",
            "origin",
            "protocol",
            "action",
            "connectivity_type",
            "gateway_id",
            "nat_gateway_id",
            "transit_gateway_id",
            "vpc_peering_connection_id",
            "network_interface_id",
            "instance_id",
            "egress_only_internet_gateway_id",
            "carrier_gateway_id",
            "local_gateway_id",
            "core_network_arn",
        ];
        match v {
            serde_json::Value::Array(items) => items.iter().for_each(|i| collect_words(i, out)),
            serde_json::Value::Object(map) => {
                for (k, v) in map {
                    if KEYS.contains(&k.as_str()) {
                        out.push(format!("{k}={v}"));
                    } else {
                        collect_words(v, out);
                    }
                }
            }
            _ => {}
        }
    }
}
