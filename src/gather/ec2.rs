//! The control plane from the EC2 API: route tables, VPC endpoints with their ENIs, prefix
//! lists, VPC DNS attributes and CIDR blocks. Describe calls only; independent calls run in
//! parallel; each failure becomes a failed fact that names the IAM action it needed, and the
//! rest still runs. Honors the standard configuration chain and `AWS_ENDPOINT_URL(_EC2)`.

use std::net::IpAddr;
use std::time::Duration;

use aws_config::retry::RetryConfig;
use aws_config::timeout::TimeoutConfig;
use aws_config::{BehaviorVersion, Region};
use aws_sdk_ec2::error::{DisplayErrorContext, ProvideErrorMetadata};
use aws_sdk_ec2::types::{Filter, VpcAttributeName};
use aws_sdk_ec2::Client;
use ipnet::IpNet;

use crate::facts::{
    AclEntry, DnsEntry, EndpointInterface, EndpointType, Failure, IgwAttachment, InternetGateway,
    NatGateway, NetworkAcl, Observed, PrefixList, Route, RouteTable, SecurityGroup, SgRule,
    VpcDnsAttributes, VpcEndpoint,
};

/// The IAM actions s3path uses (all read-only); docs/iam-policy.json grants exactly these.
pub const ACTIONS: [&str; 15] = [
    "ec2:DescribeRouteTables",
    "ec2:DescribeVpcEndpoints",
    "ec2:DescribeNetworkInterfaces",
    "ec2:DescribeManagedPrefixLists",
    "ec2:GetManagedPrefixListEntries",
    "ec2:DescribePrefixLists",
    "ec2:DescribeInternetGateways",
    "ec2:DescribeVpcAttribute",
    "ec2:DescribeVpcs",
    "ec2:DescribeSubnets",
    "ec2:DescribeInstances",
    "ec2:DescribeNatGateways",
    "ec2:DescribeSecurityGroups",
    "ec2:DescribeNetworkAcls",
    "ec2:DescribeDhcpOptions",
];

/// What the EC2 API said about one VPC.
pub struct Ec2Facts {
    pub route_tables: Observed<Vec<RouteTable>>,
    pub vpc_endpoints: Observed<Vec<VpcEndpoint>>,
    pub prefix_lists: Observed<Vec<PrefixList>>,
    pub internet_gateways: Observed<Vec<InternetGateway>>,
    pub vpc_dns_attributes: Observed<VpcDnsAttributes>,
    /// The VPC's CIDR blocks (v4, v6).
    pub vpc_cidrs: Observed<(Vec<IpNet>, Vec<IpNet>)>,
    /// `domain-name-servers` of the VPC's DHCP options (`AmazonProvidedDNS` or custom).
    pub dhcp_dns_servers: Observed<Vec<String>>,
    pub nat_gateways: Observed<Vec<NatGateway>>,
    pub security_groups: Observed<Vec<SecurityGroup>>,
    pub network_acls: Observed<Vec<NetworkAcl>>,
}

impl Ec2Facts {
    /// Moves every part into `facts` (the VPC CIDRs go to the vantage, by the caller).
    pub fn apply(self, facts: &mut crate::facts::Facts) {
        facts.route_tables = self.route_tables;
        facts.vpc_endpoints = self.vpc_endpoints;
        facts.prefix_lists = self.prefix_lists;
        facts.internet_gateways = self.internet_gateways;
        facts.vpc_dns_attributes = self.vpc_dns_attributes;
        facts.dhcp_dns_servers = self.dhcp_dns_servers;
        facts.nat_gateways = self.nat_gateways;
        facts.security_groups = self.security_groups;
        facts.network_acls = self.network_acls;
    }
}

/// Marks every control-plane part of `facts` with the same status (why it is missing).
pub fn mark_unavailable(facts: &mut crate::facts::Facts, status: Observed<()>) {
    facts.route_tables = status.status_only();
    facts.vpc_endpoints = status.status_only();
    facts.prefix_lists = status.status_only();
    facts.internet_gateways = status.status_only();
    facts.vpc_dns_attributes = status.status_only();
    facts.dhcp_dns_servers = status.status_only();
    facts.nat_gateways = status.status_only();
    facts.security_groups = status.status_only();
    facts.network_acls = status.status_only();
}

/// A failed lookup of the vantage's place (`DescribeSubnets`, `DescribeInstances`, …).
#[derive(Debug, Clone)]
pub struct Ec2Error {
    pub message: String,
    pub cause: Failure,
}

