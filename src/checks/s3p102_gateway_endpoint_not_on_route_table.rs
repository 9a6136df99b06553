use super::context::{pass, CheckResult, Context, Draft, Skip};
use crate::facts::EndpointType;
use crate::facts::Part;

check! {
    GatewayEndpointNotOnRouteTable, "S3P102", "gateway-endpoint-not-on-route-table", Routing, Warning, Stable,
    "an S3 gateway endpoint exists in the VPC but not on the route table this subnet uses",
    restates: [Blocked, NatGateway]
}

impl GatewayEndpointNotOnRouteTable {
    fn run(cx: &Context) -> CheckResult {
        let Some(gateways) = cx.s3_endpoints(EndpointType::Gateway) else {
            return Err(cx.missing(Part::VpcEndpoints));
        };
        let Some(table) = &cx.analysis.route_table else {
            return Err(Skip::Because(format!(
                "the subnet's route table is not known: {}",
                cx.missing(Part::RouteTables)
            )));
        };
        if gateways.is_empty()
            || gateways
                .iter()
                .any(|g| g.route_table_ids.contains(&table.id))
        {
            return pass();
        }
        let region = cx.region().unwrap_or("REGION");
        let subnet = cx
            .facts
            .vantage
            .get()
            .and_then(|v| v.subnet_id.as_deref())
            .unwrap_or("SUBNET_ID");
        let drafts = gateways
            .iter()
            .map(|g| {
                let on = if g.route_table_ids.is_empty() {
                    "no route table at all".to_string()
                } else {
                    g.route_table_ids.join(", ")
                };
                let how = if table.association == crate::facts::RouteTableAssociation::Main {
                    format!(
                        "{subnet} has no explicit route table association, so it uses the VPC's main route table {}",
                        table.id
                    )
                } else {
                    format!("{subnet} is associated with route table {}", table.id)
                };
                let mut d = Draft::new(format!(
                    "gateway endpoint {} ({}) is attached to {on}, but {how}; S3 traffic from this subnet does not use the endpoint",
                    g.id, g.state
                ))
                .fix(format!(
                    "aws ec2 modify-vpc-endpoint --region {region} --vpc-endpoint-id {} --add-route-table-ids {}",
                    g.id, table.id
                ))
                .evidence(format!("{} route tables: {on}", g.id))
                .evidence(how);
                if table.association == crate::facts::RouteTableAssociation::Main {
                    if let Some(other) = g.route_table_ids.first() {
                        d = d.fix(format!(
                            "or associate the subnet with a table that has the endpoint: aws ec2 associate-route-table --region {region} --route-table-id {other} --subnet-id {subnet}"
                        ));
                    }
                }
                d
            })
            .collect();
        Ok(drafts)
    }
}
