use super::context::{pass, CheckResult, Context, Draft};
use crate::facts::parts;
use crate::facts::VantageKind;

check! {
    NotOnAws, "S3P001", "not-on-aws", Identity, Info, Stable,
    "this host is not an EC2 instance or ECS task, so no VPC path applies to it"
}

impl NotOnAws {
    fn run(cx: &Context) -> CheckResult {
        let v = cx.need(parts::Vantage)?;
        if v.kind != VantageKind::OffAws {
            return pass();
        }
        let why = cx
            .facts
            .metadata_service
            .get()
            .and_then(|m| m.detail.clone())
            .unwrap_or_else(|| "no instance metadata service answered".to_string());
        let region = cx.region().unwrap_or("REGION");
        if let Some(subnet) = &v.subnet_id {
            // `--subnet-id` off AWS: the verdict is the subnet's, judged from the control
            // plane; only this host's own traffic never uses the subnet's endpoints.
            return Ok(vec![Draft::new(format!(
                "this host is not on AWS ({why}); the verdict describes {subnet} as its route tables send traffic, not this host's own requests, and no live probe from inside the subnet confirms it"
            ))
            .fix(format!(
                "to confirm it with live probes, run s3path doctor on an instance in {subnet}"
            ))
            .evidence(why)]);
        }
        Ok(vec![Draft::new(format!(
            "this host is not on AWS ({why}); the verdict describes its own network (on-premises, VPN, Direct Connect or a laptop), and gateway endpoints never serve it"
        ))
        .fix("to judge a VPC subnet, run s3path doctor on an instance in that subnet")
        .fix(format!(
            "from on-premises over Direct Connect or VPN, S3 is private only through an interface endpoint: resolve bucket.vpce-….s3.{region}.vpce.amazonaws.com, or forward {region} S3 names to a Route 53 inbound resolver endpoint"
        ))
        .evidence(why)])
    }
}
