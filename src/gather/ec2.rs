//! The control plane from the EC2 API: route tables, VPC endpoints with their ENIs, prefix
//! lists, VPC DNS attributes and CIDR blocks. Describe calls only; independent calls run in
//! parallel; each failure becomes a failed fact that names the IAM action it needed, and the
//! rest still runs. Honors the standard configuration chain and the SDKs' endpoint settings (`gather::endpoints`).

use std::net::IpAddr;
use std::time::Duration;

use ipnet::IpNet;
use roxmltree::Node;

use super::aws::{
    bool_of, int_of, item_texts, items, strings, text_at, text_of, ApiError, ApiErrorKind, Params,
    QueryClient,
};

use crate::facts::{
    AclEntry, DnsEntry, EndpointInterface, EndpointType, Failure, IgwAttachment, InternetGateway,
    IpProtocol, NatGateway, NetworkAcl, Observed, PrefixList, Route, RouteTable, RouteTarget,
    SecurityGroup, SgRule, VpcDnsAttributes, VpcEndpoint,
};

/// The IAM actions s3path uses (all read-only); docs/iam-policy.json grants exactly these.
pub const ACTIONS: [&str; 19] = [
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
    "ec2:DescribeRegions",
    // Beyond a transit gateway (`super::transit`).
    "ec2:DescribeTransitGatewayAttachments",
    "ec2:SearchTransitGatewayRoutes",
    "ec2:DescribeTransitGatewayVpcAttachments",
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
    /// Beyond the transit gateways the routes name (`super::transit`), filled by the callers
    /// that judge a vantage (not for the hubs themselves).
    pub transit: Observed<crate::facts::Transit>,
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
        facts.transit = self.transit;
    }
}

