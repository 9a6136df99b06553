use super::bucket;
use super::{Category, Check, CheckMeta, Context, Draft, Outcome, Severity};
use crate::engine::PathKind;
use crate::facts::VantageKind;
use crate::policy::{self, KeyValue, RequestContext, Verdict};

pub struct EndpointPolicyBlocksAwsBuckets;

static META: CheckMeta = CheckMeta {
    id: "S3P605",
    name: "endpoint-policy-blocks-aws-buckets",
    category: Category::Policy,
    severity: Severity::Warning,
    summary: "the S3 endpoint policy on this host's path blocks AWS-owned buckets that ECR, Amazon Linux repositories or SSM need",
    doc: include_str!("../../checks/S3P605.md"),
};

impl Check for EndpointPolicyBlocksAwsBuckets {
    fn meta(&self) -> &'static CheckMeta {
        &META
    }

    fn evaluate(&self, cx: &Context) -> Outcome {
        let (Some(region), Some(primary)) = (cx.region(), cx.standard_primary()) else {
            return Outcome::Skipped("no region to judge against".to_string());
        };
        let d = primary.decision.terminal();
        if !matches!(
            d.path,
            PathKind::GatewayEndpoint | PathKind::InterfaceEndpoint
        ) {
            return match d.path {
                PathKind::Unknown => Outcome::Skipped("the path is not known".to_string()),
                _ => Outcome::Pass,
            };
        }
        let Some(ep) = cx.endpoint(d.via.as_deref()) else {
            return Outcome::Skipped(format!(
                "the endpoint {} is not among the collected VPC endpoints",
                d.via.as_deref().unwrap_or("?")
            ));
        };
        let p = match bucket::endpoint_policy(ep) {
            Ok(Some(p)) => p,
            Ok(None) => return Outcome::Pass,
            Err(e) => {
                return Outcome::Skipped(format!("the policy of {} does not parse: {e}", ep.id))
            }
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
                Outcome::Pass
            } else {
                Outcome::Skipped(format!(
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
        Outcome::Fail(vec![draft.evidence_of(d)])
    }
}
