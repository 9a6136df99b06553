//! The gathering layer: the only code that reads the environment, files or the network. It
//! fills a [`Facts`] value; every part says whether it was collected, and if not, why.
//!
//! Order: identity (IMDS, bounded to about one second when nothing answers), then the DNS
//! view (hosts file, system resolver, VPC resolver) for the planned targets, then probes of
//! the addresses found. Everything shares one overall budget (`--timeout`).

pub mod audit;
pub mod aws;
pub mod aws_config;
mod clock;
pub mod context;
pub mod deadline;
pub mod dns;
pub mod ec2;
pub mod ecs;
pub mod endpoints;
mod env;
pub mod fleet;
pub mod https;
pub mod imds;
mod metadata_http;
mod options;
mod phases;
mod plain;
pub mod private_dns;
pub mod probe;
pub mod progress;
pub mod route;
pub mod s3;
pub mod tls;
pub mod transit;

use std::net::IpAddr;

use crate::facts::{Facts, Observed, Request, Vantage, VantageKind};
use crate::names::targets;
use crate::proxy::{self, ProxyDecision};

pub use env::client_settings;
use options::NOT_BUILT;
pub use options::{Env, GatherOptions, ProcessEnv, WithProfile, VPC_RESOLVER};
pub use plain::plain_error;

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
                    sdk: None,
                },
                &why,
            );
            f.client_settings = Observed::collected(client_settings(env));
            return f;
        }
    };
    rt.block_on(gather_async(opts, env))
}

