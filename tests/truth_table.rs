//! The truth table of the verdict: for every path kind a route can lead to, and for every
//! source of confidence (control plane only, control plane and an agreeing probe, live probes
//! only, nothing), the verdict's path and confidence, the summary's wording, and the exit code
//! with `--expect` met, not met, and undecidable.

use s3path::engine::{Confidence, PathKind};
use s3path::facts::*;
use s3path::report::{judge, JudgeOptions};

fn base() -> Facts {
    let text = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/scenarios/gateway-endpoint.facts.json"
    ))
    .unwrap();
    serde_json::from_str(&text).unwrap()
}

/// A route 0.0.0.0/0 to `target` (by its id prefix) as the only way out, with the state facts
/// that make the target usable.
fn with_default_route(target: &str) -> Facts {
    let mut f = base();
    let mut route = Route {
        destination_cidr_block: Some("0.0.0.0/0".parse().unwrap()),
        ..Route::default()
    };
    match target.split(['-', ':']).next().unwrap() {
        "igw" | "vgw" | "vpce" | "xgw" => route.gateway_id = Some(target.into()),
        "nat" => route.nat_gateway_id = Some(target.into()),
        "tgw" => route.transit_gateway_id = Some(target.into()),
        "pcx" => route.vpc_peering_connection_id = Some(target.into()),
        "eni" => route.network_interface_id = Some(target.into()),
        "cagw" => route.carrier_gateway_id = Some(target.into()),
        "lgw" => route.local_gateway_id = Some(target.into()),
        "arn" => route.core_network_arn = Some(target.into()),
        other => panic!("no route kind for {other}"),
    }
    if let Observed::Collected { value } = &mut f.route_tables {
        value[0].routes = vec![
            Route {
                destination_cidr_block: Some("10.0.0.0/16".parse().unwrap()),
                gateway_id: Some("local".into()),
                ..Route::default()
            },
            route,
        ];
    }
    // Usable targets: the NAT gateway available, the IGW attached, the GWLB endpoint there;
    // and a public address for the IGW path.
    f.nat_gateways = Observed::collected(vec![NatGateway {
        id: "nat-0t".into(),
        state: "available".into(),
        connectivity_type: "public".into(),
        subnet_id: None,
        private_ips: vec!["10.0.0.5".parse().unwrap()],
        public_ips: vec![],
    }]);
    f.internet_gateways = Observed::collected(vec![InternetGateway {
        id: "igw-0t".into(),
        attachments: vec![IgwAttachment {
            vpc_id: "vpc-0a1b2c3d".into(),
            state: "available".into(),
        }],
    }]);
    if let Observed::Collected { value } = &mut f.vantage {
        value.public_ipv4s = vec!["54.1.2.3".parse().unwrap()];
    }
    if let Observed::Collected { value } = &mut f.vpc_endpoints {
        value.push(VpcEndpoint {
            id: "vpce-0gwlb".into(),
            vpc_id: None,
            endpoint_type: EndpointType::GatewayLoadBalancer,
            service_name: Some("com.amazonaws.vpce.eu-west-1.vpce-svc-0inspect".into()),
            state: "available".into(),
            route_table_ids: vec![],
            subnet_ids: vec![],
            network_interfaces: vec![],
            dns_entries: vec![],
            private_dns_enabled: false,
            private_dns_only_for_inbound_resolver_endpoint: None,
            security_group_ids: vec![],
            policy_document: None,
            resource_configuration_arn: None,
            ip_address_type: None,
        });
    }
    f
}

/// A first-hop probe and a TCP connection that agree with `kind`.
fn agreeing_probe(f: &mut Facts, kind: PathKind) {
    let addr = "52.218.20.7".parse().unwrap();
    let responder = match kind {
        PathKind::NatGateway | PathKind::NetworkInterface => Some("10.0.0.5".parse().unwrap()),
        PathKind::InternetGateway => Some("100.64.9.9".parse().unwrap()),
        _ => None,
    };
    f.probes = Observed::collected(Probes {
        tcp: vec![TcpProbe {
            address: addr,
            port: 443,
            outcome: TcpOutcome::Connected,
            latency_ms: Some(1.0),
            error: None,
        }],
        first_hop: vec![FirstHopProbe {
            target: addr,
            responder,
            ttl: responder.map(|_| 1),
            max_ttl: 3,
        }],
        icmp: vec![],
        tls: vec![],
        errors: vec![],
    });
}

fn run(f: &Facts, expect: &[PathKind]) -> s3path::report::Report {
    judge(
        f,
        &JudgeOptions {
            expect: expect.to_vec(),
            ..JudgeOptions::default()
        },
    )
}

const ROUTED: [(&str, PathKind, bool); 12] = [
    // (target, kind, a first-hop probe can confirm it)
    ("nat-0t", PathKind::NatGateway, true),
    ("igw-0t", PathKind::InternetGateway, true),
    ("tgw-0t", PathKind::TransitGateway, false),
    ("pcx-0t", PathKind::VpcPeering, false),
    ("vgw-0t", PathKind::VirtualPrivateGateway, false),
    ("eni-0t", PathKind::NetworkInterface, true),
    ("vpce-0gwlb", PathKind::GatewayLoadBalancerEndpoint, false),
    ("cagw-0t", PathKind::CarrierGateway, false),
    ("lgw-0t", PathKind::LocalGateway, false),
    (
        "arn:aws:networkmanager::1:core-network/core",
        PathKind::CoreNetwork,
        false,
    ),
    ("xgw-0t", PathKind::UnrecognizedGateway, false),
    ("nat-0gone", PathKind::Blocked, false),
];

