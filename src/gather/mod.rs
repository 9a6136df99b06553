//! The gathering layer: the only code that reads the environment, files or the network. It
//! fills a [`Facts`] value; every part says whether it was collected, and if not, why.
//!
//! Order: identity (IMDS, bounded to about one second when nothing answers), then the DNS
//! view (hosts file, system resolver, VPC resolver) for the planned targets, then probes of
//! the addresses found. Everything shares one overall budget (`--timeout`).

pub mod aws_config;
pub mod deadline;
pub mod dns;
pub mod ec2;
pub mod ecs;
mod env;
pub mod imds;
pub mod probe;
pub mod route;
pub mod s3;
pub mod tls;

use std::net::IpAddr;
use std::time::{Duration, Instant};

use crate::facts::{
    Facts, LookupStatus, MetadataService, Observed, Probes, Request, TokenStatus, Vantage,
    VantageKind,
};
use crate::proxy::{self, ProxyDecision};
use crate::targets;

pub use env::{client_settings, redact_url};

/// What `doctor` asks the gatherers for.
#[derive(Debug, Clone)]
pub struct GatherOptions {
    /// `--region`; when absent, the environment (`AWS_REGION`, `AWS_DEFAULT_REGION`) or the
    /// vantage decides.
    pub region: Option<String>,
    pub buckets: Vec<String>,
    /// Overall budget for the whole gather.
    pub timeout: Duration,
    /// The hosts file to read (`/etc/hosts`).
    pub hosts_file: String,
    /// `--subnet-id`: the subnet to judge against when this host cannot tell (off AWS, or no
    /// metadata service); it also overrides what the metadata says.
    pub subnet_id: Option<String>,
    /// `--key`: an object to `HeadObject` in every bucket.
    pub key: Option<String>,
    /// `--presigned URL`, already checked.
    pub presigned: Option<crate::validate::PresignedUrl>,
}

impl GatherOptions {
    pub fn new(region: Option<String>, buckets: Vec<String>, timeout: Duration) -> Self {
        GatherOptions {
            region,
            buckets,
            timeout,
            hosts_file: "/etc/hosts".to_string(),
            subnet_id: None,
            key: None,
            presigned: None,
        }
    }
}

/// A source of environment variables (the process environment in production, a map in tests).
pub trait Env {
    fn var(&self, name: &str) -> Option<String>;
}

/// The process environment.
pub struct ProcessEnv;

impl Env for ProcessEnv {
    fn var(&self, name: &str) -> Option<String> {
        std::env::var(name).ok()
    }
}

const NOT_BUILT: &str = "this version of s3path has no gatherer for it yet";
/// The Route 53 Resolver's link-local address inside every VPC.
pub const VPC_RESOLVER: IpAddr = IpAddr::V4(std::net::Ipv4Addr::new(169, 254, 169, 253));
/// At most this many addresses are probed, and this many first-hop probes are made.
const MAX_TCP_PROBES: usize = 32;
const MAX_FIRST_HOP_PROBES: usize = 2;
const MAX_TLS_PROBES: usize = 16;
const MAX_ICMP_PROBES: usize = 8;
/// How long the first-hop probe waits for a TTL-expired report. A NAT gateway in the VPC
/// answers within a few milliseconds; a gateway-endpoint path stays silent, so this is what
/// doctor spends on it.
const FIRST_HOP_WAIT_MS: u64 = 150;

/// Gathers everything this build knows how to gather.
pub fn gather(opts: &GatherOptions, env: &dyn Env) -> Facts {
    let rt = match tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            let why = format!("cannot start the async runtime: {e}");
            let mut f = Facts::empty(
                Request {
                    region: opts.region.clone(),
                    buckets: opts.buckets.clone(),
                    key: opts.key.clone(),
                },
                &why,
            );
            f.client_settings = Observed::collected(client_settings(env));
            return f;
        }
    };
    rt.block_on(gather_async(opts, env))
}