/// Marks every control-plane part of `facts` with the same status (why it is missing).
pub fn mark_unavailable(facts: &mut crate::facts::Facts, status: Observed<()>) {
    for &part in crate::facts::Part::CONTROL_PLANE {
        facts.set_status(part, &status);
    }
    facts.set_status(crate::facts::Part::Transit, &status);
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

/// The EC2 API version s3path speaks.
const VERSION: &str = "2016-11-15";

/// An EC2 client for `region`.
pub type Client = QueryClient;

/// A client for `region` with bounded timeouts and retries (throttling, 5xx answers and
/// transport errors are retried with backoff, at most 3 attempts, within `budget`).
/// `endpoint` overrides the endpoint (tests); otherwise the endpoint the SDKs would use
/// (`super::endpoints`: `AWS_ENDPOINT_URL_EC2`, `AWS_ENDPOINT_URL`, the profile's `services`
/// section and `endpoint_url`, else the partition's, FIPS and dual-stack as asked).
/// Credentials and the HTTPS client are the run's (`context`).
pub fn client(
    context: &super::context::AwsContext,
    region: &str,
    budget: Duration,
    endpoint: Option<&str>,
) -> Client {
    QueryClient::new(
        context,
        "ec2",
        VERSION,
        region,
        endpoint.map(str::to_string),
        budget,
    )
}

/// Turns a failed call into one line that names the action, and its typed cause.
fn describe_error(action: &str, e: &ApiError) -> Ec2Error {
    let (message, cause) = match (&e.kind, e.code()) {
        (_, Some(code))
            if code.contains("Unauthorized")
                || code.contains("AccessDenied")
                || code == "UnauthorizedOperation" =>
        {
            let msg = if e.message.is_empty() {
                "not authorized"
            } else {
                e.message.as_str()
            };
            (
                format!("{code}: {msg} (the caller needs {action})"),
                Failure::Denied {
                    action: action.to_string(),
                },
            )
        }
        (_, Some(code)) if code.contains("NotFound") => (
            format!("{action}: {code}: {}", e.message),
            Failure::NotFound,
        ),
        (_, Some(code)) => (format!("{action}: {code}: {}", e.message), Failure::Other),
        (ApiErrorKind::NoCredentials, _) => {
            (format!("{action}: {}", e.message), Failure::NoCredentials)
        }
        (ApiErrorKind::TimedOut { after_ms }, _) => (
            format!("{action}: {}", e.message),
            Failure::TimedOut {
                action: Some(action.to_string()),
                after_ms: Some(*after_ms),
            },
        ),
        (ApiErrorKind::Transport, _) => (
            format!("{action}: {}", e.message),
            Failure::Unreachable {
                action: Some(action.to_string()),
            },
        ),
        _ => (format!("{action}: {}", e.message), Failure::Other),
    };
    Ec2Error { message, cause }
}

pub(crate) fn fail<T>(action: &str, e: &ApiError) -> Observed<T> {
    describe_error(action, e).observed()
}

/// `vpc-id` = any of `vpc_ids`; no filter when empty (every VPC of the region).
pub(crate) fn vpcs_filter(vpc_ids: &[String]) -> Params {
    if vpc_ids.is_empty() {
        Params::new()
    } else {
        Params::new().filter("vpc-id", vpc_ids)
    }
}

fn vpc_filter(vpc_id: &str) -> Params {
    Params::new().filter("vpc-id", &[vpc_id])
}

fn parse_net(s: Option<String>) -> Option<IpNet> {
    s.and_then(|c| c.parse().ok())
}

fn parse_ip(s: Option<String>) -> Option<IpAddr> {
    s.and_then(|c| c.parse().ok())
}

fn route(r: Node<'_, '_>) -> Route {
    let instance_id = text_of(r, "instanceId");
    Route {
        destination_cidr_block: parse_net(text_of(r, "destinationCidrBlock")),
        destination_ipv6_cidr_block: parse_net(text_of(r, "destinationIpv6CidrBlock")),
        destination_prefix_list_id: text_of(r, "destinationPrefixListId"),
        gateway_id: text_of(r, "gatewayId"),
        nat_gateway_id: text_of(r, "natGatewayId"),
        transit_gateway_id: text_of(r, "transitGatewayId"),
        vpc_peering_connection_id: text_of(r, "vpcPeeringConnectionId"),
        // An instance route also carries its ENI; keep the instance id then.
        network_interface_id: if instance_id.is_some() {
            None
        } else {
            text_of(r, "networkInterfaceId")
        },
        instance_id,
        egress_only_internet_gateway_id: text_of(r, "egressOnlyInternetGatewayId"),
        carrier_gateway_id: text_of(r, "carrierGatewayId"),
        local_gateway_id: text_of(r, "localGatewayId"),
        core_network_arn: text_of(r, "coreNetworkArn"),
        state: text_of(r, "state").map(Into::into).unwrap_or_default(),
        origin: text_of(r, "origin").map(Into::into),
    }
}

pub(crate) async fn route_tables(c: &Client, filter: &Params) -> Observed<Vec<RouteTable>> {
    let mut out = Vec::new();
    let got = c
        .pages("DescribeRouteTables", filter, "routeTableSet", |t| {
            out.push(RouteTable {
                id: text_of(t, "routeTableId").unwrap_or_default(),
                vpc_id: text_of(t, "vpcId"),
                main: items(t, "associationSet").any(|a| bool_of(a, "main") == Some(true)),
                subnet_ids: item_texts(t, "associationSet", "subnetId"),
                routes: items(t, "routeSet").map(route).collect(),
            })
        })
        .await;
    match got {
        Ok(()) => Observed::collected(out),
        Err(e) => fail("ec2:DescribeRouteTables", &e),
    }
}

fn endpoint_interface(n: Node<'_, '_>) -> EndpointInterface {
    EndpointInterface {
        id: text_of(n, "networkInterfaceId").unwrap_or_default(),
        subnet_id: text_of(n, "subnetId"),
        availability_zone: text_of(n, "availabilityZone"),
        private_ipv4: parse_ip(text_of(n, "privateIpAddress")),
        ipv6s: item_texts(n, "ipv6AddressesSet", "ipv6Address")
            .iter()
            .filter_map(|a| a.parse().ok())
            .collect(),
    }
}

fn endpoint(e: Node<'_, '_>) -> (VpcEndpoint, Vec<String>) {
    let endpoint_type = match text_of(e, "vpcEndpointType").as_deref() {
        Some("Gateway") => EndpointType::Gateway,
        Some("GatewayLoadBalancer") => EndpointType::GatewayLoadBalancer,
        Some("Resource") => EndpointType::Resource,
        Some("ServiceNetwork") => EndpointType::ServiceNetwork,
        _ => EndpointType::Interface,
    };
    let eni_ids = strings(e, "networkInterfaceIdSet");
    let ep = VpcEndpoint {
        id: text_of(e, "vpcEndpointId").unwrap_or_default(),
        vpc_id: text_of(e, "vpcId"),
        endpoint_type,
        service_name: text_of(e, "serviceName"),
        state: text_of(e, "state")
            .map(|s| s.to_ascii_lowercase())
            .unwrap_or_else(|| "unknown".to_string())
            .into(),
        route_table_ids: strings(e, "routeTableIdSet"),
        subnet_ids: strings(e, "subnetIdSet"),
        network_interfaces: Vec::new(),
        dns_entries: items(e, "dnsEntrySet")
            .filter_map(|d| {
                Some(DnsEntry {
                    dns_name: text_of(d, "dnsName")?,
                    hosted_zone_id: text_of(d, "hostedZoneId"),
                })
            })
            .collect(),
        private_dns_enabled: bool_of(e, "privateDnsEnabled").unwrap_or(false),
        private_dns_only_for_inbound_resolver_endpoint: text_at(
            e,
            &["dnsOptions", "privateDnsOnlyForInboundResolverEndpoint"],
        )
        .and_then(|t| t.parse().ok()),
        security_group_ids: item_texts(e, "groupSet", "groupId"),
        policy_document: text_of(e, "policyDocument"),
        resource_configuration_arn: text_of(e, "resourceConfigurationArn"),
        ip_address_type: text_of(e, "ipAddressType").map(|t| t.to_ascii_lowercase().into()),
    };
    (ep, eni_ids)
}

pub(crate) async fn endpoints(c: &Client, filter: &Params) -> Observed<Vec<VpcEndpoint>> {
    let mut raw = Vec::new();
    if let Err(e) = c
        .pages("DescribeVpcEndpoints", filter, "vpcEndpointSet", |e| {
            raw.push(endpoint(e))
        })
        .await
    {
        return fail("ec2:DescribeVpcEndpoints", &e);
    }
    // One call for every ENI of every endpoint: the number of calls does not grow with them.
    let eni_ids: Vec<String> = raw
        .iter()
        .flat_map(|(_, ids)| ids.iter().cloned())
        .collect();
    let mut enis = std::collections::HashMap::new();
    if !eni_ids.is_empty() {
        if let Err(e) = c
            .pages(
                "DescribeNetworkInterfaces",
                &Params::new().list("NetworkInterfaceId", &eni_ids),
                "networkInterfaceSet",
                |n| {
                    let i = endpoint_interface(n);
                    enis.insert(i.id.clone(), i);
                },
            )
            .await
        {
            return fail("ec2:DescribeNetworkInterfaces", &e);
        }
    }
    let out = raw
        .into_iter()
        .map(|(mut ep, ids)| {
            ep.network_interfaces = ids.iter().filter_map(|id| enis.get(id).cloned()).collect();
            ep
        })
        .collect();
    Observed::collected(out)
}

/// Every prefix list in `wanted` (the lists the VPC's routes name, and the region's S3 and S3
/// Express lists), with its entries: names, owners and families from `DescribeManagedPrefixLists`
/// (falling back to `DescribePrefixLists`, which knows the AWS-managed lists only), entries
/// from `GetManagedPrefixListEntries`, one call per list, in parallel. A list whose entries
/// could not be read says why; the rest are still read.
pub(crate) async fn prefix_lists(
    c: &Client,
    region: &str,
    wanted: Vec<String>,
) -> Observed<Vec<PrefixList>> {
    let mut known: Vec<PrefixList> = Vec::new();
    let mut list_error: Option<Ec2Error> = None;
    let got = c
        .pages(
            "DescribeManagedPrefixLists",
            &Params::new(),
            "prefixListSet",
            |p| {
                known.push(PrefixList {
                    name: text_of(p, "prefixListName"),
                    owner_id: text_of(p, "ownerId"),
                    address_family: text_of(p, "addressFamily").map(Into::into),
                    ..PrefixList::new(text_of(p, "prefixListId").unwrap_or_default())
                })
            },
        )
        .await;
    if let Err(e) = got {
        list_error = Some(describe_error("ec2:DescribeManagedPrefixLists", &e));
        known.clear();
        // The older call knows the AWS-managed lists, with their CIDRs.
        let mut older = Vec::new();
        let got = c
            .pages(
                "DescribePrefixLists",
                &Params::new(),
                "prefixListSet",
                |p| {
                    older.push(PrefixList {
                        name: text_of(p, "prefixListName"),
                        owner_id: Some("AWS".to_string()),
                        cidrs: strings(p, "cidrSet")
                            .iter()
                            .filter_map(|c| c.parse().ok())
                            .collect(),
                        ..PrefixList::new(text_of(p, "prefixListId").unwrap_or_default())
                    })
                },
            )
            .await;
        if got.is_ok() {
            known = older;
        }
    }
    let mut wanted = wanted;
    for l in &known {
        // The region's S3 and S3 Express lists: the names planned for buckets and directory
        // buckets answer from them even where no route names them (`route` derives from them).
        let own = matches!(l.aws_service(), Some((r, "s3" | "s3express")) if r == region);
        if own && !wanted.contains(&l.id) {
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
    c.pages(
        "GetManagedPrefixListEntries",
        &Params::new().set("PrefixListId", id),
        "entrySet",
        |e| out.extend(parse_net(text_of(e, "cidr"))),
    )
    .await
    .map_err(|e| describe_error("ec2:GetManagedPrefixListEntries", &e))?;
    Ok(out)
}

/// The internet gateways named by `ids`, with their attachments. A gateway that no longer
/// exists is simply absent from the answer (the filter does not fail on unknown ids).
pub(crate) async fn internet_gateways(
    c: &Client,
    ids: Vec<String>,
) -> Observed<Vec<InternetGateway>> {
    if ids.is_empty() {
        return Observed::collected(Vec::new());
    }
    let mut out = Vec::new();
    let got = c
        .pages(
            "DescribeInternetGateways",
            &Params::new().filter("internet-gateway-id", &ids),
            "internetGatewaySet",
            |g| {
                out.push(InternetGateway {
                    id: text_of(g, "internetGatewayId").unwrap_or_default(),
                    attachments: items(g, "attachmentSet")
                        .map(|a| IgwAttachment {
                            vpc_id: text_of(a, "vpcId").unwrap_or_default(),
                            state: text_of(a, "state").unwrap_or_default().into(),
                        })
                        .collect(),
                })
            },
        )
        .await;
    match got {
        Ok(()) => Observed::collected(out),
        Err(e) => fail("ec2:DescribeInternetGateways", &e),
    }
}

pub(crate) async fn nat_gateways(c: &Client, filter: &Params) -> Observed<Vec<NatGateway>> {
    let mut out = Vec::new();
    let got = c
        .pages("DescribeNatGateways", filter, "natGatewaySet", |n| {
            let addrs = || items(n, "natGatewayAddressSet");
            out.push(NatGateway {
                id: text_of(n, "natGatewayId").unwrap_or_default(),
                state: text_of(n, "state").unwrap_or_default().into(),
                connectivity_type: text_of(n, "connectivityType")
                    .map(Into::into)
                    .unwrap_or_default(),
                subnet_id: text_of(n, "subnetId"),
                private_ips: addrs()
                    .filter_map(|a| parse_ip(text_of(a, "privateIp")))
                    .collect(),
                public_ips: addrs()
                    .filter_map(|a| parse_ip(text_of(a, "publicIp")))
                    .collect(),
            })
        })
        .await;
    match got {
        Ok(()) => Observed::collected(out),
        Err(e) => fail("ec2:DescribeNatGateways", &e),
    }
}

fn sg_rules(g: Node<'_, '_>, list: &str) -> Vec<SgRule> {
    items(g, list)
        .map(|p| SgRule {
            protocol: text_of(p, "ipProtocol").map_or(IpProtocol::All, Into::into),
            from_port: int_of(p, "fromPort"),
            to_port: int_of(p, "toPort"),
            cidrs: item_texts(p, "ipRanges", "cidrIp")
                .into_iter()
                .chain(item_texts(p, "ipv6Ranges", "cidrIpv6"))
                .filter_map(|c| c.parse().ok())
                .collect(),
            prefix_list_ids: item_texts(p, "prefixListIds", "prefixListId"),
            group_ids: item_texts(p, "groups", "groupId"),
        })
        .collect()
}

async fn security_groups(c: &Client, filter: &Params) -> Observed<Vec<SecurityGroup>> {
    let mut out = Vec::new();
    let got = c
        .pages("DescribeSecurityGroups", filter, "securityGroupInfo", |g| {
            out.push(SecurityGroup {
                id: text_of(g, "groupId").unwrap_or_default(),
                ingress: sg_rules(g, "ipPermissions"),
                egress: sg_rules(g, "ipPermissionsEgress"),
            })
        })
        .await;
    match got {
        Ok(()) => Observed::collected(out),
        Err(e) => fail("ec2:DescribeSecurityGroups", &e),
    }
}

fn acl_entry(e: Node<'_, '_>) -> Option<AclEntry> {
    let cidr = parse_net(text_of(e, "cidrBlock").or_else(|| text_of(e, "ipv6CidrBlock")))?;
    Some(AclEntry {
        rule_number: int_of(e, "ruleNumber")?,
        egress: bool_of(e, "egress").unwrap_or(false),
        protocol: text_of(e, "protocol").map_or(IpProtocol::All, Into::into),
        action: text_of(e, "ruleAction").unwrap_or_default().into(),
        cidr,
        port_from: text_at(e, &["portRange", "from"]).and_then(|t| t.parse().ok()),
        port_to: text_at(e, &["portRange", "to"]).and_then(|t| t.parse().ok()),
    })
}

pub(crate) async fn network_acls(c: &Client, filter: &Params) -> Observed<Vec<NetworkAcl>> {
    let mut out = Vec::new();
    let got = c
        .pages("DescribeNetworkAcls", filter, "networkAclSet", |a| {
            out.push(NetworkAcl {
                id: text_of(a, "networkAclId").unwrap_or_default(),
                vpc_id: text_of(a, "vpcId"),
                default: bool_of(a, "default").unwrap_or(false),
                subnet_ids: item_texts(a, "associationSet", "subnetId"),
                entries: items(a, "entrySet").filter_map(acl_entry).collect(),
            })
        })
        .await;
    match got {
        Ok(()) => Observed::collected(out),
        Err(e) => fail("ec2:DescribeNetworkAcls", &e),
    }
}

pub(crate) async fn dns_attributes(c: &Client, vpc_id: &str) -> Observed<VpcDnsAttributes> {
    let ask = |attribute: &'static str| async move {
        c.one(
            "DescribeVpcAttribute",
            &Params::new()
                .set("VpcId", vpc_id)
                .set("Attribute", attribute),
            |root| text_at(root, &[attribute, "value"]).and_then(|t| t.parse::<bool>().ok()),
        )
        .await
    };
    let (support, hostnames) = tokio::join!(ask("enableDnsSupport"), ask("enableDnsHostnames"));
    match (support, hostnames) {
        (Ok(s), Ok(h)) => Observed::collected(VpcDnsAttributes {
            enable_dns_support: s.unwrap_or(true),
            enable_dns_hostnames: h.unwrap_or(false),
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
    let got = c
        .one(
            "DescribeDhcpOptions",
            &Params::new().list("DhcpOptionsId", &[id]),
            |root| {
                items(root, "dhcpOptionsSet")
                    .flat_map(|o| items(o, "dhcpConfigurationSet"))
                    .filter(|c| text_of(*c, "key").as_deref() == Some("domain-name-servers"))
                    .flat_map(|c| item_texts(c, "valueSet", "value"))
                    .collect::<Vec<String>>()
            },
        )
        .await;
    match got {
        Ok(servers) => Observed::collected(servers),
        Err(e) => fail("ec2:DescribeDhcpOptions", &e),
    }
}

/// A VPC's associated IPv4 CIDR blocks (its primary block when the answer lists none) and its
/// IPv6 blocks.
fn vpc_blocks(v: Node<'_, '_>) -> (Vec<IpNet>, Vec<IpNet>) {
    let mut v4: Vec<IpNet> = items(v, "cidrBlockAssociationSet")
        .filter(|a| text_at(*a, &["cidrBlockState", "state"]).is_none_or(|s| s == "associated"))
        .filter_map(|a| parse_net(text_of(a, "cidrBlock")))
        .collect();
    if v4.is_empty() {
        v4.extend(parse_net(text_of(v, "cidrBlock")));
    }
    let v6 = items(v, "ipv6CidrBlockAssociationSet")
        .filter_map(|a| parse_net(text_of(a, "ipv6CidrBlock")))
        .collect();
    (v4, v6)
}

/// The VPC's CIDR blocks, and the id of its DHCP options set.
async fn vpc_cidrs(
    c: &Client,
    vpc_id: &str,
) -> (Observed<(Vec<IpNet>, Vec<IpNet>)>, Option<String>) {
    let got = c
        .one(
            "DescribeVpcs",
            &Params::new().list("VpcId", &[vpc_id]),
            |root| {
                let v = items(root, "vpcSet").next()?;
                Some((vpc_blocks(v), text_of(v, "dhcpOptionsId")))
            },
        )
        .await;
    match got {
        Ok(Some((cidrs, dhcp))) => (Observed::collected(cidrs), dhcp),
        Ok(None) => (
            Observed::failed_with(
                format!("ec2:DescribeVpcs: {vpc_id} not found"),
                Failure::NotFound,
            ),
            None,
        ),
        Err(e) => (fail("ec2:DescribeVpcs", &e), None),
    }
}

/// The subnet's VPC and availability zone (for `s3path route --subnet-id`).
pub async fn subnet(c: &Client, subnet_id: &str) -> Result<(String, Option<String>), Ec2Error> {
    c.one(
        "DescribeSubnets",
        &Params::new().list("SubnetId", &[subnet_id]),
        |root| {
            let s = items(root, "subnetSet").next()?;
            Some((
                text_of(s, "vpcId").unwrap_or_default(),
                text_of(s, "availabilityZone"),
            ))
        },
    )
    .await
    .map_err(|e| describe_error("ec2:DescribeSubnets", &e))?
    .ok_or_else(|| Ec2Error::new(format!("subnet {subnet_id} not found"), Failure::NotFound))
}

/// The prefix lists and the internet gateways the routes of `tables` name, each once, in
/// order: what is read after the route tables.
pub(crate) fn named_by_routes(tables: &Observed<Vec<RouteTable>>) -> (Vec<String>, Vec<String>) {
    let mut lists: Vec<String> = Vec::new();
    let mut igws: Vec<String> = Vec::new();
    for r in tables
        .get()
        .into_iter()
        .flatten()
        .flat_map(|t| t.routes.iter())
    {
        if let Some(pl) = &r.destination_prefix_list_id {
            if !lists.contains(pl) {
                lists.push(pl.clone());
            }
        }
        if let Some(RouteTarget::InternetGateway(g)) = r.target(None) {
            if !igws.contains(&g) {
                igws.push(g);
            }
        }
    }
    (lists, igws)
}

/// Gathers everything about `vpc_id`, every call in parallel, bounded by `budget`. The prefix
/// lists and internet gateways the routes name are read once the route tables are in.
pub async fn gather(c: &Client, region: &str, vpc_id: &str, budget: Duration) -> Ec2Facts {
    let deadline = tokio::time::Instant::now() + budget;
    let filter = vpc_filter(vpc_id);
    async fn bounded<T>(
        action: &str,
        deadline: tokio::time::Instant,
        f: impl std::future::Future<Output = Observed<T>>,
    ) -> Observed<T> {
        let started = tokio::time::Instant::now();
        tokio::time::timeout_at(deadline, f)
            .await
            .unwrap_or_else(|_| {
                super::deadline::no_answer(action, action, started.elapsed().as_millis() as u64)
            })
    }
    let tables_then_named = async {
        let tables = bounded(
            "ec2:DescribeRouteTables",
            deadline,
            route_tables(c, &filter),
        )
        .await;
        let (pl_ids, igw_ids) = named_by_routes(&tables);
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
                bounded("ec2:DescribeVpcEndpoints", deadline, endpoints(c, &filter)),
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
                bounded(
                    "ec2:DescribeNatGateways",
                    deadline,
                    nat_gateways(c, &filter)
                ),
                bounded(
                    "ec2:DescribeSecurityGroups",
                    deadline,
                    security_groups(c, &filter)
                ),
                bounded(
                    "ec2:DescribeNetworkAcls",
                    deadline,
                    network_acls(c, &filter)
                ),
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
        transit: Observed::not_collected("the transit gateway hops were not followed"),
    }
}

/// Finds the VPC and subnet of an address of this host (ECS tasks know their IP, not their
/// subnet id): one DescribeNetworkInterfaces call filtered by private IP.
pub async fn locate_ip(c: &Client, ip: IpAddr) -> Result<Option<(String, String)>, Ec2Error> {
    c.one(
        "DescribeNetworkInterfaces",
        &Params::new().filter("private-ip-address", &[ip.to_string()]),
        |root| {
            let n = items(root, "networkInterfaceSet").next()?;
            Some((text_of(n, "vpcId")?, text_of(n, "subnetId")?))
        },
    )
    .await
    .map_err(|e| describe_error("ec2:DescribeNetworkInterfaces", &e))
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
    let found = c
        .one(
            "DescribeInstances",
            &Params::new().list("InstanceId", &[instance_id]),
            |root| {
                let i = items(root, "reservationSet")
                    .flat_map(|r| items(r, "instancesSet"))
                    .next()?;
                Some((
                    text_of(i, "subnetId"),
                    InstancePlacement {
                        subnet_id: String::new(),
                        vpc_id: text_of(i, "vpcId").unwrap_or_default(),
                        availability_zone: text_at(i, &["placement", "availabilityZone"]),
                        private_ip: parse_ip(text_of(i, "privateIpAddress")),
                        public_ip: parse_ip(text_of(i, "ipAddress")),
                        security_group_ids: item_texts(i, "groupSet", "groupId"),
                    },
                ))
            },
        )
        .await
        .map_err(|e| describe_error("ec2:DescribeInstances", &e))?;
    let (subnet_id, placement) = found.ok_or_else(|| {
        Ec2Error::new(
            format!("instance {instance_id} not found"),
            Failure::NotFound,
        )
    })?;
    let subnet_id = subnet_id.filter(|s| !s.is_empty()).ok_or_else(|| {
        Ec2Error::new(
            format!("instance {instance_id} has no subnet (EC2-Classic or terminated)"),
            Failure::NotFound,
        )
    })?;
    Ok(InstancePlacement {
        subnet_id,
        ..placement
    })
}

/// Every subnet of the VPCs `filter` selects (all of the region's when it is empty).
pub(crate) async fn subnets(
    c: &Client,
    filter: &Params,
) -> Observed<Vec<crate::facts::inventory::SubnetInfo>> {
    let mut out = Vec::new();
    let got = c
        .pages("DescribeSubnets", filter, "subnetSet", |s| {
            out.push(crate::facts::inventory::SubnetInfo {
                id: text_of(s, "subnetId").unwrap_or_default(),
                vpc_id: text_of(s, "vpcId").unwrap_or_default(),
                availability_zone: text_of(s, "availabilityZone"),
                cidr_block: parse_net(text_of(s, "cidrBlock")),
            })
        })
        .await;
    match got {
        Ok(()) => Observed::collected(out),
        Err(e) => fail("ec2:DescribeSubnets", &e),
    }
}

/// Every VPC `vpc_ids` names (all of the region's when empty), with its CIDR blocks.
pub(crate) async fn vpcs(
    c: &Client,
    vpc_ids: &[String],
) -> Observed<Vec<crate::facts::inventory::VpcInfo>> {
    let mut out = Vec::new();
    let got = c
        .pages(
            "DescribeVpcs",
            &Params::new().list("VpcId", vpc_ids),
            "vpcSet",
            |v| {
                let (ipv4_cidr_blocks, ipv6_cidr_blocks) = vpc_blocks(v);
                out.push(crate::facts::inventory::VpcInfo {
                    id: text_of(v, "vpcId").unwrap_or_default(),
                    ipv4_cidr_blocks,
                    ipv6_cidr_blocks,
                    dns_attributes: None,
                })
            },
        )
        .await;
    match got {
        Ok(()) => Observed::collected(out),
        Err(e) => fail("ec2:DescribeVpcs", &e),
    }
}

/// The regions enabled for the account (`DescribeRegions`, which without `AllRegions` lists
/// the enabled ones): each region whose `optInStatus` is `opt-in-not-required` or `opted-in`
/// (a region without the field, as older answers and emulators give, counts as enabled).
pub(crate) async fn regions(c: &Client) -> Result<Vec<String>, String> {
    c.one("DescribeRegions", &Params::new(), enabled_regions)
        .await
        .map_err(|e| describe_error("ec2:DescribeRegions", &e).message)
}

/// The enabled regions of a `DescribeRegions` answer.
fn enabled_regions(root: roxmltree::Node<'_, '_>) -> Vec<String> {
    crate::gather::aws::items(root, "regionInfo")
        .filter(|r| {
            crate::gather::aws::text_of(*r, "optInStatus")
                .is_none_or(|s| matches!(s.as_str(), "opt-in-not-required" | "opted-in"))
        })
        .filter_map(|r| crate::gather::aws::text_of(r, "regionName"))
        .filter(|n| !n.is_empty())
        .collect()
}

#[cfg(test)]
mod regions_tests {
    use super::*;

    #[test]
    fn only_enabled_regions_are_audited() {
        let x = r#"<DescribeRegionsResponse xmlns="http://ec2.amazonaws.com/doc/2016-11-15/">
            <regionInfo>
              <item><regionName>eu-west-1</regionName><optInStatus>opt-in-not-required</optInStatus></item>
              <item><regionName>af-south-1</regionName><optInStatus>opted-in</optInStatus></item>
              <item><regionName>me-south-1</regionName><optInStatus>not-opted-in</optInStatus></item>
              <item><regionName>us-east-2</regionName></item>
            </regionInfo></DescribeRegionsResponse>"#;
        let doc = roxmltree::Document::parse(x).unwrap();
        assert_eq!(
            enabled_regions(doc.root_element()),
            ["eu-west-1", "af-south-1", "us-east-2"]
        );
    }
}