impl std::fmt::Display for Ec2Error {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.message)
    }
}

impl Ec2Error {
    pub fn new(message: impl Into<String>, cause: Failure) -> Self {
        Ec2Error {
            message: message.into(),
            cause,
        }
    }

    pub fn observed<T>(&self) -> Observed<T> {
        Observed::failed_with(self.message.clone(), self.cause.clone())
    }
}

/// A client for `region` with bounded timeouts and retries (throttling is retried with backoff
/// by the standard retry strategy, at most `3` attempts). `endpoint` overrides the endpoint
/// (tests); otherwise the standard chain applies, including `AWS_ENDPOINT_URL_EC2`.
/// The application's own S3 settings (dual-stack, FIPS, `AWS_ENDPOINT_URL` aimed at S3) never
/// reach this client: dual-stack and FIPS are off, and the only endpoint override honoured is
/// `AWS_ENDPOINT_URL_EC2` (or `endpoint`).
pub async fn client(region: &str, budget: Duration, endpoint: Option<&str>) -> Client {
    let config = aws_config::defaults(BehaviorVersion::latest())
        .region(Region::new(region.to_string()))
        .timeout_config(
            TimeoutConfig::builder()
                .connect_timeout(budget.min(Duration::from_secs(2)))
                .operation_attempt_timeout(budget)
                .operation_timeout(budget)
                .build(),
        )
        .retry_config(RetryConfig::standard().with_max_attempts(3))
        .load()
        .await;
    let ec2_url = endpoint.map(str::to_string).or_else(|| {
        std::env::var("AWS_ENDPOINT_URL_EC2")
            .ok()
            .filter(|u| !u.is_empty())
    });
    let mut b = aws_sdk_ec2::config::Builder::from(&config);
    b.set_endpoint_url(ec2_url);
    b.set_use_dual_stack(Some(false));
    b.set_use_fips(Some(false));
    Client::from_conf(b.build())
}

/// Turns an SDK error into one line that names the action, and its typed cause.
fn describe_error<E>(
    action: &str,
    e: &aws_sdk_ec2::error::SdkError<E, aws_sdk_ec2::config::http::HttpResponse>,
) -> Ec2Error
where
    E: ProvideErrorMetadata + std::error::Error + 'static,
{
    use aws_sdk_ec2::error::SdkError;
    let (message, cause) = match (e.code(), e.message()) {
        (Some(code), msg)
            if code.contains("Unauthorized")
                || code.contains("AccessDenied")
                || code == "UnauthorizedOperation" =>
        {
            (
                format!(
                    "{code}: {} (the caller needs {action})",
                    msg.unwrap_or("not authorized")
                ),
                Failure::Denied {
                    action: action.to_string(),
                },
            )
        }
        (Some(code), msg) if code.contains("NotFound") => (
            format!("{action}: {code}: {}", msg.unwrap_or("")),
            Failure::NotFound,
        ),
        (Some(code), msg) => (
            format!("{action}: {code}: {}", msg.unwrap_or("")),
            Failure::Other,
        ),
        (None, _) => {
            let text = DisplayErrorContext(e).to_string();
            let lower = text.to_ascii_lowercase();
            let cause = if lower.contains("credential") {
                Failure::NoCredentials
            } else {
                match e {
                    SdkError::TimeoutError(_) => Failure::TimedOut {
                        action: Some(action.to_string()),
                        after_ms: None,
                    },
                    SdkError::DispatchFailure(d) if d.is_timeout() => Failure::TimedOut {
                        action: Some(action.to_string()),
                        after_ms: None,
                    },
                    SdkError::DispatchFailure(_) => Failure::Unreachable {
                        action: Some(action.to_string()),
                    },
                    _ => Failure::Other,
                }
            };
            (
                format!("{action}: {}", crate::gather::plain_error(&text)),
                cause,
            )
        }
    };
    Ec2Error { message, cause }
}

fn fail<T, E>(
    action: &str,
    e: &aws_sdk_ec2::error::SdkError<E, aws_sdk_ec2::config::http::HttpResponse>,
) -> Observed<T>
where
    E: ProvideErrorMetadata + std::error::Error + 'static,
{
    describe_error(action, e).observed()
}

fn vpc_filter(vpc_id: &str) -> Filter {
    Filter::builder().name("vpc-id").values(vpc_id).build()
}

