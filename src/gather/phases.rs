//! The phases of `doctor`'s gather, each a function of what the phases before it found and of
//! the run's one [`Deadline`]; each returns typed results that `gather_async` puts into the
//! facts. The order (and what runs alongside what) is in `gather_async`.

use std::net::IpAddr;
use std::time::Duration;

use tokio::task::JoinHandle;
use tokio::time::Instant;

use super::context::AwsContext;
use super::deadline::Deadline;
use super::options::{
    Env, GatherOptions, FIRST_HOP_WAIT_MS, MAX_FIRST_HOP_PROBES, MAX_ICMP_PROBES, MAX_TCP_PROBES,
    MAX_TLS_PROBES, VPC_RESOLVER,
};
use super::{aws_config, dns, ec2, ecs, imds, probe, s3, tls};
use crate::facts::{
    ClientSettings, Failure, LookupStatus, MetadataService, Observed, PhaseTiming, PresignedCheck,
    Probes, Resolution, TokenStatus, Vantage, VantageKind, VpcEndpoint,
};
use crate::proxy::{self, ProxyDecision};

/// Where the time went (the facts' `timings`).
pub struct Clock {
    start: Instant,
    pub timings: Vec<PhaseTiming>,
}

impl Clock {
    pub fn new() -> Clock {
        Clock {
            start: Instant::now(),
            timings: Vec::new(),
        }
    }

    pub fn now(&self) -> Instant {
        Instant::now()
    }

    /// Records `phase` as running from `since` until now.
    pub fn record(&mut self, phase: &str, since: Instant) {
        self.timings.push(PhaseTiming {
            phase: phase.to_string(),
            started_ms: ms(since.duration_since(self.start)),
            took_ms: ms(since.elapsed()),
        });
    }

    /// Records a phase that ran elsewhere (a task) from `since` for `took`.
    pub fn record_span(&mut self, phase: &str, since: Instant, took: Duration) {
        self.timings.push(PhaseTiming {
            phase: phase.to_string(),
            started_ms: ms(since.duration_since(self.start)),
            took_ms: ms(took),
        });
    }
}

fn ms(d: Duration) -> f64 {
    (d.as_secs_f64() * 1e4).round() / 10.0
}

// ---------------------------------------------------------------------------------------------
// 1. Identity

pub struct Identified {
    pub vantage: Observed<Vantage>,
    pub metadata_service: Observed<MetadataService>,
    /// `--region`, else `AWS_REGION`/`AWS_DEFAULT_REGION`, else the profile's `region`, else
    /// the vantage's.
    pub region: Option<String>,
    /// An EC2 instance or ECS task (not off AWS, not unknown).
    pub on_aws: bool,
}

