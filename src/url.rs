//! URL helpers shared by every layer (a leaf: it imports nothing of the crate).

/// The host of an endpoint URL (`https://host:port/path` → `host`).
pub fn url_host(url: &str) -> Option<String> {
    let rest = url.split_once("://").map(|(_, r)| r).unwrap_or(url);
    let authority = rest.split(['/', '?', '#']).next()?;
    let hostport = authority.rsplit('@').next()?;
    let host = if let Some(v6) = hostport.strip_prefix('[') {
        v6.split(']').next()?.to_string()
    } else {
        hostport.split(':').next()?.to_string()
    };
    (!host.is_empty()).then(|| host.to_ascii_lowercase())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn host_of_a_url() {
        assert_eq!(
            url_host("https://user:pw@minio.local:9000/x").as_deref(),
            Some("minio.local")
        );
        assert_eq!(url_host("http://[fd00::5]:80").as_deref(), Some("fd00::5"));
    }
}
