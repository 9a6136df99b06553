use crate::facts::Failure;

use super::context::{pass, CheckResult, Context, Draft};

check! {
    MissingPermissions, "S3P003", "missing-permissions", Identity, Warning, Stable,
    "EC2 API calls were denied, so part of the control plane could not be read"
}

impl MissingPermissions {
    fn run(cx: &Context) -> CheckResult {
        let f = cx.facts;
        let parts: [(&str, Option<&Failure>); 9] = [
            ("route tables", f.route_tables.failure()),
            ("VPC endpoints", f.vpc_endpoints.failure()),
            ("prefix lists", f.prefix_lists.failure()),
            ("internet gateways", f.internet_gateways.failure()),
            ("VPC DNS attributes", f.vpc_dns_attributes.failure()),
            ("DHCP options", f.dhcp_dns_servers.failure()),
            ("NAT gateways", f.nat_gateways.failure()),
            ("security groups", f.security_groups.failure()),
            ("network ACLs", f.network_acls.failure()),
        ];
        let mut actions: Vec<String> = Vec::new();
        let mut what: Vec<&str> = Vec::new();
        let mut push = |action: &str, part: &'static str| {
            if !actions.iter().any(|a| a == action) {
                actions.push(action.to_string());
            }
            if !what.contains(&part) {
                what.push(part);
            }
        };
        for (part, cause) in parts {
            if let Some(Failure::Denied { action }) = cause {
                push(action, part);
            }
        }
        // A list whose entries were denied, while the others were read.
        if let Some(lists) = f.prefix_lists.get() {
            if lists
                .iter()
                .any(|l| matches!(l.entries_failure, Some(Failure::Denied { .. })))
            {
                push("ec2:GetManagedPrefixListEntries", "prefix list entries");
            }
        }
        if actions.is_empty() {
            return pass();
        }
        Ok(vec![Draft::new(format!(
            "the caller may not call {}, so {} could not be read and the verdict cannot rest on them",
            actions.join(", "),
            what.join(", ")
        ))
        .fix("attach the read-only policy in docs/iam-policy.json to the instance role (or your user): aws iam put-role-policy --role-name ROLE --policy-name s3path-read-only --policy-document file://docs/iam-policy.json")
        .fix("check which identity s3path used: aws sts get-caller-identity")])
    }
}
