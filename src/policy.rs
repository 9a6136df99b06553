//! Static evaluation of IAM policy documents — VPC endpoint policies and bucket policies — for
//! one S3 request, and the reading of S3's own "access denied" explanations.
//!
//! Pure: a policy text and a [`RequestContext`] in, an [`Evaluation`] out. Every part of a
//! statement is judged three ways (matches, does not match, cannot tell): a condition key this
//! module does not evaluate, a principal it cannot compare, a policy variable or a resource
//! pattern that covers only some object keys make the statement *undecided*, and an undecided
//! statement that could change the outcome makes the whole evaluation `cannot_decide` — never a
//! guess.

use std::net::IpAddr;

use ipnet::IpNet;
use serde::{Deserialize, Serialize};
use serde_json::Value;

/// `Allow` or `Deny`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Effect {
    Allow,
    Deny,
}

/// A parsed policy document.
#[derive(Debug, Clone, PartialEq)]
pub struct Policy {
    pub statements: Vec<Statement>,
}

/// One statement, as written (lists normalised, keys as given).
#[derive(Debug, Clone, PartialEq)]
pub struct Statement {
    /// `Sid`, or `#N` (1-based position) when the statement has none.
    pub label: String,
    pub effect: Effect,
    pub principal: Option<Principal>,
    pub not_principal: Option<Principal>,
    pub action: Option<Vec<String>>,
    pub not_action: Option<Vec<String>>,
    pub resource: Option<Vec<String>>,
    pub not_resource: Option<Vec<String>>,
    pub conditions: Vec<Condition>,
}

/// `Principal` / `NotPrincipal`.
#[derive(Debug, Clone, PartialEq)]
pub enum Principal {
    /// `"*"` or `{"AWS": "*"}`.
    Anyone,
    /// Named principals by kind (`AWS`, `Service`, `Federated`, `CanonicalUser`).
    Named(Vec<(String, String)>),
}

/// One `operator: {key: values}` pair of a `Condition` block.
#[derive(Debug, Clone, PartialEq)]
pub struct Condition {
    pub operator: String,
    pub key: String,
    pub values: Vec<String>,
}

impl Statement {
    /// The condition keys this statement tests (lower-cased).
    pub fn condition_keys(&self) -> impl Iterator<Item = String> + '_ {
        self.conditions.iter().map(|c| c.key.to_ascii_lowercase())
    }

    /// Whether a condition of this statement tests `key` (case-insensitive).
    pub fn tests_key(&self, key: &str) -> bool {
        self.conditions
            .iter()
            .any(|c| c.key.eq_ignore_ascii_case(key))
    }

    /// The conditions, as they would be written back (`StringNotEquals aws:SourceVpce [vpce-1]`).
    pub fn conditions_text(&self) -> String {
        self.conditions
            .iter()
            .map(|c| format!("{} {} [{}]", c.operator, c.key, c.values.join(", ")))
            .collect::<Vec<_>>()
            .join("; ")
    }
}

/// Parses a policy document. Errors name what is wrong, in one line.
/// The largest policy S3 stores (bucket policies and VPC endpoint policies: 20 KB); a larger
/// text is not a policy AWS would have, and is not parsed.
pub const MAX_POLICY_BYTES: usize = 20 * 1024;