async fn route_tables(c: &Client, vpc_id: &str) -> Observed<Vec<RouteTable>> {
    let mut out = Vec::new();
    let mut pages = c
        .describe_route_tables()
        .filters(vpc_filter(vpc_id))
        .into_paginator()
        .items()
        .send();
    while let Some(item) = pages.next().await {
        let t = match item {
            Ok(t) => t,
            Err(e) => return fail("ec2:DescribeRouteTables", &e),
        };
        out.push(RouteTable {
            id: t.route_table_id().unwrap_or_default().to_string(),
            vpc_id: t.vpc_id().map(str::to_string),
            main: t.associations().iter().any(|a| a.main() == Some(true)),
            subnet_ids: t
                .associations()
                .iter()
                .filter_map(|a| a.subnet_id().map(str::to_string))
                .collect(),
            routes: t
                .routes()
                .iter()
                .map(|r| Route {
                    destination_cidr_block: r.destination_cidr_block().and_then(|c| c.parse().ok()),
                    destination_ipv6_cidr_block: r
                        .destination_ipv6_cidr_block()
                        .and_then(|c| c.parse().ok()),
                    destination_prefix_list_id: r.destination_prefix_list_id().map(str::to_string),
                    gateway_id: r.gateway_id().map(str::to_string),
                    nat_gateway_id: r.nat_gateway_id().map(str::to_string),
                    transit_gateway_id: r.transit_gateway_id().map(str::to_string),
                    vpc_peering_connection_id: r.vpc_peering_connection_id().map(str::to_string),
                    // An instance route also carries its ENI; keep the instance id then.
                    network_interface_id: if r.instance_id().is_some() {
                        None
                    } else {
                        r.network_interface_id().map(str::to_string)
                    },
                    instance_id: r.instance_id().map(str::to_string),
                    egress_only_internet_gateway_id: r
                        .egress_only_internet_gateway_id()
                        .map(str::to_string),
                    carrier_gateway_id: r.carrier_gateway_id().map(str::to_string),
                    local_gateway_id: r.local_gateway_id().map(str::to_string),
                    core_network_arn: r.core_network_arn().map(str::to_string),
                    state: r
                        .state()
                        .map(|s| s.as_str().to_string())
                        .unwrap_or_else(|| "active".to_string()),
                    origin: r.origin().map(|o| o.as_str().to_string()),
                })
                .collect(),
        });
    }
    Observed::collected(out)
}

async fn endpoints(c: &Client, vpc_id: &str) -> Observed<Vec<VpcEndpoint>> {
    let mut raw = Vec::new();
    let mut pages = c
        .describe_vpc_endpoints()
        .filters(vpc_filter(vpc_id))
        .into_paginator()
        .items()
        .send();
    while let Some(item) = pages.next().await {
        match item {
            Ok(e) => raw.push(e),
            Err(e) => return fail("ec2:DescribeVpcEndpoints", &e),
        }
    }
    // One call for every ENI of every endpoint: the number of calls does not grow with them.
    let eni_ids: Vec<String> = raw
        .iter()
        .flat_map(|e| e.network_interface_ids().iter().cloned())
        .collect();
    let mut enis = std::collections::HashMap::new();
    if !eni_ids.is_empty() {
        let mut pages = c
            .describe_network_interfaces()
            .set_network_interface_ids(Some(eni_ids))
            .into_paginator()
            .items()
            .send();
        while let Some(item) = pages.next().await {
            match item {
                Ok(n) => {
                    let id = n.network_interface_id().unwrap_or_default().to_string();
                    enis.insert(
                        id.clone(),
                        EndpointInterface {
                            id,
                            subnet_id: n.subnet_id().map(str::to_string),
                            availability_zone: n.availability_zone().map(str::to_string),
                            private_ipv4: n
                                .private_ip_address()
                                .and_then(|a| a.parse::<IpAddr>().ok()),
                            ipv6s: n
                                .ipv6_addresses()
                                .iter()
                                .filter_map(|a| a.ipv6_address()?.parse().ok())
                                .collect(),
                        },
                    );
                }
                Err(e) => return fail("ec2:DescribeNetworkInterfaces", &e),
            }
        }
    }
    let out = raw
        .iter()
        .map(|e| {
            let endpoint_type = match e.vpc_endpoint_type().map(|t| t.as_str()) {
                Some("Gateway") => EndpointType::Gateway,
                Some("GatewayLoadBalancer") => EndpointType::GatewayLoadBalancer,
                Some("Resource") => EndpointType::Resource,
                Some("ServiceNetwork") => EndpointType::ServiceNetwork,
                _ => EndpointType::Interface,
            };
            VpcEndpoint {
                id: e.vpc_endpoint_id().unwrap_or_default().to_string(),
                endpoint_type,
                service_name: e.service_name().map(str::to_string),
                state: e
                    .state()
                    .map(|s| s.as_str().to_ascii_lowercase())
                    .unwrap_or_else(|| "unknown".to_string()),
                route_table_ids: e.route_table_ids().to_vec(),
                subnet_ids: e.subnet_ids().to_vec(),
                network_interfaces: e
                    .network_interface_ids()
                    .iter()
                    .filter_map(|id| enis.get(id).cloned())
                    .collect(),
                dns_entries: e
                    .dns_entries()
                    .iter()
                    .filter_map(|d| {
                        Some(DnsEntry {
                            dns_name: d.dns_name()?.to_string(),
                            hosted_zone_id: d.hosted_zone_id().map(str::to_string),
                        })
                    })
                    .collect(),
                private_dns_enabled: e.private_dns_enabled().unwrap_or(false),
                private_dns_only_for_inbound_resolver_endpoint: e
                    .dns_options()
                    .and_then(|o| o.private_dns_only_for_inbound_resolver_endpoint()),
                security_group_ids: e
                    .groups()
                    .iter()
                    .filter_map(|g| g.group_id().map(str::to_string))
                    .collect(),
                policy_document: e.policy_document().map(str::to_string),
                resource_configuration_arn: e.resource_configuration_arn().map(str::to_string),
                ip_address_type: e.ip_address_type().map(|t| t.as_str().to_ascii_lowercase()),
            }
        })
        .collect();
    Observed::collected(out)
}

