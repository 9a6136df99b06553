//! `s3path route`: the control-plane view of a subnet, from anywhere with credentials. No host
//! is involved, so the DNS answers an instance in the subnet would get are derived from the
//! control plane (interface endpoint private DNS, else public S3 addresses from the region's S3
//! prefix list), and nothing is probed.

use std::time::Duration;

use super::ec2;
use crate::facts::{Facts, Observed, Request, Vantage, VantageKind};

pub struct RouteOptions {
    pub region: String,
    pub subnet_id: Option<String>,
    pub instance_id: Option<String>,
    pub buckets: Vec<String>,
    /// `--probe-from-here`: make the buckets' read-only requests (HeadBucket,
    /// GetBucketPolicy) from this machine, marked as made from here. Off: no bucket request.
    pub probe_from_here: bool,
    pub timeout: Duration,
    /// `--profile`: the profile for credentials and settings (else `AWS_PROFILE`).
    pub profile: Option<String>,
    /// `--hub-role-arn`: read the far side of a transit gateway (its route tables, the hub
    /// VPCs, a shared zone's records) with this role, assumed read-only.
    pub hub_role_arn: Option<String>,
}

/// Gathers the control-plane facts of the subnet (or of the instance's subnet).
pub fn gather_route(opts: &RouteOptions, endpoint: Option<&str>) -> Facts {
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("tokio runtime");
    rt.block_on(async {
        // One deadline for the lookup of the subnet, the control plane and the buckets.
        let run = super::deadline::Deadline::after(opts.timeout);
        let mut facts = Facts::empty(
            Request {
                region: Some(opts.region.clone()),
                buckets: opts.buckets.clone(),
                key: None,
                sdk: None,
            },
            "s3path route judges the control plane only",
        );
        // One context for the run: the EC2 client and the bucket requests share the
        // configuration and one resolution of the credentials.
        let context =
            super::context::AwsContext::new(&opts.region, run).with_profile(opts.profile.clone());
        let client = ec2::client(&context, &opts.region, opts.timeout, endpoint);
        let hub_context = opts.hub_role_arn.as_deref().map(|a| context.assuming(a, run));
        let hub_client = hub_context
            .as_ref()
            .map(|h| ec2::client(h, &opts.region, opts.timeout, endpoint));
        let mut vantage = Vantage {
            instance_id: opts.instance_id.clone(),
            region: Some(opts.region.clone()),
            subnet_id: opts.subnet_id.clone(),
            ..Vantage::new(VantageKind::Subnet)
        };
        let timed_out = |action: &str| {
            ec2::Ec2Error::new(
                format!("{action}: no answer within the --timeout budget"),
                crate::facts::Failure::TimedOut {
                    action: Some(action.to_string()),
                    after_ms: Some(opts.timeout.as_millis() as u64),
                },
            )
        };
        let placed = match (&opts.instance_id, &opts.subnet_id) {
            (Some(id), _) => run
                .run(ec2::instance(&client, id))
                .await
                .unwrap_or_else(|| Err(timed_out("ec2:DescribeInstances")))
                .map(|i| {
                    vantage.kind = VantageKind::Ec2Instance;
                    vantage.subnet_id = Some(i.subnet_id);
                    vantage.availability_zone = i.availability_zone;
                    vantage.local_ipv4s = i.private_ip.into_iter().collect();
                    vantage.public_ipv4s = i.public_ip.into_iter().collect();
                    vantage.security_group_ids = i.security_group_ids;
                    i.vpc_id
                }),
            (None, Some(subnet)) => run
                .run(ec2::subnet(&client, subnet))
                .await
                .unwrap_or_else(|| Err(timed_out("ec2:DescribeSubnets")))
                .map(|(vpc, az)| {
                    vantage.availability_zone = az;
                    vpc
                }),
            (None, None) => Err(ec2::Ec2Error::new(
                "give --subnet-id or --instance-id",
                crate::facts::Failure::Other,
            )),
        };
        let vpc = match placed {
            Ok(v) => v,
            Err(e) => {
                facts.vantage = e.observed();
                ec2::mark_unavailable(&mut facts, e.observed());
                // The verdict's reason names the lookup that failed, not "no DNS answers".
                facts.dns = Observed::not_collected(format!(
                    "the answers are derived from the control plane, which could not be read ({e})"
                ));
                facts.aws_access = context.access_observed();
                return facts;
            }
        };
        vantage.vpc_id = Some(vpc.clone());
        let mut e = ec2::gather(&client, &opts.region, &vpc, run.left()).await;
        let far = hub_context
            .as_ref()
            .zip(hub_client.as_ref())
            .map(|(context, client)| super::transit::Far { client, context });
        e.transit =
            super::transit::gather(&client, &context, far, &opts.region, &vpc, &e.route_tables, run.left()).await;
        if let Some((v4, v6)) = e.vpc_cidrs.get() {
            vantage.vpc_ipv4_cidr_blocks = v4.clone();
            vantage.vpc_ipv6_cidr_blocks = v6.clone();
        }
        // The answers an instance in the subnet would get are derived from these facts by the
        // engine (engine::derived), not gathered: no DNS query is made.
        facts.dns = Observed::not_collected(
            "s3path route makes no DNS queries (the answers are derived from the control plane)",
        );
        facts.vantage = Observed::collected(vantage);
        e.apply(&mut facts);
        facts.probes = Observed::not_collected(
            "s3path route sends no probes (run doctor on the instance for those)",
        );
        facts.client_settings =
            Observed::not_collected("s3path route does not look at any host's settings");
        facts.metadata_service = Observed::not_collected("not relevant to s3path route");
        // No bucket request by default: this machine (a CI runner, a laptop) is not in the
        // subnet, so what its requests meet says nothing about the subnet's path. With
        // --probe-from-here, the buckets' regions and policies (HeadBucket and
        // GetBucketPolicy; no reads) are asked from here, and marked as made from here.
        facts.buckets = if opts.buckets.is_empty() {
            Observed::not_collected("no --bucket given")
        } else if !opts.probe_from_here {
            Observed::not_collected(
                "s3path route makes no bucket requests: this machine is not in the subnet (--probe-from-here makes them from here, labelled as such)",
            )
        } else {
            match super::dns::system_resolver(opts.timeout.min(Duration::from_secs(2))) {
                Ok((r, label)) => {
                    let pinned = super::s3::Pinned::new(
                        r,
                        label,
                        Vec::new(),
                        Vec::new(),
                        opts.timeout.min(Duration::from_secs(2)),
                    );
                    let plan = super::s3::Plan {
                        client_region: opts.region.clone(),
                        buckets: opts.buckets.clone(),
                        key: None,
                        ca_bundles: Vec::new(),
                        proxied: None,
                        reads: false,
                        settings: crate::names::S3Settings::default(),
                    };
                    let budget = run.left();
                    let work = async {
                        // s3path's own requests: through this machine's proxy when its
                        // variables send the S3 host there.
                        let session = super::s3::session(
                            &context,
                            &[],
                            budget.min(Duration::from_millis(1500)),
                        )
                        .await
                        .through_own_proxy(&context);
                        super::s3::gather(&session, &plan, &pinned, None, run.left())
                            .await
                            .0
                    };
                    let mut got = run
                        .run_hard(work)
                        .await
                        .unwrap_or_else(|| run.ran_out("the bucket requests", opts.timeout));
                    if let Observed::Collected { value } = &mut got {
                        for b in value.iter_mut() {
                            b.requests_from = crate::facts::RequestsFrom::ThisMachine;
                        }
                    }
                    got
                }
                Err(e) => Observed::failed(format!("no resolver for the bucket requests: {e}")),
            }
        };
        facts.presigned = Observed::not_collected("s3path route does not check presigned URLs");
        facts.aws_access = context.access_observed();
        facts
    })
}
