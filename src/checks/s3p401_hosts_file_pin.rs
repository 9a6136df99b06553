use super::context::{pass, CheckResult, Context, Draft};
use crate::engine::join_ips;
use crate::facts::AnswerSource;
use crate::facts::Part;

check! {
    HostsFilePin, "S3P401", "hosts-file-pin", Host, Warning, Stable,
    "an S3 name is pinned to an address in the hosts file"
}

impl HostsFilePin {
    fn run(cx: &Context) -> CheckResult {
        if cx.facts.dns.get().is_none() {
            return Err(cx.missing(Part::Dns));
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
            pass()
        } else {
            Ok(drafts)
        }
    }
}
