use super::context::{CheckResult, Context, Draft};
use super::names::{endpoints_of, gateways_on_table, goes_instead, views};
use crate::facts::parts;
use crate::facts::EndpointType;
use crate::names::{HostKind, NameKind, Support};

check! {
    NameCannotUseEndpoint, "S3P701", "name-cannot-use-endpoint", Endpoint, Warning, Preview,
    "the S3 name an input uses cannot take the VPC endpoint the VPC has"
}

impl NameCannotUseEndpoint {
    fn run(cx: &Context) -> CheckResult {
        let region = cx.need_region()?;
        cx.need(parts::VpcEndpoints)?;
        let mut drafts = Vec::new();
        for v in views(cx) {
            // Names the input's own form chose (a URL, a Multi-Region Access Point); names the
            // application's FIPS or acceleration settings chose are S3P704's, zonal names S3P702's.
            let from_form =
                v.plan.name.host.is_some() || v.plan.name.kind == NameKind::MultiRegionAccessPoint;
            if !from_form || v.name.host_kind == HostKind::Zonal || v.on_endpoint() {
                continue;
            }
            let r = v.name.region.as_deref().unwrap_or(region);
            let vpc = cx.vpc_id().unwrap_or("VPC_ID");
            let table = cx.table_or_placeholder();
            let gateways = gateways_on_table(cx, r, "s3");
            let interfaces = endpoints_of(cx, r, "s3", EndpointType::Interface);
            let mut missed: Vec<String> = Vec::new();
            if v.compat.gateway == Support::No {
                missed.extend(
                    gateways
                        .iter()
                        .map(|e| format!("gateway endpoint {}", e.id)),
                );
            }
            if v.compat.interface == Support::No || v.name.host_kind == HostKind::MultiRegion {
                missed.extend(
                    interfaces
                        .iter()
                        .map(|e| format!("interface endpoint {}", e.id)),
                );
            }
            let mrap_endpoint =
                endpoints_of(cx, "", "s3-global.accesspoint", EndpointType::Interface);
            if missed.is_empty()
                || (v.name.host_kind == HostKind::MultiRegion && !mrap_endpoint.is_empty())
            {
                continue;
            }
            let mut d = Draft::new(format!(
                "{} ({}) cannot use {}: {}; {}",
                v.name.host,
                v.label(),
                missed.join(" or "),
                v.compat.why,
                goes_instead(cx, v.target)
            ));
            let name = v.plan.name.bucket_name().unwrap_or(&v.plan.name.name);
            let suffix = crate::validate::partition_dns_suffix(r);
            d = match v.name.host_kind {
                HostKind::MultiRegion => d.fix(format!(
                    "create an interface endpoint for Multi-Region Access Points (private DNS on): aws ec2 create-vpc-endpoint --region {region} --vpc-id {vpc} --vpc-endpoint-type Interface --service-name com.amazonaws.s3-global.accesspoint --subnet-ids SUBNET_IDS --security-group-ids SG_ID"
                )),
                HostKind::Accelerate => d.fix(format!(
                    "use the regional name, which the endpoint carries: https://{name}.s3.{r}.{suffix} (acceleration never uses a VPC endpoint)"
                )),
                HostKind::Website => d.fix(format!(
                    "read objects through the REST name https://{name}.s3.{r}.{suffix} instead of the website endpoint (HTTP only, not served by interface endpoints)"
                )),
                _ if gateways.is_empty() => d.fix(format!(
                    "use the regional name https://{name}.s3.{r}.{suffix}, or add a gateway endpoint that carries this name's addresses: aws ec2 create-vpc-endpoint --region {r} --vpc-id {vpc} --vpc-endpoint-type Gateway --service-name {service} --route-table-ids {table}",
                    service = crate::names::s3_service_name(r)
                )),
                _ => d.fix(format!(
                    "use the regional name https://{name}.s3.{r}.{suffix}"
                )),
            };
            drafts.push(v.with_evidence(d));
        }
        // No draft: the check passed.
        Ok(drafts)
    }
}
