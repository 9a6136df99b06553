//! Reading and validating user input: facts files, bucket names, regions, expectations.
//! Every error is one line that names the input and the problem.

use std::path::Path;

use crate::facts::{Facts, FACTS_SCHEMA_VERSION};
use crate::validate;

pub mod plan;

/// A problem with what the user gave us (exit code 2).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct InputError(pub String);

fn err(msg: String) -> InputError {
    InputError(msg)
}

/// Reads a facts file (`-` for standard input is not supported: replay needs a file name to
/// cite in errors).
pub fn load_facts(path: &Path) -> Result<Facts, InputError> {
    let name = path.display().to_string();
    let text = read_regular_file(path, crate::facts::MAX_FACTS_FILE_BYTES)
        .map_err(|e| err(format!("{name}: {e}")))?;
    parse_facts(&text, &name)
}

/// Reads `path` when it is a regular file of at most `max` bytes (a FIFO, a device or a
/// directory is refused before anything is read, so it cannot block or flood the run).
/// The largest audit inventory read (`audit --facts`; 1,000 subnets take about 2 MiB).
pub const MAX_AUDIT_FACTS_BYTES: u64 = 64 * 1024 * 1024;

/// An audit inventory written by `audit --save-facts`; one line naming the file and the
/// problem when it is not one.
pub fn load_audit_facts(path: &Path) -> Result<crate::facts::inventory::AuditFacts, InputError> {
    let name = path.display().to_string();
    let text =
        read_regular_file(path, MAX_AUDIT_FACTS_BYTES).map_err(|e| err(format!("{name}: {e}")))?;
    let facts: crate::facts::inventory::AuditFacts = serde_json::from_str(&text).map_err(|e| {
        err(format!(
            "{name}: not an audit inventory at line {}, column {}: {}",
            e.line(),
            e.column(),
            strip_position(&e.to_string())
        ))
    })?;
    if facts.schema_version != crate::facts::inventory::AUDIT_SCHEMA_VERSION {
        return Err(err(format!(
            "{name}: audit schema_version {} is not {}",
            facts.schema_version,
            crate::facts::inventory::AUDIT_SCHEMA_VERSION
        )));
    }
    for r in &facts.regions {
        region(&r.region).map_err(|e| err(format!("{name}: {}", e.0)))?;
    }
    for b in &facts.request.buckets {
        bucket(b).map_err(|e| err(format!("{name}: request.buckets: {}", e.0)))?;
    }
    for r in &facts.regions {
        for b in r.nat_bytes.get().into_iter().flatten() {
            let fine = |v: f64| v.is_finite() && v >= 0.0;
            if !(fine(b.bytes_in_from_source)
                && fine(b.bytes_in_from_destination)
                && fine(b.bytes_in_from_source + b.bytes_in_from_destination))
            {
                return Err(err(format!(
                    "{name}: {}: the bytes of {:?} ({} from source, {} from destination) are not a finite amount of at least 0",
                    r.region,
                    b.nat_gateway_id,
                    b.bytes_in_from_source,
                    b.bytes_in_from_destination
                )));
            }
        }
    }
    Ok(facts)
}

pub fn read_regular_file(path: &Path, max: u64) -> Result<String, String> {
    use std::io::Read;
    use std::os::unix::fs::OpenOptionsExt;
    // Opened without blocking (a FIFO with no writer, a tty) and judged by what was opened
    // (fstat on the descriptor), never by a path looked at before: no race with a swap.
    let file = std::fs::OpenOptions::new()
        .read(true)
        .custom_flags(libc::O_NONBLOCK | libc::O_NOCTTY)
        .open(path)
        .map_err(|e| format!("cannot read: {e}"))?;
    let meta = file.metadata().map_err(|e| format!("cannot read: {e}"))?;
    if !meta.is_file() {
        return Err(format!("is not a regular file ({})", file_kind(&meta)));
    }
    // /proc and /sys show their files as regular files of size 0, some of which block when
    // read (/proc/kmsg) or change the system: not a report, not facts.
    if let Some(fs) = pseudo_filesystem(&file) {
        return Err(format!(
            "is not a regular file (a {fs} file, not a file on disk)"
        ));
    }
    if meta.len() > max {
        return Err(format!("is {} bytes; at most {max} are read", meta.len()));
    }
    let mut text = String::new();
    file.take(max + 1)
        .read_to_string(&mut text)
        .map_err(|e| format!("cannot read: {e}"))?;
    if text.len() as u64 > max {
        return Err(format!("grew past {max} bytes while being read"));
    }
    Ok(text)
}

