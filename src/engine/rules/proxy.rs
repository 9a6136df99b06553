//! A proxy takes the request before the client's own DNS matters: when an HTTPS proxy
//! variable applies to the host (`NO_PROXY` does not exempt it), the path is `proxy`, and the
//! path to the proxy itself is judged like any address (`next`). A proxy variable that cannot
//! be parsed makes the path `unknown` (clients disagree on whether they ignore it or fail).

use std::net::IpAddr;

use crate::engine::context::Cx;
use crate::engine::kinds::{ev, Confidence, Decision, EvidenceKind, PathKind};
use crate::engine::text::join_ips;
use crate::facts::{AnswerSource, LookupStatus};
use crate::proxy::{self, ProxyDecision};

use super::{judge_address, Query};

/// `None` when no proxy applies to `host` (none is set, or `NO_PROXY` exempts it).
pub(crate) fn rule(cx: &Cx, host: &str) -> Option<Decision> {
    let settings = cx.facts.client_settings.get()?;
    match proxy::decide(settings, host) {
        ProxyDecision::Proxied(p) => {
            let mut d = Decision::new(PathKind::Proxy, Confidence::Inferred).with_via(p.address());
            d.push(
                EvidenceKind::Proxy,
                format!("{}={} applies to https://{host}", p.variable, p.url),
            );
            if let Some((var, value)) = proxy::no_proxy(settings) {
                d.push(
                    EvidenceKind::Proxy,
                    format!("{var}={value} does not exempt {host}"),
                );
            }
            let next = judge_proxy_host(cx, &p.host);
            // That the proxy takes the request is certain from the settings; how the proxy is
            // reached is the nested decision with its own confidence.
            if next.confidence == Confidence::Confirmed {
                d.confidence = Confidence::Confirmed;
            }
            d.basis = Some(format!(
                "the proxy setting {}; the path to the proxy is {} ({})",
                p.variable,
                next.path,
                next.confidence.as_str()
            ));
            d.next = Some(Box::new(next));
            Some(d)
        }
        ProxyDecision::Invalid { variable, error } => Some(Decision::unknown(format!(
            "{variable} is set but unusable ({error}); clients disagree on whether they ignore it or fail"
        ))),
        ProxyDecision::NoProxy | ProxyDecision::Bypassed { .. } => None,
    }
}

/// The path to the proxy: its address is an IP literal or resolved by the system resolver
/// (the first address of the answer).
pub(crate) fn judge_proxy_host(cx: &Cx, host: &str) -> Decision {
    if let Ok(ip) = host.parse::<IpAddr>() {
        return judge_address(cx, Query::bare(ip, AnswerSource::Dns));
    }
    match cx.facts.resolution(host) {
        Some(r) if r.status == LookupStatus::Answered && !r.addresses.is_empty() => {
            let mut d = judge_address(cx, Query::bare(r.addresses[0], r.source));
            d.evidence.insert(
                0,
                ev(
                    if r.source == AnswerSource::HostsFile {
                        EvidenceKind::HostsFile
                    } else {
                        EvidenceKind::Dns
                    },
                    format!("proxy {host} resolved to {}", join_ips(&r.addresses)),
                ),
            );
            d
        }
        Some(r) => Decision::unknown(format!(
            "proxy host {host} did not resolve ({})",
            r.status.as_str()
        )),
        None => Decision::unknown(format!("proxy host {host} was not looked up")),
    }
}

#[cfg(test)]
mod tests {
    use crate::engine::kinds::{Confidence, EvidenceKind, PathKind};
    use crate::engine::testing::*;
    use crate::facts::{LookupStatus, TcpOutcome};

    fn proxied() -> FactsBuilder {
        FactsBuilder::new()
            .table("rtb-1", &["0.0.0.0/0 -> nat-1"])
            .env("https_proxy", "http://proxy.corp:3128")
            .dns(S3, &["52.216.1.1"])
    }

    #[test]
    fn a_proxy_takes_the_request_and_the_path_to_the_proxy_is_judged_too() {
        let f = proxied().dns("proxy.corp", &["10.0.5.5"]).build();
        let t = judged(&f, S3);
        let d = &t.decision;
        assert_eq!(d.label(), "proxy via proxy.corp:3128");
        assert_eq!(d.confidence, Confidence::Inferred);
        assert_eq!(
            evidence(d, EvidenceKind::Proxy),
            ["https_proxy=http://proxy.corp:3128 applies to https://s3.us-east-1.amazonaws.com"]
        );
        let next = d.next.as_deref().expect("the path to the proxy");
        assert_eq!(next.label(), "local via 10.0.5.5");
        assert_eq!(
            evidence(next, EvidenceKind::Dns),
            ["proxy proxy.corp resolved to 10.0.5.5"]
        );
        assert_eq!(d.terminal().path, PathKind::Local);
        assert_eq!(
            d.basis.as_deref(),
            Some("the proxy setting https_proxy; the path to the proxy is local (inferred)")
        );
        // The S3 name's own answer is still recorded, but no address is judged.
        assert_eq!(t.resolution, "answered");
        assert!(t.addresses.is_empty());
    }

