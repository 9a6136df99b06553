//! The policy evaluator against a table of policies: AWS documentation examples for VPC
//! endpoint policies and bucket policies, and the traps s3path looks for. Each row is a policy,
//! a request and the expected verdict (and deciding statement where one decides).

use s3path::policy::{self, KeyValue, RequestContext, Verdict};

use Verdict::{Allowed, CannotDecide, ExplicitDeny, ImplicitDeny};

/// How the request arrives.
#[derive(Clone, Copy)]
enum Via {
    /// Through gateway endpoint vpce-1a2b3c4d in vpc-111bbb22, from 10.0.1.10.
    Endpoint,
    /// Through a NAT gateway whose Elastic IP is 198.51.100.7.
    Nat,
}

fn cx(action: &str, bucket: &str, key: Option<&str>, via: Via) -> RequestContext {
    let mut c = RequestContext::new(action, bucket);
    c.key = key.map(str::to_string);
    c.principal_account = Some("111122223333".into());
    c.principal_arn = Some("arn:aws:sts::111122223333:assumed-role/app/i-0abc".into());
    match via {
        Via::Endpoint => {
            c.source_vpce = KeyValue::Known("vpce-1a2b3c4d".into());
            c.source_vpc = KeyValue::Known("vpc-111bbb22".into());
            c.source_ip = KeyValue::Absent;
            c.vpc_source_ip = KeyValue::Known("10.0.1.10".into());
        }
        Via::Nat => {
            c.source_vpce = KeyValue::Absent;
            c.source_vpc = KeyValue::Absent;
            c.source_ip = KeyValue::Known("198.51.100.7".into());
            c.vpc_source_ip = KeyValue::Absent;
        }
    }
    c
}

struct Row {
    name: &'static str,
    policy: &'static str,
    action: &'static str,
    bucket: &'static str,
    key: Option<&'static str>,
    via: Via,
    foreign_owner: bool,
    want: Verdict,
    statement: Option<&'static str>,
}

const fn row(
    name: &'static str,
    policy: &'static str,
    action: &'static str,
    bucket: &'static str,
    via: Via,
    want: Verdict,
    statement: Option<&'static str>,
) -> Row {
    Row {
        name,
        policy,
        action,
        bucket,
        key: None,
        via,
        foreign_owner: false,
        want,
        statement,
    }
}

// AWS PrivateLink guide: the default endpoint policy.
const DEFAULT: &str =
    r#"{"Statement":[{"Effect":"Allow","Principal":"*","Action":"*","Resource":"*"}]}"#;
