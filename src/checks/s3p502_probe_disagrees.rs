use super::context::{pass, CheckResult, Context, Draft};
use crate::engine::EvidenceKind;
use crate::facts::Part;

check! {
    ProbeDisagrees, "S3P502", "probe-disagrees", Probe, Warning, Stable,
    "a live probe contradicts the path the route table gives"
}

impl ProbeDisagrees {
    fn run(cx: &Context) -> CheckResult {
        if cx.facts.probes.get().is_none() {
            return Err(cx.missing(Part::Probes));
        }
        let primary = cx.need_primary()?;
        let drafts: Vec<Draft> = primary
            .addresses
            .iter()
            .filter(|a| a.decision.probe_agrees == Some(false))
            .map(|a| {
                let probes: Vec<String> = a
                    .decision
                    .evidence
                    .iter()
                    .filter(|e| e.kind == EvidenceKind::Probe)
                    .map(|e| e.detail.clone())
                    .collect();
                let mut d = Draft::new(format!(
                    "the control plane says {} takes {}, but the live probe says otherwise ({}): the facts may be stale, another table may apply, or traffic is intercepted",
                    a.address,
                    a.decision.label(),
                    probes.join("; ")
                ))
                .fix("gather again (s3path doctor) and compare; check for a recent route change or an appliance (GWLB, firewall) in the path")
                .fix(format!("trace it yourself: tracepath -n {}", a.address));
                d = d.evidence_of(&a.decision);
                d
            })
            .collect();
        if drafts.is_empty() {
            pass()
        } else {
            Ok(drafts)
        }
    }
}