/// What a file that is not regular is, in a word.
fn file_kind(meta: &std::fs::Metadata) -> &'static str {
    use std::os::unix::fs::FileTypeExt;
    let t = meta.file_type();
    if t.is_dir() {
        "a directory"
    } else if t.is_fifo() {
        "a FIFO"
    } else if t.is_char_device() {
        "a character device"
    } else if t.is_block_device() {
        "a block device"
    } else if t.is_socket() {
        "a socket"
    } else {
        "not a file"
    }
}

/// The kernel's pseudo-filesystem the open file lives on (procfs, sysfs, …), if any.
fn pseudo_filesystem(file: &std::fs::File) -> Option<&'static str> {
    use std::os::fd::AsRawFd;
    // SAFETY: fstatfs writes one statfs into the zeroed buffer for a descriptor we own.
    let mut st: libc::statfs = unsafe { std::mem::zeroed() };
    if unsafe { libc::fstatfs(file.as_raw_fd(), &mut st) } != 0 {
        return None;
    }
    // Magic numbers from linux/magic.h.
    #[allow(clippy::unnecessary_cast)]
    match st.f_type as i64 {
        0x9fa0 => Some("/proc"),
        0x6265_6572 => Some("/sys"),
        0x6462_6720 => Some("debugfs"),
        0x7472_6163 => Some("tracefs"),
        0x6367_7270 => Some("cgroup2"),
        0x0027_e0eb => Some("cgroup"),
        0x7363_6673 => Some("securityfs"),
        0x6e73_6673 => Some("nsfs"),
        0x1cd1 => Some("devpts"),
        _ => None,
    }
}

/// A number of USD or bytes as given on a command line or by an API: decimal digits with an
/// optional fraction and exponent, no sign, no `NaN`/`inf`, finite. `None` otherwise (Rust's
/// float parser alone accepts `NaN`, `inf`, `-0`).
pub fn non_negative_decimal(s: &str) -> Option<f64> {
    let b = s.as_bytes();
    let mut i = 0;
    let digits = |i: &mut usize| {
        let start = *i;
        while *i < b.len() && b[*i].is_ascii_digit() {
            *i += 1;
        }
        *i - start
    };
    let mut n = digits(&mut i);
    if i < b.len() && b[i] == b'.' {
        i += 1;
        n += digits(&mut i);
    }
    if n == 0 {
        return None;
    }
    if i < b.len() && (b[i] == b'e' || b[i] == b'E') {
        i += 1;
        if i < b.len() && (b[i] == b'+' || b[i] == b'-') {
            i += 1;
        }
        if digits(&mut i) == 0 {
            return None;
        }
    }
    if i != b.len() {
        return None;
    }
    let v: f64 = s.parse().ok()?;
    // `+ 0.0` turns nothing into -0.0; a digit string is never negative.
    (v.is_finite() && v >= 0.0).then_some(v + 0.0)
}

/// `--nat-price-per-gb`: a price in USD per GB, at most 10 (clap's value parser).
pub fn price_per_gb(s: &str) -> Result<f64, String> {
    match non_negative_decimal(s) {
        Some(p) if p <= 10.0 => Ok(p),
        _ => Err(
            "not a price in USD per GB: give a decimal number between 0 and 10 (no sign)"
                .to_string(),
        ),
    }
}

/// Parses facts JSON; `name` is used in error messages.
/// What a JSON document that s3path wrote, but that is not a facts file, is (an audit
/// inventory, a report, an audit report or a merged view), with the command that reads it.
fn other_document(value: &serde_json::Value) -> Option<&'static str> {
    let has = |k: &str| value.get(k).is_some();
    let request_has = |k: &str| value.get("request").and_then(|r| r.get(k)).is_some();
    if has("regions") && request_has("regions") {
        Some("is an audit inventory (from s3path audit --save-facts), not a facts file: judge it with s3path audit --facts FILE")
    } else if has("regions") && has("subnets") && has("exit_code") {
        Some("is an audit report (s3path audit --format json), not a facts file")
    } else if has("verdict") && has("findings") {
        Some("is an s3path report (what doctor, route and replay print with --format json or compact), not a facts file: replay judges facts saved with `s3path doctor --save-facts FILE`, and `s3path merge` reads reports")
    } else if has("hosts") && has("summary") {
        Some("is the output of s3path merge (a fleet view), not a facts file: replay one host's facts, saved with `s3path doctor --save-facts FILE`")
    } else {
        None
    }
}