/// Every prefix list in `wanted` (the lists the VPC's routes name, and the region's S3
/// list), with its entries: names, owners and families from `DescribeManagedPrefixLists`
/// (falling back to `DescribePrefixLists`, which knows the AWS-managed lists only), entries
/// from `GetManagedPrefixListEntries`, one call per list, in parallel. A list whose entries
/// could not be read says why; the rest are still read.
async fn prefix_lists(c: &Client, region: &str, wanted: Vec<String>) -> Observed<Vec<PrefixList>> {
    let mut known: Vec<PrefixList> = Vec::new();
    let mut list_error: Option<Ec2Error> = None;
    let mut pages = c
        .describe_managed_prefix_lists()
        .into_paginator()
        .items()
        .send();
    while let Some(item) = pages.next().await {
        match item {
            Ok(p) => known.push(PrefixList {
                name: p.prefix_list_name().map(str::to_string),
                owner_id: p.owner_id().map(str::to_string),
                address_family: p.address_family().map(str::to_string),
                ..PrefixList::new(p.prefix_list_id().unwrap_or_default())
            }),
            Err(e) => {
                list_error = Some(describe_error("ec2:DescribeManagedPrefixLists", &e));
                known.clear();
                break;
            }
        }
    }
    if list_error.is_some() {
        // The older call knows the AWS-managed lists, with their CIDRs.
        let mut pages = c.describe_prefix_lists().into_paginator().items().send();
        while let Some(item) = pages.next().await {
            match item {
                Ok(p) => known.push(PrefixList {
                    name: p.prefix_list_name().map(str::to_string),
                    owner_id: Some("AWS".to_string()),
                    cidrs: p.cidrs().iter().filter_map(|c| c.parse().ok()).collect(),
                    ..PrefixList::new(p.prefix_list_id().unwrap_or_default())
                }),
                Err(_) => break,
            }
        }
    }
    let mut wanted = wanted;
    for l in &known {
        if l.is_s3_list_of(region) && !wanted.contains(&l.id) {
            wanted.push(l.id.clone());
        }
    }
    let lists: Vec<PrefixList> = wanted
        .iter()
        .map(|id| {
            known
                .iter()
                .find(|l| &l.id == id)
                .cloned()
                .unwrap_or_else(|| PrefixList::new(id.clone()))
        })
        .collect();
    // Entries for the lists whose CIDRs are not known yet (DescribePrefixLists, the fallback,
    // gives them for the AWS-managed lists).
    let entries = crate::gather::dns::join_all(lists.iter().map(|l| async {
        if l.cidrs.is_empty() {
            Some(entries(c, &l.id).await)
        } else {
            None
        }
    }))
    .await;
    let mut out = Vec::new();
    let mut all_failed: Option<Ec2Error> = None;
    let mut any_read = false;
    for (mut l, got) in lists.into_iter().zip(entries) {
        match got {
            None => any_read = true,
            Some(Ok(cidrs)) if !cidrs.is_empty() => {
                l.cidrs = cidrs;
                any_read = true;
            }
            Some(Ok(_)) => l.entries_error = Some("the list has no entries".to_string()),
            Some(Err(e)) => {
                l.entries_error = Some(e.message.clone());
                l.entries_failure = Some(e.cause.clone());
                all_failed = Some(e);
            }
        }
        out.push(l);
    }
    match (any_read, all_failed, list_error) {
        (false, Some(e), _) if !out.is_empty() => Observed::failed_with(
            format!("{}; lists named: {}", e.message, wanted.join(", ")),
            e.cause,
        ),
        (false, _, Some(e)) if out.is_empty() => e.observed(),
        _ => Observed::collected(out),
    }
}

