//! What the gatherers are asked for and where they read the environment from, and the limits
//! of a doctor run.

use std::net::IpAddr;
use std::time::Duration;

/// What `doctor` asks the gatherers for.
#[derive(Debug, Clone)]
pub struct GatherOptions {
    /// `--region`; when absent, the environment (`AWS_REGION`, `AWS_DEFAULT_REGION`) or the
    /// vantage decides.
    pub region: Option<String>,
    pub buckets: Vec<String>,
    /// Overall budget for the whole gather.
    pub timeout: Duration,
    /// The hosts file to read (`/etc/hosts`).
    pub hosts_file: String,
    /// `--subnet-id`: the subnet to judge against when this host cannot tell (off AWS, or no
    /// metadata service); it also overrides what the metadata says.
    pub subnet_id: Option<String>,
    /// `--key`: an object to `HeadObject` in every bucket.
    pub key: Option<String>,
    /// `--presigned URL`, already checked.
    pub presigned: Option<crate::validate::PresignedUrl>,
    /// `--profile`: the profile for credentials, region and settings (else `AWS_PROFILE`).
    pub profile: Option<String>,
    /// `--hub-role-arn`: read the far side of a transit gateway with this role, assumed.
    pub hub_role_arn: Option<String>,
}

impl GatherOptions {
    pub fn new(region: Option<String>, buckets: Vec<String>, timeout: Duration) -> Self {
        GatherOptions {
            region,
            buckets,
            timeout,
            hosts_file: "/etc/hosts".to_string(),
            subnet_id: None,
            key: None,
            presigned: None,
            profile: None,
            hub_role_arn: None,
        }
    }
}

/// A source of environment variables (the process environment in production, a map in tests).
pub trait Env {
    fn var(&self, name: &str) -> Option<String>;
}

/// The process environment.
pub struct ProcessEnv;

/// An environment in which `--profile NAME` stands for `AWS_PROFILE=NAME`: the profile's
/// settings, region and credentials are read exactly as the SDKs would read them with that
/// variable set.
pub struct WithProfile<'a> {
    pub env: &'a dyn Env,
    pub profile: Option<&'a str>,
}

impl Env for WithProfile<'_> {
    fn var(&self, name: &str) -> Option<String> {
        match (name, self.profile) {
            ("AWS_PROFILE", Some(p)) => Some(p.to_string()),
            _ => self.env.var(name),
        }
    }
}

impl Env for ProcessEnv {
    fn var(&self, name: &str) -> Option<String> {
        std::env::var(name).ok()
    }
}

pub(super) const NOT_BUILT: &str = "this version of s3path has no gatherer for it yet";
/// The Route 53 Resolver's link-local address inside every VPC.
pub const VPC_RESOLVER: IpAddr = IpAddr::V4(std::net::Ipv4Addr::new(169, 254, 169, 253));
/// At most this many addresses are probed, and this many first-hop probes are made.
pub(super) const MAX_TCP_PROBES: usize = 32;
pub(super) const MAX_FIRST_HOP_PROBES: usize = 2;
pub(super) const MAX_TLS_PROBES: usize = 16;
pub(super) const MAX_ICMP_PROBES: usize = 8;
/// How long the first-hop probe waits for a TTL-expired report. A NAT gateway in the VPC
/// answers within a few milliseconds; a gateway-endpoint path stays silent, so this is what
/// doctor spends on it.
pub(super) const FIRST_HOP_WAIT_MS: u64 = 150;
