//! Beyond a transit gateway: the spoke VPC's attachments, the transit gateway route tables
//! associated with them and their routes, and the VPCs those routes lead to (a hub, typically a
//! shared-services VPC whose interface endpoint serves S3 for every spoke). Gathered only when
//! a route of the vantage's VPC names a transit gateway.

use ipnet::IpNet;
use serde::{Deserialize, Serialize};

use super::network::{
    InternetGateway, NatGateway, PrefixList, RouteTable, SecurityGroup, VpcEndpoint,
};
use super::observed::Observed;

/// What the control plane says beyond the vantage VPC's transit gateways.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Transit {
    /// The transit gateway attachments of the vantage's VPC.
    #[serde(default)]
    pub attachments: Vec<TgwAttachment>,
    /// The transit gateway route tables associated with those attachments, with their routes.
    #[serde(default)]
    pub route_tables: Vec<TgwRouteTable>,
    /// The VPCs the routes lead to (at most `limits::HUBS`), each as read.
    #[serde(default)]
    pub hubs: Vec<HubVpc>,
    /// The DNS side: the Route 53 private hosted zones and Resolver rules of the vantage's VPC
    /// that cover S3 names (what makes a spoke's S3 names resolve to the hub's endpoint).
    #[serde(default)]
    pub private_dns: Observed<PrivateDns>,
}

/// The private hosted zones associated with the VPC and the Resolver rules associated with it,
/// kept only when they cover an S3 name (`s3.<region>.amazonaws.com`, `s3.amazonaws.com`, their
/// parents or subdomains).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct PrivateDns {
    /// `route53:ListHostedZonesByVPC`, then each zone's S3 records.
    pub hosted_zones: Observed<Vec<HostedZone>>,
    /// `route53resolver:ListResolverRuleAssociations` (this VPC) and `ListResolverRules`.
    pub resolver_rules: Observed<Vec<ResolverRule>>,
}

/// A private hosted zone associated with the VPC.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct HostedZone {
    pub id: String,
    /// The zone's domain, without the final dot (`s3.eu-west-1.amazonaws.com`).
    pub name: String,
    /// The zone's owning account or service, when another account owns it (shared zones).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub owner: Option<String>,
    /// The records for S3 names (`ListResourceRecordSets`), or why they could not be read.
    pub records: Observed<Vec<DnsRecord>>,
    /// More records exist than were read (`limits::ZONE_RECORDS`).
    #[serde(default)]
    pub truncated: bool,
}

/// One record of a private hosted zone.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DnsRecord {
    /// Without the final dot; `*.` for a wildcard (Route 53's `\052` unescaped).
    pub name: String,
    /// `A`, `AAAA`, `CNAME`, …
    pub record_type: String,
    /// The values (addresses for A/AAAA, a name for CNAME).
    #[serde(default)]
    pub values: Vec<String>,
    /// An alias record's target DNS name (without the final dot).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub alias_target: Option<String>,
}

/// A Route 53 Resolver rule associated with the VPC.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ResolverRule {
    pub id: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// Without the final dot.
    pub domain_name: String,
    /// `FORWARD`, `SYSTEM` or `RECURSIVE`.
    pub rule_type: String,
    /// Where a FORWARD rule sends queries (`ip:port`).
    #[serde(default)]
    pub target_ips: Vec<String>,
}

/// Whether `name` is `domain` or a subdomain of it (case-insensitive, final dots ignored).
pub fn dns_within(name: &str, domain: &str) -> bool {
    let n = name.trim_end_matches('.').to_ascii_lowercase();
    let d = domain.trim_end_matches('.').to_ascii_lowercase();
    n == d || n.ends_with(&format!(".{d}"))
}

/// One transit gateway attachment (`DescribeTransitGatewayAttachments`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TgwAttachment {
    pub id: String,
    pub transit_gateway_id: String,
    /// `vpc`, `vpn`, `direct-connect-gateway`, `peering`, `connect`, …
    pub resource_type: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub resource_id: Option<String>,
    /// `available`, `pending`, `deleted`, …
    pub state: String,
    /// The transit gateway route table the attachment is associated with (its traffic is
    /// routed by that table); `None` when it is associated with none.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub route_table_id: Option<String>,
}

/// A transit gateway route table and its routes (`SearchTransitGatewayRoutes`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TgwRouteTable {
    pub id: String,
    pub transit_gateway_id: String,
    /// The routes, or why they could not be read.
    pub routes: Observed<Vec<TgwRoute>>,
    /// AWS answered with `additionalRoutesAvailable`: more routes exist than were returned.
    #[serde(default)]
    pub truncated: bool,
}

/// One transit gateway route.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TgwRoute {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub destination: Option<IpNet>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub prefix_list_id: Option<String>,
    /// `active` or `blackhole` (others are not routing).
    pub state: String,
    /// `static` or `propagated`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub route_type: Option<String>,
    /// Where the route sends traffic (several attachments for ECMP).
    #[serde(default)]
    pub attachments: Vec<TgwRouteAttachment>,
}

/// One attachment a transit gateway route sends traffic to.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TgwRouteAttachment {
    pub attachment_id: String,
    pub resource_type: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub resource_id: Option<String>,
}

/// A VPC reached through a transit gateway, read like the vantage's own VPC.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct HubVpc {
    pub vpc_id: String,
    /// The transit gateway attachment through which traffic enters the VPC.
    pub attachment_id: String,
    /// The subnets of that attachment: traffic entering the VPC is routed by their tables.
    #[serde(default)]
    pub attachment_subnet_ids: Vec<String>,
    pub cidrs: Observed<Vec<IpNet>>,
    pub route_tables: Observed<Vec<RouteTable>>,
    pub vpc_endpoints: Observed<Vec<VpcEndpoint>>,
    pub prefix_lists: Observed<Vec<PrefixList>>,
    pub security_groups: Observed<Vec<SecurityGroup>>,
    pub nat_gateways: Observed<Vec<NatGateway>>,
    pub internet_gateways: Observed<Vec<InternetGateway>>,
}
