use super::context::{pass, skip, CheckResult, Context, Draft};
use crate::engine::PathKind;
use crate::names::sdk::{self, SdkName};
use crate::names::S3Settings;

check! {
    GlobalEndpointPathDiffers, "S3P902", "global-endpoint-path-differs", Verdict, Info, Stable,
    "SDK families name S3 differently here (the legacy global name in us-east-1) and their names take different paths"
}

impl GlobalEndpointPathDiffers {
    fn run(cx: &Context) -> CheckResult {
        let region = cx.need_region()?;
        // An unknown value (from a facts file) is judged as no --sdk, as the plan does.
        if let Some(one) = cx.facts.request.sdk.as_deref().and_then(sdk::family_of) {
            return skip(format!("judged as one SDK family (--sdk {})", one.id));
        }
        // Each input's names per family; without an input, the service names.
        let mut groups: Vec<(String, Vec<SdkName>)> = cx
            .analysis
            .names
            .iter()
            .filter(|p| p.by_sdk.len() > 1)
            .map(|p| (format!("'{}'", p.name.label()), p.by_sdk.clone()))
            .collect();
        if cx.analysis.names.is_empty() {
            let settings = S3Settings::of(cx.facts.client_settings.get());
            let service = sdk::service_by_family(&settings, region);
            if service.len() > 1 {
                groups.push(("the S3 service name".to_string(), service));
            }
        }
        if groups.is_empty() {
            return pass();
        }
        let mut drafts = Vec::new();
        for (what, names) in groups {
            // Each family group's name and the path the engine found for it.
            let judged: Vec<(String, String, String)> = names
                .iter()
                .filter_map(|g| {
                    let name = g.name.as_ref()?;
                    let t = cx.analysis.target(&name.host)?;
                    (t.decision.path != PathKind::Unknown)
                        .then(|| (g.families.join(", "), name.host.clone(), t.decision.label()))
                })
                .collect();
            let mut paths: Vec<&str> = judged.iter().map(|(_, _, p)| p.as_str()).collect();
            paths.sort_unstable();
            paths.dedup();
            if paths.len() < 2 {
                continue;
            }
            let listed: Vec<String> = judged
                .iter()
                .map(|(f, h, p)| format!("{f}: {h} -> {p}"))
                .collect();
            let legacy: Vec<&str> = sdk::FAMILIES
                .iter()
                .filter(|f| f.us_east_1_global && f.reads_setting)
                .map(|f| f.id)
                .collect();
            let mut d = Draft::new(format!(
                "in {region} the SDK families name {what} differently and take different paths: {}",
                listed.join("; ")
            ))
            .fix(format!(
                "move the families that read it to the regional name: export AWS_S3_US_EAST_1_REGIONAL_ENDPOINT=regional (read by {})",
                legacy.join(", ")
            ))
            .fix("judge one application's SDK: s3path doctor --sdk FAMILY");
            for x in listed {
                d = d.evidence(x);
            }
            drafts.push(d);
        }
        if drafts.is_empty() {
            return pass();
        }
        Ok(drafts)
    }
}