async fn gather_async(opts: &GatherOptions, env: &dyn Env) -> Facts {
    let run = deadline::Deadline::after(opts.timeout);
    let deadline = Instant::now() + opts.timeout;
    let left = || deadline.saturating_duration_since(Instant::now());

    let mut facts = Facts::empty(
        Request {
            region: None,
            buckets: opts.buckets.clone(),
            key: opts.key.clone(),
        },
        NOT_BUILT,
    );
    let mut settings = client_settings(env);

    // Identity.
    let endpoint = imds::endpoint(env);
    let identity_budget = left().min(Duration::from_millis(1500));
    let metadata = |answered: bool, token: TokenStatus, detail: Option<String>| {
        Observed::collected(MetadataService {
            endpoint: crate::redact::url(&endpoint),
            answered,
            token,
            detail,
        })
    };
    let ecs_uri = env
        .var("ECS_CONTAINER_METADATA_URI_V4")
        .filter(|u| !u.is_empty());
    let ecs = match &ecs_uri {
        Some(uri) => Some(
            run.run(ecs::identity(uri, identity_budget))
                .await
                .unwrap_or_else(|| Err("no answer within the --timeout budget".to_string())),
        ),
        None => None,
    };
    let (vantage, metadata_service) = if let Some(Ok(task)) = ecs {
        (
            Observed::collected(task),
            Observed::not_collected("an ECS task: identity came from the task metadata endpoint"),
        )
    } else {
        // The identity phase as a whole (token, then the GETs, then the failure probes) stays
        // within its budget: a slow metadata service cannot take a budget per request.
        let answered = tokio::time::timeout(
            identity_budget + Duration::from_millis(200),
            imds::identity(&endpoint, identity_budget),
        )
        .await
        .unwrap_or_else(|_| {
            imds::Identity::Failed(format!(
                "the metadata service at {} did not answer completely within {} ms",
                crate::redact::url(&endpoint),
                identity_budget.as_millis() + 200
            ))
        });
        let (v, m) = match answered {
            imds::Identity::Instance(v) => (
                Observed::collected(*v),
                metadata(true, TokenStatus::Ok, None),
            ),
            imds::Identity::NotOnAws(why) => (
                off_aws_vantage(),
                metadata(false, TokenStatus::NotTried, Some(why)),
            ),
            imds::Identity::TokenBlocked(e) => (
                Observed::failed(e.clone()),
                metadata(true, TokenStatus::NoAnswer, Some(e)),
            ),
            imds::Identity::Failed(e) => (
                Observed::failed(e.clone()),
                metadata(true, TokenStatus::Failed, Some(e)),
            ),
        };
        match ecs {
            // Task metadata was advertised but failed, and IMDS did not help either.
            Some(Err(e)) if v.get().is_none_or(|v| v.kind == VantageKind::OffAws) => {
                (Observed::failed(format!("ECS task metadata: {e}")), m)
            }
            _ => (v, m),
        }
    };
    facts.metadata_service = metadata_service;
    let on_aws = vantage.get().is_some_and(|v| v.kind != VantageKind::OffAws);
    let region = opts
        .region
        .clone()
        .or_else(|| {
            ["AWS_REGION", "AWS_DEFAULT_REGION"]
                .iter()
                .find_map(|v| env.var(v).filter(|s| crate::validate::region(s).is_ok()))
        })
        .or_else(|| vantage.get().and_then(|v| v.region.clone()));
    facts.request.region = region.clone();
    facts.vantage = vantage;
    // The AWS CLI's version matters wherever an S3 interface endpoint may be used (AWS CLI v1
    // cannot use the endpoint's bucket.vpce-… names). Its files usually tell without starting
    // it; otherwise `aws --version` starts now, on its own thread, alongside everything else,
    // and is waited for only if the VPC turns out to have an S3 interface endpoint.
    let cli_from_files = aws_config::cli_version_from_files(&env.var("PATH").unwrap_or_default());
    let cli_running =
        (cli_from_files.is_none() && (on_aws || opts.subnet_id.is_some())).then(|| {
            let (tx, rx) = tokio::sync::oneshot::channel();
            let limit = opts.timeout.min(Duration::from_secs(2));
            std::thread::spawn(move || {
                let _ = tx.send(aws_config::cli_version(limit));
            });
            rx
        });
    if !on_aws {
        ec2::mark_unavailable(
            &mut facts,
            Observed::not_collected(
                "not on AWS: no instance metadata service answered, and no VPC was named",
            ),
        );
        facts.vpc_resolver_dns =
            Observed::not_collected("not on AWS: there is no VPC resolver to ask");
    }

    // The DNS view.
    let Some(region) = region else {
        let why = "no region is known (give --region, set AWS_REGION, or run on an instance)";
        facts.dns = Observed::not_collected(why);
        facts.probes = Observed::not_collected(why);
        facts.buckets = Observed::not_collected(why);
        facts.presigned = Observed::not_collected(why);
        facts.client_settings = Observed::collected(settings);
        return facts;
    };
    let endpoint_override = settings
        .s3_endpoint_override()
        .and_then(|(_, url)| targets::url_host(&url));
    let dualstack = settings.dualstack().is_some_and(|(on, _)| on);
    let s3_names: Vec<String> = targets::plan_with(&targets::PlanInput {
        region: &region,
        buckets: &opts.buckets,
        bucket_regions: &[],
        endpoints: &[],
        endpoint_override: endpoint_override.as_deref(),
        dualstack,
    })
    .into_iter()
    .map(|t| t.host)
    .collect();
    let mut names = s3_names.clone();
    if let Some(primary) = names.first() {
        if let ProxyDecision::Proxied(p) = proxy::decide(&settings, primary) {
            if p.host.parse::<IpAddr>().is_err() && !names.contains(&p.host) {
                names.push(p.host.clone());
            }
        }
    }
    let per_query = left().min(Duration::from_secs(2));
    let hosts = dns::read_hosts(&opts.hosts_file);
    let system = dns::system_resolver(per_query);
    let vpc_resolver = on_aws.then(|| dns::direct_resolver(VPC_RESOLVER, per_query));
    let system_fut = async {
        match (&system, &hosts) {
            (Ok((r, label)), Observed::Collected { value }) => Observed::collected(
                dns::resolve_all(r, label, Some(value), &names, per_query).await,
            ),
            (Ok((r, label)), _) => {
                Observed::collected(dns::resolve_all(r, label, None, &names, per_query).await)
            }
            (Err(e), _) => Observed::failed(e.clone()),
        }
    };
    // The VPC base address +2 is the same resolver on the VPC's own subnet; it is asked when the
    // link-local address gives nothing (and the primary CIDR is known).
    let base_plus_two = facts
        .vantage
        .get()
        .and_then(|v| v.vpc_ipv4_cidr_blocks.first())
        .and_then(|net| match net.network() {
            IpAddr::V4(a) => Some(IpAddr::V4(std::net::Ipv4Addr::from(u32::from(a) + 2))),
            IpAddr::V6(_) => None,
        });
    let vpc_answers = async {
        match &vpc_resolver {
            Some(Ok(r)) => {
                let answers =
                    dns::resolve_all(r, &VPC_RESOLVER.to_string(), None, &names, per_query).await;
                let silent = answers
                    .iter()
                    .all(|a| matches!(a.status, LookupStatus::Timeout | LookupStatus::Error));
                match base_plus_two.map(|ip| (ip, dns::direct_resolver(ip, per_query))) {
                    Some((ip, Ok(alt))) if silent => Some(Observed::collected(
                        dns::resolve_all(&alt, &ip.to_string(), None, &names, per_query).await,
                    )),
                    _ => Some(Observed::collected(answers)),
                }
            }
            Some(Err(e)) => Some(Observed::failed(e.clone())),
            None => None,
        }
    };
    let vpc_fut = async {
        run.run(vpc_answers).await.unwrap_or_else(|| {
            vpc_resolver
                .as_ref()
                .map(|_| run.ran_out("the VPC resolver", opts.timeout))
        })
    };
    // The control plane, in parallel with the DNS view.
    let vantage_ids = facts.vantage.get().map(|v| {
        (
            v.vpc_id.clone(),
            v.subnet_id.clone(),
            v.local_ipv4s.first().copied(),
        )
    });
    let named_subnet = opts.subnet_id.clone();
    let ec2_budget = left();
    let region_for_ec2 = region.clone();
    let ec2_fut = async move {
        if !on_aws && named_subnet.is_none() {
            return None;
        }
        let client = ec2::client(&region_for_ec2, ec2_budget, None).await;
        let timed_out = |action: &str| {
            ec2::Ec2Error::new(
                format!("{action}: no answer within the --timeout budget"),
                crate::facts::Failure::TimedOut {
                    action: Some(action.to_string()),
                    after_ms: Some(ec2_budget.as_millis() as u64),
                },
            )
        };
        let (vpc, subnet) = if let Some(subnet) = named_subnet {
            match run.run(ec2::subnet(&client, &subnet)).await {
                Some(Ok((vpc, _az))) => (vpc, Some(subnet)),
                Some(Err(e)) => return Some(Err(e)),
                None => return Some(Err(timed_out("ec2:DescribeSubnets"))),
            }
        } else {
            match vantage_ids? {
                (Some(v), s, _) => (v, s),
                (None, _, Some(ip)) => match run
                    .run(ec2::locate_ip(&client, ip))
                    .await
                    .unwrap_or_else(|| Err(timed_out("ec2:DescribeNetworkInterfaces")))
                {
                    Ok(Some((v, s))) => (v, Some(s)),
                    Ok(None) => {
                        return Some(Err(ec2::Ec2Error::new(
                            format!("no network interface in {region_for_ec2} has address {ip}"),
                            crate::facts::Failure::NotFound,
                        )))
                    }
                    Err(e) => return Some(Err(e)),
                },
                (None, _, None) => return None,
            }
        };
        // What is left of the budget after the lookup, not a fresh one.
        let facts = ec2::gather(&client, &region_for_ec2, &vpc, run.left()).await;
        Some(Ok((vpc, subnet, facts)))
    };
    // The control plane runs as its own task, alongside the DNS view and the probes.
    let ec2_task = tokio::spawn(ec2_fut);
    let (system_dns, vpc_dns) = tokio::join!(system_fut, vpc_fut);
    facts.dns = system_dns;
    if let Some(v) = vpc_dns {
        facts.vpc_resolver_dns = v;
    }

    // The buckets: region, real requests, policies — alongside the probes. Extra trust as the
    // AWS CLI takes it (the TLS probes use the same).
    let ca_bundles: Vec<(String, String)> = ["AWS_CA_BUNDLE", "SSL_CERT_FILE"]
        .iter()
        .filter_map(|v| {
            env.var(v)
                .filter(|p| !p.is_empty())
                .map(|p| (v.to_string(), p))
        })
        .collect();
    let s3_task = match &system {
        Ok((r, label)) if !opts.buckets.is_empty() || opts.presigned.is_some() => {
            let pinned = s3::Pinned::new(
                r.clone(),
                label.clone(),
                hosts.get().cloned().unwrap_or_default(),
                facts.dns.get().cloned().unwrap_or_default(),
                per_query,
            );
            let proxied = opts.buckets.first().and_then(|b| {
                let host = format!(
                    "{b}.s3.{region}.{}",
                    crate::validate::partition_dns_suffix(&region)
                );
                match proxy::decide(&settings, &host) {
                    ProxyDecision::Proxied(p) => Some(format!(
                        "the application's S3 requests go through the proxy {} ({}); s3path does not send its own requests through proxies",
                        p.address(),
                        p.variable
                    )),
                    _ => None,
                }
            });
            let plan = s3::Plan {
                client_region: region.clone(),
                buckets: opts.buckets.clone(),
                key: opts.key.clone(),
                ca_bundles: ca_bundles.clone(),
                proxied,
                reads: true,
            };
            let override_url = settings.s3_endpoint_override().map(|(_, url)| url);
            let presigned = opts.presigned.clone();
            let budget = left();
            Some(tokio::spawn(async move {
                let session = s3::session(
                    &plan.client_region,
                    &plan.ca_bundles,
                    budget.min(Duration::from_millis(1500)),
                )
                .await;
                let presigned_fut = async {
                    match &presigned {
                        Some(u) => {
                            s3::presigned(&pinned, u, budget.min(Duration::from_secs(2))).await
                        }
                        None => Observed::not_collected("no --presigned URL given"),
                    }
                };
                let ((buckets, answers), presigned) = tokio::join!(
                    s3::gather(&session, &plan, &pinned, override_url.as_deref(), budget),
                    presigned_fut
                );
                (session, plan, pinned, buckets, answers, presigned)
            }))
        }
        Ok(_) => None,
        Err(e) => {
            if !opts.buckets.is_empty() {
                facts.buckets = Observed::failed(format!("no resolver for the requests: {e}"));
            }
            None
        }
    };
    if opts.buckets.is_empty() {
        facts.buckets = Observed::not_collected("no --bucket given");
    }
    if opts.presigned.is_none() {
        facts.presigned = Observed::not_collected("no --presigned URL given");
    }

    let vpc_cidrs: Vec<ipnet::IpNet> = facts
        .vantage
        .get()
        .map(|v| v.vpc_cidrs().copied().collect())
        .unwrap_or_default();

    // Probes.
    facts.probes = match facts.dns.get() {
        None => Observed::not_collected("no DNS answers to probe"),
        Some(answers) => {
            let mut addrs: Vec<IpAddr> = Vec::new();
            for r in answers {
                for a in &r.addresses {
                    if !addrs.contains(a) {
                        addrs.push(*a);
                    }
                }
            }
            addrs.truncate(MAX_TCP_PROBES);
            let tcp_limit = left().min(Duration::from_secs(2));
            // TLS: every address of the primary name, the first address of the others.
            let (stores, store_errors) = tls::stores(&ca_bundles);
            let mut tls_pairs: Vec<(IpAddr, String)> = Vec::new();
            for (i, r) in answers.iter().enumerate() {
                if !s3_names.contains(&r.host) {
                    continue;
                }
                let take = if i == 0 { r.addresses.len() } else { 1 };
                for a in r.addresses.iter().take(take) {
                    tls_pairs.push((*a, r.host.clone()));
                }
            }
            tls_pairs.truncate(MAX_TLS_PROBES);
            let tcp_fut = dns::join_all(addrs.iter().map(|a| probe::tcp(*a, 443, tcp_limit)));
            let tls_fut = dns::join_all(
                tls_pairs
                    .iter()
                    .map(|(a, host)| tls::probe(*a, host, &stores, tcp_limit)),
            );
            let icmp_addrs: Vec<IpAddr> = addrs.iter().copied().take(MAX_ICMP_PROBES).collect();
            let icmp_limit = left().min(Duration::from_secs(1));
            let icmp_fut = probe::icmp(&icmp_addrs, icmp_limit);
            // First-hop probes toward the primary target's public addresses: the first of each
            // family (a dual-stack name's IPv6 answer may leave by another route).
            let primary: Vec<IpAddr> = answers
                .first()
                .map(|r| r.addresses.clone())
                .unwrap_or_default()
                .into_iter()
                .filter(|a| !vpc_cidrs.iter().any(|n| n.contains(a)))
                .collect();
            let hop_targets: Vec<IpAddr> = primary
                .iter()
                .find(|a| a.is_ipv4())
                .into_iter()
                .chain(primary.iter().find(|a| a.is_ipv6()))
                .copied()
                .take(MAX_FIRST_HOP_PROBES)
                .collect();
            let hop_wait = (left() / 4).min(Duration::from_millis(FIRST_HOP_WAIT_MS));
            let mut first_hop = Vec::new();
            let mut errors = store_errors;
            let handles: Vec<_> = hop_targets
                .into_iter()
                .map(|t| tokio::task::spawn_blocking(move || probe::first_hop(t, 3, hop_wait)))
                .collect();
            // The first-hop probes run on blocking threads while these run here.
            let (tcp, tls, icmp) = tokio::join!(tcp_fut, tls_fut, icmp_fut);
            for h in handles {
                match h.await {
                    Ok(Ok(p)) => first_hop.push(p),
                    Ok(Err(e)) => errors.push(e),
                    Err(e) => errors.push(e.to_string()),
                }
            }
            Observed::collected(Probes {
                tcp,
                icmp,
                tls,
                first_hop,
                errors,
            })
        }
    };
    let ec2_result = match run.run_hard(ec2_task).await {
        Some(Ok(r)) => r,
        Some(Err(e)) => Some(Err(ec2::Ec2Error::new(
            format!("the EC2 gather stopped: {e}"),
            crate::facts::Failure::Other,
        ))),
        None => Some(Err(ec2::Ec2Error::new(
            "the EC2 API did not answer within the --timeout budget",
            crate::facts::Failure::TimedOut {
                action: None,
                after_ms: Some(opts.timeout.as_millis() as u64),
            },
        ))),
    };
    match ec2_result {
        Some(Ok((vpc, subnet, ec2))) => {
            if facts.vantage.get().is_none() {
                // No identity from this host: judge the named subnet as such.
                facts.vantage = Observed::collected(Vantage {
                    region: Some(region.clone()),
                    ..Vantage::new(VantageKind::Subnet)
                });
            }
            if let Observed::Collected { value } = &mut facts.vantage {
                if opts.subnet_id.is_some() {
                    value.vpc_id = Some(vpc);
                    value.subnet_id = subnet;
                } else {
                    value.vpc_id.get_or_insert(vpc);
                    if value.subnet_id.is_none() {
                        value.subnet_id = subnet;
                    }
                }
                if let Some((v4, v6)) = ec2.vpc_cidrs.get() {
                    // The EC2 API knows every block; task metadata only knows the subnet's.
                    value.vpc_ipv4_cidr_blocks = v4.clone();
                    if !v6.is_empty() {
                        value.vpc_ipv6_cidr_blocks = v6.clone();
                    }
                }
            }
            ec2.apply(&mut facts);
        }
        Some(Err(e)) => ec2::mark_unavailable(&mut facts, e.observed()),
        None if on_aws => ec2::mark_unavailable(
            &mut facts,
            Observed::not_collected("the vantage's VPC is not known"),
        ),
        None => {}
    }
    // Every ENI of every S3 interface endpoint, in every AZ (known once the control plane is
    // in): a blocked AZ shows up before a client lands there.
    let interface_endpoints: Vec<crate::facts::VpcEndpoint> = facts
        .s3_endpoints(&region, crate::facts::EndpointType::Interface)
        .unwrap_or_default()
        .into_iter()
        .cloned()
        .collect();
    if let Observed::Collected { value: probes } = &mut facts.probes {
        let enis: Vec<IpAddr> = interface_endpoints
            .iter()
            .flat_map(|e| e.network_interfaces.iter().flat_map(|n| n.addresses()))
            .filter(|a| !probes.tcp.iter().any(|t| t.address == *a))
            .take(MAX_TCP_PROBES)
            .collect();
        let limit = left().min(Duration::from_secs(2));
        probes
            .tcp
            .extend(dns::join_all(enis.iter().map(|a| probe::tcp(*a, 443, limit))).await);
    }
    if let Some(task) = s3_task {
        let outcome = match run.run_hard(task).await {
            Some(Ok(done)) => Ok(done),
            Some(Err(e)) => Err(Observed::failed(format!(
                "the bucket requests stopped: {e}"
            ))),
            None => Err(run.ran_out("the bucket requests", opts.timeout)),
        };
        match outcome {
            Ok((session, plan, pinned, buckets, answers, presigned)) => {
                facts.buckets = buckets;
                facts.presigned = presigned;
                let mut answers = answers;
                // Through each S3 interface endpoint by its endpoint-specific name, as clients
                // configured with `--endpoint-url https://bucket.vpce-…` reach it.
                let interface: Vec<(&str, &str)> = interface_endpoints
                    .iter()
                    .filter_map(|e| e.regional_dns_name().map(|n| (e.id.as_str(), n)))
                    .collect();
                if let (None, Observed::Collected { value: buckets }) =
                    (&plan.proxied, &mut facts.buckets)
                {
                    // (bucket index, endpoint id, endpoint name) for every bucket that exists.
                    let jobs: Vec<(usize, &str, &str)> = buckets
                        .iter()
                        .enumerate()
                        .filter(|(_, b)| b.region.get().is_some())
                        .flat_map(|(i, _)| interface.iter().map(move |(id, n)| (i, *id, *n)))
                        .collect();
                    let limit = left();
                    let runs = dns::join_all(jobs.iter().map(|(i, id, name)| {
                        s3::via_interface_endpoint(
                            &session,
                            &plan,
                            &pinned,
                            &buckets[*i].name,
                            id,
                            name,
                            limit,
                        )
                    }))
                    .await;
                    for ((i, _, _), (requests, more)) in jobs.iter().zip(runs) {
                        buckets[*i].requests.extend(requests);
                        answers.extend(more);
                    }
                }
                if let Observed::Collected { value: dns_view } = &mut facts.dns {
                    for a in answers {
                        if !dns_view.iter().any(|r| r.host == a.host) {
                            dns_view.push(a);
                        }
                    }
                }
            }
            Err(failed) => facts.buckets = failed,
        }
    }
    let interface_in_vpc = !interface_endpoints.is_empty()
        || facts.dns.get().is_some_and(|answers| {
            answers.iter().any(|r| {
                s3_names.contains(&r.host)
                    && (r.host.contains(".vpce.")
                        || r.addresses
                            .iter()
                            .any(|a| vpc_cidrs.iter().any(|n| n.contains(a))))
            })
        });
    settings.aws_cli = match (cli_from_files, cli_running) {
        (Some(known), _) => known,
        (None, Some(rx)) if interface_in_vpc => {
            match tokio::time::timeout(left().max(Duration::from_millis(200)), rx).await {
                Ok(Ok(v)) => v,
                Ok(Err(_)) => Observed::failed("aws --version stopped"),
                Err(_) => Observed::failed_with(
                    "aws --version did not finish within the --timeout budget",
                    crate::facts::Failure::TimedOut {
                        action: None,
                        after_ms: None,
                    },
                ),
            }
        }
        (None, _) => Observed::not_collected(
            "not needed: the VPC has no S3 interface endpoint (the AWS CLI's major version matters only there)",
        ),
    };
    facts.client_settings = Observed::collected(settings);
    facts
}

