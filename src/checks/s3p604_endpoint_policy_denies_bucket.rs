use super::bucket;
use super::context::{pass, skip, CheckResult, Context, Draft, PreviewMode};
use crate::facts::Part;
use crate::policy::Verdict;

check! {
    EndpointPolicyDeniesBucket, "S3P604", "endpoint-policy-denies-bucket", Policy, Error, Stable,
    "the policy of the VPC endpoint on a bucket's path does not allow the common actions on it"
}

impl EndpointPolicyDeniesBucket {
    fn run(cx: &Context) -> CheckResult {
        if cx.facts.buckets.get().is_none() {
            return Err(cx.missing(Part::Buckets));
        }
        let mut drafts = Vec::new();
        let mut undecided = Vec::new();
        for b in bucket::buckets(cx) {
            let Some(ep) = b.endpoint else { continue };
            let p = match bucket::endpoint_policy(ep) {
                // A policy for access points only: S3P703 (preview) reports the bucket used by
                // name, better worded; when its findings do not gate, this check keeps the gate.
                Ok(Some(p))
                    if cx.preview == PreviewMode::Gate
                        && super::names::allows_access_points_only(&p) =>
                {
                    continue
                }
                Ok(Some(p)) => p,
                Ok(None) => continue, // the default policy allows everything
                Err(e) => {
                    undecided.push(format!("the policy of {} does not parse: {e}", ep.id));
                    continue;
                }
            };
            let mut denied = Vec::new();
            for e in bucket::evaluate_common(cx, &b, &p) {
                match e.verdict {
                    Verdict::ExplicitDeny | Verdict::ImplicitDeny => denied.push(e),
                    Verdict::CannotDecide => undecided.push(format!("{}: {}", ep.id, e.summary())),
                    Verdict::Allowed => {}
                }
            }
            if denied.is_empty() {
                continue;
            }
            let name = &b.facts.name;
            let region = cx.region().unwrap_or("REGION");
            let actions: Vec<&str> = denied.iter().map(|e| e.action.as_str()).collect();
            let mut d = Draft::new(format!(
                "the policy of {} (on the path of bucket {name}) does not allow {} on it: requests fail with \"{}\"",
                ep.id,
                actions.join(", "),
                if denied.iter().any(|e| e.verdict == Verdict::ExplicitDeny) {
                    "… with an explicit deny in a VPC endpoint policy"
                } else {
                    "… because no VPC endpoint policy allows the … action"
                }
            ))
            .fix(format!(
                "add a statement such as {{\"Effect\":\"Allow\",\"Principal\":\"*\",\"Action\":[{}],\"Resource\":[\"arn:aws:s3:::{name}\",\"arn:aws:s3:::{name}/*\"]}} to the policy (and remove a Deny that matches), then: aws ec2 modify-vpc-endpoint --region {region} --vpc-endpoint-id {} --policy-document file://policy.json",
                actions.iter().map(|a| format!("\"{a}\"")).collect::<Vec<_>>().join(","),
                ep.id
            ));
            for e in &denied {
                d = d.evidence(format!("{}: {}", ep.id, e.summary()));
            }
            if let Some(dec) = b.decision {
                d = d.evidence_of(dec);
            }
            drafts.push(d);
        }
        if !drafts.is_empty() {
            Ok(drafts)
        } else if !undecided.is_empty() {
            skip(format!(
                "cannot decide the endpoint policy: {}",
                undecided.join("; ")
            ))
        } else {
            pass()
        }
    }
}