/// The CIDRs of one managed prefix list (paginated).
async fn entries(c: &Client, id: &str) -> Result<Vec<IpNet>, Ec2Error> {
    let mut out = Vec::new();
    let mut pages = c
        .get_managed_prefix_list_entries()
        .prefix_list_id(id)
        .into_paginator()
        .items()
        .send();
    while let Some(item) = pages.next().await {
        match item {
            Ok(e) => out.extend(e.cidr().and_then(|c| c.parse::<IpNet>().ok())),
            Err(e) => return Err(describe_error("ec2:GetManagedPrefixListEntries", &e)),
        }
    }
    Ok(out)
}

/// The internet gateways named by `ids`, with their attachments. A gateway that no longer
/// exists is simply absent from the answer (the filter does not fail on unknown ids).
async fn internet_gateways(c: &Client, ids: Vec<String>) -> Observed<Vec<InternetGateway>> {
    if ids.is_empty() {
        return Observed::collected(Vec::new());
    }
    let mut out = Vec::new();
    let mut pages = c
        .describe_internet_gateways()
        .filters(
            Filter::builder()
                .name("internet-gateway-id")
                .set_values(Some(ids))
                .build(),
        )
        .into_paginator()
        .items()
        .send();
    while let Some(item) = pages.next().await {
        match item {
            Ok(g) => out.push(InternetGateway {
                id: g.internet_gateway_id().unwrap_or_default().to_string(),
                attachments: g
                    .attachments()
                    .iter()
                    .map(|a| IgwAttachment {
                        vpc_id: a.vpc_id().unwrap_or_default().to_string(),
                        state: a
                            .state()
                            .map(|s| s.as_str().to_string())
                            .unwrap_or_default(),
                    })
                    .collect(),
            }),
            Err(e) => return fail("ec2:DescribeInternetGateways", &e),
        }
    }
    Observed::collected(out)
}

async fn nat_gateways(c: &Client, vpc_id: &str) -> Observed<Vec<NatGateway>> {
    let mut out = Vec::new();
    let mut pages = c
        .describe_nat_gateways()
        .filter(vpc_filter(vpc_id))
        .into_paginator()
        .items()
        .send();
    while let Some(item) = pages.next().await {
        match item {
            Ok(n) => out.push(NatGateway {
                id: n.nat_gateway_id().unwrap_or_default().to_string(),
                state: n
                    .state()
                    .map(|s| s.as_str().to_string())
                    .unwrap_or_default(),
                connectivity_type: n
                    .connectivity_type()
                    .map(|c| c.as_str().to_string())
                    .unwrap_or_else(|| "public".to_string()),
                subnet_id: n.subnet_id().map(str::to_string),
                private_ips: n
                    .nat_gateway_addresses()
                    .iter()
                    .filter_map(|a| a.private_ip()?.parse().ok())
                    .collect(),
                public_ips: n
                    .nat_gateway_addresses()
                    .iter()
                    .filter_map(|a| a.public_ip()?.parse().ok())
                    .collect(),
            }),
            Err(e) => return fail("ec2:DescribeNatGateways", &e),
        }
    }
    Observed::collected(out)
}

fn sg_rules(perms: &[aws_sdk_ec2::types::IpPermission]) -> Vec<SgRule> {
    perms
        .iter()
        .map(|p| SgRule {
            protocol: p.ip_protocol().unwrap_or("-1").to_string(),
            from_port: p.from_port(),
            to_port: p.to_port(),
            cidrs: p
                .ip_ranges()
                .iter()
                .filter_map(|r| r.cidr_ip()?.parse().ok())
                .chain(
                    p.ipv6_ranges()
                        .iter()
                        .filter_map(|r| r.cidr_ipv6()?.parse().ok()),
                )
                .collect(),
            prefix_list_ids: p
                .prefix_list_ids()
                .iter()
                .filter_map(|x| x.prefix_list_id().map(str::to_string))
                .collect(),
            group_ids: p
                .user_id_group_pairs()
                .iter()
                .filter_map(|g| g.group_id().map(str::to_string))
                .collect(),
        })
        .collect()
}

