//! Whether a route's target exists and can carry traffic. AWS shows a route whose target is
//! gone as `blackhole`, but not every source does (moto keeps it `active`, and a saved facts
//! file may predate the change), so the target's own state is checked too.

use crate::facts::{Facts, Route};

/// The state of a route's target.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Liveness {
    /// It exists and is usable, or nothing says otherwise.
    Usable,
    /// It cannot carry traffic: why, in one sentence, and the command that fixes it.
    Dead { reason: String, fix: String },
}

/// Checks `route`'s target against the facts.
pub fn of(route: &Route, facts: &Facts, region: &str, route_table: &str) -> Liveness {
    let target = super::route_target_label(route);
    let dest = route.destination_label();
    let dest_flag = if route.destination_prefix_list_id.is_some() {
        format!("--destination-prefix-list-id {dest}")
    } else if route.destination_ipv6_cidr_block.is_some() {
        format!("--destination-ipv6-cidr-block {dest}")
    } else {
        format!("--destination-cidr-block {dest}")
    };
    let replace = |flag: &str, id: &str| {
        format!(
            "aws ec2 replace-route --region {region} --route-table-id {route_table} {dest_flag} {flag} {id}"
        )
    };
    let dead = |reason: String, fix: String| Liveness::Dead { reason, fix };
    if route.is_blackhole() {
        let (flag, placeholder) = match target.split('-').next().unwrap_or("") {
            "nat" => ("--nat-gateway-id", "NAT_GATEWAY_ID"),
            "tgw" => ("--transit-gateway-id", "TGW_ID"),
            "pcx" => ("--vpc-peering-connection-id", "PCX_ID"),
            "eni" => ("--network-interface-id", "ENI_ID"),
            "eigw" => ("--egress-only-internet-gateway-id", "EIGW_ID"),
            _ => ("--gateway-id", "GATEWAY_ID"),
        };
        return dead(
            format!("the route {dest} -> {target} is a blackhole: its target no longer exists or is no longer attached"),
            replace(flag, placeholder),
        );
    }
    let vpc = facts.vantage.get().and_then(|v| v.vpc_id.as_deref());
    if let Some(id) = route.nat_gateway_id.as_deref() {
        if let Some(nats) = facts.nat_gateways.get() {
            return match nats.iter().find(|n| n.id == id) {
                None => dead(
                    format!("NAT gateway {id} is not among the VPC's NAT gateways (deleted)"),
                    replace("--nat-gateway-id", "NAT_GATEWAY_ID"),
                ),
                Some(n) if n.state != "available" => dead(
                    format!("NAT gateway {id} is {}", n.state),
                    replace("--nat-gateway-id", "NAT_GATEWAY_ID"),
                ),
                Some(_) => Liveness::Usable,
            };
        }
        return Liveness::Usable;
    }
    if let Some(id) = route.gateway_id.as_deref() {
        if id.starts_with("igw-") {
            if let Some(igws) = facts.internet_gateways.get() {
                return match igws.iter().find(|g| g.id == id) {
                    None => dead(
                        format!("internet gateway {id} does not exist (deleted)"),
                        replace("--gateway-id", "IGW_ID"),
                    ),
                    Some(g)
                        if !g.attachments.iter().any(|a| {
                            vpc.is_none_or(|v| v == a.vpc_id)
                                && matches!(a.state.as_str(), "available" | "attached")
                        }) =>
                    {
                        dead(
                            format!(
                                "internet gateway {id} is not attached to {}",
                                vpc.unwrap_or("this VPC")
                            ),
                            format!(
                                "aws ec2 attach-internet-gateway --region {region} --internet-gateway-id {id} --vpc-id {}",
                                vpc.unwrap_or("VPC_ID")
                            ),
                        )
                    }
                    Some(_) => Liveness::Usable,
                };
            }
        } else if id.starts_with("vpce-") {
            if let Some(eps) = facts.vpc_endpoints.get() {
                return match eps.iter().find(|e| e.id == id) {
                    None => dead(
                        format!("VPC endpoint {id} does not exist (deleted)"),
                        format!(
                            "aws ec2 create-vpc-endpoint --region {region} --vpc-id {} --vpc-endpoint-type Gateway --service-name {} --route-table-ids {route_table}",
                            vpc.unwrap_or("VPC_ID"),
                            crate::checks::s3_service_name(region)
                        ),
                    ),
                    Some(e) if !e.is_available() => dead(
                        format!("VPC endpoint {id} is {}", e.state),
                        format!(
                            "aws ec2 describe-vpc-endpoints --region {region} --vpc-endpoint-ids {id}"
                        ),
                    ),
                    Some(_) => Liveness::Usable,
                };
            }
        }
    }
    Liveness::Usable
}
