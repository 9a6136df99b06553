use super::bucket;
use super::context::{pass, skip, CheckResult, Context, Draft};
use crate::engine::PathKind;
use crate::facts::VantageKind;
use crate::policy::{self, KeyValue, RequestContext, Verdict};

check! {
    EndpointPolicyBlocksAwsBuckets, "S3P605", "endpoint-policy-blocks-aws-buckets", Policy, Warning, Stable,
    "the S3 endpoint policy on this host's path blocks AWS-owned buckets that ECR, Amazon Linux repositories or SSM need"
}

impl EndpointPolicyBlocksAwsBuckets {
    fn run(cx: &Context) -> CheckResult {
        let (region, primary) = (cx.need_region()?, cx.need_standard_primary()?);
        let d = primary.decision.terminal();
        if !matches!(
            d.path,
            PathKind::GatewayEndpoint | PathKind::InterfaceEndpoint
        ) {
            return match d.path {
                PathKind::Unknown => skip("the path is not known".to_string()),
                _ => pass(),
            };
        }
        let Some(ep) = cx.endpoint(d.via.as_deref()) else {
            return skip(format!(
                "the endpoint {} is not among the collected VPC endpoints",
                d.via.as_deref().unwrap_or("?")
            ));
        };
        let p = match bucket::endpoint_policy(ep) {
            Ok(Some(p)) => p,
            Ok(None) => return pass(),
            Err(e) => return skip(format!("the policy of {} does not parse: {e}", ep.id)),
        };
        let vantage = cx.facts.vantage.get();
        let mut blocked = Vec::new();
        let mut undecided = Vec::new();
        for (what, name) in policy::aws_owned_buckets(region) {
            let mut rc = RequestContext::new("s3:GetObject", &name);
            rc.principal_account = vantage.and_then(|v| v.account_id.clone());
            rc.source_vpce = KeyValue::Known(ep.id.clone());
            rc.source_vpc = cx
                .vpc_id()
                .map(|v| KeyValue::Known(v.to_string()))
                .unwrap_or(KeyValue::Unknown);
            rc.source_ip = KeyValue::Absent;
            // The bucket belongs to an AWS service account, never to one named in the policy.
            rc.resource_account = KeyValue::Foreign;
            let e = policy::evaluate(&p, &rc);
            match e.verdict {
                Verdict::ExplicitDeny | Verdict::ImplicitDeny => blocked.push((what, name, e)),
                Verdict::CannotDecide => undecided.push(format!("{name}: {}", e.summary())),
                Verdict::Allowed => {}
            }
        }
        if blocked.is_empty() {
            return if undecided.is_empty() {
                pass()
            } else {
                skip(format!(
                    "cannot decide the policy of {} for AWS-owned buckets: {}",
                    ep.id,
                    undecided.join("; ")
                ))
            };
        }
        let who = match vantage.map(|v| &v.kind) {
            Some(VantageKind::EcsTask) => "this task's image pulls need ECR image layers",
            Some(VantageKind::Ec2Instance) => {
                "instances need package repositories and SSM Agent buckets"
            }
            _ => "hosts in this VPC need these buckets",
        };
        let names: Vec<String> = blocked
            .iter()
            .map(|(w, n, _)| format!("{n} ({w})"))
            .collect();
        let resources: Vec<String> = blocked
            .iter()
            .map(|(_, n, _)| format!("\"arn:aws:s3:::{n}/*\""))
            .collect();
        let mut draft = Draft::new(format!(
            "the policy of {} blocks s3:GetObject on AWS-owned buckets: {}; {who}, and they fail with AccessDenied through this endpoint",
            ep.id,
            names.join(", ")
        ))
        .fix(format!(
            "add to the endpoint policy: {{\"Sid\":\"AwsOwnedBuckets\",\"Effect\":\"Allow\",\"Principal\":\"*\",\"Action\":\"s3:GetObject\",\"Resource\":[{}]}} (and exempt them from any Deny on aws:ResourceAccount), then: aws ec2 modify-vpc-endpoint --region {region} --vpc-endpoint-id {} --policy-document file://policy.json",
            resources.join(","),
            ep.id
        ));
        for (_, _, e) in &blocked {
            draft = draft.evidence(format!("{}: {}", ep.id, e.summary()));
        }
        Ok(vec![draft.evidence_of(d)])
    }
}