async fn security_groups(c: &Client, vpc_id: &str) -> Observed<Vec<SecurityGroup>> {
    let mut out = Vec::new();
    let mut pages = c
        .describe_security_groups()
        .filters(vpc_filter(vpc_id))
        .into_paginator()
        .items()
        .send();
    while let Some(item) = pages.next().await {
        match item {
            Ok(g) => out.push(SecurityGroup {
                id: g.group_id().unwrap_or_default().to_string(),
                ingress: sg_rules(g.ip_permissions()),
                egress: sg_rules(g.ip_permissions_egress()),
            }),
            Err(e) => return fail("ec2:DescribeSecurityGroups", &e),
        }
    }
    Observed::collected(out)
}

async fn network_acls(c: &Client, vpc_id: &str) -> Observed<Vec<NetworkAcl>> {
    let mut out = Vec::new();
    let mut pages = c
        .describe_network_acls()
        .filters(vpc_filter(vpc_id))
        .into_paginator()
        .items()
        .send();
    while let Some(item) = pages.next().await {
        match item {
            Ok(a) => out.push(NetworkAcl {
                id: a.network_acl_id().unwrap_or_default().to_string(),
                default: a.is_default().unwrap_or(false),
                subnet_ids: a
                    .associations()
                    .iter()
                    .filter_map(|x| x.subnet_id().map(str::to_string))
                    .collect(),
                entries: a
                    .entries()
                    .iter()
                    .filter_map(|e| {
                        let cidr = e
                            .cidr_block()
                            .or(e.ipv6_cidr_block())
                            .and_then(|c| c.parse().ok())?;
                        Some(AclEntry {
                            rule_number: e.rule_number()?,
                            egress: e.egress().unwrap_or(false),
                            protocol: e.protocol().unwrap_or("-1").to_string(),
                            action: e
                                .rule_action()
                                .map(|r| r.as_str().to_string())
                                .unwrap_or_default(),
                            cidr,
                            port_from: e.port_range().and_then(|p| p.from()),
                            port_to: e.port_range().and_then(|p| p.to()),
                        })
                    })
                    .collect(),
            }),
            Err(e) => return fail("ec2:DescribeNetworkAcls", &e),
        }
    }
    Observed::collected(out)
}

async fn dns_attributes(c: &Client, vpc_id: &str) -> Observed<VpcDnsAttributes> {
    let (support, hostnames) = tokio::join!(
        c.describe_vpc_attribute()
            .vpc_id(vpc_id)
            .attribute(VpcAttributeName::EnableDnsSupport)
            .send(),
        c.describe_vpc_attribute()
            .vpc_id(vpc_id)
            .attribute(VpcAttributeName::EnableDnsHostnames)
            .send()
    );
    match (support, hostnames) {
        (Ok(s), Ok(h)) => Observed::collected(VpcDnsAttributes {
            enable_dns_support: s
                .enable_dns_support()
                .and_then(|v| v.value())
                .unwrap_or(true),
            enable_dns_hostnames: h
                .enable_dns_hostnames()
                .and_then(|v| v.value())
                .unwrap_or(false),
        }),
        (Err(e), _) | (_, Err(e)) => fail("ec2:DescribeVpcAttribute", &e),
    }
}

async fn dhcp_dns_servers(c: &Client, dhcp_id: Option<String>) -> Observed<Vec<String>> {
    // `default` (or none) means no DHCP options set: instances use the Amazon-provided DNS.
    let id = match dhcp_id {
        None => return Observed::collected(vec!["AmazonProvidedDNS".to_string()]),
        Some(id) if id == "default" => {
            return Observed::collected(vec!["AmazonProvidedDNS".to_string()])
        }
        Some(id) => id,
    };
    match c.describe_dhcp_options().dhcp_options_ids(&id).send().await {
        Ok(out) => Observed::collected(
            out.dhcp_options()
                .iter()
                .flat_map(|o| o.dhcp_configurations())
                .filter(|c| c.key() == Some("domain-name-servers"))
                .flat_map(|c| c.values())
                .filter_map(|v| v.value().map(str::to_string))
                .collect(),
        ),
        Err(e) => fail("ec2:DescribeDhcpOptions", &e),
    }
}

