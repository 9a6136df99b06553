use super::bucket::{self, BucketView};
use super::context::{pass, CheckResult, Context, Draft};
use crate::engine::PathKind;
use crate::facts::EndpointType;
use crate::facts::Part;

check! {
    BucketInOtherRegion, "S3P601", "bucket-in-other-region", Routing, Warning, Stable,
    "a bucket lives in another region, so gateway endpoints do not apply and its traffic follows the default route"
}

impl BucketInOtherRegion {
    fn run(cx: &Context) -> CheckResult {
        let region = cx.need_region()?;
        if cx.facts.buckets.get().is_none() {
            return Err(cx.missing(Part::Buckets));
        }
        let mut drafts = Vec::new();
        for b in bucket::buckets(cx) {
            let Some(theirs) = b.region() else { continue };
            if theirs == region {
                continue;
            }
            drafts.push(draft(cx, region, theirs, &b));
        }
        if drafts.is_empty() {
            pass()
        } else {
            Ok(drafts)
        }
    }
}

fn draft(cx: &Context, region: &str, theirs: &str, b: &BucketView) -> Draft {
    let name = &b.facts.name;
    let gateway = cx
        .s3_endpoints(EndpointType::Gateway)
        .and_then(|e| e.first().map(|e| e.id.clone()));
    let path = b.path_label();
    let mut msg = format!("bucket {name} is in {theirs}, not {region}: ");
    match &gateway {
        Some(id) => msg.push_str(&format!(
            "the gateway endpoint {id} only serves {region}, so requests for it go {path}"
        )),
        None => msg.push_str(&format!("requests for it go {path}")),
    }
    if let Some(d) = b.decision {
        if matches!(d.path, PathKind::NatGateway | PathKind::InternetGateway) {
            msg.push_str(
                ", paying inter-region data transfer (and NAT data processing through a NAT gateway) for every GB",
            );
        }
        if d.path == PathKind::Blocked {
            msg.push_str(", and that path is blocked");
        }
    }
    let mut draft = Draft::new(msg)
        .fix(format!(
            "keep the data in {region}: aws s3api create-bucket --bucket {name}-{region} --region {region} --create-bucket-configuration LocationConstraint={region}, then replicate or copy: aws s3 sync s3://{name} s3://{name}-{region} --source-region {theirs} --region {region}"
        ))
        .fix(format!(
            "or reach {theirs} privately: an interface endpoint for S3 in a VPC in {theirs} (aws ec2 create-vpc-endpoint --region {theirs} --vpc-id VPC_IN_{} --vpc-endpoint-type Interface --service-name {}), reached over VPC peering or a transit gateway, with clients using its bucket.vpce-… name",
            theirs.to_ascii_uppercase().replace('-', "_"),
            crate::names::s3_service_name(theirs)
        ));
    if let Some(t) = b.target {
        draft = draft.evidence(format!(
            "{}: {} ({})",
            t.target.host,
            t.resolution,
            crate::engine::join_ips(&t.addresses.iter().map(|a| a.address).collect::<Vec<_>>())
        ));
    }
    for r in b.app_requests() {
        if r.bucket_region.is_some() || r.status == Some(301) {
            draft = draft.evidence(format!(
                "{} said x-amz-bucket-region: {}",
                bucket::request_line(r),
                r.bucket_region.as_deref().unwrap_or("?")
            ));
        }
    }
    if b.app_requests()
        .any(|r| matches!(r.status, Some(301) | Some(307)))
    {
        draft = draft.fix(format!(
            "configure the client for {theirs} (AWS_REGION={theirs} or the SDK's region setting) so it does not pay a redirect round trip first"
        ));
    }
    if let Some(d) = b.decision {
        draft = draft.evidence_of(d);
    }
    draft
}
