use super::{skipped_for, Category, Check, CheckMeta, Context, Draft, Outcome, Severity};
use crate::facts::TokenStatus;

pub struct ImdsTokenBlocked;

static META: CheckMeta = CheckMeta {
    id: "S3P002",
    name: "imds-token-blocked",
    category: Category::Identity,
    severity: Severity::Warning,
    summary: "the metadata service answers but the IMDSv2 token request does not (hop limit 1 in a container)",
    doc: include_str!("../../checks/S3P002.md"),
};

impl Check for ImdsTokenBlocked {
    fn meta(&self) -> &'static CheckMeta {
        &META
    }

    fn evaluate(&self, cx: &Context) -> Outcome {
        let Some(m) = cx.facts.metadata_service.get() else {
            return skipped_for(
                "the metadata service",
                cx.facts.metadata_service.missing_reason(),
            );
        };
        if m.token != TokenStatus::NoAnswer {
            return Outcome::Pass;
        }
        let region = cx.region().unwrap_or("REGION");
        Outcome::Fail(vec![Draft::new(format!(
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