/// One plain sentence from an SDK error's display chain: the debug dump the SDK appends in
/// parentheses (`(DispatchFailure(DispatchFailure { … }))`) is dropped, and repeated clauses
/// ("io error: io error: …") are said once.
pub fn plain_error(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut cut = text.len();
    for (i, w) in text.char_indices() {
        if w != '(' || i == 0 || bytes[i - 1] != b' ' {
            continue;
        }
        let rest = &text[i + 1..];
        let ident: String = rest
            .chars()
            .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
            .collect();
        let after = rest[ident.len()..].chars().next();
        if ident.chars().next().is_some_and(|c| c.is_ascii_uppercase())
            && matches!(after, Some('(') | Some(' ') | Some('{'))
            && rest[ident.len()..].trim_start().starts_with(['(', '{'])
        {
            cut = i - 1;
            break;
        }
    }
    let mut parts: Vec<&str> = Vec::new();
    for p in text[..cut].split(": ") {
        let p = p.trim();
        if !p.is_empty() && parts.last() != Some(&p) {
            parts.push(p);
        }
    }
    let mut out = parts.join(": ");
    if out.len() > 300 {
        let mut end = 300;
        while !out.is_char_boundary(end) {
            end -= 1;
        }
        out.truncate(end);
        out.push('…');
    }
    out
}

fn off_aws_vantage() -> Observed<Vantage> {
    Observed::collected(Vantage::new(VantageKind::OffAws))
}
