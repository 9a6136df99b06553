use super::{Category, Check, CheckMeta, Context, Draft, Outcome, Severity};
use crate::engine::PathKind;
use crate::targets::TargetClass;

pub struct GlobalEndpointPathDiffers;

static META: CheckMeta = CheckMeta {
    id: "S3P902",
    name: "global-endpoint-path-differs",
    category: Category::Verdict,
    severity: Severity::Info,
    summary:
        "the legacy global endpoint s3.amazonaws.com takes another path than the regional endpoint",
    doc: include_str!("../../checks/S3P902.md"),
};

impl Check for GlobalEndpointPathDiffers {
    fn meta(&self) -> &'static CheckMeta {
        &META
    }

    fn evaluate(&self, cx: &Context) -> Outcome {
        let Some(primary) = cx.standard_primary() else {
            return Outcome::Skipped("no region to judge against".to_string());
        };
        if primary.decision.path == PathKind::Unknown {
            return Outcome::Skipped("the primary target's path is not known".to_string());
        }
        let reference = primary.decision.label();
        let region = cx.region().unwrap_or("REGION");
        let differing: Vec<String> = cx
            .analysis
            .targets
            .iter()
            .filter(|t| {
                matches!(
                    t.target.class,
                    TargetClass::Global | TargetClass::BucketGlobal
                )
            })
            .filter(|t| t.decision.path != PathKind::Unknown && t.decision.label() != reference)
            .map(|t| format!("{} -> {}", t.target.host, t.decision.label()))
            .collect();
        if differing.is_empty() {
            return Outcome::Pass;
        }
        let mut d = Draft::new(format!(
            "{} takes {reference}, but the legacy global endpoint (served from us-east-1) takes another path: {}; clients without a region setting, and older SDKs in us-east-1, use it",
            primary.target.host,
            differing.join("; ")
        ))
        .fix(format!("give every client the region: export AWS_REGION={region} (and AWS_DEFAULT_REGION for AWS CLI v1)"))
        .fix("for boto3 in us-east-1: export AWS_S3_US_EAST_1_REGIONAL_ENDPOINT=regional");
        for x in &differing {
            d = d.evidence(x.clone());
        }
        Outcome::Fail(vec![d])
    }
}