pub fn parse(text: &str) -> Result<Policy, String> {
    if text.len() > MAX_POLICY_BYTES {
        return Err(format!(
            "the policy is {} bytes; AWS stores at most {MAX_POLICY_BYTES}",
            text.len()
        ));
    }
    let doc: Value = serde_json::from_str(text).map_err(|e| format!("not JSON: {e}"))?;
    let stmts = match &doc["Statement"] {
        Value::Array(a) => a.iter().collect::<Vec<_>>(),
        Value::Object(_) => vec![&doc["Statement"]],
        Value::Null => return Err("no Statement".to_string()),
        _ => return Err("Statement is neither a list nor an object".to_string()),
    };
    let mut statements = Vec::new();
    for (i, s) in stmts.into_iter().enumerate() {
        let label = s["Sid"]
            .as_str()
            .filter(|x| !x.is_empty())
            .map(str::to_string)
            .unwrap_or_else(|| format!("#{}", i + 1));
        let effect = match s["Effect"].as_str() {
            Some("Allow") => Effect::Allow,
            Some("Deny") => Effect::Deny,
            other => {
                return Err(format!(
                    "statement {label}: Effect must be Allow or Deny, not {}",
                    other.map_or("missing".to_string(), |o| format!("{o:?}"))
                ))
            }
        };
        let strings = |v: &Value, what: &str| -> Result<Option<Vec<String>>, String> {
            match v {
                Value::Null => Ok(None),
                Value::String(x) => Ok(Some(vec![x.clone()])),
                Value::Array(a) => a
                    .iter()
                    .map(|x| {
                        x.as_str()
                            .map(str::to_string)
                            .ok_or_else(|| format!("statement {label}: {what} holds a non-string"))
                    })
                    .collect::<Result<Vec<_>, _>>()
                    .map(Some),
                _ => Err(format!(
                    "statement {label}: {what} is not a string or a list"
                )),
            }
        };
        let principal = |v: &Value, what: &str| -> Result<Option<Principal>, String> {
            match v {
                Value::Null => Ok(None),
                Value::String(x) if x == "*" => Ok(Some(Principal::Anyone)),
                Value::Object(m) => {
                    let mut named = Vec::new();
                    for (kind, ids) in m {
                        for id in strings(ids, what)?.unwrap_or_default() {
                            if kind == "AWS" && id == "*" {
                                return Ok(Some(Principal::Anyone));
                            }
                            named.push((kind.clone(), id));
                        }
                    }
                    Ok(Some(Principal::Named(named)))
                }
                _ => Err(format!(
                    "statement {label}: {what} is not \"*\" or an object"
                )),
            }
        };
        let mut conditions = Vec::new();
        match &s["Condition"] {
            Value::Null => {}
            Value::Object(ops) => {
                for (op, keys) in ops {
                    let Value::Object(keys) = keys else {
                        return Err(format!(
                            "statement {label}: condition {op} is not an object"
                        ));
                    };
                    for (key, values) in keys {
                        let values = match values {
                            Value::String(x) => vec![x.clone()],
                            Value::Bool(b) => vec![b.to_string()],
                            Value::Number(n) => vec![n.to_string()],
                            Value::Array(a) => a
                                .iter()
                                .map(|x| match x {
                                    Value::String(s) => s.clone(),
                                    other => other.to_string(),
                                })
                                .collect(),
                            _ => {
                                return Err(format!(
                                    "statement {label}: condition {op} {key} has no values"
                                ))
                            }
                        };
                        conditions.push(Condition {
                            operator: op.clone(),
                            key: key.clone(),
                            values,
                        });
                    }
                }
            }
            _ => return Err(format!("statement {label}: Condition is not an object")),
        }
        let st = Statement {
            effect,
            principal: principal(&s["Principal"], "Principal")?,
            not_principal: principal(&s["NotPrincipal"], "NotPrincipal")?,
            action: strings(&s["Action"], "Action")?,
            not_action: strings(&s["NotAction"], "NotAction")?,
            resource: strings(&s["Resource"], "Resource")?,
            not_resource: strings(&s["NotResource"], "NotResource")?,
            conditions,
            label,
        };
        if st.action.is_none() && st.not_action.is_none() {
            return Err(format!("statement {}: no Action or NotAction", st.label));
        }
        statements.push(st);
    }
    Ok(Policy { statements })
}

/// The value of a condition key in the request, as far as s3path can know it.
#[derive(Debug, Clone, PartialEq)]
pub enum KeyValue {
    /// The key is not in the request context (e.g. `aws:SourceVpce` off an endpoint,
    /// `aws:SourceIp` through one).
    Absent,
    Known(String),
    /// A value that equals none of the literals a customer would write (the account of an
    /// AWS-owned bucket): it fails every equality and matches only a bare `*` pattern.
    Foreign,
    /// Present, but s3path does not know its value.
    Unknown,
}