/// ECS task metadata when advertised, else IMDSv2; the phase as a whole within at most 1.5 s
/// of the deadline (a slow service cannot take a budget per request).
pub async fn identity(opts: &GatherOptions, env: &dyn Env, run: &Deadline) -> Identified {
    let endpoint = imds::endpoint(env);
    let budget = run.left_max(Duration::from_millis(1500));
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
            run.run(ecs::identity(uri, budget))
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
        let answered = tokio::time::timeout(
            budget + Duration::from_millis(200),
            imds::identity(&endpoint, budget),
        )
        .await
        .unwrap_or_else(|_| {
            imds::Identity::Failed(format!(
                "the metadata service at {} did not answer completely within {} ms",
                crate::redact::url(&endpoint),
                budget.as_millis() + 200
            ))
        });
        let (v, m) = match answered {
            imds::Identity::Instance(v) => (
                Observed::collected(*v),
                metadata(true, TokenStatus::Ok, None),
            ),
            imds::Identity::NotOnAws(why) => (
                Observed::collected(Vantage::new(VantageKind::OffAws)),
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
    let on_aws = vantage.get().is_some_and(|v| v.kind != VantageKind::OffAws);
    let region = opts
        .region
        .clone()
        .or_else(|| {
            ["AWS_REGION", "AWS_DEFAULT_REGION"]
                .iter()
                .find_map(|v| env.var(v).filter(|s| crate::validate::region(s).is_ok()))
        })
        .or_else(|| super::aws_config::profile_region(env))
        .or_else(|| vantage.get().and_then(|v| v.region.clone()));
    Identified {
        vantage,
        metadata_service,
        region,
        on_aws,
    }
}

// ---------------------------------------------------------------------------------------------
// 2. The AWS CLI's version (started early, finished last)

/// The AWS CLI's version: known from its files, or `aws --version` running on its own thread.
pub enum CliVersion {
    Known(Observed<String>),
    Running(tokio::sync::oneshot::Receiver<Observed<String>>),
    NotAsked,
}

/// The version matters wherever an S3 interface endpoint may be used (AWS CLI v1 cannot use
/// the endpoint's bucket.vpce-… names). Its files usually tell without starting it; otherwise
/// `aws --version` starts now and is waited for only if the VPC has an S3 interface endpoint.
pub fn start_cli_version(env: &dyn Env, in_a_vpc: bool, run: &Deadline) -> CliVersion {
    match aws_config::cli_version_from_files(&env.var("PATH").unwrap_or_default()) {
        Some(known) => CliVersion::Known(known),
        None if in_a_vpc => {
            let (tx, rx) = tokio::sync::oneshot::channel();
            let limit = run.left_max(Duration::from_secs(2));
            std::thread::spawn(move || {
                let _ = tx.send(aws_config::cli_version(limit));
            });
            CliVersion::Running(rx)
        }
        None => CliVersion::NotAsked,
    }
}

pub async fn finish_cli_version(cli: CliVersion, needed: bool, run: &Deadline) -> Observed<String> {
    match cli {
        CliVersion::Known(known) => known,
        CliVersion::Running(rx) if needed => {
            match tokio::time::timeout(run.left().max(Duration::from_millis(200)), rx).await {
                Ok(Ok(v)) => v,
                Ok(Err(_)) => Observed::failed("aws --version stopped"),
                Err(_) => Observed::failed_with(
                    "aws --version did not finish within the --timeout budget",
                    Failure::TimedOut {
                        action: None,
                        after_ms: None,
                    },
                ),
            }
        }
        _ => Observed::not_collected(
            "not needed: the VPC has no S3 interface endpoint (the AWS CLI's major version matters only there)",
        ),
    }
}

// ---------------------------------------------------------------------------------------------
// 3. The application's DNS view

pub struct DnsView {
    pub dns: Observed<Vec<Resolution>>,
    /// `None` when there is no VPC resolver to ask (off AWS).
    pub vpc_resolver_dns: Option<Observed<Vec<Resolution>>>,
    pub hosts: Observed<Vec<dns::HostsEntry>>,
    pub system: Result<(hickory_resolver::TokioResolver, String), String>,
    pub per_query: Duration,
}

/// The names as the application resolves them (hosts file, then resolv.conf's resolvers), and
/// the VPC resolver asked directly (its link-local address, else the VPC base address + 2).
pub async fn dns_view(
    names: &[String],
    hosts_file: &str,
    vantage: Option<&Vantage>,
    on_aws: bool,
    run: &Deadline,
    timeout: Duration,
) -> DnsView {
    let per_query = run.left_max(Duration::from_secs(2));
    let hosts = dns::read_hosts(hosts_file);
    let system = dns::system_resolver(per_query);
    let vpc_resolver = on_aws.then(|| dns::direct_resolver(VPC_RESOLVER, per_query));
    let system_fut = async {
        match (&system, &hosts) {
            (Ok((r, label)), Observed::Collected { value }) => {
                Observed::collected(dns::resolve_all(r, label, Some(value), names, per_query).await)
            }
            (Ok((r, label)), _) => {
                Observed::collected(dns::resolve_all(r, label, None, names, per_query).await)
            }
            (Err(e), _) => Observed::failed(e.clone()),
        }
    };
    let base_plus_two = vantage
        .and_then(|v| v.vpc_ipv4_cidr_blocks.first())
        .and_then(|net| match net.network() {
            IpAddr::V4(a) => Some(IpAddr::V4(std::net::Ipv4Addr::from(u32::from(a) + 2))),
            IpAddr::V6(_) => None,
        });
    let vpc_answers = async {
        match &vpc_resolver {
            Some(Ok(r)) => {
                let answers =
                    dns::resolve_all(r, &VPC_RESOLVER.to_string(), None, names, per_query).await;
                let silent = answers
                    .iter()
                    .all(|a| matches!(a.status, LookupStatus::Timeout | LookupStatus::Error));
                match base_plus_two.map(|ip| (ip, dns::direct_resolver(ip, per_query))) {
                    Some((ip, Ok(alt))) if silent => Some(Observed::collected(
                        dns::resolve_all(&alt, &ip.to_string(), None, names, per_query).await,
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
                .map(|_| run.ran_out("the VPC resolver", timeout))
        })
    };
    let (dns, vpc_resolver_dns) = tokio::join!(system_fut, vpc_fut);
    DnsView {
        dns,
        vpc_resolver_dns,
        hosts,
        system,
        per_query,
    }
}

// ---------------------------------------------------------------------------------------------
// 4. The control plane (a task of its own)

/// The VPC and subnet found, the EC2 facts, and how long it took.
pub type ControlPlane = Option<Result<(String, Option<String>, ec2::Ec2Facts), ec2::Ec2Error>>;

/// Starts the EC2 gather: the subnet's VPC (`--subnet-id`), else the vantage's (or, for an ECS
/// task, the VPC of its address), then every Describe call — the lookup and the gather share
/// the deadline. `None` when there is no VPC to look at.
pub fn spawn_control_plane(
    context: &AwsContext,
    region: &str,
    vantage: Option<&Vantage>,
    on_aws: bool,
    named_subnet: Option<String>,
    hub_role_arn: Option<String>,
    run: Deadline,
) -> JoinHandle<(ControlPlane, Duration)> {
    let vantage_ids = vantage.map(|v| {
        (
            v.vpc_id.clone(),
            v.subnet_id.clone(),
            v.local_ipv4s.first().copied(),
        )
    });
    let region = region.to_string();
    let context = context.clone();
    tokio::spawn(async move {
        let started = Instant::now();
        let out = control_plane(
            &context,
            region,
            vantage_ids,
            on_aws,
            named_subnet,
            hub_role_arn,
            run,
        )
        .await;
        (out, started.elapsed())
    })
}

type VantageIds = (Option<String>, Option<String>, Option<IpAddr>);

async fn control_plane(
    context: &AwsContext,
    region: String,
    vantage_ids: Option<VantageIds>,
    on_aws: bool,
    named_subnet: Option<String>,
    hub_role_arn: Option<String>,
    run: Deadline,
) -> ControlPlane {
    if !on_aws && named_subnet.is_none() {
        return None;
    }
    let budget = run.left();
    let client = ec2::client(context, &region, budget, None);
    let timed_out = |action: &str| {
        ec2::Ec2Error::new(
            format!("{action}: no answer within the --timeout budget"),
            Failure::TimedOut {
                action: Some(action.to_string()),
                after_ms: Some(budget.as_millis() as u64),
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
                        format!("no network interface in {region} has address {ip}"),
                        Failure::NotFound,
                    )))
                }
                Err(e) => return Some(Err(e)),
            },
            (None, _, None) => return None,
        }
    };
    // What is left of the budget after the lookup, not a fresh one.
    let mut facts = ec2::gather(&client, &region, &vpc, run.left()).await;
    let hub_context = hub_role_arn.as_deref().map(|a| context.assuming(a, run));
    let hub_client = hub_context
        .as_ref()
        .map(|h| ec2::client(h, &region, budget, None));
    let far = hub_context
        .as_ref()
        .zip(hub_client.as_ref())
        .map(|(context, client)| super::transit::Far { client, context });
    facts.transit = super::transit::gather(
        &client,
        context,
        far,
        &region,
        &vpc,
        &facts.route_tables,
        run.left(),
    )
    .await;
    Some(Ok((vpc, subnet, facts)))
}

/// Waits for the control plane, at most until the hard deadline.
pub async fn finish_control_plane(
    task: JoinHandle<(ControlPlane, Duration)>,
    run: &Deadline,
    timeout: Duration,
) -> (ControlPlane, Option<Duration>) {
    match run.run_hard(task).await {
        Some(Ok((r, took))) => (r, Some(took)),
        Some(Err(e)) => (
            Some(Err(ec2::Ec2Error::new(
                format!("the EC2 gather stopped: {e}"),
                Failure::Other,
            ))),
            None,
        ),
        None => (
            Some(Err(ec2::Ec2Error::new(
                "the EC2 API did not answer within the --timeout budget",
                Failure::TimedOut {
                    action: None,
                    after_ms: Some(timeout.as_millis() as u64),
                },
            ))),
            None,
        ),
    }
}

// ---------------------------------------------------------------------------------------------
// 5. The buckets (a task of its own)

pub struct BucketsDone {
    pub session: s3::Session,
    pub plan: s3::Plan,
    pub pinned: s3::Pinned,
    pub buckets: Observed<Vec<crate::facts::BucketFacts>>,
    pub answers: Vec<Resolution>,
    pub presigned: Observed<PresignedCheck>,
    pub took: Duration,
}

/// Starts the bucket requests and the presigned-URL check through a resolver pinned to the
/// application's DNS view. `Err` when no resolver could be built.
#[allow(clippy::too_many_arguments)]
pub fn spawn_buckets(
    context: &AwsContext,
    opts: &GatherOptions,
    region: &str,
    settings: &ClientSettings,
    view: &DnsView,
    dns_answers: &[Resolution],
    ca_bundles: &[(String, String)],
    run: &Deadline,
) -> Result<Option<JoinHandle<BucketsDone>>, String> {
    if opts.buckets.is_empty() && opts.presigned.is_none() {
        return Ok(None);
    }
    let (r, label) = view
        .system
        .as_ref()
        .map_err(|e| format!("no resolver for the requests: {e}"))?;
    let pinned = s3::Pinned::new(
        r.clone(),
        label.clone(),
        view.hosts.get().cloned().unwrap_or_default(),
        dns_answers.to_vec(),
        view.per_query,
    );
    let proxied = opts.buckets.first().and_then(|b| {
        let host = format!(
            "{b}.s3.{region}.{}",
            crate::validate::partition_dns_suffix(region)
        );
        match proxy::decide(settings, &host) {
            ProxyDecision::Proxied(p) => Some(format!(
                "the application's S3 requests go through the proxy {} ({}); the bucket requests, which follow the application's own path from this host with a pinned resolver, are not sent through it",
                p.address(),
                p.variable
            )),
            _ => None,
        }
    });
    let plan = s3::Plan {
        client_region: region.to_string(),
        buckets: opts.buckets.clone(),
        key: opts.key.clone(),
        ca_bundles: ca_bundles.to_vec(),
        proxied,
        reads: true,
        settings: crate::names::S3Settings::of(Some(settings)),
    };
    let override_url = settings.s3_endpoint_override().map(|(_, url)| url);
    let presigned = opts.presigned.clone();
    let budget = run.left();
    let context = context.clone();
    Ok(Some(tokio::spawn(async move {
        let started = Instant::now();
        let session = s3::session(
            &context,
            &plan.ca_bundles,
            budget.min(Duration::from_millis(1500)),
        )
        .await;
        let presigned_fut = async {
            match &presigned {
                Some(u) => s3::presigned(&pinned, u, budget.min(Duration::from_secs(2))).await,
                None => Observed::not_collected("no --presigned URL given"),
            }
        };
        let ((buckets, answers), presigned) = tokio::join!(
            s3::gather(&session, &plan, &pinned, override_url.as_deref(), budget),
            presigned_fut
        );
        BucketsDone {
            session,
            plan,
            pinned,
            buckets,
            answers,
            presigned,
            took: started.elapsed(),
        }
    })))
}

/// Waits for the bucket requests (at most until the hard deadline), then makes the requests
/// through each S3 interface endpoint's `bucket.vpce-…` name, as clients configured with
/// `--endpoint-url https://bucket.vpce-…` reach it. The extra DNS answers those requests
/// needed are returned for the DNS view.
pub async fn finish_buckets(
    task: JoinHandle<BucketsDone>,
    interface_endpoints: &[VpcEndpoint],
    run: &Deadline,
    timeout: Duration,
) -> (
    Observed<Vec<crate::facts::BucketFacts>>,
    Observed<PresignedCheck>,
    Vec<Resolution>,
    Option<Duration>,
) {
    let done = match run.run_hard(task).await {
        Some(Ok(done)) => done,
        Some(Err(e)) => {
            let failed = format!("the bucket requests stopped: {e}");
            return (
                Observed::failed(failed.clone()),
                Observed::failed(failed),
                Vec::new(),
                None,
            );
        }
        None => {
            return (
                run.ran_out("the bucket requests", timeout),
                run.ran_out("the presigned URL check", timeout),
                Vec::new(),
                None,
            )
        }
    };
    let BucketsDone {
        session,
        plan,
        pinned,
        mut buckets,
        mut answers,
        presigned,
        took,
    } = done;
    let interface: Vec<(&str, &str)> = interface_endpoints
        .iter()
        .filter_map(|e| e.regional_dns_name().map(|n| (e.id.as_str(), n)))
        .collect();
    if let (None, Observed::Collected { value: buckets }) = (&plan.proxied, &mut buckets) {
        // (bucket index, endpoint id, endpoint name) for every bucket that exists.
        let jobs: Vec<(usize, &str, &str)> = buckets
            .iter()
            .enumerate()
            .filter(|(_, b)| b.region.get().is_some())
            // Buckets by name only: an access point's requests take accesspoint.vpce-… names.
            .filter(|(_, b)| crate::names::parse(&b.name).is_ok_and(|r| r.bucket_name().is_some()))
            .flat_map(|(i, _)| interface.iter().map(move |(id, n)| (i, *id, *n)))
            .collect();
        let limit = run.left();
        let runs = dns::join_all(jobs.iter().map(|(i, id, name)| {
            s3::via_interface_endpoint(&session, &plan, &pinned, &buckets[*i].name, id, name, limit)
        }))
        .await;
        for ((i, _, _), (requests, more)) in jobs.iter().zip(runs) {
            buckets[*i].requests.extend(requests);
            answers.extend(more);
        }
    }
    (buckets, presigned, answers, Some(took))
}

// ---------------------------------------------------------------------------------------------
// 6. Probes

/// TCP 443 to every resolved address, TLS (every address of the primary name, the first of
/// the others) against each trust store, ICMP echo, and the first-hop probe toward the
/// primary name's first public address of each family.
pub async fn probes(
    answers: &[Resolution],
    s3_names: &[String],
    vpc_cidrs: &[ipnet::IpNet],
    ca_bundles: &[(String, String)],
    run: &Deadline,
) -> Probes {
    let mut addrs: Vec<IpAddr> = Vec::new();
    for r in answers {
        for a in &r.addresses {
            if !addrs.contains(a) {
                addrs.push(*a);
            }
        }
    }
    addrs.truncate(MAX_TCP_PROBES);
    let tcp_limit = run.left_max(Duration::from_secs(2));
    let (stores, store_errors) = tls::stores(ca_bundles);
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
    let icmp_fut = probe::icmp(&icmp_addrs, run.left_max(Duration::from_secs(1)));
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
    let hop_wait = (run.left() / 4).min(Duration::from_millis(FIRST_HOP_WAIT_MS));
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
    Probes {
        tcp,
        icmp,
        tls,
        first_hop,
        errors,
    }
}

/// TCP 443 to every ENI of every S3 interface endpoint, in every AZ, that was not probed yet:
/// a blocked AZ shows up before a client lands there.
pub async fn probe_endpoint_enis(probes: &mut Probes, endpoints: &[VpcEndpoint], run: &Deadline) {
    let enis: Vec<IpAddr> = endpoints
        .iter()
        .flat_map(|e| e.network_interfaces.iter().flat_map(|n| n.addresses()))
        .filter(|a| !probes.tcp.iter().any(|t| t.address == *a))
        .take(MAX_TCP_PROBES)
        .collect();
    let limit = run.left_max(Duration::from_secs(2));
    probes
        .tcp
        .extend(dns::join_all(enis.iter().map(|a| probe::tcp(*a, 443, limit))).await);
}
