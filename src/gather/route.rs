//! `s3path route`: the control-plane view of a subnet, from anywhere with credentials. No host
//! is involved, so the DNS answers an instance in the subnet would get are derived from the
//! control plane (interface endpoint private DNS, else public S3 addresses from the region's S3
//! prefix list), and nothing is probed.

use std::net::IpAddr;
use std::time::Duration;

use ipnet::IpNet;

use super::ec2;
use crate::facts::{
    AnswerSource, EndpointType, Facts, LookupStatus, Observed, PrefixList, Request, Resolution,
    Vantage, VantageKind, VpcDnsAttributes, VpcEndpoint,
};
use crate::names::HostKind;
use crate::targets::{self, TargetClass};

pub struct RouteOptions {
    pub region: String,
    pub subnet_id: Option<String>,
    pub instance_id: Option<String>,
    pub buckets: Vec<String>,
    pub timeout: Duration,
}

const SIMULATED: &str = "derived from the control plane (no DNS query)";

/// The answer an instance in the subnet would get for each name: the ENIs of an S3 interface
/// endpoint whose private DNS serves this VPC (own AZ first), else a public S3 address from the
/// region's S3 prefix list. Names that the control plane cannot answer are left out.
pub fn derived_answers(
    region: &str,
    buckets: &[String],
    endpoints: &[VpcEndpoint],
    attrs: Option<&VpcDnsAttributes>,
    prefix_lists: &[PrefixList],
    az: Option<&str>,
) -> Vec<Resolution> {
    let private_dns_on = attrs.is_some_and(|a| a.enable_dns_support && a.enable_dns_hostnames);
    let eni_ips = |ep: &VpcEndpoint| -> Vec<IpAddr> {
        let mut enis: Vec<_> = ep.network_interfaces.iter().collect();
        enis.sort_by_key(|e| e.availability_zone.as_deref() != az);
        enis.iter().flat_map(|e| e.addresses()).collect()
    };
    let private_dns = endpoints.iter().find(|e| {
        e.endpoint_type == EndpointType::Interface
            && e.is_s3_service(region)
            && e.is_available()
            && e.private_dns_enabled
            && e.private_dns_only_for_inbound_resolver_endpoint != Some(true)
            && private_dns_on
    });
    // A public S3 address of the name's own region: the first host of an entry of that
    // region's S3 list (only lists that were read; IPv6 from an IPv6 S3 list, when one is).
    let public_of = |service: &str, r: &str, v6: bool| -> Option<IpAddr> {
        let v6_service = format!("ipv6.{service}");
        prefix_lists
            .iter()
            .filter(|l| l.entries_known())
            .filter(|l| {
                l.aws_service()
                    .is_some_and(|(lr, svc)| lr == r && (svc == service || svc == v6_service))
            })
            .flat_map(|l| l.cidrs.iter())
            .find(|c| c.addr().is_ipv6() == v6)
            .map(|c: &IpNet| first_host(c))
    };
    let public = |r: &str, v6: bool| public_of("s3", r, v6);
    let answer = |host: &str, addresses: Vec<IpAddr>| Resolution {
        host: host.to_string(),
        status: LookupStatus::Answered,
        source: AnswerSource::Derived,
        addresses,
        cname_chain: vec![],
        ttl: None,
        error: None,
        resolver: Some(SIMULATED.to_string()),
    };
    let mut out = Vec::new();
    for t in targets::plan(region, buckets, endpoints, None) {
        let name_region = t.region.as_deref().unwrap_or(region);
        let same_region = name_region == region;
        match t.class {
            // The endpoint's private zone is `s3.<region>.amazonaws.com` and its subdomains: the
            // dual-stack names are outside it.
            TargetClass::Regional | TargetClass::BucketRegional
                if same_region && private_dns.is_some() =>
            {
                out.push(answer(&t.host, eni_ips(private_dns.expect("checked"))));
            }
            TargetClass::Regional
            | TargetClass::BucketRegional
            | TargetClass::Dualstack
            | TargetClass::BucketDualstack
            | TargetClass::Global
            | TargetClass::BucketGlobal => {
                // Interface endpoint private DNS serves its own region's regional names only;
                // the legacy global names and other regions' names answer publicly.
                let dual = matches!(
                    t.class,
                    TargetClass::Dualstack | TargetClass::BucketDualstack
                );
                let mut addrs: Vec<IpAddr> = public(name_region, false).into_iter().collect();
                if dual {
                    addrs.extend(public(name_region, true));
                }
                if !addrs.is_empty() {
                    out.push(answer(&t.host, addrs));
                }
            }
            TargetClass::EndpointSpecific => {
                if let Some(ep) = endpoints
                    .iter()
                    .find(|e| Some(&e.id) == t.endpoint_id.as_ref())
                {
                    out.push(answer(&t.host, eni_ips(ep)));
                }
            }
            // Access point names resolve to the region's public S3 addresses. Whether an S3
            // interface endpoint's private DNS answers for them is not derived: left out then.
            TargetClass::Named if t.host_kind == Some(HostKind::AccessPoint) => {
                if !(same_region && private_dns.is_some()) {
                    out.extend(public(name_region, false).map(|a| answer(&t.host, vec![a])));
                }
            }
            // A directory bucket's zonal name: the region's s3express list.
            TargetClass::Named if t.host_kind == Some(HostKind::Zonal) => {
                let s3express_private = endpoints.iter().any(|e| {
                    e.endpoint_type == EndpointType::Interface
                        && e.service_name.as_deref()
                            == Some(&*format!("com.amazonaws.{name_region}.s3express"))
                        && e.private_dns_enabled
                });
                if !s3express_private {
                    out.extend(
                        public_of("s3express", name_region, false)
                            .map(|a| answer(&t.host, vec![a])),
                    );
                }
            }
            // A Multi-Region Access Point's global name: with private DNS on, an interface
            // endpoint for com.amazonaws.s3-global.accesspoint answers for every MRAP name in
            // the VPC (AWS: "all Multi-Region Access Point requests in the VPC go through this
            // endpoint"); without one, no list holds its addresses and none is derived.
            TargetClass::Named if t.host_kind == Some(HostKind::MultiRegion) => {
                let mrap = endpoints.iter().find(|e| {
                    e.endpoint_type == EndpointType::Interface
                        && e.service_name.as_deref() == Some("com.amazonaws.s3-global.accesspoint")
                        && e.is_available()
                        && e.private_dns_enabled
                        && private_dns_on
                });
                if let Some(ep) = mrap {
                    out.push(answer(&t.host, eni_ips(ep)));
                }
            }
            // FIPS, accelerate, website and Object Lambda names: no list is documented to hold
            // their addresses, so none is derived (the checks say where such a name can and
            // cannot go).
            TargetClass::Named | TargetClass::EndpointOverride | TargetClass::Presigned => {}
        }
    }
    out
}