/// Everything about one request that the evaluation may look at.
#[derive(Debug, Clone, PartialEq)]
pub struct RequestContext {
    /// `s3:GetObject`, `s3:ListBucket`, …
    pub action: String,
    pub partition: String,
    pub bucket: String,
    /// The resource ARN the request names instead of the bucket's: an access point's
    /// (`arn:aws:s3:REGION:ACCOUNT:accesspoint/NAME`; its objects are `…/object/KEY`).
    pub resource_arn: Option<String>,
    /// For object actions: the key, or `None` for "any key".
    pub key: Option<String>,
    /// The caller's ARN (`arn:aws:sts::1111:assumed-role/app/i-0…`), when known.
    pub principal_arn: Option<String>,
    pub principal_account: Option<String>,
    pub source_vpce: KeyValue,
    pub source_vpc: KeyValue,
    pub source_ip: KeyValue,
    pub vpc_source_ip: KeyValue,
    pub resource_account: KeyValue,
}

impl RequestContext {
    /// A context for `action` on `bucket` with nothing else known.
    pub fn new(action: &str, bucket: &str) -> Self {
        RequestContext {
            action: action.to_string(),
            partition: "aws".to_string(),
            bucket: bucket.to_string(),
            resource_arn: None,
            key: None,
            principal_arn: None,
            principal_account: None,
            source_vpce: KeyValue::Unknown,
            source_vpc: KeyValue::Unknown,
            source_ip: KeyValue::Unknown,
            vpc_source_ip: KeyValue::Unknown,
            resource_account: KeyValue::Unknown,
        }
    }

    /// The bucket-level resource ARN, and the prefix of its objects' ARNs.
    pub fn arns(&self) -> (String, String) {
        match &self.resource_arn {
            Some(a) => (a.clone(), format!("{a}/object/")),
            None => {
                let b = format!("arn:{}:s3:::{}", self.partition, self.bucket);
                let o = format!("{b}/");
                (b, o)
            }
        }
    }

    /// Whether `action` acts on objects (`arn:…:::bucket/key`) rather than the bucket.
    pub fn object_level(&self) -> bool {
        object_level_action(&self.action)
    }

    fn key_value(&self, key: &str) -> Result<KeyValue, String> {
        let k = key.to_ascii_lowercase();
        Ok(match k.as_str() {
            "aws:sourcevpce" => self.source_vpce.clone(),
            "aws:sourcevpc" => self.source_vpc.clone(),
            "aws:sourceip" => self.source_ip.clone(),
            "aws:vpcsourceip" => self.vpc_source_ip.clone(),
            "aws:resourceaccount" | "s3:resourceaccount" => self.resource_account.clone(),
            "aws:principalaccount" => match &self.principal_account {
                Some(a) => KeyValue::Known(a.clone()),
                None => KeyValue::Unknown,
            },
            "aws:principalarn" => match self.principal_arn.as_deref().map(role_arn) {
                Some(a) => KeyValue::Known(a),
                None => KeyValue::Unknown,
            },
            // s3path's requests and the SDKs' are HTTPS.
            "aws:securetransport" => KeyValue::Known("true".to_string()),
            _ => return Err(format!("condition key {key} is not evaluated by s3path")),
        })
    }
}

/// Object-level S3 actions take `arn:…:::bucket/key` as their resource.
pub fn object_level_action(action: &str) -> bool {
    let a = action.to_ascii_lowercase();
    let Some(name) = a.strip_prefix("s3:") else {
        return false;
    };
    // Bucket-level: ListBucket*, *Bucket*, ListMultipartUploadUploads, GetAccelerateConfiguration…
    !(name.contains("bucket")
        || name == "listmultipartuploaduploads"
        || name.starts_with("listallmybuckets")
        || name.contains("configuration")
        || name == "getlifecycleconfiguration")
}

