//! Benchmarks, not checks (ignored): `cargo test --release --test lab -- --ignored --nocapture
//! bench`. Figures go in docs/benchmarks.md.

use std::process::{Command, Stdio};
use std::time::Duration;

use serde_json::Value;

use crate::harness::*;

/// Benchmark, not a check: `cargo test --release --test lab -- --ignored --nocapture bench`.
/// Times the real binary inside the lab (healthy NAT-like and gateway-like paths, and off AWS)
/// and reports median, p95 and peak RSS. Figures go in docs/benchmarks.md.
#[test]
#[ignore]
fn bench_doctor_in_the_lab() {
    if skip() {
        return;
    }
    for (label, spec) in [
        ("healthy lab, NAT-like path", LabSpec::default()),
        (
            "healthy lab, gateway-like path (silent first hop)",
            LabSpec {
                router: Router::Silent,
                ..LabSpec::default()
            },
        ),
        (
            "off AWS (no metadata service)",
            LabSpec {
                imds: None,
                ..LabSpec::default()
            },
        ),
    ] {
        let lab = Lab::new(spec);
        let region = ["--bucket", "app-data", "--region", "eu-west-1"];
        lab.doctor(&region, &[]); // warm-up
        let runs: Vec<(Duration, Value)> = (0..20)
            .map(|_| {
                let (_, r, _, took) = lab.doctor(&region, &[]);
                (took, r)
            })
            .collect();
        let mut times: Vec<Duration> = runs.iter().map(|(t, _)| *t).collect();
        times.sort();
        // Median of each phase (the report's `timings`).
        let mut phases: std::collections::BTreeMap<String, Vec<f64>> = Default::default();
        for (_, r) in &runs {
            for t in r["timings"].as_array().into_iter().flatten() {
                phases
                    .entry(t["phase"].as_str().unwrap().to_string())
                    .or_default()
                    .push(t["took_ms"].as_f64().unwrap());
            }
        }
        let phase_line: Vec<String> = phases
            .iter_mut()
            .map(|(p, v)| {
                v.sort_by(f64::total_cmp);
                format!("{p} {:.0}", v[v.len() / 2])
            })
            .collect();
        eprintln!("  phases (median ms): {}", phase_line.join(", "));
        // Peak RSS of one doctor run, from wait4 on that very process (`ip netns exec` execs
        // s3path in place).
        #[allow(clippy::zombie_processes)] // reaped by wait4 below, which also reports its rusage
        let child = Command::new("ip")
            .args([
                "netns",
                "exec",
                &lab.client,
                env!("CARGO_BIN_EXE_s3path"),
                "doctor",
                "--format",
                "json",
            ])
            .args(region)
            .env("AWS_CA_BUNDLE", lab.ca_bundle())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let mut status = 0;
        // SAFETY: wait4 fills plain structs for our own child.
        let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
        unsafe { libc::wait4(child.id() as libc::pid_t, &mut status, 0, &mut usage) };
        println!(
            "{label:<52} median {:>7.1} ms  p95 {:>7.1} ms  max {:>7.1} ms  peak RSS {} KiB",
            times[10].as_secs_f64() * 1e3,
            times[18].as_secs_f64() * 1e3,
            times[19].as_secs_f64() * 1e3,
            usage.ru_maxrss
        );
    }
}

/// What the bucket requests add to doctor: the same lab (TLS moto as S3 at 52.218.40.4), doctor
/// without `--bucket` (no S3 requests) and with one and two buckets. Release build:
///     cargo test --release --test lab -- --ignored --nocapture bench_bucket
#[test]
#[ignore]
fn bench_bucket_requests_in_the_lab() {
    if skip() {
        return;
    }
    let (lab, endpoint, _) = bucket_lab();
    let creds = ec2_env(&endpoint);
    let mut medians = Vec::new();
    for (label, args) in [
        (
            "no --bucket (no S3 requests)",
            vec!["--region", "eu-west-1"],
        ),
        (
            "--bucket app-data --key hello.txt",
            vec![
                "--region",
                "eu-west-1",
                "--bucket",
                "app-data",
                "--key",
                "hello.txt",
            ],
        ),
        (
            "two buckets, one in another region",
            vec![
                "--region",
                "eu-west-1",
                "--bucket",
                "app-data",
                "--bucket",
                "far-data",
            ],
        ),
    ] {
        lab.doctor(&args, &creds); // warm-up
        let mut times: Vec<Duration> = (0..20).map(|_| lab.doctor(&args, &creds).3).collect();
        times.sort();
        let (_, r, _, _) = lab.doctor(&args, &creds);
        let requests: usize = r["buckets"]
            .as_array()
            .map(|b| {
                b.iter()
                    .map(|x| x["requests"].as_array().unwrap().len())
                    .sum()
            })
            .unwrap_or(0);
        println!(
            "{label:<50} median {:>7.1} ms  p95 {:>7.1} ms  ({requests} requests made)",
            times[10].as_secs_f64() * 1e3,
            times[18].as_secs_f64() * 1e3,
        );
        medians.push(times[10]);
    }
    println!(
        "added by one bucket: {:.1} ms; by two: {:.1} ms",
        (medians[1].as_secs_f64() - medians[0].as_secs_f64()) * 1e3,
        (medians[2].as_secs_f64() - medians[0].as_secs_f64()) * 1e3
    );
}
