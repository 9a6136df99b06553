//! How s3path itself reached AWS for its own API calls: directly or through a proxy (from
//! `HTTPS_PROXY`/`HTTP_PROXY`/`NO_PROXY`), and which CA bundle it trusted. What its own client
//! did, never the proxy's credentials.

use serde::{Deserialize, Serialize};

/// Which of s3path's clients made a connection.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum AccessClient {
    /// The signed Query client: EC2, SSM, CloudWatch (the control plane).
    ControlPlane,
    /// The SDK's client: STS, SSO and the other credential sources, S3.
    Sdk,
}

/// How a connection went.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum AccessVia {
    Direct,
    /// Through an HTTP proxy (`CONNECT` tunnel).
    Proxy,
}

/// One endpoint s3path's own calls connected to (the first connection to it).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AccessRoute {
    pub client: AccessClient,
    pub host: String,
    pub port: u16,
    pub via: AccessVia,
    /// The proxy (`host:port`, never its user information).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub proxy: Option<String>,
    /// The variable that chose the proxy (`HTTPS_PROXY`), or the `NO_PROXY` variable that
    /// exempted the host.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub variable: Option<String>,
    /// The `NO_PROXY` entry that exempted the host.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub no_proxy_entry: Option<String>,
}

/// The CA bundle s3path's own HTTPS trusted instead of the system store.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CaBundle {
    /// `AWS_CA_BUNDLE`, `ca_bundle of profile NAME` or `SSL_CERT_FILE`.
    pub source: String,
    /// The file's path (never its content).
    pub path: String,
    /// Why the bundle could not be used (then the system store was).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
}

/// How s3path itself reached AWS.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct AwsAccess {
    #[serde(default)]
    pub connections: Vec<AccessRoute>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ca_bundle: Option<CaBundle>,
}

/// At most this many connections are kept.
pub const MAX_ACCESS_ROUTES: usize = 64;

impl AccessRoute {
    /// `through proxy 10.0.1.60:3128 (HTTPS_PROXY)`, `direct (NO_PROXY .amazonaws.com)` or
    /// `direct`.
    pub fn how(&self) -> String {
        match (self.via, &self.proxy) {
            (AccessVia::Proxy, Some(p)) => match &self.variable {
                Some(v) => format!("through proxy {p} ({v})"),
                None => format!("through proxy {p}"),
            },
            (AccessVia::Proxy, None) => "through a proxy".to_string(),
            (AccessVia::Direct, _) => match (&self.variable, &self.no_proxy_entry) {
                (Some(v), Some(e)) => format!("direct ({v} {e})"),
                _ => "direct".to_string(),
            },
        }
    }
}

impl AwsAccess {
    /// One phrase for one client's connections: `through proxy X (VAR)` when they all went
    /// the same way, else each host with its way.
    fn client_phrase(&self, client: AccessClient) -> Option<String> {
        let routes: Vec<&AccessRoute> = self
            .connections
            .iter()
            .filter(|c| c.client == client)
            .collect();
        let first = routes.first()?;
        if routes.iter().all(|r| r.how() == first.how()) {
            return Some(first.how());
        }
        Some(
            routes
                .iter()
                .map(|r| format!("{} {}", r.host, r.how()))
                .collect::<Vec<_>>()
                .join(", "),
        )
    }

    /// How the tool itself reached AWS, in one line: `control plane through proxy
    /// 10.0.1.60:3128 (HTTPS_PROXY); CA bundle /etc/pki/corp.pem (AWS_CA_BUNDLE)`.
    pub fn sentence(&self) -> String {
        let control = self.client_phrase(AccessClient::ControlPlane);
        let sdk = self.client_phrase(AccessClient::Sdk);
        let mut parts = Vec::new();
        match &control {
            Some(c) => parts.push(format!("control plane {c}")),
            None => parts.push("control plane not called".to_string()),
        }
        if let Some(s) = sdk.filter(|s| Some(s) != control.as_ref()) {
            parts.push(format!("SDK calls (STS, S3) {s}"));
        }
        if let Some(b) = &self.ca_bundle {
            match &b.error {
                None => parts.push(format!("CA bundle {} ({})", b.path, b.source)),
                Some(e) => parts.push(format!(
                    "CA bundle {} ({}) unusable, the system store was used: {e}",
                    b.path, b.source
                )),
            }
        }
        parts.join("; ")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn route(client: AccessClient, host: &str, proxy: Option<&str>) -> AccessRoute {
        AccessRoute {
            client,
            host: host.to_string(),
            port: 443,
            via: if proxy.is_some() {
                AccessVia::Proxy
            } else {
                AccessVia::Direct
            },
            proxy: proxy.map(str::to_string),
            variable: proxy.map(|_| "HTTPS_PROXY".to_string()),
            no_proxy_entry: None,
        }
    }

    #[test]
    fn sentences() {
        let mut a = AwsAccess::default();
        assert_eq!(a.sentence(), "control plane not called");
        a.connections.push(route(
            AccessClient::ControlPlane,
            "ec2.eu-west-1.amazonaws.com",
            Some("10.0.1.60:3128"),
        ));
        a.connections.push(route(
            AccessClient::Sdk,
            "sts.eu-west-1.amazonaws.com",
            Some("10.0.1.60:3128"),
        ));
        assert_eq!(
            a.sentence(),
            "control plane through proxy 10.0.1.60:3128 (HTTPS_PROXY)"
        );
        a.connections.push(route(
            AccessClient::ControlPlane,
            "ssm.eu-west-1.amazonaws.com",
            None,
        ));
        a.ca_bundle = Some(CaBundle {
            source: "AWS_CA_BUNDLE".into(),
            path: "/etc/corp.pem".into(),
            error: None,
        });
        assert_eq!(
            a.sentence(),
            "control plane ec2.eu-west-1.amazonaws.com through proxy 10.0.1.60:3128 (HTTPS_PROXY), \
             ssm.eu-west-1.amazonaws.com direct; SDK calls (STS, S3) through proxy 10.0.1.60:3128 \
             (HTTPS_PROXY); CA bundle /etc/corp.pem (AWS_CA_BUNDLE)"
        );
        let bypassed = AccessRoute {
            variable: Some("NO_PROXY".into()),
            no_proxy_entry: Some(".amazonaws.com".into()),
            ..route(
                AccessClient::ControlPlane,
                "ec2.eu-west-1.amazonaws.com",
                None,
            )
        };
        assert_eq!(bypassed.how(), "direct (NO_PROXY .amazonaws.com)");
    }
}
