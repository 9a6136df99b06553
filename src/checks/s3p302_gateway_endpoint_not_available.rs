use super::context::{pass, CheckResult, Context, Draft};
use crate::facts::EndpointType;
use crate::facts::Part;

check! {
    GatewayEndpointNotAvailable, "S3P302", "gateway-endpoint-not-available", Endpoint, Error, Stable,
    "an S3 gateway endpoint of the VPC is not in the available state"
}

impl GatewayEndpointNotAvailable {
    fn run(cx: &Context) -> CheckResult {
        let Some(gws) = cx.s3_endpoints(EndpointType::Gateway) else {
            return Err(cx.missing(Part::VpcEndpoints));
        };
        let region = cx.region().unwrap_or("REGION");
        let drafts: Vec<Draft> = gws
            .iter()
            .filter(|e| !e.is_available())
            .map(|e| {
                Draft::new(format!(
                    "gateway endpoint {} is {}: its routes ({}) do not carry S3 traffic until it is available",
                    e.id,
                    e.state,
                    if e.route_table_ids.is_empty() { "none".to_string() } else { e.route_table_ids.join(", ") }
                ))
                .fix(format!("aws ec2 describe-vpc-endpoints --region {region} --vpc-endpoint-ids {}", e.id))
                .fix("if it is rejected or failed, delete it and create it again with the route tables that need it")
            })
            .collect();
        if drafts.is_empty() {
            pass()
        } else {
            Ok(drafts)
        }
    }
}