/// An STS assumed-role session ARN as the IAM role ARN that policies name.
fn role_arn(arn: &str) -> String {
    // arn:aws:sts::111122223333:assumed-role/NAME/SESSION → arn:aws:iam::111122223333:role/NAME
    let parts: Vec<&str> = arn.splitn(6, ':').collect();
    if parts.len() == 6 && parts[2] == "sts" {
        if let Some(rest) = parts[5].strip_prefix("assumed-role/") {
            let name = rest.split('/').next().unwrap_or(rest);
            return format!("arn:{}:iam::{}:role/{name}", parts[1], parts[4]);
        }
    }
    arn.to_string()
}

/// Three-valued truth: the "cannot tell" side carries why.
#[derive(Debug, Clone, PartialEq)]
enum Tri {
    True,
    False,
    Unknown(String),
}

impl Tri {
    fn from(b: bool) -> Tri {
        if b {
            Tri::True
        } else {
            Tri::False
        }
    }

    fn not(self) -> Tri {
        match self {
            Tri::True => Tri::False,
            Tri::False => Tri::True,
            u => u,
        }
    }

    /// All must hold: false wins, then unknown.
    fn all(items: impl IntoIterator<Item = Tri>) -> Tri {
        let mut unknown = None;
        for t in items {
            match t {
                Tri::False => return Tri::False,
                Tri::Unknown(w) => {
                    unknown.get_or_insert(w);
                }
                Tri::True => {}
            }
        }
        unknown.map_or(Tri::True, Tri::Unknown)
    }

    /// One must hold: true wins, then unknown.
    fn any(items: impl IntoIterator<Item = Tri>) -> Tri {
        let mut unknown = None;
        for t in items {
            match t {
                Tri::True => return Tri::True,
                Tri::Unknown(w) => {
                    unknown.get_or_insert(w);
                }
                Tri::False => {}
            }
        }
        unknown.map_or(Tri::False, Tri::Unknown)
    }
}

/// A glob (`*`, `?`) run as a set of pattern positions, so that "which positions are still
/// alive after this text" can answer "could the rest of some longer string match".
struct Glob {
    pat: Vec<char>,
    fold: bool,
}

impl Glob {
    fn new(pattern: &str, fold: bool) -> Self {
        let pat = if fold {
            pattern.to_lowercase().chars().collect()
        } else {
            pattern.chars().collect()
        };
        Glob { pat, fold }
    }

    fn closure(&self, set: &mut [bool]) {
        for i in 0..self.pat.len() {
            if set[i] && self.pat[i] == '*' {
                set[i + 1] = true;
            }
        }
    }

    /// The positions alive after `text`.
    fn run(&self, text: &str) -> Vec<bool> {
        let mut set = vec![false; self.pat.len() + 1];
        set[0] = true;
        self.closure(&mut set);
        let text: Vec<char> = if self.fold {
            text.to_lowercase().chars().collect()
        } else {
            text.chars().collect()
        };
        let mut next = vec![false; self.pat.len() + 1];
        for c in text {
            next.iter_mut().for_each(|b| *b = false);
            for i in 0..self.pat.len() {
                if !set[i] {
                    continue;
                }
                match self.pat[i] {
                    '*' => next[i] = true,
                    '?' => next[i + 1] = true,
                    p if p == c => next[i + 1] = true,
                    _ => {}
                }
            }
            self.closure(&mut next);
            std::mem::swap(&mut set, &mut next);
        }
        set
    }

    /// Whether `text` matches: the greedy wildcard match, which only ever returns to the last
    /// `*` seen, so a pattern like `*k*k*k…x` costs a pass per segment, not an exponential
    /// search (and never more than |pattern| × |text| steps; both are bounded upstream).
    fn matches(&self, text: &str) -> bool {
        let t: Vec<char> = if self.fold {
            text.to_lowercase().chars().collect()
        } else {
            text.chars().collect()
        };
        let p = &self.pat;
        let (mut pi, mut ti) = (0usize, 0usize);
        let mut star: Option<usize> = None;
        let mut mark = 0usize;
        while ti < t.len() {
            if pi < p.len() && p[pi] != '*' && (p[pi] == '?' || p[pi] == t[ti]) {
                pi += 1;
                ti += 1;
            } else if pi < p.len() && p[pi] == '*' {
                star = Some(pi);
                mark = ti;
                pi += 1;
            } else if let Some(s) = star {
                pi = s + 1;
                mark += 1;
                ti = mark;
            } else {
                return false;
            }
        }
        while pi < p.len() && p[pi] == '*' {
            pi += 1;
        }
        pi == p.len()
    }

