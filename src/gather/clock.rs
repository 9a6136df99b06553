//! The host clock against AWS's: the `Date` of an answer (IMF-fixdate, RFC 9110), the skew it
//! shows, and which errors a skewed clock causes.

use std::time::{Duration, SystemTime};

use crate::facts::{is_signature_code, is_skew_code, MAX_SKEW_SECONDS};

/// Seconds since the Unix epoch of an IMF-fixdate (`Sun, 06 Nov 1994 08:49:37 GMT`).
pub fn parse_imf_fixdate(s: &str) -> Option<i64> {
    let s = s.trim();
    let (weekday, rest) = s.split_once(", ")?;
    if weekday.len() != 3 {
        return None;
    }
    let parts: Vec<&str> = rest.split(' ').collect();
    let [day, month, year, hms, "GMT"] = parts[..] else {
        return None;
    };
    let num = |t: &str, len: usize| -> Option<u32> {
        (t.len() == len && t.bytes().all(|b| b.is_ascii_digit()))
            .then(|| t.parse().ok())
            .flatten()
    };
    let month = match month {
        "Jan" => time::Month::January,
        "Feb" => time::Month::February,
        "Mar" => time::Month::March,
        "Apr" => time::Month::April,
        "May" => time::Month::May,
        "Jun" => time::Month::June,
        "Jul" => time::Month::July,
        "Aug" => time::Month::August,
        "Sep" => time::Month::September,
        "Oct" => time::Month::October,
        "Nov" => time::Month::November,
        "Dec" => time::Month::December,
        _ => return None,
    };
    let hms: Vec<&str> = hms.split(':').collect();
    let [h, m, sec] = hms[..] else {
        return None;
    };
    let date =
        time::Date::from_calendar_date(num(year, 4)? as i32, month, num(day, 2)? as u8).ok()?;
    let t = time::Time::from_hms(num(h, 2)? as u8, num(m, 2)? as u8, num(sec, 2)? as u8).ok()?;
    let at = time::PrimitiveDateTime::new(date, t).assume_utc();
    // The weekday must agree with the date.
    let expected = &at.weekday().to_string()[..3];
    (weekday == expected).then(|| at.unix_timestamp())
}

/// Server time (`date`, IMF-fixdate) minus host time `host`, in whole seconds.
pub fn skew_of(date: &str, host: SystemTime) -> Option<i64> {
    let server = parse_imf_fixdate(date)?;
    let host = match host.duration_since(SystemTime::UNIX_EPOCH) {
        Ok(d) => d.as_secs() as i64,
        Err(e) => -(e.duration().as_secs() as i64),
    };
    Some(server - host)
}

/// Whether an error `code` is AWS rejecting the request's time, given the skew measured
/// (`RequestTimeTooSkewed`, `RequestExpired`; a bad signature only with a skew beyond five
/// minutes).
pub fn is_skew_error(code: &str, skew: Option<i64>) -> bool {
    is_skew_code(code)
        || (is_signature_code(code) && skew.is_some_and(|s| s.abs() > MAX_SKEW_SECONDS))
}

/// The host time corrected by `seconds`.
pub fn corrected_now(seconds: i64) -> SystemTime {
    let now = SystemTime::now();
    let by = Duration::from_secs(seconds.unsigned_abs());
    if seconds >= 0 {
        now + by
    } else {
        now.checked_sub(by).unwrap_or(now)
    }
}

/// The request id of an AWS answer: its `x-amzn-RequestId` (or `x-amz-request-id`) header,
/// else the `<RequestID>`/`<RequestId>` of its XML body.
pub fn request_id(headers: &http::HeaderMap, body: &str) -> Option<String> {
    let header = ["x-amzn-requestid", "x-amz-request-id"]
        .iter()
        .find_map(|h| headers.get(*h)?.to_str().ok())
        .map(str::to_string);
    header
        .or_else(|| {
            let doc = roxmltree::Document::parse(body).ok()?;
            let id = doc.descendants().find(|n| {
                n.is_element() && matches!(n.tag_name().name(), "RequestID" | "RequestId")
            })?;
            id.text().map(|t| t.trim().to_string())
        })
        .filter(|id| !id.is_empty())
        .map(|id| id.chars().take(100).collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn imf_fixdate() {
        assert_eq!(
            parse_imf_fixdate("Sun, 06 Nov 1994 08:49:37 GMT"),
            Some(784111777)
        );
        assert_eq!(
            parse_imf_fixdate("Tue, 01 Dec 2026 22:45:52 GMT"),
            Some(1796165152)
        );
        for bad in [
            "",
            "Sunday, 06-Nov-94 08:49:37 GMT",
            "Sun Nov  6 08:49:37 1994",
            "Mon, 06 Nov 1994 08:49:37 GMT",
            "Sun, 06 Nov 1994 08:49:37 UTC",
            "Sun, 6 Nov 1994 08:49:37 GMT",
            "Sun, 31 Feb 1994 08:49:37 GMT",
            "Sun, 06 Nov 1994 24:49:37 GMT",
            "Sun, 06 Foo 1994 08:49:37 GMT",
        ] {
            assert_eq!(parse_imf_fixdate(bad), None, "{bad}");
        }
    }

    #[test]
    fn skew_is_server_minus_host() {
        let host = SystemTime::UNIX_EPOCH + Duration::from_secs(784111777);
        assert_eq!(skew_of("Sun, 06 Nov 1994 08:49:37 GMT", host), Some(0));
        // The server is nine minutes ahead: the host is behind.
        assert_eq!(skew_of("Sun, 06 Nov 1994 08:58:37 GMT", host), Some(9 * 60));
        assert_eq!(skew_of("Sun, 06 Nov 1994 08:49:34 GMT", host), Some(-3));
        assert_eq!(skew_of("garbage", host), None);
    }

    #[test]
    fn skew_errors() {
        assert!(is_skew_error("RequestTimeTooSkewed", None));
        assert!(is_skew_error("RequestExpired", Some(0)));
        assert!(is_skew_error("SignatureDoesNotMatch", Some(-301)));
        assert!(is_skew_error("InvalidSignatureException", Some(540)));
        assert!(!is_skew_error("SignatureDoesNotMatch", Some(3)));
        assert!(!is_skew_error("SignatureDoesNotMatch", None));
        assert!(!is_skew_error("UnauthorizedOperation", Some(540)));
    }

    #[test]
    fn corrected_time_moves_both_ways() {
        let ahead = corrected_now(600);
        let behind = corrected_now(-600);
        let gap = ahead.duration_since(behind).unwrap().as_secs();
        assert!((1199..=1201).contains(&gap), "{gap}");
    }

    #[test]
    fn request_ids_from_headers_or_body() {
        let mut h = http::HeaderMap::new();
        let ec2 = "<Response><Errors><Error><Code>X</Code></Error></Errors>\
                   <RequestID> abc-1 </RequestID></Response>";
        assert_eq!(request_id(&h, ec2).as_deref(), Some("abc-1"));
        let query = "<ErrorResponse><Error/><RequestId>q-2</RequestId></ErrorResponse>";
        assert_eq!(request_id(&h, query).as_deref(), Some("q-2"));
        assert_eq!(request_id(&h, "{}"), None);
        h.insert("x-amzn-RequestId", "hdr-3".parse().unwrap());
        assert_eq!(request_id(&h, ec2).as_deref(), Some("hdr-3"));
    }
}
