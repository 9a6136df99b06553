use super::bucket;
use super::context::{CheckResult, Context, Draft};
use super::names::{views, NameView};
use crate::engine::PathKind;
use crate::engine::TargetPath;
use crate::facts::parts;
use crate::facts::VpcEndpoint;
use crate::names::NameKind;
use crate::policy::{self, RequestContext, Verdict};

check! {
    AccessPointNotInPolicy, "S3P703", "access-point-not-in-policy", Policy, Error, Preview,
    "the policy of the VPC endpoint on the path allows the bucket but not the access point's ARN, or the reverse"
}

/// The actions checked through an access point.
const ACTIONS: [&str; 2] = ["s3:GetObject", "s3:ListBucket"];

/// The judged target of a name whose path is a VPC endpoint with a policy of its own (none:
/// it allows everything; unparsable: S3P604 says so), with the endpoint and the policy.
fn endpoint_policy_on_path<'a>(
    cx: &Context<'a>,
    v: &NameView<'a>,
) -> Option<(&'a TargetPath, &'a VpcEndpoint, policy::Policy)> {
    let t = v.target?;
    if !matches!(
        t.decision.path,
        PathKind::GatewayEndpoint | PathKind::InterfaceEndpoint
    ) {
        return None;
    }
    let ep = cx.endpoint(t.decision.via.as_deref())?;
    let p = bucket::endpoint_policy(ep).ok()??;
    Some((t, ep, p))
}

/// The [`ACTIONS`] that `p` does not allow (explicit or implicit deny), each asked with the
/// request context `context` makes for it.
fn denied(p: &policy::Policy, context: impl Fn(&str) -> RequestContext) -> Vec<policy::Evaluation> {
    ACTIONS
        .iter()
        .map(|a| policy::evaluate(p, &context(a)))
        .filter(|e| matches!(e.verdict, Verdict::ExplicitDeny | Verdict::ImplicitDeny))
        .collect()
}

/// What the policy does allow, for the message: its Allow statements' first six resources.
fn shown_allowed(p: &policy::Policy) -> Vec<String> {
    super::names::allowed_resources(p)
        .take(6)
        .cloned()
        .collect()
}

impl AccessPointNotInPolicy {
    fn run(cx: &Context) -> CheckResult {
        cx.need_region()?;
        cx.need(parts::VpcEndpoints)?;
        let mut drafts = Vec::new();
        for v in views(cx) {
            if v.plan.name.kind != NameKind::AccessPoint {
                continue;
            }
            let Some((t, ep, p)) = endpoint_policy_on_path(cx, &v) else {
                continue;
            };
            let partition = if ep
                .service_name
                .as_deref()
                .is_some_and(|s| s.starts_with("cn."))
            {
                "aws-cn"
            } else {
                "aws"
            };
            let Some(arn) = v.plan.name.resource_arn(partition) else {
                continue;
            };
            let denied = denied(&p, |a| {
                let mut rc = RequestContext::new(a, &v.plan.name.name);
                rc.partition = partition.to_string();
                rc.resource_arn = Some(arn.clone());
                rc.source_vpce = policy::KeyValue::Known(ep.id.clone());
                if let Some(vpc) = cx.vpc_id() {
                    rc.source_vpc = policy::KeyValue::Known(vpc.to_string());
                }
                rc
            });
            if denied.is_empty() {
                continue;
            }
            let allowed = shown_allowed(&p);
            let region = v.name.region.as_deref().unwrap_or("REGION");
            let mut d = Draft::new(format!(
                "the policy of {} on the path of {} ({}) does not allow {} on {arn}{}: requests through the access point are denied (403)",
                ep.id,
                v.name.host,
                v.label(),
                denied.iter().map(|e| e.action.as_str()).collect::<Vec<_>>().join(", "),
                if allowed.is_empty() {
                    String::new()
                } else {
                    format!(" (it allows {})", allowed.join(", "))
                }
            ))
            .fix(format!(
                "add the access point to the policy's Allow statement: \"Resource\": [\"{arn}\", \"{arn}/object/*\"] (keep the bucket's ARNs for the requests that name the bucket), then: aws ec2 modify-vpc-endpoint --region {region} --vpc-endpoint-id {} --policy-document file://policy.json",
                ep.id
            ));
            for e in &denied {
                d = d.evidence(format!("{}: {}", ep.id, e.summary()));
            }
            drafts.push(d.evidence_of(&t.decision));
        }
        // The reverse: a bucket used by name on the path of an endpoint whose policy allows
        // access points only.
        for v in views(cx) {
            if v.plan.name.kind != NameKind::Bucket || v.plan.names.first() != Some(v.name) {
                continue;
            }
            let Some((t, ep, p)) = endpoint_policy_on_path(cx, &v) else {
                continue;
            };
            if !super::names::allows_access_points_only(&p) {
                continue;
            }
            let bucket = &v.plan.name.name;
            let denied = denied(&p, |a| {
                let mut rc = RequestContext::new(a, bucket);
                rc.source_vpce = policy::KeyValue::Known(ep.id.clone());
                rc
            });
            if denied.is_empty() {
                continue;
            }
            let allowed = shown_allowed(&p);
            let region = cx.region().unwrap_or("REGION");
            let mut d = Draft::new(format!(
                "the policy of {} on the path of {} ({}) allows access points only ({}): requests by the bucket's name are denied (403); use the access point, or allow arn:aws:s3:::{bucket}",
                ep.id,
                v.name.host,
                v.label(),
                allowed.join(", ")
            ))
            .fix(format!(
                "send the application's requests through the access point (its ARN as the bucket name), or add \"arn:aws:s3:::{bucket}\" and \"arn:aws:s3:::{bucket}/*\" to the Allow statement, then: aws ec2 modify-vpc-endpoint --region {region} --vpc-endpoint-id {} --policy-document file://policy.json",
                ep.id
            ));
            for e in &denied {
                d = d.evidence(format!("{}: {}", ep.id, e.summary()));
            }
            drafts.push(d.evidence_of(&t.decision));
        }
        // No draft: the check passed.
        Ok(drafts)
    }
}