// VPC user guide, "Endpoint policies for Amazon S3": access only to a specific bucket.
const ONLY_BUCKET: &str = r#"{"Statement":[{"Sid":"Access-to-specific-bucket-only","Principal":"*","Action":["s3:GetObject","s3:PutObject"],"Effect":"Allow","Resource":["arn:aws:s3:::my_secure_bucket","arn:aws:s3:::my_secure_bucket/*"]}]}"#;
// Same guide: access to buckets in a specific account (aws:ResourceAccount).
const ONLY_ACCOUNT: &str = r#"{"Statement":[{"Sid":"Access-to-bucket-in-specific-account-only","Principal":"*","Action":["s3:GetObject","s3:PutObject"],"Effect":"Deny","Resource":"arn:aws:s3:::*","Condition":{"StringNotEquals":{"aws:ResourceAccount":"111122223333"}}}]}"#;
// Same guide: deny a specific bucket.
const DENY_BUCKET: &str = r#"{"Statement":[{"Sid":"Access-to-specific-bucket-only","Principal":"*","Action":"s3:*","Effect":"Allow","Resource":"*"},{"Sid":"Deny-one","Principal":"*","Action":"s3:*","Effect":"Deny","Resource":["arn:aws:s3:::blocked-bucket","arn:aws:s3:::blocked-bucket/*"]}]}"#;
// ECR user guide: minimum S3 endpoint policy for image layers.
const ECR_LAYERS: &str = r#"{"Statement":[{"Sid":"Access-to-specific-bucket-only","Principal":"*","Action":["s3:GetObject"],"Effect":"Allow","Resource":["arn:aws:s3:::prod-us-east-1-starport-layer-bucket/*"]}]}"#;
// S3 user guide, "Restricting access to a specific VPC endpoint" (bucket policy).
const BUCKET_VPCE: &str = r#"{"Version":"2012-10-17","Id":"Policy1415115909152","Statement":[{"Sid":"Access-to-specific-VPCE-only","Principal":"*","Action":"s3:*","Effect":"Deny","Resource":["arn:aws:s3:::awsexamplebucket1","arn:aws:s3:::awsexamplebucket1/*"],"Condition":{"StringNotEquals":{"aws:SourceVpce":"vpce-1a2b3c4d"}}}]}"#;
// S3 user guide, "Restricting access to a specific VPC" (bucket policy).
const BUCKET_VPC: &str = r#"{"Version":"2012-10-17","Id":"Policy1415115909153","Statement":[{"Sid":"Access-to-specific-VPC-only","Principal":"*","Action":"s3:*","Effect":"Deny","Resource":["arn:aws:s3:::awsexamplebucket1","arn:aws:s3:::awsexamplebucket1/*"],"Condition":{"StringNotEquals":{"aws:SourceVpc":"vpc-111bbb22"}}}]}"#;
// S3 user guide, "Managing access based on specific IP addresses" (bucket policy).
const BUCKET_IP: &str = r#"{"Version":"2012-10-17","Id":"S3PolicyId1","Statement":[{"Sid":"IPAllow","Effect":"Deny","Principal":"*","Action":"s3:*","Resource":["arn:aws:s3:::amzn-s3-demo-bucket","arn:aws:s3:::amzn-s3-demo-bucket/*"],"Condition":{"NotIpAddress":{"aws:SourceIp":"192.0.2.0/24"}}}]}"#;
// S3 user guide: allow from an IP range (an Allow keyed on aws:SourceIp).
const ALLOW_IP: &str = r#"{"Statement":[{"Sid":"AllowOffice","Effect":"Allow","Principal":"*","Action":"s3:GetObject","Resource":"arn:aws:s3:::amzn-s3-demo-bucket/*","Condition":{"IpAddress":{"aws:SourceIp":["198.51.100.0/24","203.0.113.0/24"]}}}]}"#;
// S3 user guide: deny non-HTTPS requests.
const TLS_ONLY: &str = r#"{"Statement":[{"Sid":"AllowSSLRequestsOnly","Action":"s3:*","Effect":"Deny","Resource":["arn:aws:s3:::b","arn:aws:s3:::b/*"],"Condition":{"Bool":{"aws:SecureTransport":"false"}},"Principal":"*"}]}"#;
// Data perimeter: deny principals outside the organization (key not evaluated).
const ORG_ONLY: &str = r#"{"Statement":[{"Sid":"OrgOnly","Effect":"Deny","Principal":"*","Action":"s3:*","Resource":"*","Condition":{"StringNotEquals":{"aws:PrincipalOrgID":"o-abc"}}}]}"#;
// Endpoint policy that allows only principals of our account.
const PRINCIPAL_ACCOUNT: &str = r#"{"Statement":[{"Effect":"Allow","Principal":"*","Action":"s3:*","Resource":"*","Condition":{"StringEquals":{"aws:PrincipalAccount":["111122223333"]}}}]}"#;
const PRINCIPAL_OTHER_ACCOUNT: &str = r#"{"Statement":[{"Effect":"Allow","Principal":"*","Action":"s3:*","Resource":"*","Condition":{"StringEquals":{"aws:PrincipalAccount":"444455556666"}}}]}"#;
// Principal given as a role ARN / as an account.
const PRINCIPAL_ROLE: &str = r#"{"Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::111122223333:role/app"},"Action":"s3:GetObject","Resource":"arn:aws:s3:::data/*"}]}"#;
const PRINCIPAL_OTHER_ROLE: &str = r#"{"Statement":[{"Effect":"Allow","Principal":{"AWS":["arn:aws:iam::111122223333:role/batch"]},"Action":"s3:GetObject","Resource":"arn:aws:s3:::data/*"}]}"#;
const PRINCIPAL_ROOT: &str = r#"{"Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::111122223333:root"},"Action":"s3:*","Resource":"*"}]}"#;
const PRINCIPAL_SERVICE: &str = r#"{"Statement":[{"Effect":"Allow","Principal":{"Service":"logging.s3.amazonaws.com"},"Action":"s3:PutObject","Resource":"arn:aws:s3:::logs/*"}]}"#;
// NotAction / NotResource / NotPrincipal.
const NOT_ACTION: &str = r#"{"Statement":[{"Effect":"Allow","Principal":"*","Action":"*","Resource":"*"},{"Sid":"NoWrites","Effect":"Deny","Principal":"*","NotAction":["s3:Get*","s3:List*"],"Resource":"*"}]}"#;
const NOT_RESOURCE: &str = r#"{"Statement":[{"Sid":"OnlyOurs","Effect":"Deny","Principal":"*","Action":"s3:*","NotResource":["arn:aws:s3:::ours-*","arn:aws:s3:::ours-*/*"]},{"Effect":"Allow","Principal":"*","Action":"s3:*","Resource":"*"}]}"#;
const NOT_PRINCIPAL: &str = r#"{"Statement":[{"Sid":"AllButApp","Effect":"Deny","NotPrincipal":{"AWS":"arn:aws:iam::111122223333:role/app"},"Action":"s3:*","Resource":"*"},{"Effect":"Allow","Principal":"*","Action":"s3:*","Resource":"*"}]}"#;
// Wildcards in Action (case-insensitive) and Resource, one statement object (not a list).
const WILDCARD_ACTION: &str = r#"{"Statement":{"Effect":"Allow","Principal":"*","Action":"S3:get*","Resource":"arn:aws:s3:::logs-????/*"}}"#;
const PREFIX_ONLY: &str = r#"{"Statement":[{"Effect":"Allow","Principal":"*","Action":"s3:GetObject","Resource":"arn:aws:s3:::data/public/*"}]}"#;
const POLICY_VARIABLE: &str = r#"{"Statement":[{"Effect":"Allow","Principal":"*","Action":"s3:GetObject","Resource":"arn:aws:s3:::home/${aws:username}/*"}]}"#;
// Conditions: IfExists, Null, StringLike, ArnLike, ForAnyValue.
const VPCE_IF_EXISTS: &str = r#"{"Statement":[{"Sid":"VpceIfPresent","Effect":"Deny","Principal":"*","Action":"s3:*","Resource":"*","Condition":{"StringNotEqualsIfExists":{"aws:SourceVpce":"vpce-1a2b3c4d"}}},{"Effect":"Allow","Principal":"*","Action":"s3:*","Resource":"*"}]}"#;
const NULL_VPCE: &str = r#"{"Statement":[{"Sid":"MustUseEndpoint","Effect":"Deny","Principal":"*","Action":"s3:*","Resource":"*","Condition":{"Null":{"aws:SourceVpce":"true"}}},{"Effect":"Allow","Principal":"*","Action":"s3:*","Resource":"*"}]}"#;
const VPCE_LIKE: &str = r#"{"Statement":[{"Sid":"AnyOfOurs","Effect":"Allow","Principal":"*","Action":"s3:*","Resource":"*","Condition":{"StringLike":{"aws:SourceVpce":"vpce-1a2b*"}}}]}"#;
const PRINCIPAL_ARN_LIKE: &str = r#"{"Statement":[{"Sid":"Apps","Effect":"Allow","Principal":"*","Action":"s3:*","Resource":"*","Condition":{"ArnLike":{"aws:PrincipalArn":"arn:aws:iam::111122223333:role/ap*"}}}]}"#;
const VPC_SOURCE_IP: &str = r#"{"Statement":[{"Sid":"FromPrivate","Effect":"Allow","Principal":"*","Action":"s3:*","Resource":"*","Condition":{"IpAddress":{"aws:VpcSourceIp":"10.0.0.0/16"}}}]}"#;
const NUMERIC: &str = r#"{"Statement":[{"Sid":"Num","Effect":"Deny","Principal":"*","Action":"s3:*","Resource":"*","Condition":{"NumericGreaterThan":{"s3:max-keys":"10"}}},{"Effect":"Allow","Principal":"*","Action":"s3:*","Resource":"*"}]}"#;
const MULTI_KEY_AND: &str = r#"{"Statement":[{"Sid":"Both","Effect":"Allow","Principal":"*","Action":"s3:*","Resource":"*","Condition":{"StringEquals":{"aws:SourceVpce":"vpce-1a2b3c4d","aws:SourceVpc":"vpc-999"}}}]}"#;
const EMPTY_ALLOW_LIST: &str = r#"{"Statement":[{"Effect":"Allow","Principal":"*","Action":"s3:ListBucket","Resource":"arn:aws:s3:::app-data"}]}"#;

