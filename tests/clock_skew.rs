//! The Query client against a local stand-in for EC2 whose clock is nine minutes ahead of the
//! host's: it rejects a request signed more than five minutes off its time with
//! `RequestTimeTooSkewed` (as AWS does). The client signs once more with the time the answer's
//! `Date` gave, never twice, and records the skew for the facts.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpListener;
use std::sync::{Arc, Mutex};
use std::time::{Duration, SystemTime};

use s3path::facts::Observed;
use s3path::gather::aws::{Params, QueryClient};
use s3path::gather::context::AwsContext;
use s3path::gather::deadline::Deadline;

const AHEAD: i64 = 540;

/// What the stand-in saw: the `X-Amz-Date` of each request, as Unix seconds.
type Seen = Arc<Mutex<Vec<i64>>>;

fn now() -> i64 {
    SystemTime::now()
        .duration_since(SystemTime::UNIX_EPOCH)
        .unwrap()
        .as_secs() as i64
}

fn imf_fixdate(secs: i64) -> String {
    let t = time::OffsetDateTime::from_unix_timestamp(secs).unwrap();
    format!(
        "{}, {:02} {} {} {:02}:{:02}:{:02} GMT",
        &t.weekday().to_string()[..3],
        t.day(),
        &t.month().to_string()[..3],
        t.year(),
        t.hour(),
        t.minute(),
        t.second()
    )
}

/// `20261201T224552Z` as Unix seconds.
fn amz_date(s: &str) -> i64 {
    let n = |r: std::ops::Range<usize>| s[r].parse::<u32>().unwrap();
    let date = time::Date::from_calendar_date(
        n(0..4) as i32,
        time::Month::try_from(n(4..6) as u8).unwrap(),
        n(6..8) as u8,
    )
    .unwrap();
    let t = time::Time::from_hms(n(9..11) as u8, n(11..13) as u8, n(13..15) as u8).unwrap();
    time::PrimitiveDateTime::new(date, t)
        .assume_utc()
        .unix_timestamp()
}

/// A stand-in whose clock is `AHEAD` seconds ahead; with `always_reject` it rejects every
/// request for its time.
fn stand_in(always_reject: bool) -> (String, Seen) {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let seen: Seen = Arc::default();
    let log = seen.clone();
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(mut stream) = stream else { continue };
            let mut reader = BufReader::new(stream.try_clone().unwrap());
            let (mut length, mut signed_at) = (0usize, None);
            loop {
                let mut line = String::new();
                if reader.read_line(&mut line).unwrap_or(0) == 0 || line == "\r\n" {
                    break;
                }
                let (k, v) = line.split_once(':').unwrap_or((&line, ""));
                match k.to_ascii_lowercase().as_str() {
                    "content-length" => length = v.trim().parse().unwrap_or(0),
                    "x-amz-date" => signed_at = Some(amz_date(v.trim())),
                    _ => {}
                }
            }
            let mut body = vec![0; length];
            let _ = reader.read_exact(&mut body);
            let server_now = now() + AHEAD;
            let signed_at = signed_at.unwrap_or(0);
            log.lock().unwrap().push(signed_at);
            let (status, text) = if always_reject || (server_now - signed_at).abs() > 300 {
                (
                    "400 Bad Request",
                    "<?xml version=\"1.0\" encoding=\"UTF-8\"?><Response><Errors><Error>\
                     <Code>RequestTimeTooSkewed</Code><Message>The difference between the \
                     request time and the current time is too large.</Message></Error></Errors>\
                     <RequestID>req-skew-1</RequestID></Response>",
                )
            } else {
                (
                    "200 OK",
                    "<DescribeRegionsResponse><requestId>ok-1</requestId><regionInfo/>\
                     </DescribeRegionsResponse>",
                )
            };
            let _ = write!(
                stream,
                "HTTP/1.1 {status}\r\nDate: {}\r\nContent-Type: text/xml\r\n\
                 Content-Length: {}\r\nConnection: close\r\n\r\n{text}",
                imf_fixdate(server_now),
                text.len()
            );
        }
    });
    (format!("http://127.0.0.1:{port}"), seen)
}

fn rt() -> tokio::runtime::Runtime {
    std::env::set_var("AWS_ACCESS_KEY_ID", "testing");
    std::env::set_var("AWS_SECRET_ACCESS_KEY", "testing");
    std::env::set_var("AWS_EC2_METADATA_DISABLED", "true");
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap()
}

async fn client(endpoint: String) -> (AwsContext, QueryClient) {
    let context = AwsContext::load("eu-west-1", Deadline::after(Duration::from_secs(20))).await;
    let client = QueryClient::new(
        &context,
        "ec2",
        "2016-11-15",
        "eu-west-1",
        Some(endpoint),
        Duration::from_secs(10),
    );
    (context, client)
}

#[test]
fn a_skewed_clock_is_retried_once_with_the_corrected_time() {
    let (endpoint, seen) = stand_in(false);
    rt().block_on(async {
        let (context, client) = client(endpoint).await;
        let answer = client.call("DescribeRegions", &Params::new()).await;
        assert!(answer.is_ok(), "{answer:?}");
        let signed = seen.lock().unwrap().clone();
        assert_eq!(signed.len(), 2, "one retry: {signed:?}");
        let host = now();
        assert!(
            (signed[0] - host).abs() <= 5,
            "first signed with the host time"
        );
        assert!(
            (signed[1] - (host + AHEAD)).abs() <= 5,
            "the retry is signed with the server's time: {signed:?}"
        );
        assert_eq!(client.calls()["DescribeRegions"], 2);

        // The run's later calls are signed with the corrected time from the start.
        client
            .call("DescribeRegions", &Params::new())
            .await
            .unwrap();
        assert_eq!(seen.lock().unwrap().len(), 3);

        let Observed::Collected { value: clock } = context.clock_observed() else {
            panic!("clock not collected: {:?}", context.clock_observed());
        };
        assert!((clock.skew_seconds - AHEAD).abs() <= 5, "{clock:?}");
        assert_eq!(clock.source, "ec2");
        assert!(clock.corrected);
        assert!(clock.too_skewed());
        assert_eq!(clock.errors.len(), 1, "{clock:?}");
        assert!(
            clock.errors[0].contains("RequestTimeTooSkewed")
                && clock.errors[0].contains("req-skew-1"),
            "{clock:?}"
        );
    });
}

#[test]
fn a_call_is_signed_again_at_most_once() {
    let (endpoint, seen) = stand_in(true);
    rt().block_on(async {
        let (context, client) = client(endpoint).await;
        let e = client
            .call("DescribeRegions", &Params::new())
            .await
            .unwrap_err();
        assert_eq!(e.code(), Some("RequestTimeTooSkewed"));
        assert!(e.message.contains("request id req-skew-1"), "{}", e.message);
        assert_eq!(seen.lock().unwrap().len(), 2, "no retry loop");
        assert_eq!(client.calls()["DescribeRegions"], 2);
        assert!(matches!(
            context.clock_observed(),
            Observed::Collected { .. }
        ));
    });
}
