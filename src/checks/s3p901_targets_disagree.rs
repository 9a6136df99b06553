use super::context::{pass, skip, CheckResult, Context, Draft};
use crate::engine::PathKind;
use crate::names::targets::TargetRole;

check! {
    TargetsDisagree, "S3P901", "targets-disagree", Verdict, Warning, Stable,
    "regional S3 names (or the addresses of one name) take different paths"
}

impl TargetsDisagree {
    fn run(cx: &Context) -> CheckResult {
        // A bucket in another region has its own path (S3P601): compare the names of the
        // judged region only.
        let Some(primary) = cx
            .analysis
            .targets
            .iter()
            .filter(|t| t.target.role != TargetRole::EndpointOverride)
            .find(|t| !cx.cross_region(t))
        else {
            return skip("no region to judge against".to_string());
        };
        if primary.decision.path == PathKind::Unknown {
            return skip(format!(
                "the primary target's path is not known: {}",
                primary
                    .decision
                    .reason
                    .as_deref()
                    .unwrap_or("no reason recorded")
            ));
        }
        let reference = primary.decision.label();
        let mut drafts = Vec::new();
        let mut differing = Vec::new();
        for t in &cx.analysis.targets {
            if !t.target.is_compared_regional_name()
                || t.decision.path == PathKind::Unknown
                || cx.cross_region(t)
            {
                continue;
            }
            if !t.consistent {
                let mut d = Draft::new(format!(
                    "the addresses of {} take different paths, so requests succeed or fail (or cost) depending on which answer the client gets",
                    t.target.host
                ));
                for a in &t.addresses {
                    d = d.evidence(format!("{} -> {}", a.address, a.decision.label()));
                }
                drafts.push(d);
            }
            // A name of another service (a directory bucket's s3express name, a Multi-Region
            // Access Point or an accelerate name against the S3 names) has its own endpoints
            // and its own checks (S3P701, S3P702, S3P704): no disagreement with them.
            let other_service = t.target.list_service() != primary.target.list_service();
            let differs = !other_service && t.decision.label() != reference;
            if t.target.host != primary.target.host && differs {
                differing.push(format!("{} -> {}", t.target.host, t.decision.label()));
            }
        }
        if !differing.is_empty() {
            let mut d = Draft::new(format!(
                "{} takes {reference}, but {}: clients that use those names take another path",
                primary.target.host,
                differing.join("; ")
            ))
            .fix("make every client use the primary name, or route the others the same way (for dualstack: an IPv6 route to the gateway endpoint's prefix list, or an interface endpoint with IPv6)");
            for x in &differing {
                d = d.evidence(x.clone());
            }
            drafts.push(d);
        }
        if drafts.is_empty() {
            pass()
        } else {
            Ok(drafts)
        }
    }
}
