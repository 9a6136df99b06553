use super::context::{CheckResult, Context, Draft};
use super::names::{endpoints_of, goes_instead, views};
use crate::facts::parts;
use crate::facts::EndpointType;
use crate::facts::Part;
use crate::names::HostKind;

check! {
    DirectoryBucketWithoutS3expressEndpoint, "S3P702", "directory-bucket-without-s3express-endpoint", Routing, Warning, Preview,
    "a directory bucket's zonal name has no s3express endpoint on its path"
}

impl DirectoryBucketWithoutS3expressEndpoint {
    fn run(cx: &Context) -> CheckResult {
        let region = cx.need_region()?;
        cx.need(parts::VpcEndpoints)?;
        let Some(table) = cx.analysis.route_table.as_ref() else {
            return Err(cx.missing(Part::RouteTables));
        };
        let vpc = cx.vpc_id().unwrap_or("VPC_ID");
        let mut drafts = Vec::new();
        for v in views(cx) {
            if v.name.host_kind != HostKind::Zonal || v.on_endpoint() {
                continue;
            }
            let r = v.name.region.as_deref().unwrap_or(region);
            let service = crate::names::service_name(r, "s3express");
            let gateways = endpoints_of(cx, r, "s3express", EndpointType::Gateway);
            let interfaces = endpoints_of(cx, r, "s3express", EndpointType::Interface);
            let s3_gateway = endpoints_of(cx, r, "s3", EndpointType::Gateway);
            let elsewhere: Vec<&str> = gateways
                .iter()
                .filter(|e| !e.route_table_ids.iter().any(|t| t == &table.id))
                .map(|e| e.id.as_str())
                .collect();
            let what = if !elsewhere.is_empty() {
                format!(
                    "the VPC's {service} gateway endpoint {} is not on route table {}",
                    elsewhere.join(", "),
                    table.id
                )
            } else if !interfaces.is_empty() {
                format!(
                    "the VPC has {service} interface endpoint {} but the name does not resolve to it",
                    interfaces
                        .iter()
                        .map(|e| e.id.as_str())
                        .collect::<Vec<_>>()
                        .join(", ")
                )
            } else {
                format!("the VPC has no {service} endpoint")
            };
            let mut d = Draft::new(format!(
                "{} ({}): {what}; {}",
                v.name.host,
                v.label(),
                goes_instead(cx, v.target)
            ));
            if !s3_gateway.is_empty() {
                d = d.evidence(format!(
                    "S3 gateway endpoint {} ({}) does not carry S3 Express One Zone names",
                    s3_gateway
                        .iter()
                        .map(|e| e.id.as_str())
                        .collect::<Vec<_>>()
                        .join(", "),
                    crate::names::s3_service_name(r)
                ));
            }
            d = if let Some(ep) = elsewhere.first() {
                d.fix(format!(
                    "aws ec2 modify-vpc-endpoint --region {r} --vpc-endpoint-id {ep} --add-route-table-ids {}",
                    table.id
                ))
            } else {
                d.fix(format!(
                    "aws ec2 create-vpc-endpoint --region {r} --vpc-id {vpc} --vpc-endpoint-type Gateway --service-name {service} --route-table-ids {}",
                    table.id
                ))
            };
            for b in &v.plan.because {
                d = d.evidence(b.clone());
            }
            drafts.push(v.with_evidence(d));
        }
        // No draft: the check passed.
        Ok(drafts)
    }
}