    /// Whether every non-empty continuation of `prefix` matches (some alive position is
    /// followed only by `*`s).
    fn matches_every_extension(&self, prefix: &str) -> bool {
        let set = self.run(prefix);
        (0..self.pat.len()).any(|i| set[i] && self.pat[i..].iter().all(|c| *c == '*'))
    }

    /// Whether some continuation of `prefix` matches.
    fn matches_some_extension(&self, prefix: &str) -> bool {
        self.run(prefix).iter().any(|b| *b)
    }
}

fn has_variable(p: &str) -> bool {
    p.contains("${")
}

fn action_matches(patterns: &[String], action: &str) -> bool {
    patterns.iter().any(|p| Glob::new(p, true).matches(action))
}

fn resource_matches(patterns: &[String], cx: &RequestContext) -> Tri {
    let (bucket_arn, objects) = cx.arns();
    Tri::any(patterns.iter().map(|p| {
        if has_variable(p) {
            return Tri::Unknown(format!("resource {p} uses a policy variable"));
        }
        let g = Glob::new(p, false);
        if !cx.object_level() {
            return Tri::from(g.matches(&bucket_arn));
        }
        match &cx.key {
            Some(k) => Tri::from(g.matches(&format!("{objects}{k}"))),
            None => {
                let prefix = objects.clone();
                if g.matches_every_extension(&prefix) {
                    Tri::True
                } else if g.matches_some_extension(&prefix) {
                    Tri::Unknown(format!(
                        "resource {p} covers only some keys of the bucket (give --key)"
                    ))
                } else {
                    Tri::False
                }
            }
        }
    }))
}

fn principal_matches(p: &Principal, cx: &RequestContext) -> Tri {
    let named = match p {
        Principal::Anyone => return Tri::True,
        Principal::Named(n) => n,
    };
    let caller_role = cx.principal_arn.as_deref().map(role_arn);
    Tri::any(named.iter().map(|(kind, id)| {
        if kind != "AWS" {
            // Our caller is an IAM principal, never a service, federated or canonical user.
            return Tri::False;
        }
        let account_of = |s: &str| -> Option<String> {
            if s.len() == 12 && s.chars().all(|c| c.is_ascii_digit()) {
                return Some(s.to_string());
            }
            let parts: Vec<&str> = s.splitn(6, ':').collect();
            (parts.len() == 6).then(|| parts[4].to_string())
        };
        let whole_account =
            (id.len() == 12 && id.chars().all(|c| c.is_ascii_digit())) || id.ends_with(":root");
        let id_account = account_of(id);
        if whole_account {
            return match (&id_account, &cx.principal_account) {
                (Some(a), Some(b)) => Tri::from(a == b),
                _ => Tri::Unknown(format!("principal {id}: the caller's account is not known")),
            };
        }
        match (&caller_role, &cx.principal_arn) {
            (Some(role), Some(arn)) => Tri::from(id == role || id == arn),
            _ => match (&id_account, &cx.principal_account) {
                (Some(a), Some(b)) if a != b => Tri::False,
                _ => Tri::Unknown(format!("principal {id}: the caller's ARN is not known")),
            },
        }
    }))
}

/// Splits `ForAnyValue:StringLikeIfExists` into (set prefix, base operator, if-exists).
fn split_operator(op: &str) -> (Option<&str>, &str, bool) {
    let (set, rest) = match op.split_once(':') {
        Some((s, r)) => (Some(s), r),
        None => (None, op),
    };
    match rest.strip_suffix("IfExists") {
        Some(base) => (set, base, true),
        None => (set, rest, false),
    }
}

