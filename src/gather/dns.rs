//! The DNS view: the hosts file first (as `hosts: files dns` in nsswitch.conf), then the
//! system resolver from resolv.conf (nameservers, search, ndots), and separately the VPC
//! resolver asked directly. Every lookup runs concurrently with its own timeout.

use std::net::IpAddr;
use std::time::Duration;

use hickory_resolver::config::{LookupIpStrategy, NameServerConfig, ResolveHosts, ResolverConfig};
use hickory_resolver::net::runtime::TokioRuntimeProvider;
use hickory_resolver::net::{DnsError, NetError};
use hickory_resolver::proto::op::ResponseCode;
use hickory_resolver::proto::rr::RData;
use hickory_resolver::TokioResolver;

use crate::facts::{AnswerSource, LookupStatus, Observed, Resolution};

/// One line of the hosts file that names a host.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HostsEntry {
    pub address: IpAddr,
    pub names: Vec<String>,
}

/// Parses a hosts file (comments, blank lines and unparsable addresses are skipped).
pub fn parse_hosts(text: &str) -> Vec<HostsEntry> {
    text.lines()
        .filter_map(|line| {
            let line = line.split('#').next().unwrap_or("");
            let mut fields = line.split_whitespace();
            let address = fields.next()?.parse::<IpAddr>().ok()?;
            let names: Vec<String> = fields
                .map(|n| n.trim_end_matches('.').to_ascii_lowercase())
                .collect();
            (!names.is_empty()).then_some(HostsEntry { address, names })
        })
        .collect()
}

/// All addresses the hosts file gives `host`, in file order.
pub fn hosts_lookup(entries: &[HostsEntry], host: &str) -> Vec<IpAddr> {
    let host = host.trim_end_matches('.').to_ascii_lowercase();
    let mut out = Vec::new();
    for e in entries {
        if e.names.contains(&host) && !out.contains(&e.address) {
            out.push(e.address);
        }
    }
    out
}

fn resolver(config: ResolverConfig, per_query: Duration) -> Result<TokioResolver, String> {
    let mut builder = TokioResolver::builder_with_config(config, TokioRuntimeProvider::default());
    tune(builder.options_mut(), per_query);
    builder.build().map_err(|e| e.to_string())
}

fn tune(o: &mut hickory_resolver::config::ResolverOpts, per_query: Duration) {
    o.timeout = per_query;
    o.attempts = 1;
    o.cache_size = 0;
    o.use_hosts_file = ResolveHosts::Never;
    o.ip_strategy = LookupIpStrategy::Ipv4AndIpv6;
}

/// The system resolver as configured in resolv.conf, with our timeouts; the hosts file is
/// consulted separately so the answer's source is known.
pub fn system_resolver(per_query: Duration) -> Result<(TokioResolver, String), String> {
    let (config, options) = hickory_resolver::system_conf::read_system_conf()
        .map_err(|e| format!("cannot read the resolver configuration: {e}"))?;
    let servers: Vec<String> = config
        .name_servers()
        .iter()
        .map(|n| n.ip.to_string())
        .collect();
    let mut builder = TokioResolver::builder_with_config(config, TokioRuntimeProvider::default());
    *builder.options_mut() = options;
    tune(builder.options_mut(), per_query);
    let r = builder.build().map_err(|e| e.to_string())?;
    Ok((r, servers.join(", ")))
}

/// A resolver that asks exactly `server`.
pub fn direct_resolver(server: IpAddr, per_query: Duration) -> Result<TokioResolver, String> {
    resolver(
        ResolverConfig::from_name_servers(vec![NameServerConfig::udp_and_tcp(server)]),
        per_query,
    )
}

