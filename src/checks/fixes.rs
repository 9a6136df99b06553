//! The commands that fix what the engine found, written from its typed causes (the engine says
//! what is wrong; only the checks layer writes AWS CLI commands).

use crate::engine::kinds::{DeadRoute, DeadTarget};
use crate::engine::{Analysis, Decision};
use crate::facts::{Facts, Failure, RouteTarget};
use crate::names::s3_service_name;

/// The command that makes a route with a dead target usable again.
pub fn dead_route(d: &DeadRoute, region: &str, vpc: Option<&str>) -> String {
    let dest = d.route.destination_label();
    let table = &d.route_table;
    let dest_flag = if d.route.destination_prefix_list_id.is_some() {
        format!("--destination-prefix-list-id {dest}")
    } else if d.route.destination_ipv6_cidr_block.is_some() {
        format!("--destination-ipv6-cidr-block {dest}")
    } else {
        format!("--destination-cidr-block {dest}")
    };
    let replace = |flag: &str, id: &str| {
        format!(
            "aws ec2 replace-route --region {region} --route-table-id {table} {dest_flag} {flag} {id}"
        )
    };
    match &d.target {
        DeadTarget::Blackhole { .. } => {
            let (flag, placeholder) = match d.route.target(None) {
                Some(RouteTarget::Nat(_)) => ("--nat-gateway-id", "NAT_GATEWAY_ID"),
                Some(RouteTarget::TransitGateway(_)) => ("--transit-gateway-id", "TGW_ID"),
                Some(RouteTarget::Peering(_)) => ("--vpc-peering-connection-id", "PCX_ID"),
                Some(RouteTarget::NetworkInterface(_)) => ("--network-interface-id", "ENI_ID"),
                Some(RouteTarget::EgressOnlyInternetGateway(_)) => {
                    ("--egress-only-internet-gateway-id", "EIGW_ID")
                }
                _ => ("--gateway-id", "GATEWAY_ID"),
            };
            replace(flag, placeholder)
        }
        DeadTarget::NatDeleted { .. } | DeadTarget::NatNotAvailable { .. } => {
            replace("--nat-gateway-id", "NAT_GATEWAY_ID")
        }
        DeadTarget::InternetGatewayDeleted { .. } => replace("--gateway-id", "IGW_ID"),
        DeadTarget::InternetGatewayDetached { id, vpc_id } => format!(
            "aws ec2 attach-internet-gateway --region {region} --internet-gateway-id {id} --vpc-id {}",
            vpc_id.as_deref().unwrap_or("VPC_ID")
        ),
        DeadTarget::EndpointDeleted { .. } => format!(
            "aws ec2 create-vpc-endpoint --region {region} --vpc-id {} --vpc-endpoint-type Gateway --service-name {} --route-table-ids {table}",
            vpc.unwrap_or("VPC_ID"),
            s3_service_name(region)
        ),
        DeadTarget::EndpointNotAvailable { id, .. } => {
            format!("aws ec2 describe-vpc-endpoints --region {region} --vpc-endpoint-ids {id}")
        }
    }
}

/// Writes the `remedy` of every decision blocked by a dead route target.
pub fn fill_remedies(analysis: &mut Analysis, facts: &Facts) {
    let region = facts.region().unwrap_or("REGION").to_string();
    let vpc = facts.vantage.get().and_then(|v| v.vpc_id.clone());
    fn fill(d: &mut Decision, region: &str, vpc: Option<&str>) {
        if let Some(dead) = &d.dead_target {
            d.remedy = Some(dead_route(dead, region, vpc));
        }
        if let Some(next) = d.next.as_deref_mut() {
            fill(next, region, vpc);
        }
    }
    for t in &mut analysis.targets {
        fill(&mut t.decision, &region, vpc.as_deref());
        for a in &mut t.addresses {
            fill(&mut a.decision, &region, vpc.as_deref());
        }
    }
}