/// The gather, phase by phase, under one deadline (see `phases` for each phase):
///
/// 1. identity (IMDSv2 or ECS task metadata) — everything else needs the region and the VPC;
/// 2. the AWS CLI's version, started now and finished last;
/// 3. the control plane (EC2 API) as its own task, and the DNS view alongside it;
/// 4. the bucket requests as their own task, and the probes alongside them;
/// 5. the control plane's results, then the interface-endpoint ENIs it names are probed;
/// 6. the bucket requests' results, and the requests through each interface endpoint;
/// 7. the CLI version, if an interface endpoint makes it matter.
async fn gather_async(opts: &GatherOptions, env: &dyn Env) -> Facts {
    // `--profile` reads as `AWS_PROFILE` would, for every reader of the environment.
    let env = &WithProfile {
        env,
        profile: opts.profile.as_deref(),
    };
    let run = deadline::Deadline::after(opts.timeout);
    let mut clock = phases::Clock::new();
    let mut facts = Facts::empty(
        Request {
            region: None,
            buckets: opts.buckets.clone(),
            key: opts.key.clone(),
            sdk: None,
        },
        NOT_BUILT,
    );
    let mut settings = client_settings(env);

    // 1. Identity.
    let since = clock.now();
    let id = phases::identity(opts, env, &run).await;
    clock.record("identity", since);
    facts.metadata_service = id.metadata_service;
    facts.vantage = id.vantage;
    facts.request.region = id.region.clone();
    let on_aws = id.on_aws;
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
    // 2. The AWS CLI's version.
    let cli = phases::start_cli_version(env, on_aws || opts.subnet_id.is_some(), &run);
    let Some(region) = id.region else {
        let why = "no region is known (give --region, set AWS_REGION, or run on an instance)";
        facts.dns = Observed::not_collected(why);
        facts.probes = Observed::not_collected(why);
        facts.buckets = Observed::not_collected(why);
        facts.presigned = Observed::not_collected(why);
        facts.clock = Observed::not_collected(why);
        settings.aws_cli = phases::finish_cli_version(cli, false, &run).await;
        facts.client_settings = Observed::collected(settings);
        facts.timings = clock.timings;
        return facts;
    };

    // 3. The control plane (its own task) and, alongside it, the DNS view of the names the
    // application uses (and of the proxy's host).
    let s3_names = planned_names(&region, opts, &settings);
    let mut names = s3_names.clone();
    if let Some(primary) = names.first() {
        if let ProxyDecision::Proxied(p) = proxy::decide(&settings, primary) {
            if p.host.parse::<IpAddr>().is_err() && !names.contains(&p.host) {
                names.push(p.host.clone());
            }
        }
    }
    // One AWS context for the run: the control plane and the bucket requests share the
    // configuration, one resolution of the credentials and the HTTPS client.
    let context = context::AwsContext::new(&region, run).with_profile(opts.profile.clone());
    let control_since = clock.now();
    let control = phases::spawn_control_plane(
        &context,
        &region,
        facts.vantage.get(),
        on_aws,
        opts.subnet_id.clone(),
        opts.hub_role_arn.clone(),
        run,
    );
    let since = clock.now();
    let view = phases::dns_view(
        &names,
        &opts.hosts_file,
        facts.vantage.get(),
        on_aws,
        &run,
        opts.timeout,
    )
    .await;
    clock.record("dns", since);
    facts.dns = view.dns.clone();
    if let Some(v) = view.vpc_resolver_dns.clone() {
        facts.vpc_resolver_dns = v;
    }

    // 4. The buckets (their own task) and, alongside them, the probes.
    let ca_bundles: Vec<(String, String)> = ["AWS_CA_BUNDLE", "SSL_CERT_FILE"]
        .iter()
        .filter_map(|v| {
            env.var(v)
                .filter(|p| !p.is_empty())
                .map(|p| (v.to_string(), p))
        })
        .collect();
    let buckets_since = clock.now();
    let dns_answers = facts.dns.get().cloned().unwrap_or_default();
    let buckets = match phases::spawn_buckets(
        &context,
        opts,
        &region,
        &settings,
        &view,
        &dns_answers,
        &ca_bundles,
        &run,
    ) {
        Ok(task) => task,
        Err(e) => {
            facts.buckets = Observed::failed(e.clone());
            facts.presigned = Observed::failed(e);
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
    let since = clock.now();
    facts.probes = match facts.dns.get() {
        None => Observed::not_collected("no DNS answers to probe"),
        Some(answers) => Observed::collected(
            phases::probes(answers, &s3_names, &vpc_cidrs, &ca_bundles, &run).await,
        ),
    };
    clock.record("probes", since);

    // 5. The control plane's results; then every ENI of every S3 interface endpoint.
    let (control, took) = phases::finish_control_plane(control, &run, opts.timeout).await;
    if let Some(took) = took {
        clock.record_span("control-plane", control_since, took);
    }
    apply_control_plane(&mut facts, control, opts, on_aws, &region);
    let interface_endpoints: Vec<crate::facts::VpcEndpoint> = facts
        .s3_endpoints(&region, crate::facts::EndpointType::Interface)
        .unwrap_or_default()
        .into_iter()
        .cloned()
        .collect();
    if let Observed::Collected { value: probes } = &mut facts.probes {
        let since = clock.now();
        phases::probe_endpoint_enis(probes, &interface_endpoints, &run).await;
        clock.record("endpoint-enis", since);
    }

    // 6. The buckets' results, and the requests through each interface endpoint.
    if let Some(task) = buckets {
        let (buckets, presigned, answers, took) =
            phases::finish_buckets(task, &interface_endpoints, &run, opts.timeout).await;
        if let Some(took) = took {
            clock.record_span("buckets", buckets_since, took);
        }
        facts.buckets = buckets;
        facts.presigned = presigned;
        if let Observed::Collected { value: dns_view } = &mut facts.dns {
            for a in answers {
                if !dns_view.iter().any(|r| r.host == a.host) {
                    dns_view.push(a);
                }
            }
        }
    }

    // 7. The CLI version, when an interface endpoint is in the VPC (or a name resolves into it).
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
    let since = clock.now();
    settings.aws_cli = phases::finish_cli_version(cli, interface_in_vpc, &run).await;
    clock.record("aws-cli", since);
    facts.client_settings = Observed::collected(settings);
    facts.clock = context.clock_observed();
    facts.aws_access = context.access_observed();
    facts.timings = clock.timings;
    facts
}

/// The S3 names the application uses, as `targets` plans them from its settings.
fn planned_names(
    region: &str,
    opts: &GatherOptions,
    settings: &crate::facts::ClientSettings,
) -> Vec<String> {
    let settings = crate::names::S3Settings::of(Some(settings));
    targets::plan_with(&targets::PlanInput {
        region,
        buckets: &opts.buckets,
        bucket_regions: &[],
        endpoints: &[],
        settings: &settings,
        sdk: None,
    })
    .into_iter()
    .map(|t| t.host)
    .collect()
}

/// Puts the control plane's results into the facts: the VPC and subnet it found (a named
/// subnet wins over the metadata), the VPC's CIDR blocks, and every part.
fn apply_control_plane(
    facts: &mut Facts,
    control: phases::ControlPlane,
    opts: &GatherOptions,
    on_aws: bool,
    region: &str,
) {
    match control {
        Some(Ok((vpc, subnet, ec2))) => {
            if facts.vantage.get().is_none() {
                // No identity from this host: judge the named subnet as such.
                facts.vantage = Observed::collected(Vantage {
                    region: Some(region.to_string()),
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
            ec2.apply(facts);
        }
        Some(Err(e)) => ec2::mark_unavailable(facts, e.observed()),
        None if on_aws => ec2::mark_unavailable(
            facts,
            Observed::not_collected("the vantage's VPC is not known"),
        ),
        None => {}
    }
}
