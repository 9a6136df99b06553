//! The saved facts of `s3path audit`: one inventory per region, read with a constant set of
//! Describe calls (see gather/audit.rs), judged by report/audit.rs.

use std::collections::BTreeMap;

use ipnet::IpNet;
use serde::{Deserialize, Serialize};

use super::{
    InternetGateway, NatGateway, NetworkAcl, Observed, PrefixList, RouteTable, VpcDnsAttributes,
    VpcEndpoint,
};

pub const AUDIT_SCHEMA_VERSION: u32 = 1;

/// A subnet as `DescribeSubnets` tells it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SubnetInfo {
    pub id: String,
    pub vpc_id: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub availability_zone: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cidr_block: Option<IpNet>,
}

/// A VPC: its CIDR blocks and, where an S3 interface endpoint's private DNS depends on them,
/// its DNS attributes.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct VpcInfo {
    pub id: String,
    #[serde(default)]
    pub ipv4_cidr_blocks: Vec<IpNet>,
    #[serde(default)]
    pub ipv6_cidr_blocks: Vec<IpNet>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub dns_attributes: Option<VpcDnsAttributes>,
}

/// Everything read about one region.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Inventory {
    pub region: String,
    pub subnets: Observed<Vec<SubnetInfo>>,
    pub vpcs: Observed<Vec<VpcInfo>>,
    pub route_tables: Observed<Vec<RouteTable>>,
    pub vpc_endpoints: Observed<Vec<VpcEndpoint>>,
    pub prefix_lists: Observed<Vec<PrefixList>>,
    pub internet_gateways: Observed<Vec<InternetGateway>>,
    pub nat_gateways: Observed<Vec<NatGateway>>,
    pub network_acls: Observed<Vec<NetworkAcl>>,
    /// API calls made for this region (pages included), by action.
    #[serde(default)]
    pub calls: BTreeMap<String, u32>,
    /// `--cost`: the bytes each NAT gateway processed (CloudWatch `AWS/NATGateway`).
    #[serde(default = "not_asked")]
    pub nat_bytes: Observed<Vec<NatBytes>>,
}

crate::facts::observed_parts!(
    Inventory,
    /// One part of a region's [`Inventory`].
    InventoryPart,
    handles: inventory_parts,
    others: [region = String::new(), calls = BTreeMap::new()],
    parts: [
        Subnets => subnets: Vec<SubnetInfo>, "subnets";
        Vpcs => vpcs: Vec<VpcInfo>, "VPCs";
        RouteTables => route_tables: Vec<RouteTable>, "route tables";
        VpcEndpoints => vpc_endpoints: Vec<VpcEndpoint>, "VPC endpoints";
        PrefixLists => prefix_lists: Vec<PrefixList>, "prefix lists";
        InternetGateways => internet_gateways: Vec<InternetGateway>, "internet gateways";
        NatGateways => nat_gateways: Vec<NatGateway>, "NAT gateways";
        NetworkAcls => network_acls: Vec<NetworkAcl>, "network ACLs";
        NatBytes => nat_bytes: Vec<NatBytes>, "NAT gateway metrics";
    ]
);

/// The metrics part when `--cost` was not given.
pub fn not_asked() -> Observed<Vec<NatBytes>> {
    Observed::not_collected("not asked (no --cost)")
}

/// What one NAT gateway processed over `days` days: `BytesInFromSource` (from the subnets)
/// plus `BytesInFromDestination` (the answers), the two directions NAT data processing bills.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct NatBytes {
    pub nat_gateway_id: String,
    pub bytes_in_from_source: f64,
    pub bytes_in_from_destination: f64,
    pub days: u32,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct AuditRequest {
    pub regions: Vec<String>,
    #[serde(default)]
    pub vpc_ids: Vec<String>,
    #[serde(default)]
    pub buckets: Vec<String>,
    /// `--cost` was asked.
    #[serde(default)]
    pub cost: bool,
}

/// The saved facts of an audit.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AuditFacts {
    pub schema_version: u32,
    pub tool_version: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub gathered_at: Option<String>,
    pub request: AuditRequest,
    pub regions: Vec<Inventory>,
}
