use super::bucket;
use super::{skipped_for, Category, Check, CheckMeta, Context, Draft, Outcome, Severity};
use crate::policy::Verdict;

pub struct EndpointPolicyDeniesBucket;

static META: CheckMeta = CheckMeta {
    id: "S3P604",
    name: "endpoint-policy-denies-bucket",
    category: Category::Policy,
    severity: Severity::Error,
    summary:
        "the policy of the VPC endpoint on a bucket's path does not allow the common actions on it",
    doc: include_str!("../../checks/S3P604.md"),
};

impl Check for EndpointPolicyDeniesBucket {
    fn meta(&self) -> &'static CheckMeta {
        &META
    }

    fn evaluate(&self, cx: &Context) -> Outcome {
        if cx.facts.buckets.get().is_none() {
            return skipped_for("bucket facts", cx.facts.buckets.missing_reason());
        }
        let mut drafts = Vec::new();
        let mut undecided = Vec::new();
        for b in bucket::buckets(cx) {
            let Some(ep) = b.endpoint else { continue };
            let p = match bucket::endpoint_policy(ep) {
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
            Outcome::Fail(drafts)
        } else if !undecided.is_empty() {
            Outcome::Skipped(format!(
                "cannot decide the endpoint policy: {}",
                undecided.join("; ")
            ))
        } else {
            Outcome::Pass
        }
    }
}
