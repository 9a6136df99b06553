use super::bucket;
use super::context::{CheckResult, Context, Draft};
use crate::facts::Part;

check! {
    BucketPolicySourceVpceMismatch, "S3P607", "bucket-policy-source-vpce-mismatch", Policy, Error, Stable,
    "a bucket policy requires a VPC endpoint (aws:SourceVpce / aws:SourceVpc) that this host's traffic does not use"
}

impl BucketPolicySourceVpceMismatch {
    fn run(cx: &Context) -> CheckResult {
        if cx.facts.buckets.get().is_none() {
            return Err(cx.missing(Part::Buckets));
        }
        let mut drafts = Vec::new();
        let (read, unread) = bucket::bucket_policies(cx);
        for (b, p) in read {
            let name = &b.facts.name;
            let Some(d) = b.decision else { continue };
            let hits =
                bucket::explicit_denies_testing(cx, &b, &p, &["aws:SourceVpce", "aws:SourceVpc"]);
            let Some((first, cond)) = hits.first() else {
                continue;
            };
            let wanted: Vec<String> = p
                .statements
                .iter()
                .flat_map(|s| s.conditions.iter())
                .filter(|c| {
                    c.key.eq_ignore_ascii_case("aws:SourceVpce")
                        || c.key.eq_ignore_ascii_case("aws:SourceVpc")
                })
                .flat_map(|c| c.values.iter().cloned())
                .collect();
            let region = cx.region().unwrap_or("REGION");
            let here = match &b.endpoint {
                Some(ep) => format!("through {}", ep.id),
                None => format!("over {}, not through any VPC endpoint", d.label()),
            };
            let mut draft = Draft::new(format!(
                "the bucket policy of {name} denies {} unless the request comes through {} (statement {}: {cond}); this host's requests go {here}",
                hits.iter().map(|(e, _)| e.action.clone()).collect::<Vec<_>>().join(", "),
                wanted.join(" or "),
                first.statement.as_deref().unwrap_or("?")
            ));
            let ours = cx
                .s3_endpoints(crate::facts::EndpointType::Gateway)
                .unwrap_or_default()
                .into_iter()
                .find(|e| wanted.contains(&e.id));
            if let (Some(ep), Some(table)) = (ours, d.route_table.as_deref()) {
                draft = draft.fix(format!(
                    "send this subnet's S3 traffic through {}: aws ec2 modify-vpc-endpoint --region {region} --vpc-endpoint-id {} --add-route-table-ids {table}",
                    ep.id, ep.id
                ));
            }
            draft = draft.fix(match &b.endpoint {
                Some(ep) => format!(
                    "or allow this path's endpoint in the policy: add \"{}\" to the aws:SourceVpce values (aws s3api get-bucket-policy --bucket {name} --query Policy --output text > policy.json; edit; aws s3api put-bucket-policy --bucket {name} --policy file://policy.json)",
                    ep.id
                ),
                None => "or route this host's S3 traffic through one of the named endpoints (a gateway endpoint on the subnet's route table, or an interface endpoint with private DNS)".to_string(),
            });
            for (e, _) in &hits {
                draft = draft.evidence(format!("bucket policy: {}", e.summary()));
            }
            drafts.push(draft.evidence_of(d));
        }
        bucket::policy_outcome(drafts, &unread)
    }
}
