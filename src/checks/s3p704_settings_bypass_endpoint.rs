use super::context::{CheckResult, Context, Draft};
use super::names::{endpoints_of, gateways_on_table, goes_instead, views};
use crate::facts::parts;
use crate::facts::EndpointType;
use crate::names::{HostKind, S3Settings, Support};

check! {
    SettingsBypassEndpoint, "S3P704", "settings-bypass-endpoint", Host, Warning, Preview,
    "the application's FIPS or acceleration setting sends S3 requests to names the VPC endpoint does not serve"
}

impl SettingsBypassEndpoint {
    fn run(cx: &Context) -> CheckResult {
        let region = cx.need_region()?;
        cx.need(parts::VpcEndpoints)?;
        let settings = S3Settings::of(cx.facts.client_settings.get());
        let vpc = cx.vpc_id().unwrap_or("VPC_ID");
        let table = cx.table_or_placeholder();
        let mut drafts = Vec::new();
        // Combinations the SDKs refuse outright.
        for plan in &cx.analysis.names {
            if let Some(why) = &plan.refused {
                if settings.fips.is_some() || settings.accelerate.is_some() {
                    drafts.push(
                        Draft::new(format!(
                            "--bucket '{}' ({}): {why}",
                            plan.name.input,
                            plan.name.kind.label()
                        ))
                        .fix("turn off the setting the request cannot use (see the message)"),
                    );
                }
            }
        }
        for v in views(cx) {
            // Only names the settings chose (an input that is a URL names its own host).
            if v.plan.name.host.is_some() || v.on_endpoint() {
                continue;
            }
            let setting = match v.name.host_kind {
                HostKind::Fips => settings.fips.as_ref(),
                HostKind::Accelerate => settings.accelerate.as_ref(),
                _ => continue,
            };
            let Some((_, source)) = setting else { continue };
            let r = v.name.region.as_deref().unwrap_or(region);
            let gateways = gateways_on_table(cx, r, "s3");
            let interfaces = endpoints_of(cx, r, "s3", EndpointType::Interface);
            let mut bypassed: Vec<String> = Vec::new();
            if v.compat.interface == Support::No {
                bypassed.extend(
                    interfaces
                        .iter()
                        .map(|e| format!("interface endpoint {}", e.id)),
                );
            }
            if v.compat.gateway == Support::No {
                bypassed.extend(
                    gateways
                        .iter()
                        .map(|e| format!("gateway endpoint {}", e.id)),
                );
            }
            if bypassed.is_empty() {
                continue;
            }
            let bucket = v.plan.name.bucket_name().unwrap_or(&v.plan.name.name);
            let mut d = Draft::new(format!(
                "{source} makes the application send {} requests to {}, which {} does not serve ({}); {}",
                v.label(),
                v.name.host,
                bypassed.join(" or "),
                v.compat.why,
                goes_instead(cx, v.target)
            ));
            d = if v.name.host_kind == HostKind::Accelerate {
                d.fix(format!(
                    "turn acceleration off for this application ({source}): aws configure set s3.use_accelerate_endpoint false, or in code use_accelerate_endpoint=False; its requests then go to {bucket}.s3.{r}.{}, which the endpoint carries",
                    crate::validate::partition_dns_suffix(r)
                ))
            } else if gateways.is_empty() {
                d.fix(format!(
                    "if FIPS is required, add a gateway endpoint (the FIPS names answer with the region's public S3 addresses): aws ec2 create-vpc-endpoint --region {r} --vpc-id {vpc} --vpc-endpoint-type Gateway --service-name {} --route-table-ids {table}; then run s3path again to confirm",
                    crate::names::s3_service_name(r)
                ))
                .fix(format!("if it is not, turn it off: unset {source}"))
            } else {
                d.fix(format!(
                    "if FIPS is not required, turn it off: unset {source}"
                ))
            };
            drafts.push(v.with_evidence(d));
        }
        // No draft: the check passed.
        Ok(drafts)
    }
}