fn first_host(net: &IpNet) -> IpAddr {
    match net.network() {
        IpAddr::V4(a) => IpAddr::V4(std::net::Ipv4Addr::from(u32::from(a).saturating_add(1))),
        IpAddr::V6(a) => IpAddr::V6(std::net::Ipv6Addr::from(u128::from(a).saturating_add(1))),
    }
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
            },
            "s3path route judges the control plane only",
        );
        // One context for the run: the EC2 client and the bucket requests share the
        // configuration and one resolution of the credentials.
        let context = super::context::AwsContext::new(&opts.region, run);
        let client = ec2::client(&context, &opts.region, opts.timeout, endpoint);
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
                return facts;
            }
        };
        vantage.vpc_id = Some(vpc.clone());
        let e = ec2::gather(&client, &opts.region, &vpc, run.left()).await;
        if let Some((v4, v6)) = e.vpc_cidrs.get() {
            vantage.vpc_ipv4_cidr_blocks = v4.clone();
            vantage.vpc_ipv6_cidr_blocks = v6.clone();
        }
        facts.dns = Observed::collected(derived_answers(
            &opts.region,
            &opts.buckets,
            e.vpc_endpoints.get().map(Vec::as_slice).unwrap_or(&[]),
            e.vpc_dns_attributes.get(),
            e.prefix_lists.get().map(Vec::as_slice).unwrap_or(&[]),
            vantage.availability_zone.as_deref(),
        ));
        facts.vantage = Observed::collected(vantage);
        e.apply(&mut facts);
        facts.probes = Observed::not_collected(
            "s3path route sends no probes (run doctor on the instance for those)",
        );
        facts.client_settings =
            Observed::not_collected("s3path route does not look at any host's settings");
        facts.metadata_service = Observed::not_collected("not relevant to s3path route");
        // The buckets' regions and policies (HeadBucket and GetBucketPolicy from this machine:
        // the region and the policy do not depend on the path; no reads are made).
        facts.buckets = if opts.buckets.is_empty() {
            Observed::not_collected("no --bucket given")
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
                        let session = super::s3::session(
                            &context,
                            &[],
                            budget.min(Duration::from_millis(1500)),
                        )
                        .await;
                        super::s3::gather(&session, &plan, &pinned, None, run.left())
                            .await
                            .0
                    };
                    run.run_hard(work)
                        .await
                        .unwrap_or_else(|| run.ran_out("the bucket requests", opts.timeout))
                }
                Err(e) => Observed::failed(format!("no resolver for the bucket requests: {e}")),
            }
        };
        facts.presigned = Observed::not_collected("s3path route does not check presigned URLs");
        facts
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::facts::{DnsEntry, EndpointInterface};

    fn s3_list() -> PrefixList {
        PrefixList {
            id: "pl-6da54004".into(),
            name: Some("com.amazonaws.eu-west-1.s3".into()),
            owner_id: Some("AWS".into()),
            address_family: Some("IPv4".into()),
            cidrs: vec!["52.218.0.0/17".parse().unwrap()],
            entries_error: None,
            entries_failure: None,
        }
    }

    fn interface(private_dns: bool, inbound_only: Option<bool>) -> VpcEndpoint {
        VpcEndpoint {
            id: "vpce-0if".into(),
            vpc_id: None,
            endpoint_type: EndpointType::Interface,
            service_name: Some("com.amazonaws.eu-west-1.s3".into()),
            state: "available".into(),
            route_table_ids: vec![],
            subnet_ids: vec![],
            network_interfaces: ["eu-west-1b", "eu-west-1a"]
                .iter()
                .enumerate()
                .map(|(i, az)| EndpointInterface {
                    id: format!("eni-{i}"),
                    subnet_id: None,
                    availability_zone: Some(az.to_string()),
                    private_ipv4: Some(format!("10.0.{i}.20").parse().unwrap()),
                    ipv6s: vec![],
                })
                .collect(),
            dns_entries: vec![DnsEntry {
                dns_name: "*.vpce-0if-abc.s3.eu-west-1.vpce.amazonaws.com".into(),
                hosted_zone_id: None,
            }],
            private_dns_enabled: private_dns,
            private_dns_only_for_inbound_resolver_endpoint: inbound_only,
            security_group_ids: vec![],
            policy_document: None,
            resource_configuration_arn: None,
            ip_address_type: None,
        }
    }

    const ON: VpcDnsAttributes = VpcDnsAttributes {
        enable_dns_support: true,
        enable_dns_hostnames: true,
    };

    fn answer<'a>(a: &'a [Resolution], host: &str) -> Option<&'a Resolution> {
        a.iter().find(|r| r.host == host)
    }

    #[test]
    fn a_multi_region_access_point_answers_from_its_interface_endpoint_only() {
        let mut ep = interface(true, None);
        ep.service_name = Some("com.amazonaws.s3-global.accesspoint".into());
        let buckets = ["mfzwi23gnjvgw.mrap".to_string()];
        let host = "mfzwi23gnjvgw.mrap.accesspoint.s3-global.amazonaws.com";
        let a = derived_answers(
            "eu-west-1",
            &buckets,
            &[ep.clone()],
            Some(&ON),
            &[s3_list()],
            Some("eu-west-1a"),
        );
        let r = answer(&a, host).expect("derived from the endpoint's ENIs");
        assert_eq!(
            r.addresses[0],
            "10.0.1.20".parse::<IpAddr>().unwrap(),
            "own AZ first"
        );
        // Private DNS off, or no such endpoint: nothing derived (no list holds its addresses).
        ep.private_dns_enabled = false;
        let a = derived_answers("eu-west-1", &buckets, &[ep], Some(&ON), &[s3_list()], None);
        assert!(answer(&a, host).is_none());
        let a = derived_answers("eu-west-1", &buckets, &[], Some(&ON), &[s3_list()], None);
        assert!(answer(&a, host).is_none());
    }

    #[test]
    fn public_answers_come_from_the_s3_prefix_list() {
        let a = derived_answers("eu-west-1", &[], &[], Some(&ON), &[s3_list()], None);
        let r = answer(&a, "s3.eu-west-1.amazonaws.com").unwrap();
        assert_eq!(r.addresses, ["52.218.0.1".parse::<IpAddr>().unwrap()]);
        assert!(
            answer(&a, "s3.amazonaws.com").is_none(),
            "us-east-1's list is not read"
        );
    }

    #[test]
    fn private_dns_answers_with_the_enis_own_az_first() {
        let eps = [interface(true, None)];
        let a = derived_answers(
            "eu-west-1",
            &[],
            &eps,
            Some(&ON),
            &[s3_list()],
            Some("eu-west-1a"),
        );
        let r = answer(&a, "s3.eu-west-1.amazonaws.com").unwrap();
        assert_eq!(r.addresses[0], "10.0.1.20".parse::<IpAddr>().unwrap());
        assert!(answer(&a, "bucket.vpce-0if-abc.s3.eu-west-1.vpce.amazonaws.com").is_some());
    }

    #[test]
    fn private_dns_does_not_apply_when_off_inbound_only_or_attributes_off() {
        for (ep, attrs) in [
            (interface(false, None), ON),
            (interface(true, Some(true)), ON),
            (
                interface(true, None),
                VpcDnsAttributes {
                    enable_dns_support: true,
                    enable_dns_hostnames: false,
                },
            ),
        ] {
            let a = derived_answers("eu-west-1", &[], &[ep], Some(&attrs), &[s3_list()], None);
            let r = answer(&a, "s3.eu-west-1.amazonaws.com").unwrap();
            assert_eq!(r.addresses, ["52.218.0.1".parse::<IpAddr>().unwrap()]);
        }
    }
}
