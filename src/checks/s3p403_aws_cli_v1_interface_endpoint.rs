use super::context::{pass, skip, CheckResult, Context, Draft};
use crate::engine::PathKind;
use crate::facts::parts;
use crate::facts::EndpointType;
use crate::names::HostKind;

check! {
    AwsCliV1InterfaceEndpoint, "S3P403", "aws-cli-v1-interface-endpoint", Host, Warning, Stable,
    "AWS CLI v1 is installed and S3 traffic uses an interface endpoint, where v1 fails"
}

impl AwsCliV1InterfaceEndpoint {
    fn run(cx: &Context) -> CheckResult {
        let settings = cx.need(parts::ClientSettings)?;
        let Some(major) = settings.aws_cli_major() else {
            return skip("the AWS CLI is not installed (or its version is unknown)".to_string());
        };
        let primary = cx.need_primary()?;
        if major != 1 {
            return pass();
        }
        let version = settings
            .aws_cli
            .get()
            .map(String::as_str)
            .unwrap_or("AWS CLI v1");
        if primary.decision.path == PathKind::InterfaceEndpoint {
            return Ok(vec![Draft::new(format!(
                "{version} is installed and S3 traffic to {} uses interface endpoint {}: AWS CLI v1 fails there with AccessDenied on ListObjectsV2 (aws s3 ls), while v2.1 and later work",
                primary.target.host,
                primary.decision.via.as_deref().unwrap_or("?")
            ))
            .fix("install AWS CLI v2 (2.1 or later) and remove v1: pip uninstall awscli")
            .evidence(version.to_string())]);
        }
        // An interface endpoint the regional names do not reach (private DNS off, or not in
        // effect) is used only through its endpoint-specific names, which v1 cannot use.
        let Some(interfaces) = cx.s3_endpoints(EndpointType::Interface) else {
            return pass();
        };
        let unreached: Vec<_> = interfaces
            .into_iter()
            .filter(|e| e.is_available())
            .filter(|e| {
                !cx.analysis.targets.iter().any(|t| {
                    t.target.planned_family() != Some(HostKind::EndpointSpecific)
                        && t.decision.via.as_deref() == Some(e.id.as_str())
                })
            })
            .collect();
        let Some(ep) = unreached.first() else {
            return pass();
        };
        let name = ep
            .regional_dns_name()
            .map(|n| format!("bucket.{n}"))
            .unwrap_or_else(|| "bucket.VPCE_DNS_NAME".to_string());
        Ok(vec![Draft::new(format!(
            "{version} is installed, and interface endpoint {} is reachable only through its endpoint-specific names (--endpoint-url https://{name}), which AWS CLI v1 cannot use: v2.1 or later is needed",
            ep.id
        ))
        .fix("install AWS CLI v2 (2.1 or later) and remove v1: pip uninstall awscli")
        .evidence(version.to_string())])
    }
}