/// The VPC's CIDR blocks, and the id of its DHCP options set.
async fn vpc_cidrs(
    c: &Client,
    vpc_id: &str,
) -> (Observed<(Vec<IpNet>, Vec<IpNet>)>, Option<String>) {
    match c.describe_vpcs().vpc_ids(vpc_id).send().await {
        Ok(out) => match out.vpcs().first() {
            Some(v) => {
                let mut v4: Vec<IpNet> = v
                    .cidr_block_association_set()
                    .iter()
                    .filter(|a| {
                        a.cidr_block_state()
                            .and_then(|s| s.state())
                            .is_none_or(|s| s.as_str() == "associated")
                    })
                    .filter_map(|a| a.cidr_block()?.parse().ok())
                    .collect();
                if v4.is_empty() {
                    v4.extend(v.cidr_block().and_then(|c| c.parse::<IpNet>().ok()));
                }
                let v6 = v
                    .ipv6_cidr_block_association_set()
                    .iter()
                    .filter_map(|a| a.ipv6_cidr_block()?.parse().ok())
                    .collect();
                (
                    Observed::collected((v4, v6)),
                    v.dhcp_options_id().map(str::to_string),
                )
            }
            None => (
                Observed::failed_with(
                    format!("ec2:DescribeVpcs: {vpc_id} not found"),
                    Failure::NotFound,
                ),
                None,
            ),
        },
        Err(e) => (fail("ec2:DescribeVpcs", &e), None),
    }
}

/// The subnet's VPC and availability zone (for `s3path route --subnet-id`).
pub async fn subnet(c: &Client, subnet_id: &str) -> Result<(String, Option<String>), Ec2Error> {
    let out = c
        .describe_subnets()
        .subnet_ids(subnet_id)
        .send()
        .await
        .map_err(|e| describe_error("ec2:DescribeSubnets", &e))?;
    let s = out
        .subnets()
        .first()
        .ok_or_else(|| Ec2Error::new(format!("subnet {subnet_id} not found"), Failure::NotFound))?;
    Ok((
        s.vpc_id().unwrap_or_default().to_string(),
        s.availability_zone().map(str::to_string),
    ))
}

/// Gathers everything about `vpc_id`, every call in parallel, bounded by `budget`. The prefix
/// lists and internet gateways the routes name are read once the route tables are in.
pub async fn gather(c: &Client, region: &str, vpc_id: &str, budget: Duration) -> Ec2Facts {
    let deadline = tokio::time::Instant::now() + budget;
    async fn bounded<T>(
        action: &str,
        deadline: tokio::time::Instant,
        f: impl std::future::Future<Output = Observed<T>>,
    ) -> Observed<T> {
        let started = tokio::time::Instant::now();
        tokio::time::timeout_at(deadline, f)
            .await
            .unwrap_or_else(|_| {
                let ms = started.elapsed().as_millis() as u64;
                Observed::failed_with(
                    format!("{action}: no answer within {ms} ms"),
                    Failure::TimedOut {
                        action: Some(action.to_string()),
                        after_ms: Some(ms),
                    },
                )
            })
    }
    let tables_then_named = async {
        let tables = bounded("ec2:DescribeRouteTables", deadline, route_tables(c, vpc_id)).await;
        let routes: Vec<&Route> = tables
            .get()
            .map(|ts| ts.iter().flat_map(|t| t.routes.iter()).collect())
            .unwrap_or_default();
        let mut pl_ids: Vec<String> = Vec::new();
        let mut igw_ids: Vec<String> = Vec::new();
        for r in routes {
            if let Some(pl) = &r.destination_prefix_list_id {
                if !pl_ids.contains(pl) {
                    pl_ids.push(pl.clone());
                }
            }
            if let Some(g) = r.gateway_id.as_deref().filter(|g| g.starts_with("igw-")) {
                if !igw_ids.iter().any(|x| x == g) {
                    igw_ids.push(g.to_string());
                }
            }
        }
        let igw_fut = async {
            match &tables {
                Observed::Collected { .. } => {
                    bounded(
                        "ec2:DescribeInternetGateways",
                        deadline,
                        internet_gateways(c, igw_ids),
                    )
                    .await
                }
                other => other.status_only(),
            }
        };
        let (lists, igws) = tokio::join!(
            bounded(
                "ec2:GetManagedPrefixListEntries",
                deadline,
                prefix_lists(c, region, pl_ids)
            ),
            igw_fut
        );
        (tables, lists, igws)
    };
    let (
        ((route_tables, prefix_lists, internet_gateways), vpc_endpoints, vpc_dns_attributes),
        ((vpc_cidrs, dhcp_dns_servers), nat_gateways, security_groups, network_acls),
    ) = tokio::join!(
        async {
            tokio::join!(
                tables_then_named,
                bounded("ec2:DescribeVpcEndpoints", deadline, endpoints(c, vpc_id)),
                bounded(
                    "ec2:DescribeVpcAttribute",
                    deadline,
                    dns_attributes(c, vpc_id)
                ),
            )
        },
        async {
            tokio::join!(
                async {
                    let cidrs = bounded("ec2:DescribeVpcs", deadline, async {
                        let (cidrs, dhcp) = vpc_cidrs(c, vpc_id).await;
                        match cidrs {
                            Observed::Collected { value } => Observed::collected((value, dhcp)),
                            other => other.status_only(),
                        }
                    })
                    .await;
                    match cidrs {
                        Observed::Collected {
                            value: (cidrs, dhcp),
                        } => (
                            Observed::collected(cidrs),
                            bounded(
                                "ec2:DescribeDhcpOptions",
                                deadline,
                                dhcp_dns_servers(c, dhcp),
                            )
                            .await,
                        ),
                        // Without the VPC, its DHCP options id is unknown too.
                        other => (other.status_only(), other.status_only()),
                    }
                },
                bounded("ec2:DescribeNatGateways", deadline, nat_gateways(c, vpc_id)),
                bounded(
                    "ec2:DescribeSecurityGroups",
                    deadline,
                    security_groups(c, vpc_id)
                ),
                bounded("ec2:DescribeNetworkAcls", deadline, network_acls(c, vpc_id)),
            )
        }
    );
    Ec2Facts {
        route_tables,
        vpc_endpoints,
        prefix_lists,
        internet_gateways,
        vpc_dns_attributes,
        vpc_cidrs,
        dhcp_dns_servers,
        nat_gateways,
        security_groups,
        network_acls,
    }
}

