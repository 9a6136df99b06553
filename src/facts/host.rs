//! What the vantage itself showed: where it is, its metadata service, DNS answers, the
//! application's settings, live probes.

use std::net::IpAddr;

use ipnet::IpNet;
use serde::{Deserialize, Serialize};

use super::observed::Observed;

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