/// What lets a run read the control plane of `region` again, by the typed cause of its failure
/// (S3P004 for a subnet or instance, `audit` for a region).
pub fn control_plane(cause: &Failure, region: &str) -> Vec<String> {
    match cause {
        Failure::NoCredentials => vec!["give s3path credentials that can call the Describe actions in docs/iam-policy.json: --profile NAME (or AWS_PROFILE), environment keys, or an instance profile".to_string()],
        Failure::NotFound => vec![
            format!("check the id and its region: aws ec2 describe-subnets --region {region} --subnet-ids SUBNET_ID (or describe-instances --instance-ids INSTANCE_ID, describe-vpcs --vpc-ids VPC_ID)"),
            "give the region the resource is in with --region (ids are regional)".to_string(),
        ],
        Failure::Denied { action } => vec![format!(
            "allow {action} (all of docs/iam-policy.json): aws iam put-role-policy --role-name ROLE --policy-name s3path-read-only --policy-document file://docs/iam-policy.json"
        )],
        Failure::TimedOut { .. } | Failure::Unreachable { .. } => vec![format!(
            "give the EC2 API more time (--timeout 30), or check the path from this machine to ec2.{region}.amazonaws.com"
        )],
        Failure::Other => vec!["the error says what failed; run again once it is fixed".to_string()],
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::facts::Route;

    fn dead(target: DeadTarget, route: Route) -> String {
        dead_route(
            &DeadRoute {
                target,
                route,
                route_table: "rtb-1".into(),
            },
            "cn-north-1",
            Some("vpc-1"),
        )
    }

    fn default_route() -> Route {
        Route {
            destination_cidr_block: Some("0.0.0.0/0".parse().unwrap()),
            ..Route::default()
        }
    }

    #[test]
    fn every_dead_target_has_its_command() {
        let id = || "x-1".to_string();
        let cases = [
            (
                DeadTarget::Blackhole { target: "tgw-1".into() },
                "replace-route --region cn-north-1 --route-table-id rtb-1 --destination-cidr-block 0.0.0.0/0 --transit-gateway-id TGW_ID",
            ),
            (DeadTarget::NatDeleted { id: id() }, "--nat-gateway-id NAT_GATEWAY_ID"),
            (
                DeadTarget::NatNotAvailable { id: id(), state: "failed".into() },
                "--nat-gateway-id NAT_GATEWAY_ID",
            ),
            (DeadTarget::InternetGatewayDeleted { id: id() }, "--gateway-id IGW_ID"),
            (
                DeadTarget::InternetGatewayDetached { id: id(), vpc_id: None },
                "attach-internet-gateway --region cn-north-1 --internet-gateway-id x-1 --vpc-id VPC_ID",
            ),
            (
                DeadTarget::EndpointDeleted { id: id() },
                "--vpc-id vpc-1 --vpc-endpoint-type Gateway --service-name cn.com.amazonaws.cn-north-1.s3 --route-table-ids rtb-1",
            ),
            (
                DeadTarget::EndpointNotAvailable { id: id(), state: "pending".into() },
                "describe-vpc-endpoints --region cn-north-1 --vpc-endpoint-ids x-1",
            ),
        ];
        for (target, want) in cases {
            let mut route = default_route();
            if let DeadTarget::Blackhole { target } = &target {
                route.set_target(RouteTarget::TransitGateway(target.clone()));
            }
            let got = dead(target.clone(), route);
            assert!(got.contains(want), "{target:?}: {got}");
        }
        let mut v6 = Route {
            destination_ipv6_cidr_block: Some("::/0".parse().unwrap()),
            ..Route::default()
        };
        v6.set_target(RouteTarget::EgressOnlyInternetGateway("eigw-1".into()));
        let got = dead(
            DeadTarget::Blackhole {
                target: "eigw-1".into(),
            },
            v6,
        );
        assert!(
            got.contains(
                "--destination-ipv6-cidr-block ::/0 --egress-only-internet-gateway-id EIGW_ID"
            ),
            "{got}"
        );
    }

    #[test]
    fn a_blackhole_is_replaced_through_the_flag_of_its_target_kind() {
        let id = || "x-1".to_string();
        let cases = [
            (RouteTarget::Nat(id()), "--nat-gateway-id NAT_GATEWAY_ID"),
            (
                RouteTarget::TransitGateway(id()),
                "--transit-gateway-id TGW_ID",
            ),
            (
                RouteTarget::Peering(id()),
                "--vpc-peering-connection-id PCX_ID",
            ),
            (
                RouteTarget::NetworkInterface(id()),
                "--network-interface-id ENI_ID",
            ),
            (
                RouteTarget::EgressOnlyInternetGateway(id()),
                "--egress-only-internet-gateway-id EIGW_ID",
            ),
            (
                RouteTarget::InternetGateway(id()),
                "--gateway-id GATEWAY_ID",
            ),
            (
                RouteTarget::GatewayEndpoint(id()),
                "--gateway-id GATEWAY_ID",
            ),
            (RouteTarget::Instance(id()), "--gateway-id GATEWAY_ID"),
            (RouteTarget::Other(id()), "--gateway-id GATEWAY_ID"),
        ];
        for (t, want) in cases {
            let mut route = default_route();
            route.set_target(t.clone());
            let got = dead(DeadTarget::Blackhole { target: id() }, route);
            assert!(got.ends_with(want), "{t:?}: {got}");
        }
    }
}