fn table() -> Vec<Row> {
    use Via::{Endpoint, Nat};
    let mut rows = vec![
        row(
            "default endpoint policy allows everything",
            DEFAULT,
            "s3:PutObject",
            "any",
            Endpoint,
            Allowed,
            Some("#1"),
        ),
        row(
            "specific-bucket endpoint policy allows it",
            ONLY_BUCKET,
            "s3:GetObject",
            "my_secure_bucket",
            Endpoint,
            Allowed,
            Some("Access-to-specific-bucket-only"),
        ),
        row(
            "specific-bucket endpoint policy: other bucket not allowed",
            ONLY_BUCKET,
            "s3:GetObject",
            "other",
            Endpoint,
            ImplicitDeny,
            None,
        ),
        row(
            "specific-bucket endpoint policy: ListBucket forgotten",
            ONLY_BUCKET,
            "s3:ListBucket",
            "my_secure_bucket",
            Endpoint,
            ImplicitDeny,
            None,
        ),
        row(
            "account endpoint policy: own bucket unknown owner",
            ONLY_ACCOUNT,
            "s3:GetObject",
            "app-data",
            Endpoint,
            CannotDecide,
            None,
        ),
        row(
            "deny one bucket: that bucket denied",
            DENY_BUCKET,
            "s3:GetObject",
            "blocked-bucket",
            Endpoint,
            ExplicitDeny,
            Some("Deny-one"),
        ),
        row(
            "deny one bucket: another allowed",
            DENY_BUCKET,
            "s3:ListBucket",
            "fine",
            Endpoint,
            Allowed,
            Some("Access-to-specific-bucket-only"),
        ),
        row(
            "ECR minimum policy allows layers",
            ECR_LAYERS,
            "s3:GetObject",
            "prod-us-east-1-starport-layer-bucket",
            Endpoint,
            Allowed,
            Some("Access-to-specific-bucket-only"),
        ),
        row(
            "ECR minimum policy blocks the app bucket",
            ECR_LAYERS,
            "s3:GetObject",
            "app-data",
            Endpoint,
            ImplicitDeny,
            None,
        ),
        row(
            "bucket policy SourceVpce: through that endpoint",
            BUCKET_VPCE,
            "s3:GetObject",
            "awsexamplebucket1",
            Endpoint,
            ImplicitDeny,
            None,
        ),
        row(
            "bucket policy SourceVpce: through NAT denied",
            BUCKET_VPCE,
            "s3:GetObject",
            "awsexamplebucket1",
            Nat,
            ExplicitDeny,
            Some("Access-to-specific-VPCE-only"),
        ),
        row(
            "bucket policy SourceVpc: through the VPC's endpoint",
            BUCKET_VPC,
            "s3:ListBucket",
            "awsexamplebucket1",
            Endpoint,
            ImplicitDeny,
            None,
        ),
        row(
            "bucket policy SourceVpc: through NAT denied",
            BUCKET_VPC,
            "s3:ListBucket",
            "awsexamplebucket1",
            Nat,
            ExplicitDeny,
            Some("Access-to-specific-VPC-only"),
        ),
        row(
            "bucket policy NotIpAddress: endpoint has no SourceIp",
            BUCKET_IP,
            "s3:GetObject",
            "amzn-s3-demo-bucket",
            Endpoint,
            ExplicitDeny,
            Some("IPAllow"),
        ),
        row(
            "bucket policy NotIpAddress: NAT EIP outside the range",
            BUCKET_IP,
            "s3:GetObject",
            "amzn-s3-demo-bucket",
            Nat,
            ExplicitDeny,
            Some("IPAllow"),
        ),
        row(
            "allow by IP: never through an endpoint",
            ALLOW_IP,
            "s3:GetObject",
            "amzn-s3-demo-bucket",
            Endpoint,
            ImplicitDeny,
            None,
        ),
        row(
            "allow by IP: NAT EIP inside the range",
            ALLOW_IP,
            "s3:GetObject",
            "amzn-s3-demo-bucket",
            Nat,
            Allowed,
            Some("AllowOffice"),
        ),
        row(
            "TLS-only bucket policy does not deny HTTPS",
            TLS_ONLY,
            "s3:GetObject",
            "b",
            Endpoint,
            ImplicitDeny,
            None,
        ),
        row(
            "organization condition is not evaluated",
            ORG_ONLY,
            "s3:GetObject",
            "b",
            Endpoint,
            CannotDecide,
            None,
        ),
        row(
            "principal account matches",
            PRINCIPAL_ACCOUNT,
            "s3:GetObject",
            "b",
            Endpoint,
            Allowed,
            Some("#1"),
        ),
        row(
            "principal account differs",
            PRINCIPAL_OTHER_ACCOUNT,
            "s3:GetObject",
            "b",
            Endpoint,
            ImplicitDeny,
            None,
        ),
        row(
            "principal role ARN matches the assumed role",
            PRINCIPAL_ROLE,
            "s3:GetObject",
            "data",
            Endpoint,
            Allowed,
            Some("#1"),
        ),
        row(
            "principal is another role",
            PRINCIPAL_OTHER_ROLE,
            "s3:GetObject",
            "data",
            Endpoint,
            ImplicitDeny,
            None,
        ),
        row(
            "principal account root",
            PRINCIPAL_ROOT,
            "s3:ListBucket",
            "data",
            Endpoint,
            Allowed,
            Some("#1"),
        ),
        row(
            "service principal never matches the app",
            PRINCIPAL_SERVICE,
            "s3:PutObject",
            "logs",
            Endpoint,
            ImplicitDeny,
            None,
        ),
        row(
            "NotAction deny: reads pass",
            NOT_ACTION,
            "s3:GetObject",
            "b",
            Endpoint,
            Allowed,
            Some("#1"),
        ),
        row(
            "NotAction deny: writes denied",
            NOT_ACTION,
            "s3:PutObject",
            "b",
            Endpoint,
            ExplicitDeny,
            Some("NoWrites"),
        ),
        row(
            "NotResource deny: our bucket passes",
            NOT_RESOURCE,
            "s3:GetObject",
            "ours-data",
            Endpoint,
            Allowed,
            Some("#2"),
        ),
        row(
            "NotResource deny: other bucket denied",
            NOT_RESOURCE,
            "s3:GetObject",
            "theirs",
            Endpoint,
            ExplicitDeny,
            Some("OnlyOurs"),
        ),
        row(
            "NotPrincipal deny: the app itself passes",
            NOT_PRINCIPAL,
            "s3:GetObject",
            "b",
            Endpoint,
            Allowed,
            Some("#2"),
        ),
        row(
            "wildcard action, case-insensitive, ? in resource",
            WILDCARD_ACTION,
            "s3:GetObject",
            "logs-2024",
            Endpoint,
            Allowed,
            Some("#1"),
        ),
        row(
            "wildcard ? needs exactly one character each",
            WILDCARD_ACTION,
            "s3:GetObject",
            "logs-20245",
            Endpoint,
            ImplicitDeny,
            None,
        ),
        row(
            "prefix-only resource without --key",
            PREFIX_ONLY,
            "s3:GetObject",
            "data",
            Endpoint,
            CannotDecide,
            None,
        ),
        row(
            "policy variable in resource",
            POLICY_VARIABLE,
            "s3:GetObject",
            "home",
            Endpoint,
            CannotDecide,
            None,
        ),
        row(
            "IfExists: key present and equal",
            VPCE_IF_EXISTS,
            "s3:GetObject",
            "b",
            Endpoint,
            Allowed,
            Some("#2"),
        ),
        row(
            "IfExists: key absent holds, deny applies",
            VPCE_IF_EXISTS,
            "s3:GetObject",
            "b",
            Nat,
            ExplicitDeny,
            Some("VpceIfPresent"),
        ),
        row(
            "Null condition: off the endpoint denied",
            NULL_VPCE,
            "s3:GetObject",
            "b",
            Nat,
            ExplicitDeny,
            Some("MustUseEndpoint"),
        ),
        row(
            "Null condition: through the endpoint allowed",
            NULL_VPCE,
            "s3:GetObject",
            "b",
            Endpoint,
            Allowed,
            Some("#2"),
        ),
        row(
            "StringLike on the endpoint id",
            VPCE_LIKE,
            "s3:ListBucket",
            "b",
            Endpoint,
            Allowed,
            Some("AnyOfOurs"),
        ),
        row(
            "ArnLike on the principal ARN",
            PRINCIPAL_ARN_LIKE,
            "s3:ListBucket",
            "b",
            Endpoint,
            Allowed,
            Some("Apps"),
        ),
        row(
            "aws:VpcSourceIp through the endpoint",
            VPC_SOURCE_IP,
            "s3:GetObject",
            "b",
            Endpoint,
            Allowed,
            Some("FromPrivate"),
        ),
        row(
            "aws:VpcSourceIp absent off the endpoint",
            VPC_SOURCE_IP,
            "s3:GetObject",
            "b",
            Nat,
            ImplicitDeny,
            None,
        ),
        row(
            "numeric operator on an unevaluated key",
            NUMERIC,
            "s3:ListBucket",
            "b",
            Endpoint,
            CannotDecide,
            None,
        ),
        row(
            "two keys in one condition are ANDed",
            MULTI_KEY_AND,
            "s3:ListBucket",
            "b",
            Endpoint,
            ImplicitDeny,
            None,
        ),
        row(
            "bucket-level action uses the bucket ARN",
            EMPTY_ALLOW_LIST,
            "s3:ListBucket",
            "app-data",
            Endpoint,
            Allowed,
            Some("#1"),
        ),
    ];
    rows.push(Row {
        key: Some("public/report.csv"),
        ..row(
            "prefix-only resource with a key inside",
            PREFIX_ONLY,
            "s3:GetObject",
            "data",
            Via::Endpoint,
            Allowed,
            Some("#1"),
        )
    });
    rows.push(Row {
        key: Some("private/x"),
        ..row(
            "prefix-only resource with a key outside",
            PREFIX_ONLY,
            "s3:GetObject",
            "data",
            Via::Endpoint,
            ImplicitDeny,
            None,
        )
    });
    rows.push(Row {
        foreign_owner: true,
        ..row(
            "account endpoint policy blocks an AWS-owned bucket",
            ONLY_ACCOUNT,
            "s3:GetObject",
            "al2023-repos-eu-west-1-de612dc2",
            Via::Endpoint,
            ExplicitDeny,
            Some("Access-to-bucket-in-specific-account-only"),
        )
    });
    rows.push(Row {
        foreign_owner: true,
        ..row(
            "default policy allows an AWS-owned bucket",
            DEFAULT,
            "s3:GetObject",
            "prod-eu-west-1-starport-layer-bucket",
            Via::Endpoint,
            Allowed,
            Some("#1"),
        )
    });
    rows
}

