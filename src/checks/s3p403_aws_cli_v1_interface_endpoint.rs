use super::{skipped_for, Category, Check, CheckMeta, Context, Draft, Outcome, Severity};
use crate::engine::PathKind;

pub struct AwsCliV1InterfaceEndpoint;

static META: CheckMeta = CheckMeta {
    id: "S3P403",
    name: "aws-cli-v1-interface-endpoint",
    category: Category::Host,
    severity: Severity::Warning,
    summary: "AWS CLI v1 is installed and S3 traffic uses an interface endpoint, where v1 fails",
    doc: include_str!("../../checks/S3P403.md"),
};

impl Check for AwsCliV1InterfaceEndpoint {
    fn meta(&self) -> &'static CheckMeta {
        &META
    }

    fn evaluate(&self, cx: &Context) -> Outcome {
        let Some(settings) = cx.facts.client_settings.get() else {
            return skipped_for("client settings", cx.facts.client_settings.missing_reason());
        };
        let Some(major) = settings.aws_cli_major() else {
            return Outcome::Skipped(
                "the AWS CLI is not installed (or its version is unknown)".to_string(),
            );
        };
        let Some(primary) = cx.primary() else {
            return Outcome::Skipped("no region to judge against".to_string());
        };
        if major != 1 || primary.decision.path != PathKind::InterfaceEndpoint {
            return Outcome::Pass;
        }
        Outcome::Fail(vec![Draft::new(format!(
            "{} is installed and S3 traffic to {} uses interface endpoint {}: AWS CLI v1 fails there with AccessDenied on ListObjectsV2 (aws s3 ls), while v2.1 and later work",
            settings.aws_cli.get().map(String::as_str).unwrap_or("AWS CLI v1"),
            primary.target.host,
            primary.decision.via.as_deref().unwrap_or("?")
        ))
        .fix("install AWS CLI v2 (2.1 or later) and remove v1: pip uninstall awscli")
        .evidence(settings.aws_cli.get().cloned().unwrap_or_default())])
    }
}