pub fn parse_facts(text: &str, name: &str) -> Result<Facts, InputError> {
    let value: serde_json::Value = serde_json::from_str(text).map_err(|e| {
        err(format!(
            "{name}: invalid JSON at line {}, column {}: {}",
            e.line(),
            e.column(),
            strip_position(&e.to_string())
        ))
    })?;
    if let Some(what) = other_document(&value) {
        return Err(err(format!("{name}: {what}")));
    }
    let version = match value.get("schema_version") {
        None => {
            return Err(err(format!(
                "{name}: not an s3path facts file (no \"schema_version\" field)"
            )))
        }
        Some(v) => v.as_u64().ok_or_else(|| {
            err(format!(
                "{name}: \"schema_version\" must be a whole number, found {v}"
            ))
        })?,
    };
    if version > u64::from(FACTS_SCHEMA_VERSION) {
        return Err(err(format!(
            "{name}: facts schema_version {version} is newer than this s3path understands ({FACTS_SCHEMA_VERSION}); use a newer s3path"
        )));
    }
    if version < 1 {
        return Err(err(format!(
            "{name}: facts schema_version {version} is not valid (the first version is 1)"
        )));
    }
    let facts: Facts = serde_json::from_str(text).map_err(|e| {
        err(format!(
            "{name}: line {}, column {}: {}",
            e.line(),
            e.column(),
            strip_position(&e.to_string())
        ))
    })?;
    facts
        .check_limits()
        .map_err(|e| err(format!("{name}: {e}")))?;
    if let Some(r) = &facts.request.region {
        region(r).map_err(|e| {
            err(format!(
                "{name}: request.region {}",
                e.0.trim_start_matches("--region ")
            ))
        })?;
    }
    for b in &facts.request.buckets {
        bucket(b).map_err(|e| {
            err(format!(
                "{name}: request.buckets: {}",
                e.0.trim_start_matches("--bucket ")
            ))
        })?;
    }
    Ok(facts)
}

/// `s` as it may be shown in a one-line error: escaped, at most 80 characters.
pub(crate) fn shown(s: &str) -> String {
    let mut out: String = s.escape_debug().take(80).collect();
    if s.chars().count() > 80 {
        out.push('…');
    }
    out
}

/// serde_json appends " at line L column C"; we put the position first instead.
fn strip_position(msg: &str) -> String {
    match msg.rfind(" at line ") {
        Some(i) => msg[..i].to_string(),
        None => msg.to_string(),
    }
}

/// `--bucket`: any form [`crate::names::parse`] accepts. The error shows the input without a
/// URL's user-info or query, at most 80 characters, escaped.
pub fn bucket(name: &str) -> Result<crate::names::S3Ref, InputError> {
    crate::names::parse(name).map_err(|why| {
        let shown = if crate::url::split(name).scheme.is_some_and(|s| s != "s3") {
            crate::redact::url(name)
        } else {
            name.to_string()
        };
        let mut shown: String = shown.escape_debug().take(80).collect();
        if name.chars().count() > 80 {
            shown.push('…');
        }
        err(format!("--bucket '{shown}': {why}"))
    })
}

/// Every `--bucket`, checked, as it may be kept (`--save-facts`), forwarded (fleet's
/// SendCommand) and shown: a URL keeps scheme, host and path — never user information, a query
/// (a presigned URL's `X-Amz-Signature`, `X-Amz-Credential`, `X-Amz-Security-Token`) or a
/// fragment.
pub fn buckets(names: &[String]) -> Result<Vec<String>, InputError> {
    names.iter().map(|b| bucket(b).map(|r| r.input)).collect()
}

/// `--key`: a non-empty object key of at most 1024 bytes.
pub fn object_key(key: &str) -> Result<(), InputError> {
    if key.is_empty() || key.len() > 1024 {
        return Err(err(format!(
            "--key: an object key has 1 to 1024 bytes, this one has {}",
            key.len()
        )));
    }
    Ok(())
}

/// `--presigned URL`. The error never echoes the URL's query string.
pub fn presigned(url: &str) -> Result<validate::PresignedUrl, InputError> {
    validate::presigned_url(url).map_err(|why| {
        let shown = crate::redact::url(url);
        err(format!("--presigned '{shown}': the URL {why}"))
    })
}

pub fn region(name: &str) -> Result<(), InputError> {
    validate::region(name).map_err(|why| err(format!("--region '{name}' {why}")))
}

/// Checks an `--sdk` family (`boto3`, `go-v2`, …) and returns its canonical id.
pub fn sdk(name: &str) -> Result<String, InputError> {
    crate::names::sdk::family_of(name)
        .map(|f| f.id.to_string())
        .ok_or_else(|| {
            let shown: String = name.escape_debug().take(40).collect();
            err(format!(
                "--sdk '{shown}' is not an SDK family s3path knows ({})",
                crate::names::sdk::family_ids()
            ))
        })
}

