use super::bucket::{self, BucketView};
use super::context::{pass, CheckResult, Context, Draft};
use crate::facts::Part;
use crate::facts::RequestRoute;
use crate::policy::{self, PolicyKind, Verdict};

check! {
    S3RequestDenied, "S3P602", "s3-request-denied", Policy, Error, Stable,
    "a real read-only request to a bucket was denied, and S3 (or the policies) say why"
}

impl S3RequestDenied {
    fn run(cx: &Context) -> CheckResult {
        if cx.facts.buckets.get().is_none() {
            return Err(cx.missing(Part::Buckets));
        }
        let views = bucket::buckets(cx);
        let mut drafts = Vec::new();
        for b in &views {
            if let Some(d) = denied(cx, b) {
                drafts.push(d);
            }
        }
        if drafts.is_empty() {
            pass()
        } else {
            Ok(drafts)
        }
    }
}

fn denied(cx: &Context, b: &BucketView) -> Option<Draft> {
    let denied: Vec<_> = b
        .facts
        .requests
        .iter()
        .filter(|r| r.status == Some(403))
        .collect();
    let first = denied.first()?;
    let name = &b.facts.name;
    // HEAD answers carry no body: the reason comes from a GET (ListObjectsV2).
    let explained = denied
        .iter()
        .filter_map(|r| r.error.as_deref().map(|m| (r, policy::parse_denial(m))))
        .find(|(_, d)| d.policy.is_some())
        .or_else(|| {
            denied
                .iter()
                .find_map(|r| r.error.as_deref().map(|m| (r, policy::parse_denial(m))))
        });
    let ops: Vec<String> = denied
        .iter()
        .map(|r| {
            if r.route == RequestRoute::InterfaceEndpoint {
                format!("{} (through {})", r.operation, r.host)
            } else {
                r.operation.clone()
            }
        })
        .collect();
    let mut msg = format!(
        "{} on bucket {name} {} denied (403) {}",
        ops.join(", "),
        if ops.len() > 1 { "were" } else { "was" },
        b.requests_where()
    );
    let mut draft;
    match explained {
        Some((r, d)) if d.policy.is_some() => {
            let kind = d.policy.unwrap();
            msg.push_str(&format!(
                ": S3 says {} {} ({})",
                if d.explicit {
                    "an explicit deny in the"
                } else {
                    "no statement allows it in the"
                },
                kind.as_str(),
                r.error.as_deref().unwrap_or("")
            ));
            draft = Draft::new(msg);
            draft = explain(cx, b, kind, d.action.as_deref(), draft);
        }
        _ => {
            msg.push_str(if first.signed {
                ": S3 gave no reason (it names the policy only to callers in the bucket owner's account or organization)"
            } else {
                ": the request went unsigned because no credentials were found, and the bucket does not allow anonymous reads"
            });
            draft = Draft::new(msg);
            if !first.signed {
                draft = draft.fix("give the application credentials (an instance profile, a task role, or AWS_PROFILE) and run again");
            }
            draft = explain_static(cx, b, draft);
        }
    }
    for r in &denied {
        draft = draft.evidence(bucket::request_line(r));
        if let Some(id) = &r.request_id {
            draft = draft.evidence(format!("x-amz-request-id {id} (for a support case)"));
        }
    }
    if let Some(d) = b.decision {
        draft = draft.evidence_of(d);
    }
    Some(draft)
}

/// Adds what the policy of the named kind says (statement, fix).
fn explain(
    cx: &Context,
    b: &BucketView,
    kind: PolicyKind,
    action: Option<&str>,
    mut draft: Draft,
) -> Draft {
    let region = cx.region().unwrap_or("REGION");
    let name = &b.facts.name;
    let action = action.unwrap_or("s3:ListBucket");
    match kind {
        // A request made from this machine passed an endpoint of this machine's own network,
        // not the subnet's: the subnet's endpoint policy is not what S3 named.
        PolicyKind::VpcEndpoint if b.from_this_machine() => {
            draft = draft.fix(format!(
                "the denying endpoint is on this machine's own path to S3, not the subnet's: judge the subnet's endpoint policy without --probe-from-here, or run s3path doctor --bucket {name} on an instance in the subnet"
            ));
        }
        PolicyKind::VpcEndpoint => match b.endpoint {
            Some(ep) => {
                draft = draft.evidence(format!("the S3 traffic of this host passes {}", ep.id));
                if let Ok(Some(p)) = bucket::endpoint_policy(ep) {
                    let e = policy::evaluate(&p, &bucket::request_context(cx, b, action));
                    draft =
                        draft.evidence(format!("endpoint policy of {}: {}", ep.id, e.summary()));
                }
                draft = draft.fix(format!(
                    "allow {action} on arn:aws:s3:::{name} (and /* for object actions) in the policy of {}: aws ec2 describe-vpc-endpoints --region {region} --vpc-endpoint-ids {} --query 'VpcEndpoints[0].PolicyDocument' --output text > policy.json, edit it, then aws ec2 modify-vpc-endpoint --region {region} --vpc-endpoint-id {} --policy-document file://policy.json",
                    ep.id, ep.id, ep.id
                ));
            }
            None => {
                draft = draft.fix("find the endpoint the request passed (its id is in the VPC's route table or DNS) and allow the action in its policy");
            }
        },
        PolicyKind::ResourceBased => {
            if let Some(text) = b.facts.bucket_policy.get() {
                if let Ok(p) = policy::parse(text) {
                    let e = policy::evaluate(&p, &bucket::request_context(cx, b, action));
                    draft = draft.evidence(format!("bucket policy of {name}: {}", e.summary()));
                }
            }
            draft = draft.fix(format!(
                "review the bucket policy: aws s3api get-bucket-policy --bucket {name} --query Policy --output text (S3P606 and S3P607 name the usual traps: aws:SourceIp and aws:SourceVpce conditions)"
            ));
        }
        PolicyKind::IdentityBased | PolicyKind::PermissionsBoundary | PolicyKind::SessionPolicy => {
            draft = draft.fix(format!(
                "grant {action} on arn:aws:s3:::{name} to the caller's role (aws iam put-role-policy --role-name ROLE --policy-name s3-{name} --policy-document file://policy.json), or lift the {} that limits it",
                kind.as_str()
            ));
        }
        PolicyKind::ServiceControl | PolicyKind::ResourceControl => {
            draft = draft.fix(format!(
                "the {} is set in AWS Organizations by the organization's administrators: ask them which statement denies {action}",
                kind.as_str()
            ));
        }
    }
    draft
}

/// No reason from S3: say what the policies s3path can read say.
fn explain_static(cx: &Context, b: &BucketView, mut draft: Draft) -> Draft {
    for action in ["s3:ListBucket", "s3:GetObject"] {
        let rc = bucket::request_context(cx, b, action);
        if let Some(ep) = b.endpoint {
            if let Ok(Some(p)) = bucket::endpoint_policy(ep) {
                let e = policy::evaluate(&p, &rc);
                if e.verdict != Verdict::Allowed {
                    draft =
                        draft.evidence(format!("endpoint policy of {}: {}", ep.id, e.summary()));
                }
            }
        }
        if let Some(Ok(p)) = b.facts.bucket_policy.get().map(|t| policy::parse(t)) {
            let e = policy::evaluate(&p, &rc);
            if e.verdict == Verdict::ExplicitDeny || e.verdict == Verdict::CannotDecide {
                draft = draft.evidence(format!("bucket policy: {}", e.summary()));
            }
        }
    }
    draft
}