fn condition_holds(c: &Condition, cx: &RequestContext) -> Tri {
    let (set, base, if_exists) = split_operator(&c.operator);
    let value = match cx.key_value(&c.key) {
        Ok(v) => v,
        Err(why) => return Tri::Unknown(why),
    };
    if base == "Null" {
        let want_absent = c.values.iter().any(|v| v.eq_ignore_ascii_case("true"));
        return match value {
            KeyValue::Absent => Tri::from(want_absent),
            KeyValue::Unknown => Tri::Unknown(format!("whether {} is present", c.key)),
            _ => Tri::from(!want_absent),
        };
    }
    let negated = matches!(
        base,
        "StringNotEquals"
            | "StringNotEqualsIgnoreCase"
            | "StringNotLike"
            | "ArnNotEquals"
            | "ArnNotLike"
            | "NotIpAddress"
    );
    let positive = match base {
        "StringNotEquals" => "StringEquals",
        "StringNotEqualsIgnoreCase" => "StringEqualsIgnoreCase",
        "StringNotLike" => "StringLike",
        "ArnNotEquals" => "ArnEquals",
        "ArnNotLike" => "ArnLike",
        "NotIpAddress" => "IpAddress",
        b => b,
    };
    if !matches!(
        positive,
        "StringEquals"
            | "StringEqualsIgnoreCase"
            | "StringLike"
            | "ArnEquals"
            | "ArnLike"
            | "IpAddress"
            | "Bool"
    ) {
        return Tri::Unknown(format!(
            "condition operator {} is not evaluated",
            c.operator
        ));
    }
    let v = match value {
        // A missing key: IfExists and ForAllValues hold, negated operators hold, the rest fail.
        KeyValue::Absent => {
            return Tri::from(if_exists || set == Some("ForAllValues") || negated);
        }
        KeyValue::Unknown => {
            return Tri::Unknown(format!("the value of {} is not known", c.key));
        }
        KeyValue::Foreign => {
            let hit = positive != "IpAddress"
                && positive != "Bool"
                && c.values.iter().any(|p| p.chars().all(|ch| ch == '*'))
                && positive.ends_with("Like");
            return Tri::from(hit != negated);
        }
        KeyValue::Known(v) => v,
    };
    let one = |pat: &str| -> Result<bool, String> {
        Ok(match positive {
            "StringEquals" | "ArnEquals" => pat == v,
            "StringEqualsIgnoreCase" => pat.eq_ignore_ascii_case(&v),
            "StringLike" | "ArnLike" => {
                if has_variable(pat) {
                    return Err(format!("{} {pat} uses a policy variable", c.key));
                }
                Glob::new(pat, false).matches(&v)
            }
            "Bool" => pat.eq_ignore_ascii_case(&v),
            "IpAddress" => {
                let addr: IpAddr = v
                    .parse()
                    .map_err(|_| format!("{} value {v} is not an address", c.key))?;
                let net: IpNet = pat
                    .parse()
                    .or_else(|_| pat.parse::<IpAddr>().map(IpNet::from))
                    .map_err(|_| format!("{pat} is not a CIDR block"))?;
                net.contains(&addr)
            }
            _ => unreachable!("operators are filtered above"),
        })
    };
    let mut hit = Tri::False;
    for pat in &c.values {
        match one(pat) {
            Ok(true) => {
                hit = Tri::True;
                break;
            }
            Ok(false) => {}
            Err(why) => hit = Tri::Unknown(why),
        }
    }
    if negated {
        hit.not()
    } else {
        hit
    }
}

/// Whether `s` applies to the request (principal, action, resource, conditions).
fn applies(s: &Statement, cx: &RequestContext) -> Tri {
    let principal = match (&s.principal, &s.not_principal) {
        (Some(p), _) => principal_matches(p, cx),
        (None, Some(np)) => principal_matches(np, cx).not(),
        (None, None) => Tri::True,
    };
    let action = match (&s.action, &s.not_action) {
        (Some(a), _) => Tri::from(action_matches(a, &cx.action)),
        (None, Some(na)) => Tri::from(!action_matches(na, &cx.action)),
        (None, None) => Tri::False,
    };
    let resource = match (&s.resource, &s.not_resource) {
        (Some(r), _) => resource_matches(r, cx),
        (None, Some(nr)) => resource_matches(nr, cx).not(),
        // Endpoint policies may leave Resource out only when it means everything.
        (None, None) => Tri::True,
    };
    if action == Tri::False || principal == Tri::False || resource == Tri::False {
        return Tri::False;
    }
    Tri::all(
        [principal, action, resource]
            .into_iter()
            .chain(s.conditions.iter().map(|c| condition_holds(c, cx))),
    )
}

