//! Benchmark: the path engine and checks over a large facts value (500 routes, 50 endpoints),
//! and facts parsing. Run with `cargo bench --bench engine`; figures go in docs/benchmarks.md.
//! No timing assertions: targets are judged by reading the numbers, not by a flaky test.

use std::hint::black_box;
use std::time::{Duration, Instant};

use s3path::facts::*;
use s3path::report::{judge, JudgeOptions};

fn big_facts() -> Facts {
    let mut routes = vec![Route {
        destination_cidr_block: Some("10.0.0.0/16".parse().unwrap()),
        gateway_id: Some("local".into()),
        ..Route::default()
    }];
    for i in 0..497u32 {
        routes.push(Route {
            destination_cidr_block: Some(
                format!("172.{}.{}.0/24", 16 + i / 256, i % 256)
                    .parse()
                    .unwrap(),
            ),
            transit_gateway_id: Some("tgw-0bench".into()),
            ..Route::default()
        });
    }
    routes.push(Route {
        destination_prefix_list_id: Some("pl-6da54004".into()),
        gateway_id: Some("vpce-0gw".into()),
        ..Route::default()
    });
    routes.push(Route {
        destination_cidr_block: Some("0.0.0.0/0".parse().unwrap()),
        nat_gateway_id: Some("nat-0bench".into()),
        ..Route::default()
    });
    let mut endpoints = vec![VpcEndpoint {
        id: "vpce-0gw".into(),
        vpc_id: None,
        endpoint_type: EndpointType::Gateway,
        service_name: Some("com.amazonaws.eu-west-1.s3".into()),
        state: "available".into(),
        route_table_ids: vec!["rtb-0bench".into()],
        subnet_ids: vec![],
        network_interfaces: vec![],
        dns_entries: vec![],
        private_dns_enabled: false,
        private_dns_only_for_inbound_resolver_endpoint: None,
        security_group_ids: vec![],
        policy_document: None,
        resource_configuration_arn: None,
        ip_address_type: None,
    }];
    for i in 1..50u32 {
        let mut e = endpoints[0].clone();
        e.id = format!("vpce-0if{i:03}");
        e.endpoint_type = EndpointType::Interface;
        e.service_name = Some(format!("com.amazonaws.eu-west-1.svc{i}"));
        e.network_interfaces = (0..3)
            .map(|az| EndpointInterface {
                id: format!("eni-{i}-{az}"),
                subnet_id: Some(format!("subnet-{az}")),
                availability_zone: Some(format!("eu-west-1{}", ['a', 'b', 'c'][az])),
                private_ipv4: Some(format!("10.0.{}.{}", az, i).parse().unwrap()),
                ipv6s: vec![],
            })
            .collect();
        endpoints.push(e);
    }
    let answer = |host: &str, ip: &str| Resolution {
        host: host.into(),
        status: LookupStatus::Answered,
        source: AnswerSource::Dns,
        addresses: vec![ip.parse().unwrap()],
        cname_chain: vec![],
        ttl: Some(5),
        error: None,
        resolver: None,
    };
    let mut f = Facts::empty(
        Request {
            region: Some("eu-west-1".into()),
            buckets: vec!["bench-bucket".into()],
            key: None,
            sdk: None,
        },
        "benchmark",
    );
    f.vantage = Observed::collected(Vantage {
        kind: VantageKind::Ec2Instance,
        instance_id: Some("i-0bench".into()),
        task_arn: None,
        region: Some("eu-west-1".into()),
        availability_zone: Some("eu-west-1a".into()),
        vpc_id: Some("vpc-0bench".into()),
        subnet_id: Some("subnet-0".into()),
        vpc_ipv4_cidr_blocks: vec!["10.0.0.0/16".parse().unwrap()],
        vpc_ipv6_cidr_blocks: vec![],
        local_ipv4s: vec![],
        public_ipv4s: vec![],
        ipv6s: vec![],
        security_group_ids: vec![],
        account_id: None,
    });
    f.route_tables = Observed::collected(vec![RouteTable {
        id: "rtb-0bench".into(),
        vpc_id: Some("vpc-0bench".into()),
        main: true,
        subnet_ids: vec!["subnet-0".into()],
        routes,
    }]);
    f.vpc_endpoints = Observed::collected(endpoints);
    f.prefix_lists = Observed::collected(vec![PrefixList {
        id: "pl-6da54004".into(),
        name: Some("com.amazonaws.eu-west-1.s3".into()),
        owner_id: Some("AWS".into()),
        address_family: Some("IPv4".into()),
        cidrs: (0..40)
            .map(|i| format!("52.{}.0.0/16", 180 + i).parse().unwrap())
            .collect(),
        entries_error: None,
        entries_failure: None,
    }]);
    f.dns = Observed::collected(vec![
        answer("bench-bucket.s3.eu-west-1.amazonaws.com", "52.218.20.7"),
        answer("s3.eu-west-1.amazonaws.com", "52.218.10.5"),
        answer("s3.dualstack.eu-west-1.amazonaws.com", "52.218.30.1"),
        answer("s3.amazonaws.com", "52.217.1.1"),
        answer("bench-bucket.s3.amazonaws.com", "52.217.2.2"),
    ]);
    f.client_settings = Observed::collected(ClientSettings::default());
    f
}

fn measure(name: &str, iterations: u32, mut f: impl FnMut()) {
    f(); // warm up
    let mut samples: Vec<Duration> = (0..iterations)
        .map(|_| {
            let t = Instant::now();
            f();
            t.elapsed()
        })
        .collect();
    samples.sort();
    let median = samples[samples.len() / 2];
    let p95 = samples[samples.len() * 95 / 100];
    println!(
        "{name:<40} median {:>9.3} ms   p95 {:>9.3} ms   ({iterations} runs)",
        median.as_secs_f64() * 1e3,
        p95.as_secs_f64() * 1e3
    );
}

fn main() {
    let facts = big_facts();
    let routes = facts.route_tables.get().unwrap()[0].routes.len();
    let endpoints = facts.vpc_endpoints.get().unwrap().len();
    println!("facts: {routes} routes, {endpoints} endpoints, 5 targets");
    measure("engine::analyze", 200, || {
        black_box(s3path::engine::analyze(black_box(&facts)));
    });
    measure("report::judge (engine + 12 checks)", 200, || {
        black_box(judge(black_box(&facts), &JudgeOptions::default()));
    });
    let json = serde_json::to_string_pretty(&facts).unwrap();
    println!("facts JSON: {} bytes", json.len());
    measure("input::parse_facts", 200, || {
        black_box(s3path::input::parse_facts(black_box(&json), "bench").unwrap());
    });
    let report = judge(&facts, &JudgeOptions::default());
    assert_eq!(
        report.verdict.path,
        s3path::engine::PathKind::GatewayEndpoint,
        "benchmark facts must exercise the prefix-list route"
    );
    if let Some(path) = std::env::args().nth(1).filter(|a| a.ends_with(".json")) {
        std::fs::write(&path, &json).unwrap();
        println!("wrote {path}");
    }
}
