use super::{Category, Check, CheckMeta, Context, Draft, Outcome, Severity};

pub struct MissingPermissions;

static META: CheckMeta = CheckMeta {
    id: "S3P003",
    name: "missing-permissions",
    category: Category::Identity,
    severity: Severity::Warning,
    summary: "EC2 API calls were denied, so part of the control plane could not be read",
    doc: include_str!("../../checks/S3P003.md"),
};

impl Check for MissingPermissions {
    fn meta(&self) -> &'static CheckMeta {
        &META
    }

    fn evaluate(&self, cx: &Context) -> Outcome {
        let f = cx.facts;
        let parts = [
            ("route tables", f.route_tables.missing_reason()),
            ("VPC endpoints", f.vpc_endpoints.missing_reason()),
            ("prefix lists", f.prefix_lists.missing_reason()),
            ("VPC DNS attributes", f.vpc_dns_attributes.missing_reason()),
            ("DHCP options", f.dhcp_dns_servers.missing_reason()),
            ("NAT gateways", f.nat_gateways.missing_reason()),
            ("security groups", f.security_groups.missing_reason()),
            ("network ACLs", f.network_acls.missing_reason()),
        ];
        let mut actions: Vec<String> = Vec::new();
        let mut what: Vec<&str> = Vec::new();
        for (part, reason) in parts {
            let Some(reason) = reason else { continue };
            // A denial names its action (the gatherer writes "the caller needs ec2:Action").
            if !(reason.contains("Unauthorized") || reason.contains("AccessDenied")) {
                continue;
            }
            let named: Vec<String> = reason
                .split(|c: char| !(c.is_ascii_alphanumeric() || c == ':'))
                .filter(|w| w.starts_with("ec2:") && w.len() > 4)
                .map(str::to_string)
                .collect();
            if named.is_empty() {
                continue;
            }
            for a in named {
                if !actions.contains(&a) {
                    actions.push(a);
                }
            }
            what.push(part);
        }
        if actions.is_empty() {
            return Outcome::Pass;
        }
        Outcome::Fail(vec![Draft::new(format!(
            "the caller may not call {}, so {} could not be read and the verdict cannot rest on them",
            actions.join(", "),
            what.join(", ")
        ))
        .fix("attach the read-only policy in docs/iam-policy.json to the instance role (or your user): aws iam put-role-policy --role-name ROLE --policy-name s3path-read-only --policy-document file://docs/iam-policy.json")
        .fix("check which identity s3path used: aws sts get-caller-identity")])
    }
}