#[test]
fn policy_table() {
    let rows = table();
    let distinct: std::collections::BTreeSet<&str> = rows.iter().map(|r| r.policy).collect();
    assert!(
        distinct.len() >= 30,
        "only {} distinct policies",
        distinct.len()
    );
    let mut failures = Vec::new();
    for r in &rows {
        let p = policy::parse(r.policy).unwrap_or_else(|e| panic!("{}: {e}", r.name));
        let mut c = cx(r.action, r.bucket, r.key, r.via);
        if r.foreign_owner {
            c.resource_account = KeyValue::Foreign;
        }
        let e = policy::evaluate(&p, &c);
        let statement_ok = match r.statement {
            Some(s) => e.statement.as_deref() == Some(s),
            None => r.want != Allowed && r.want != ExplicitDeny,
        };
        if e.verdict != r.want || !statement_ok {
            failures.push(format!(
                "{}: got {:?} (statement {:?}, undecided {:?}), want {:?} ({:?})",
                r.name, e.verdict, e.statement, e.undecided, r.want, r.statement
            ));
        }
        if e.verdict == CannotDecide {
            assert!(
                !e.undecided.is_empty(),
                "{}: cannot decide without a reason",
                r.name
            );
        }
    }
    assert!(
        failures.is_empty(),
        "{} rows wrong:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

#[test]
fn malformed_policies_are_one_line_errors() {
    for (text, needle) in [
        ("not json", "not JSON"),
        (r#"{"Version":"2012-10-17"}"#, "no Statement"),
        (
            r#"{"Statement":[{"Effect":"Maybe","Action":"*"}]}"#,
            "Effect must be Allow or Deny",
        ),
        (
            r#"{"Statement":[{"Effect":"Allow","Resource":"*"}]}"#,
            "no Action or NotAction",
        ),
        (
            r#"{"Statement":[{"Effect":"Allow","Action":"*","Condition":"x"}]}"#,
            "Condition is not an object",
        ),
    ] {
        let e = policy::parse(text).unwrap_err();
        assert!(e.contains(needle) && !e.contains('\n'), "{text}: {e}");
    }
}

#[test]
fn s3_denial_messages_name_the_policy() {
    use policy::PolicyKind::*;
    let cases = [
        ("User: arn:aws:sts::111122223333:assumed-role/app/i-0abc is not authorized to perform: s3:ListBucket on resource: \"arn:aws:s3:::app-data\" because no VPC endpoint policy allows the s3:ListBucket action", Some(VpcEndpoint), false),
        ("User: arn:aws:iam::111122223333:user/ci is not authorized to perform: s3:GetObject on resource: \"arn:aws:s3:::app-data/x\" with an explicit deny in a VPC endpoint policy", Some(VpcEndpoint), true),
        ("User: arn:aws:iam::111122223333:user/ci is not authorized to perform: s3:GetObject on resource: \"arn:aws:s3:::b/x\" with an explicit deny in a resource-based policy", Some(ResourceBased), true),
        ("User: arn:aws:iam::111122223333:user/ci is not authorized to perform: s3:PutObject on resource: \"arn:aws:s3:::b/x\" because no identity-based policy allows the s3:PutObject action", Some(IdentityBased), false),
        ("User: arn:aws:iam::111122223333:user/ci is not authorized to perform: s3:GetObject on resource: \"arn:aws:s3:::b/x\" with an explicit deny in a service control policy", Some(ServiceControl), true),
        ("User: arn:aws:iam::111122223333:user/ci is not authorized to perform: s3:GetObject because no permissions boundary allows the s3:GetObject action", Some(PermissionsBoundary), false),
        ("Access Denied", None, false),
    ];
    for (msg, kind, explicit) in cases {
        let d = policy::parse_denial(msg);
        assert_eq!(d.policy, kind, "{msg}");
        assert_eq!(d.explicit, explicit, "{msg}");
    }
    let d = policy::parse_denial(cases[0].0);
    assert_eq!(
        d.principal.as_deref(),
        Some("arn:aws:sts::111122223333:assumed-role/app/i-0abc")
    );
    assert_eq!(d.action.as_deref(), Some("s3:ListBucket"));
    assert_eq!(d.resource.as_deref(), Some("arn:aws:s3:::app-data"));
}

/// A pathological wildcard (`*k*k*k…x`, as many pairs as 20 KB allow) against the longest key
/// S3 accepts: the matcher only returns to the last `*`, so this is one quick pass (it used to
/// take seconds); the answer is still exact. Larger policies are refused, as AWS refuses them.
#[test]
fn pathological_wildcards_are_matched_in_one_pass_and_oversized_policies_refused() {
    let pairs = "*k".repeat(9_000);
    let policy = format!(
        r#"{{"Version":"2012-10-17","Statement":[{{"Effect":"Allow","Principal":"*","Action":"s3:GetObject","Resource":"arn:aws:s3:::b/{pairs}x"}}]}}"#
    );
    assert!(policy.len() <= policy::MAX_POLICY_BYTES, "{}", policy.len());
    let p = policy::parse(&policy).unwrap();
    let key = "k".repeat(1024);
    let e = policy::evaluate(&p, &cx("s3:GetObject", "b", Some(&key), Via::Nat));
    assert_eq!(e.verdict, ImplicitDeny);
    let key_x = format!("{}x", "k".repeat(1023));
    let e = policy::evaluate(&p, &cx("s3:GetObject", "b", Some(&key_x), Via::Nat));
    assert_eq!(e.verdict, ImplicitDeny, "9000 k's are needed before the x");
    let key_ok = format!("{}x", "k".repeat(1023));
    let short = policy.replace(&pairs, &"*k".repeat(3));
    let p = policy::parse(&short).unwrap();
    let e = policy::evaluate(&p, &cx("s3:GetObject", "b", Some(&key_ok), Via::Nat));
    assert_eq!(e.verdict, Allowed);
    let big = policy.replace(&pairs, &"*k".repeat(20_000));
    let err = policy::parse(&big).unwrap_err();
    assert!(err.contains("at most 20480"), "{err}");
}
