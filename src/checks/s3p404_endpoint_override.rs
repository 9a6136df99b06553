use super::context::{pass, CheckResult, Context, Draft};
use crate::facts::parts;

check! {
    EndpointOverride, "S3P404", "endpoint-override", Host, Info, Stable,
    "an endpoint URL setting sends SDK and CLI requests for S3 to another host"
}

impl EndpointOverride {
    fn run(cx: &Context) -> CheckResult {
        let settings = cx.need(parts::ClientSettings)?;
        let Some((source, url)) = settings.s3_endpoint_override() else {
            return pass();
        };
        let primary = cx.need_primary()?;
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
        Ok(vec![Draft::new(msg)
            .fix(format!("if the override is not intended: {unset}"))
            .fix("clients that do not read these settings (older SDKs, other tools) still use the standard names")
            .evidence(format!("{source} = {url}"))])
    }
}