/// Checks a `--profile` name: 1 to 128 characters, none of them blank or a control character,
/// no `[` or `]` (a profile is a config file section).
pub fn profile(name: &str) -> Result<(), InputError> {
    let ok = (1..=128).contains(&name.chars().count())
        && !name
            .chars()
            .any(|c| c.is_whitespace() || c.is_control() || c == '[' || c == ']');
    if ok {
        Ok(())
    } else {
        Err(err(format!(
            "--profile '{}': a profile name (1 to 128 characters, no spaces or brackets)",
            name.escape_default()
        )))
    }
}

/// Checks an IAM role ARN (`--hub-role-arn`): `arn:PARTITION:iam::ACCOUNT:role/PATH/NAME`.
pub fn role_arn(arn: &str, flag: &str) -> Result<(), InputError> {
    let parts: Vec<&str> = arn.splitn(6, ':').collect();
    let ok = parts.len() == 6
        && parts[0] == "arn"
        && matches!(parts[1], "aws" | "aws-cn" | "aws-us-gov")
        && parts[2] == "iam"
        && parts[3].is_empty()
        && parts[4].len() == 12
        && parts[4].bytes().all(|b| b.is_ascii_digit())
        && parts[5].strip_prefix("role/").is_some_and(|n| {
            !n.is_empty()
                && n.len() <= 512
                && n.bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b"+=,.@_-/".contains(&b))
        });
    if ok {
        Ok(())
    } else {
        Err(err(format!(
            "{flag} '{}' is not an IAM role ARN (expected arn:aws:iam::ACCOUNT_ID:role/NAME)",
            arn.escape_default().take(200).collect::<String>()
        )))
    }
}

/// Checks an EC2 resource id such as `subnet-0abc…` or `i-0abc…` (prefix, then 8 or 17 hex
/// digits).
pub fn resource_id(id: &str, prefix: &str, flag: &str) -> Result<(), InputError> {
    let ok = id
        .strip_prefix(prefix)
        .and_then(|r| r.strip_prefix('-'))
        .is_some_and(|hex| {
            (8..=17).contains(&hex.len()) && hex.bytes().all(|b| b.is_ascii_hexdigit())
        });
    if ok {
        Ok(())
    } else {
        Err(err(format!(
            "{flag} '{id}' is not a {prefix}- id (expected {prefix}- and 8 to 17 hex digits)"
        )))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn facts_errors_name_the_problem() {
        let e = parse_facts("{\n  \"schema_version\": 1,\n  oops\n}", "f.json")
            .unwrap_err()
            .0;
        assert!(
            e.starts_with("f.json: invalid JSON at line 3, column 3:"),
            "{e}"
        );
        let e = parse_facts("{\"schema_version\": 99, \"request\": {}}", "f.json")
            .unwrap_err()
            .0;
        assert!(e.contains("schema_version 99 is newer"), "{e}");
        let e = parse_facts("{\"request\": {}}", "f.json").unwrap_err().0;
        assert!(e.contains("not an s3path facts file"), "{e}");
        let e = parse_facts("{\"schema_version\": \"1\"}", "f.json")
            .unwrap_err()
            .0;
        assert!(e.contains("whole number"), "{e}");
        let e = parse_facts("{\"schema_version\": 1}", "f.json")
            .unwrap_err()
            .0;
        assert!(e.contains("missing field `request`"), "{e}");
        let e = parse_facts(
            "{\"schema_version\": 1, \"request\": {\"region\": \"mars-1\"}}",
            "f.json",
        )
        .unwrap_err()
        .0;
        assert!(e.contains("request.region 'mars-1'"), "{e}");
        let ok = parse_facts(
            "{\"schema_version\": 1, \"request\": {\"region\": \"eu-west-1\"}}",
            "f.json",
        )
        .unwrap();
        assert_eq!(ok.request.region.as_deref(), Some("eu-west-1"));
        assert!(ok.dns.get().is_none());
    }
}

#[cfg(test)]
mod money_tests {
    use super::*;

    #[test]
    fn only_plain_non_negative_decimals_are_numbers_of_money_or_bytes() {
        for (s, v) in [
            ("0", 0.0),
            ("0.045", 0.045),
            ("10737418240.0", 10737418240.0),
            ("1.0737418240E10", 10737418240.0),
            ("5e-1", 0.5),
            (".5", 0.5),
            ("5.", 5.0),
        ] {
            let got = non_negative_decimal(s).unwrap_or_else(|| panic!("{s}"));
            assert_eq!(got, v, "{s}");
            assert!(got.is_sign_positive(), "{s}");
        }
        for s in [
            "", ".", "-0", "-1", "+1", "NaN", "nan", "inf", "-inf", "infinity", "1e400", "1e",
            "1e+", "0x10", " 1", "1 ", "1,5", "１",
        ] {
            assert_eq!(non_negative_decimal(s), None, "{s:?}");
        }
        assert!(price_per_gb("10").is_ok());
        assert!(price_per_gb("10.01").is_err());
    }
}
