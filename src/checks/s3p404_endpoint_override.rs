use super::{skipped_for, Category, Check, CheckMeta, Context, Draft, Outcome, Severity};

pub struct EndpointOverride;

static META: CheckMeta = CheckMeta {
    id: "S3P404",
    name: "endpoint-override",
    category: Category::Host,
    severity: Severity::Info,
    summary: "an endpoint URL setting sends SDK and CLI requests for S3 to another host",
    doc: include_str!("../../checks/S3P404.md"),
};

impl Check for EndpointOverride {
    fn meta(&self) -> &'static CheckMeta {
        &META
    }

    fn evaluate(&self, cx: &Context) -> Outcome {
        let Some(settings) = cx.facts.client_settings.get() else {
            return skipped_for("client settings", cx.facts.client_settings.missing_reason());
        };
        let Some((source, url)) = settings.s3_endpoint_override() else {
            return Outcome::Pass;
        };
        let Some(primary) = cx.primary() else {
            return Outcome::Skipped("no region to judge against".to_string());
        };
        let standard = cx.standard_primary();
        let mut msg = format!(
            "{source} = {url}: the AWS CLI and SDKs send S3 requests to {}, which takes {}",
            primary.target.host,
            primary.decision.label()
        );
        if let Some(s) = standard.filter(|s| s.decision.label() != primary.decision.label()) {
            msg.push_str(&format!(
                "; without the override {} would take {}",
                s.target.host,
                s.decision.label()
            ));
        }
        let unset = if source.starts_with("AWS_") {
            format!("unset {}", source)
        } else {
            format!("remove {source}")
        };
        Outcome::Fail(vec![Draft::new(msg)
            .fix(format!("if the override is not intended: {unset}"))
            .fix("clients that do not read these settings (older SDKs, other tools) still use the standard names")
            .evidence(format!("{source} = {url}"))])
    }
}