#[test]
fn control_plane_only_is_inferred_and_decides_expectations() {
    for (target, kind, _) in ROUTED {
        let f = with_default_route(target);
        let r = run(&f, &[]);
        assert_eq!(r.verdict.path, kind, "{target}: {}", r.verdict.summary);
        assert_eq!(r.verdict.confidence, Confidence::Inferred, "{target}");
        if kind == PathKind::Blocked {
            assert!(
                r.verdict.summary.starts_with("Traffic to ")
                    && r.verdict.summary.contains("is blocked")
                    && r.verdict.summary.contains("nat-0gone"),
                "{}",
                r.verdict.summary
            );
        } else {
            assert!(
                r.verdict.summary.contains("leaves through the")
                    && r.verdict
                        .summary
                        .contains("(inferred from the route table; no live probe confirmed it)"),
                "{}",
                r.verdict.summary
            );
        }
        // --expect: met → the findings decide (0 here unless an error finding), not met → 1.
        let met = run(&f, &[kind]);
        assert_eq!(
            met.expectation.as_ref().unwrap().met,
            Some(true),
            "{target}"
        );
        let other = if kind == PathKind::GatewayEndpoint {
            PathKind::NatGateway
        } else {
            PathKind::GatewayEndpoint
        };
        let not_met = run(&f, &[other]);
        assert_eq!(not_met.expectation.as_ref().unwrap().met, Some(false));
        assert_eq!(not_met.exit_code, 1, "{target}");
    }
}

#[test]
fn an_agreeing_probe_confirms_egress_paths() {
    for (target, kind, confirmable) in ROUTED {
        let mut f = with_default_route(target);
        agreeing_probe(&mut f, kind);
        let r = run(&f, &[kind]);
        let want = if confirmable {
            Confidence::Confirmed
        } else {
            Confidence::Inferred
        };
        assert_eq!(
            r.verdict.confidence, want,
            "{target}: {}",
            r.verdict.summary
        );
        if confirmable {
            assert!(
                r.verdict
                    .summary
                    .contains("(confirmed: the route table and a live probe agree)"),
                "{}",
                r.verdict.summary
            );
        }
        assert_eq!(r.expectation.as_ref().unwrap().met, Some(true));
    }
    // The gateway endpoint: silence at the first hop while TCP connects.
    let mut f = base();
    agreeing_probe(&mut f, PathKind::GatewayEndpoint);
    let r = run(&f, &[PathKind::GatewayEndpoint]);
    assert_eq!(r.verdict.path, PathKind::GatewayEndpoint);
    assert_eq!(r.verdict.confidence, Confidence::Confirmed);
    assert_eq!(r.exit_code, 0);
}

#[test]
fn live_signals_only_are_probable_and_never_meet_an_expectation() {
    for (kind, causes) in [
        (
            PathKind::GatewayEndpoint,
            [
                Failure::Denied {
                    action: "ec2:DescribeRouteTables".into(),
                },
                Failure::TimedOut {
                    action: Some("ec2:DescribeRouteTables".into()),
                    after_ms: Some(4000),
                },
                Failure::NoCredentials,
            ],
        ),
        (
            PathKind::NatGateway,
            [
                Failure::Denied {
                    action: "ec2:DescribeRouteTables".into(),
                },
                Failure::TimedOut {
                    action: None,
                    after_ms: None,
                },
                Failure::NoCredentials,
            ],
        ),
    ] {
        for cause in causes {
            let mut f = base();
            f.route_tables = Observed::failed_with("the route tables", cause.clone());
            agreeing_probe(&mut f, kind);
            let r = run(&f, &[kind]);
            assert_eq!(r.verdict.path, kind, "{}", r.verdict.summary);
            assert_eq!(r.verdict.confidence, Confidence::Probable);
            assert!(
                r.verdict.summary.contains("(probable: "),
                "{}",
                r.verdict.summary
            );
            let e = r.expectation.as_ref().unwrap();
            assert_eq!(e.met, None, "{cause:?}");
            assert!(e.undecided.as_deref().unwrap().contains(&cause.phrase()));
            assert_eq!(r.exit_code, 3, "{cause:?}");
            assert!(
                r.findings
                    .iter()
                    .any(|f| f.id == "S3P004" && f.message.contains(&cause.phrase())),
                "{cause:?}: {:?}",
                r.findings.iter().map(|f| &f.message).collect::<Vec<_>>()
            );
            // Without --expect the probable verdict alone does not fail the run.
            assert_ne!(run(&f, &[]).exit_code, 3);
        }
    }
}

#[test]
fn nothing_to_go_on_is_undetermined_and_exits_3_with_expect() {
    let mut f = base();
    f.route_tables = Observed::failed_with(
        "ec2:DescribeRouteTables: no answer within 4000 ms",
        Failure::TimedOut {
            action: Some("ec2:DescribeRouteTables".into()),
            after_ms: Some(4000),
        },
    );
    let r = run(&f, &[PathKind::GatewayEndpoint]);
    assert_eq!(r.verdict.path, PathKind::Unknown);
    assert_eq!(r.verdict.confidence, Confidence::Undetermined);
    assert!(r.verdict.summary.starts_with("Could not determine"));
    assert_eq!(r.exit_code, 3);
    assert!(r.findings.iter().any(|f| f.id == "S3P004"));
}