/// The outcome for one policy.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Verdict {
    Allowed,
    ExplicitDeny,
    /// No statement allows the request.
    ImplicitDeny,
    CannotDecide,
}

impl Verdict {
    pub fn as_str(self) -> &'static str {
        match self {
            Verdict::Allowed => "allowed",
            Verdict::ExplicitDeny => "explicit deny",
            Verdict::ImplicitDeny => "not allowed (no statement allows it)",
            Verdict::CannotDecide => "cannot decide",
        }
    }
}

/// What one policy says about one request, and which statement said it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Evaluation {
    pub action: String,
    pub resource: String,
    pub verdict: Verdict,
    /// The statement that decided (`Sid` or `#N`), for allows and explicit denies.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub statement: Option<String>,
    /// Why the evaluation could not decide (or what it could not rule out).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub undecided: Vec<String>,
}

impl Evaluation {
    /// `s3:GetObject on arn:aws:s3:::b/*: explicit deny (statement DenyOthers)`.
    pub fn summary(&self) -> String {
        let mut s = format!(
            "{} on {}: {}",
            self.action,
            self.resource,
            self.verdict.as_str()
        );
        if let Some(st) = &self.statement {
            s.push_str(&format!(" (statement {st})"));
        }
        if self.verdict == Verdict::CannotDecide {
            if let Some(u) = self.undecided.first() {
                s.push_str(&format!(": {u}"));
            }
        }
        s
    }
}

/// Evaluates `policy` alone for the request, IAM-style: an explicit deny wins, then an allow,
/// else the request is not allowed. Statements that cannot be judged make the result
/// `cannot_decide` when they could change it.
pub fn evaluate(policy: &Policy, cx: &RequestContext) -> Evaluation {
    let (bucket_arn, objects) = cx.arns();
    let resource = if cx.object_level() {
        format!("{objects}{}", cx.key.as_deref().unwrap_or("*"))
    } else {
        bucket_arn
    };
    let mut out = Evaluation {
        action: cx.action.clone(),
        resource,
        verdict: Verdict::ImplicitDeny,
        statement: None,
        undecided: Vec::new(),
    };
    let judged: Vec<(&Statement, Tri)> = policy
        .statements
        .iter()
        .map(|s| (s, applies(s, cx)))
        .collect();
    let mut deny_unknown = Vec::new();
    for (s, t) in &judged {
        if s.effect != Effect::Deny {
            continue;
        }
        match t {
            Tri::True => {
                out.verdict = Verdict::ExplicitDeny;
                out.statement = Some(s.label.clone());
                return out;
            }
            Tri::Unknown(w) => deny_unknown.push(format!("deny statement {}: {w}", s.label)),
            Tri::False => {}
        }
    }
    let mut allow_unknown = Vec::new();
    let mut allowed_by = None;
    for (s, t) in &judged {
        if s.effect != Effect::Allow {
            continue;
        }
        match t {
            Tri::True => {
                allowed_by.get_or_insert(s.label.clone());
            }
            Tri::Unknown(w) => allow_unknown.push(format!("allow statement {}: {w}", s.label)),
            Tri::False => {}
        }
    }
    if !deny_unknown.is_empty() {
        out.verdict = Verdict::CannotDecide;
        out.undecided = deny_unknown;
        out.statement = allowed_by;
        return out;
    }
    match allowed_by {
        Some(label) => {
            out.verdict = Verdict::Allowed;
            out.statement = Some(label);
        }
        None if !allow_unknown.is_empty() => {
            out.verdict = Verdict::CannotDecide;
            out.undecided = allow_unknown;
        }
        None => {}
    }
    out
}