    #[test]
    fn no_proxy_that_exempts_the_host_lets_the_route_decide() {
        let f = proxied().env("NO_PROXY", ".amazonaws.com").build();
        assert_eq!(judged(&f, S3).decision.label(), "nat-gateway via nat-1");
    }

    #[test]
    fn no_proxy_that_does_not_exempt_the_host_is_stated() {
        let f = proxied()
            .env("NO_PROXY", "localhost,.corp.example")
            .dns("proxy.corp", &["10.0.5.5"])
            .build();
        let d = judged(&f, S3).decision;
        assert_eq!(d.path, PathKind::Proxy);
        assert_eq!(
            evidence(&d, EvidenceKind::Proxy)[1],
            "NO_PROXY=localhost,.corp.example does not exempt s3.us-east-1.amazonaws.com"
        );
    }

    #[test]
    fn an_unusable_proxy_setting_is_unknown() {
        let f = proxied().env("HTTPS_PROXY", "x").build();
        // The lower-case variable wins and is usable.
        assert_eq!(judged(&f, S3).decision.path, PathKind::Proxy);
        let f = FactsBuilder::new()
            .env("https_proxy", "ftp://proxy.corp:21")
            .dns(S3, &["52.216.1.1"])
            .build();
        let t = judged(&f, S3);
        assert_eq!(t.decision.path, PathKind::Unknown);
        assert_eq!(
            t.decision.reason.as_deref(),
            Some("https_proxy is set but unusable (unsupported proxy scheme 'ftp'); clients disagree on whether they ignore it or fail")
        );
        assert_eq!(t.resolution, "not_resolved");
    }

    #[test]
    fn a_proxy_reached_on_a_confirmed_path_is_confirmed() {
        // An IP literal needs no lookup; a connection to it confirms the local path.
        let f = FactsBuilder::new()
            .env("https_proxy", "http://10.0.5.5:3128")
            .tcp("10.0.5.5", TcpOutcome::Connected)
            .dns(S3, &["52.216.1.1"])
            .build();
        let d = judged(&f, S3).decision;
        assert_eq!(d.label(), "proxy via 10.0.5.5:3128");
        assert_eq!(
            d.next.as_deref().map(|n| n.confidence),
            Some(Confidence::Confirmed)
        );
        assert_eq!(d.confidence, Confidence::Confirmed);
    }

    #[test]
    fn a_proxy_host_that_did_not_resolve_leaves_the_path_to_it_unknown() {
        let f = proxied().build();
        let d = judged(&f, S3).decision;
        assert_eq!(d.path, PathKind::Proxy);
        assert_eq!(d.confidence, Confidence::Inferred);
        let next = d.next.as_deref().expect("next");
        assert_eq!(
            next.reason.as_deref(),
            Some("proxy host proxy.corp was not looked up")
        );
        let f = proxied()
            .dns_status("proxy.corp", LookupStatus::Nxdomain)
            .build();
        let next = judged(&f, S3).decision.next.expect("next");
        assert_eq!(
            next.reason.as_deref(),
            Some("proxy host proxy.corp did not resolve (nxdomain)")
        );
    }

    #[test]
    fn the_path_to_a_proxy_uses_the_first_address_and_no_s3_assumption() {
        // An unread S3 list is never assumed for the proxy's address.
        let f = FactsBuilder::new()
            .table("rtb-1", &["0.0.0.0/0 -> nat-1", "pl-s3 -> vpce-gw"])
            .gateway_endpoint("vpce-gw")
            .unread_prefix_list("pl-s3", Some("com.amazonaws.us-east-1.s3"), "AccessDenied")
            .env("https_proxy", "http://proxy.corp:3128")
            .dns("proxy.corp", &["52.216.7.7", "10.0.5.5"])
            .dns(S3, &["52.216.1.1"])
            .build();
        let next = judged(&f, S3).decision.next.expect("next");
        assert_eq!(next.path, PathKind::Unknown);
        assert!(next
            .reason
            .as_deref()
            .is_some_and(|r| r.contains("could be more specific for 52.216.7.7")));
    }
}
