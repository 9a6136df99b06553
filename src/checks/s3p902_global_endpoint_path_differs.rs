use super::context::{pass, skip, CheckResult, Context, Draft};
use crate::engine::PathKind;
use crate::names::targets::TargetRole;
use crate::names::HostKind;

check! {
    GlobalEndpointPathDiffers, "S3P902", "global-endpoint-path-differs", Verdict, Info, Stable,
    "the legacy global endpoint s3.amazonaws.com takes another path than the regional endpoint"
}

impl GlobalEndpointPathDiffers {
    fn run(cx: &Context) -> CheckResult {
        // The reference is the first S3 name (not a Multi-Region, accelerate or zonal name,
        // which have their own endpoints and their own checks).
        cx.need_standard_primary()?;
        let Some(primary) = cx.analysis.targets.iter().find(|t| {
            t.target.role != TargetRole::EndpointOverride && t.target.list_service() == Some("s3")
        }) else {
            return skip("no S3 name to compare with".to_string());
        };
        if primary.decision.path == PathKind::Unknown {
            return skip("the primary target's path is not known".to_string());
        }
        let reference = primary.decision.label();
        let region = cx.region().unwrap_or("REGION");
        let differing: Vec<String> = cx
            .analysis
            .targets
            .iter()
            .filter(|t| t.target.planned_family() == Some(HostKind::LegacyGlobal))
            .filter(|t| t.decision.path != PathKind::Unknown && t.decision.label() != reference)
            .map(|t| format!("{} -> {}", t.target.host, t.decision.label()))
            .collect();
        if differing.is_empty() {
            return pass();
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
        Ok(vec![d])
    }
}
