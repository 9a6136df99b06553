use super::{skipped_for, Category, Check, CheckMeta, Context, Draft, Outcome, Severity};
use crate::facts::VantageKind;

pub struct NotOnAws;

static META: CheckMeta = CheckMeta {
    id: "S3P001",
    name: "not-on-aws",
    category: Category::Identity,
    severity: Severity::Info,
    summary: "this host is not an EC2 instance or ECS task, so no VPC path applies to it",
    doc: include_str!("../../checks/S3P001.md"),
};

impl Check for NotOnAws {
    fn meta(&self) -> &'static CheckMeta {
        &META
    }

    fn evaluate(&self, cx: &Context) -> Outcome {
        let Some(v) = cx.facts.vantage.get() else {
            return skipped_for("the vantage", cx.facts.vantage.missing_reason());
        };
        if v.kind != VantageKind::OffAws {
            return Outcome::Pass;
        }
        let why = cx
            .facts
            .metadata_service
            .get()
            .and_then(|m| m.detail.clone())
            .unwrap_or_else(|| "no instance metadata service answered".to_string());
        let region = cx.region().unwrap_or("REGION");
        Outcome::Fail(vec![Draft::new(format!(
            "this host is not on AWS ({why}); the verdict describes its own network (on-premises, VPN, Direct Connect or a laptop), and gateway endpoints never serve it"
        ))
        .fix("to judge a VPC subnet, run s3path doctor on an instance in that subnet")
        .fix(format!(
            "from on-premises over Direct Connect or VPN, S3 is private only through an interface endpoint: resolve bucket.vpce-….s3.{region}.vpce.amazonaws.com, or forward {region} S3 names to a Route 53 inbound resolver endpoint"
        ))
        .evidence(why)])
    }
}
