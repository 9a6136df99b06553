use super::context::{pass, CheckResult, Context, Draft};
use crate::facts::Part;
use crate::facts::TokenStatus;

check! {
    ImdsTokenBlocked, "S3P002", "imds-token-blocked", Identity, Warning, Stable,
    "the metadata service answers but the IMDSv2 token request does not (hop limit 1 in a container)"
}

impl ImdsTokenBlocked {
    fn run(cx: &Context) -> CheckResult {
        let Some(m) = cx.facts.metadata_service.get() else {
            return Err(cx.missing(Part::MetadataService));
        };
        if m.token != TokenStatus::NoAnswer {
            return pass();
        }
        let region = cx.region().unwrap_or("REGION");
        Ok(vec![Draft::new(format!(
            "the instance metadata service at {} answers plain requests but not the IMDSv2 token request: in a container behind a bridge the reply needs 2 hops and the instance allows 1; SDKs then wait for their metadata timeout and find no region or instance role",
            m.endpoint
        ))
        .fix(format!(
            "aws ec2 modify-instance-metadata-options --region {region} --instance-id INSTANCE_ID --http-put-response-hop-limit 2 --http-endpoint enabled"
        ))
        .fix("for launch templates: MetadataOptions HttpPutResponseHopLimit=2 (the ID is in the console, or in `ec2-metadata -i` on the host)")
        .evidence(m.detail.clone().unwrap_or_default())])
    }
}