/// Finds the VPC and subnet of an address of this host (ECS tasks know their IP, not their
/// subnet id): one DescribeNetworkInterfaces call filtered by private IP.
pub async fn locate_ip(c: &Client, ip: IpAddr) -> Result<Option<(String, String)>, Ec2Error> {
    let out = c
        .describe_network_interfaces()
        .filters(
            Filter::builder()
                .name("private-ip-address")
                .values(ip.to_string())
                .build(),
        )
        .send()
        .await
        .map_err(|e| describe_error("ec2:DescribeNetworkInterfaces", &e))?;
    Ok(out
        .network_interfaces()
        .first()
        .and_then(|n| Some((n.vpc_id()?.to_string(), n.subnet_id()?.to_string()))))
}

/// Where an instance lives (for `s3path route --instance-id`).
pub struct InstancePlacement {
    pub subnet_id: String,
    pub vpc_id: String,
    pub availability_zone: Option<String>,
    pub private_ip: Option<IpAddr>,
    pub public_ip: Option<IpAddr>,
    pub security_group_ids: Vec<String>,
}

pub async fn instance(c: &Client, instance_id: &str) -> Result<InstancePlacement, Ec2Error> {
    let out = c
        .describe_instances()
        .instance_ids(instance_id)
        .send()
        .await
        .map_err(|e| describe_error("ec2:DescribeInstances", &e))?;
    let i = out
        .reservations()
        .iter()
        .flat_map(|r| r.instances())
        .next()
        .ok_or_else(|| {
            Ec2Error::new(
                format!("instance {instance_id} not found"),
                Failure::NotFound,
            )
        })?;
    Ok(InstancePlacement {
        subnet_id: i
            .subnet_id()
            .ok_or_else(|| {
                Ec2Error::new(
                    format!("instance {instance_id} has no subnet (EC2-Classic or terminated)"),
                    Failure::NotFound,
                )
            })?
            .to_string(),
        vpc_id: i.vpc_id().unwrap_or_default().to_string(),
        availability_zone: i
            .placement()
            .and_then(|p| p.availability_zone())
            .map(str::to_string),
        private_ip: i.private_ip_address().and_then(|a| a.parse().ok()),
        public_ip: i.public_ip_address().and_then(|a| a.parse().ok()),
        security_group_ids: i
            .security_groups()
            .iter()
            .filter_map(|g| g.group_id().map(str::to_string))
            .collect(),
    })
}
