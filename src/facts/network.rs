//! The VPC as the EC2 API describes it: route tables, endpoints, prefix lists, gateways,
//! security groups, network ACLs, DNS attributes.

use std::net::IpAddr;

use ipnet::IpNet;
use serde::{Deserialize, Serialize};

use super::observed::Failure;
use super::route_target::RouteTarget;
use super::states::*;

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