/// Resolves `host`: hosts file first when `hosts` is given, else DNS.
pub async fn resolve(
    r: &TokioResolver,
    resolver_label: &str,
    hosts: Option<&[HostsEntry]>,
    host: &str,
    limit: Duration,
) -> Resolution {
    if let Some(entries) = hosts {
        let mut pinned = hosts_lookup(entries, host);
        pinned.truncate(crate::facts::limits::ADDRESSES);
        if !pinned.is_empty() {
            return Resolution {
                host: host.to_string(),
                status: LookupStatus::Answered,
                source: AnswerSource::HostsFile,
                addresses: pinned,
                cname_chain: vec![],
                ttl: None,
                error: None,
                resolver: Some("hosts file".to_string()),
            };
        }
    }
    let mut out = Resolution {
        host: host.to_string(),
        status: LookupStatus::Answered,
        source: AnswerSource::Dns,
        addresses: vec![],
        cname_chain: vec![],
        ttl: None,
        error: None,
        resolver: Some(resolver_label.to_string()),
    };
    match tokio::time::timeout(limit, r.lookup_ip(host)).await {
        Err(_) => {
            out.status = LookupStatus::Timeout;
            out.error = Some(format!("no answer within {} ms", limit.as_millis()));
        }
        Ok(Err(e)) => {
            out.status = classify(&e);
            out.error = Some(e.to_string());
        }
        Ok(Ok(lookup)) => {
            let answers = lookup.as_lookup().answers();
            // Follow the CNAME chain from the name asked.
            let mut current = host.trim_end_matches('.').to_ascii_lowercase();
            for _ in 0..16 {
                let next = answers.iter().find_map(|rec| match &rec.data {
                    RData::CNAME(c)
                        if rec
                            .name
                            .to_ascii()
                            .trim_end_matches('.')
                            .eq_ignore_ascii_case(&current) =>
                    {
                        Some(c.0.to_ascii().trim_end_matches('.').to_ascii_lowercase())
                    }
                    _ => None,
                });
                match next {
                    Some(n) if !out.cname_chain.contains(&n) => {
                        out.cname_chain.push(n.clone());
                        current = n;
                    }
                    _ => break,
                }
            }
            out.addresses = lookup
                .iter()
                .take(crate::facts::limits::ADDRESSES)
                .collect();
            out.ttl = answers
                .iter()
                .filter(|r| matches!(r.data, RData::A(_) | RData::AAAA(_)))
                .map(|r| r.ttl)
                .min();
            if out.addresses.is_empty() {
                out.status = LookupStatus::NoData;
            }
        }
    }
    out
}

fn classify(e: &NetError) -> LookupStatus {
    if e.is_nx_domain() {
        return LookupStatus::Nxdomain;
    }
    match e {
        NetError::Timeout => LookupStatus::Timeout,
        NetError::Dns(DnsError::ResponseCode(ResponseCode::ServFail)) => LookupStatus::Servfail,
        NetError::Dns(DnsError::NoRecordsFound(nr))
            if nr.response_code == ResponseCode::ServFail =>
        {
            LookupStatus::Servfail
        }
        _ if e.is_no_records_found() => LookupStatus::NoData,
        _ => LookupStatus::Error,
    }
}

/// Resolves every host concurrently.
pub async fn resolve_all(
    r: &TokioResolver,
    label: &str,
    hosts_file: Option<&[HostsEntry]>,
    names: &[String],
    limit: Duration,
) -> Vec<Resolution> {
    let futures = names
        .iter()
        .map(|h| resolve(r, label, hosts_file, h, limit));
    join_all(futures).await
}

/// Awaits all futures concurrently, keeping order.
pub use futures_util::future::join_all;

/// Reads the hosts file at `path`.
pub fn read_hosts(path: &str) -> Observed<Vec<HostsEntry>> {
    if !std::path::Path::new(path).exists() {
        return Observed::collected(vec![]);
    }
    match crate::input::read_regular_file(std::path::Path::new(path), 4 * 1024 * 1024) {
        Ok(t) => Observed::collected(parse_hosts(&t)),
        Err(e) => Observed::failed(format!("{path}: {e}")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hosts_file_parsing() {
        let text = "127.0.0.1 localhost\n# comment\n28.0.1.10  nas-backup.s3.ap-northeast-1.amazonaws.com  relay # stone\nnot-an-ip foo\n::1 ip6-localhost\n10.0.0.9 NAS-Backup.S3.ap-northeast-1.amazonaws.com.\n";
        let e = parse_hosts(text);
        assert_eq!(e.len(), 4);
        assert_eq!(
            hosts_lookup(&e, "nas-backup.s3.ap-northeast-1.amazonaws.com"),
            [
                "28.0.1.10".parse::<IpAddr>().unwrap(),
                "10.0.0.9".parse().unwrap()
            ]
        );
        assert!(hosts_lookup(&e, "s3.ap-northeast-1.amazonaws.com").is_empty());
        assert_eq!(hosts_lookup(&e, "relay").len(), 1);
    }
}
