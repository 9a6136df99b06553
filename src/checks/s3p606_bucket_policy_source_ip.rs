use super::bucket;
use super::context::{CheckResult, Context, Draft};
use crate::engine::PathKind;
use crate::facts::Part;
use crate::policy::Effect;

check! {
    BucketPolicySourceIp, "S3P606", "bucket-policy-source-ip", Policy, Error, Stable,
    "a bucket policy keys on aws:SourceIp, which never matches through a VPC endpoint (or not this path's address)"
}

impl BucketPolicySourceIp {
    fn run(cx: &Context) -> CheckResult {
        if cx.facts.buckets.get().is_none() {
            return Err(cx.missing(Part::Buckets));
        }
        let mut drafts = Vec::new();
        let (read, unread) = bucket::bucket_policies(cx);
        for (b, p) in read {
            let name = &b.facts.name;
            let Some(d) = b.decision else { continue };
            let via_endpoint = matches!(
                d.path,
                PathKind::GatewayEndpoint | PathKind::InterfaceEndpoint
            );
            let denies = bucket::explicit_denies_testing(cx, &b, &p, &["aws:SourceIp"]);
            let useless_allows: Vec<_> = p
                .statements
                .iter()
                .filter(|s| {
                    via_endpoint && s.effect == Effect::Allow && s.tests_key("aws:SourceIp")
                })
                .collect();
            if denies.is_empty() && useless_allows.is_empty() {
                continue;
            }
            let source = if via_endpoint {
                format!(
                    "through {} requests carry no aws:SourceIp (S3 sees aws:VpcSourceIp and aws:SourceVpce instead)",
                    d.label()
                )
            } else {
                match bucket::public_source(cx, d) {
                    Some(ip) => format!("over {} S3 sees aws:SourceIp {ip}", d.label()),
                    None => format!("over {}", d.label()),
                }
            };
            let mut draft = if let Some((e, cond)) = denies.first() {
                Draft::new(format!(
                    "the bucket policy of {name} denies {} from this host: statement {} tests aws:SourceIp ({cond}), and {source}",
                    denies.iter().map(|(e, _)| e.action.clone()).collect::<Vec<_>>().join(", "),
                    e.statement.as_deref().unwrap_or("?")
                ))
            } else {
                Draft::new(format!(
                    "the bucket policy of {name} grants access by aws:SourceIp (statement {}), which never matches {source}: those grants do nothing for this host",
                    useless_allows.iter().map(|s| s.label.clone()).collect::<Vec<_>>().join(", ")
                ))
            };
            draft = if via_endpoint {
                draft.fix(format!(
                    "key the policy on the endpoint instead: replace the aws:SourceIp condition with \"StringEquals\": {{\"aws:SourceVpce\": \"{}\"}} (or aws:SourceVpc) in aws s3api get-bucket-policy --bucket {name} --query Policy --output text > policy.json, then aws s3api put-bucket-policy --bucket {name} --policy file://policy.json",
                    d.via.as_deref().unwrap_or("vpce-…")
                ))
            } else {
                draft.fix(format!(
                    "add the address S3 sees for this path to the aws:SourceIp list (or key on aws:SourceVpce after moving the traffic to an endpoint), then aws s3api put-bucket-policy --bucket {name} --policy file://policy.json"
                ))
            };
            for (e, _) in &denies {
                draft = draft.evidence(format!("bucket policy: {}", e.summary()));
            }
            drafts.push(draft.evidence_of(d));
        }
        bucket::policy_outcome(drafts, &unread)
    }
}
