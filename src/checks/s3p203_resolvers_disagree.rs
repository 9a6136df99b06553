use super::context::{pass, skip, CheckResult, Context, Draft};
use crate::engine::join_ips;
use crate::facts::{AnswerSource, LookupStatus, Resolution};
use crate::names::HostKind;

check! {
    ResolversDisagree, "S3P203", "resolvers-disagree", Dns, Warning, Stable,
    "this host's resolver and the VPC resolver give different kinds of answers for S3 names"
}

impl ResolversDisagree {
    fn run(cx: &Context) -> CheckResult {
        let (Some(system), Some(vpc)) = (cx.facts.dns.get(), cx.facts.vpc_resolver_dns.get())
        else {
            let missing = if cx.facts.dns.get().is_none() {
                format!(
                    "system DNS answers {}",
                    cx.facts.dns.missing_reason().unwrap_or_default()
                )
            } else {
                format!(
                    "VPC resolver answers {}",
                    cx.facts
                        .vpc_resolver_dns
                        .missing_reason()
                        .unwrap_or_default()
                )
            };
            return skip(missing);
        };
        let vantage = cx.facts.vantage.get();
        // S3 answers rotate, so compare the kind of answer, not the addresses: inside the VPC
        // (an endpoint ENI or a relay) or outside it, and whether the name resolved at all.
        let kind = |r: &Resolution| -> String {
            if r.status != LookupStatus::Answered {
                return r.status.as_str().to_string();
            }
            let inside = r
                .addresses
                .iter()
                .filter(|a| vantage.is_some_and(|v| v.vpc_cidr_containing(**a).is_some()))
                .count();
            match (inside, r.addresses.len() - inside) {
                (0, _) => "public".to_string(),
                (_, 0) => "inside the VPC".to_string(),
                _ => "mixed".to_string(),
            }
        };
        let mut drafts = Vec::new();
        // The fix's example name: the first that disagrees (the same in every finding, so
        // findings of one cause fold into one).
        let mut example: Option<&str> = None;
        for t in &cx.analysis.targets {
            if t.target.planned_family() == Some(HostKind::EndpointSpecific) {
                continue;
            }
            let (Some(s), Some(v)) = (
                system
                    .iter()
                    .find(|r| r.host.eq_ignore_ascii_case(&t.target.host)),
                vpc.iter()
                    .find(|r| r.host.eq_ignore_ascii_case(&t.target.host)),
            ) else {
                continue;
            };
            if s.source == AnswerSource::HostsFile {
                continue; // S3P401 reports pins
            }
            let (ks, kv) = (kind(s), kind(v));
            if ks == kv {
                continue;
            }
            let name = *example.get_or_insert(t.target.host.as_str());
            let show = |r: &Resolution, k: &str| {
                if r.addresses.is_empty() {
                    k.to_string()
                } else {
                    format!("{} ({k})", join_ips(&r.addresses))
                }
            };
            let mut d = Draft::new(format!(
                "{}: this host's resolver ({}) answers {}, the VPC resolver ({}) answers {}",
                t.target.host,
                s.resolver.as_deref().unwrap_or("?"),
                show(s, &ks),
                v.resolver.as_deref().unwrap_or("?"),
                show(v, &kv)
            ));
            if kv == "inside the VPC" && ks == "public" {
                d.message.push_str("; the interface endpoint's private DNS does not reach this host, so its traffic takes the route table's path");
                d = d.fix("point the host at the VPC resolver (169.254.169.253 or the VPC base address +2), or forward amazonaws.com from the custom DNS server to it");
            } else {
                d = d.fix(format!("find which zone or forwarding rule answers differently: compare dig +short {name} @{} with dig +short {name}", v.resolver.as_deref().unwrap_or("169.254.169.253")));
            }
            d = d.fix("check /etc/resolv.conf (and systemd-resolved or the container runtime's DNS settings)");
            drafts.push(d);
        }
        if drafts.is_empty() {
            pass()
        } else {
            Ok(drafts)
        }
    }
}
