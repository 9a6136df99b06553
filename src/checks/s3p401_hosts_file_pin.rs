use super::{skipped_for, Category, Check, CheckMeta, Context, Draft, Outcome, Severity};
use crate::engine::join_ips;
use crate::facts::AnswerSource;

pub struct HostsFilePin;

static META: CheckMeta = CheckMeta {
    id: "S3P401",
    name: "hosts-file-pin",
    category: Category::Host,
    severity: Severity::Warning,
    summary: "an S3 name is pinned to an address in the hosts file",
    doc: include_str!("../../checks/S3P401.md"),
};

impl Check for HostsFilePin {
    fn meta(&self) -> &'static CheckMeta {
        &META
    }

    fn evaluate(&self, cx: &Context) -> Outcome {
        if cx.facts.dns.get().is_none() {
            return skipped_for("DNS answers", cx.facts.dns.missing_reason());
        }
        let drafts: Vec<Draft> = cx
            .analysis
            .targets
            .iter()
            .filter(|t| t.answer_source == Some(AnswerSource::HostsFile))
            .map(|t| {
                let ips: Vec<_> = t.addresses.iter().map(|a| a.address).collect();
                let mut d = Draft::new(format!(
                    "{} is pinned to {} in the hosts file, so DNS (and any VPC endpoint's private DNS) is never asked; the pinned address is reached through {}",
                    t.target.host,
                    join_ips(&ips),
                    t.decision.label()
                ))
                .fix(format!(
                    "if the pin is not an intended relay, delete the line for {} from /etc/hosts, then check with: getent hosts {}",
                    t.target.host, t.target.host
                ));
                d = d.evidence_of(&t.decision);
                d
            })
            .collect();
        if drafts.is_empty() {
            Outcome::Pass
        } else {
            Outcome::Fail(drafts)
        }
    }
}
