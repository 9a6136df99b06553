//! A proxy takes the request before the client's own DNS matters: when an HTTPS proxy
//! variable applies to the host (`NO_PROXY` does not exempt it), the path is `proxy`, and the
//! path to the proxy itself is judged like any address (`next`). A proxy variable that cannot
//! be parsed makes the path `unknown` (clients disagree on whether they ignore it or fail).

use std::net::IpAddr;

use crate::engine::context::Cx;
use crate::engine::kinds::{ev, Confidence, Decision, EvidenceKind, PathKind};
use crate::engine::text::{join_ips, status_name};
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
            status_name(r.status)
        )),
        None => Decision::unknown(format!("proxy host {host} was not looked up")),
    }
}
