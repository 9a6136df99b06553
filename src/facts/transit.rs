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