/// The statement labelled `label`.
pub fn statement<'a>(policy: &'a Policy, label: &str) -> Option<&'a Statement> {
    policy.statements.iter().find(|s| s.label == label)
}

/// Which kind of policy S3 says denied a request.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum PolicyKind {
    VpcEndpoint,
    ResourceBased,
    IdentityBased,
    PermissionsBoundary,
    SessionPolicy,
    ServiceControl,
    ResourceControl,
}

impl PolicyKind {
    pub fn as_str(self) -> &'static str {
        match self {
            PolicyKind::VpcEndpoint => "VPC endpoint policy",
            PolicyKind::ResourceBased => "bucket policy (resource-based)",
            PolicyKind::IdentityBased => "identity-based policy",
            PolicyKind::PermissionsBoundary => "permissions boundary",
            PolicyKind::SessionPolicy => "session policy",
            PolicyKind::ServiceControl => "service control policy",
            PolicyKind::ResourceControl => "resource control policy",
        }
    }
}

/// S3's explanation of an `AccessDenied`, read from its message.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Denial {
    /// The caller, as S3 names it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub principal: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub action: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub resource: Option<String>,
    /// The kind of policy that denied, when S3 says.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub policy: Option<PolicyKind>,
    /// True for "with an explicit deny in …", false for "because no … allows".
    pub explicit: bool,
}

/// Reads S3's message (`User: arn:… is not authorized to perform: s3:ListBucket on resource:
/// "arn:aws:s3:::b" because no VPC endpoint policy allows the s3:ListBucket action`). A bare
/// "Access Denied" (cross-account or anonymous callers get no context) gives a denial with no
/// policy kind.
pub fn parse_denial(message: &str) -> Denial {
    let lower = message.to_ascii_lowercase();
    let principal = message
        .strip_prefix("User: ")
        .and_then(|r| r.split_whitespace().next())
        .map(str::to_string);
    let action = message
        .split_once("perform: ")
        .and_then(|(_, r)| r.split_whitespace().next())
        .map(|s| s.trim_end_matches(',').to_string());
    let resource = message
        .split_once("on resource: ")
        .and_then(|(_, r)| r.split_whitespace().next())
        .map(|s| {
            s.trim_matches(|c| c == '"' || c == '\'' || c == ',')
                .to_string()
        });
    let explicit = lower.contains("explicit deny");
    let kinds = [
        ("vpc endpoint policy", PolicyKind::VpcEndpoint),
        ("resource-based polic", PolicyKind::ResourceBased),
        ("identity-based polic", PolicyKind::IdentityBased),
        ("permissions boundary", PolicyKind::PermissionsBoundary),
        ("session polic", PolicyKind::SessionPolicy),
        ("service control polic", PolicyKind::ServiceControl),
        ("resource control polic", PolicyKind::ResourceControl),
    ];
    let policy = kinds
        .iter()
        .find(|(needle, _)| lower.contains(needle))
        .map(|(_, k)| *k);
    Denial {
        principal,
        action,
        resource,
        policy,
        explicit,
    }
}

/// Buckets in AWS-owned accounts that instances and tasks fetch from through the VPC's S3
/// path: `(what depends on it, bucket name)`. From the AWS documentation of each service's
/// endpoint policy requirements.
pub fn aws_owned_buckets(region: &str) -> Vec<(&'static str, String)> {
    vec![
        (
            "ECR image layers",
            format!("prod-{region}-starport-layer-bucket"),
        ),
        (
            "Amazon Linux 2 repositories",
            format!("amazonlinux.{region}.amazonaws.com"),
        ),
        (
            "Amazon Linux 2023 repositories",
            format!("al2023-repos-{region}-de612dc2"),
        ),
        ("SSM Agent updates", format!("amazon-ssm-{region}")),
        ("SSM documents and plugins", format!("aws-ssm-{region}")),
        (
            "SSM Patch Manager baselines",
            format!("patch-baseline-snapshot-{region}"),
        ),
        (
            "SSM Distributor",
            format!("aws-ssm-distributor-file-{region}"),
        ),
    ]
}
