use std::net::SocketAddr;
use std::time::Duration;

/// Settings of the web layer. Built by the binary from flags and `RENKEI_*` variables.
#[derive(Debug, Clone)]
pub struct WebConfig {
    /// Mark cookies `Secure` (behind TLS). Also set per request when a trusted proxy says
    /// `X-Forwarded-Proto: https`.
    pub secure_cookies: bool,
    /// How many reverse proxies in front of the server are trusted with `X-Forwarded-For` /
    /// `X-Forwarded-Proto` (0: none, the headers are ignored); see [`crate::proxy`].
    pub trusted_proxies: usize,
    /// Largest accepted request body for forms and JSON, in bytes.
    pub max_body_bytes: usize,
    /// Largest accepted proposal submission with its attachments, in bytes.
    pub max_upload_bytes: usize,
    /// Public submissions per client address per hour (0: no limit, for load tests).
    pub intake_rate_limit: i64,
    /// How long a request may take, body and answer, before it is stopped with a 503
    /// (`RENKEI_REQUEST_TIMEOUT_SECS`).
    pub request_timeout: Duration,
    /// The same for the routes that take attachments (a proposal with its files, page and
    /// API), which may be slow to arrive (`RENKEI_UPLOAD_TIMEOUT_SECS`; never shorter than
    /// `request_timeout`).
    pub upload_timeout: Duration,
    /// The address people reach this server at (`RENKEI_PUBLIC_URL`), e.g.
    /// `https://renkei.example.jp`; checked by [`check_public_url`].
    pub public_url: Option<String>,
    /// The base of every link in mail, without a trailing slash: the public URL, else
    /// `http://<the address the server listens on>`. Only configuration decides it, never a
    /// request (a forged `Host` header must not put a stranger's address into official mail).
    /// Set at start-up by [`WebConfig::with_listen_addr`]; `renkei_web::serve` fills it from
    /// its listener when it is left empty.
    pub base_url: String,
    /// Whether the dashboard, the partnership list and a partnership's page keep what they
    /// read between requests (`crate::cache`; `RENKEI_READ_CACHE`). Off only to measure or
    /// to rule the caches out.
    pub read_cache: bool,
    /// Whether whole public answers are kept for visitors who are not signed in
    /// (`crate::public_cache`; `RENKEI_PUBLIC_CACHE`).
    pub public_cache: bool,
    /// How often at most this server reads the data versions the public answers are checked
    /// against (`RENKEI_PUBLIC_CACHE_POLL_MS`; the binary's default is 1 s). Zero reads them
    /// on every public request: a change through another app server shows at once (the
    /// default here, which the tests use).
    pub public_cache_poll: Duration,
}

/// The default request time-out.
pub const DEFAULT_REQUEST_TIMEOUT: Duration = Duration::from_secs(30);
/// The default time-out of uploads: 30 MiB at about 1 Mbit/s.
pub const DEFAULT_UPLOAD_TIMEOUT: Duration = Duration::from_secs(300);

impl Default for WebConfig {
    fn default() -> Self {
        Self {
            secure_cookies: false,
            trusted_proxies: 0,
            max_body_bytes: 64 * 1024,
            max_upload_bytes: 30 * 1024 * 1024,
            intake_rate_limit: 10,
            request_timeout: DEFAULT_REQUEST_TIMEOUT,
            upload_timeout: DEFAULT_UPLOAD_TIMEOUT,
            public_url: None,
            base_url: String::new(),
            read_cache: true,
            public_cache: true,
            public_cache_poll: Duration::ZERO,
        }
    }
}

impl WebConfig {
    /// Fixes [`WebConfig::base_url`]: the public URL when configured (checked), else the
    /// address the server listens on.
    pub fn with_listen_addr(mut self, listening: SocketAddr) -> Result<Self, String> {
        self.base_url = match self.public_url.as_deref().map(str::trim) {
            Some(url) if !url.is_empty() => check_public_url(url)?,
            _ => format!("http://{listening}"),
        };
        Ok(self)
    }
}

/// Checks `RENKEI_PUBLIC_URL`: `http://` or `https://`, a host (name, IPv4 or `[IPv6]`) and
/// an optional port; no user info, path, query or fragment (a trailing `/` is allowed).
/// Returns it without the trailing slash. Errors say what is wrong without repeating the
/// value (it might hold a password).
pub fn check_public_url(url: &str) -> Result<String, String> {
    const WHAT: &str = "RENKEI_PUBLIC_URL (--public-url)";
    const EXAMPLE: &str = "e.g. https://renkei.example.jp";
    let url = url.trim();
    let lower = url.to_ascii_lowercase();
    let (scheme, rest) = if lower.starts_with("https://") {
        ("https", &url["https://".len()..])
    } else if lower.starts_with("http://") {
        ("http", &url["http://".len()..])
    } else {
        return Err(format!(
            "{WHAT} must start with http:// or https:// ({EXAMPLE})"
        ));
    };
    let authority = rest.strip_suffix('/').unwrap_or(rest);
    if authority.contains(['?', '#']) {
        return Err(format!(
            "{WHAT} must not have a query or fragment ({EXAMPLE})"
        ));
    }
    if authority.contains('/') {
        return Err(format!(
            "{WHAT} must not have a path; Renkei is served at the root of its address ({EXAMPLE})"
        ));
    }
    if authority.contains('@') {
        return Err(format!("{WHAT} must not contain a user name or password"));
    }
    let port = if let Some(v6) = authority.strip_prefix('[') {
        let (addr, after) = v6
            .split_once(']')
            .ok_or_else(|| format!("{WHAT} has an unclosed [IPv6] host"))?;
        if addr.parse::<std::net::Ipv6Addr>().is_err() {
            return Err(format!("{WHAT} has an invalid IPv6 host"));
        }
        match after {
            "" => None,
            p => Some(
                p.strip_prefix(':')
                    .ok_or_else(|| format!("{WHAT} has an invalid host"))?,
            ),
        }
    } else {
        let (host, port) = match authority.split_once(':') {
            Some((h, p)) => (h, Some(p)),
            None => (authority, None),
        };
        let label_ok = |label: &str| {
            !label.is_empty()
                && label.len() <= 63
                && label.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
                && !label.starts_with('-')
                && !label.ends_with('-')
        };
        if !host.split('.').all(label_ok) {
            return Err(format!(
                "{WHAT} has an invalid host: use letters, digits, '-' and '.' \
                 (an internationalised name in its xn-- form) ({EXAMPLE})"
            ));
        }
        port
    };
    if let Some(p) = port
        && !(p.chars().all(|c| c.is_ascii_digit()) && matches!(p.parse::<u16>(), Ok(1..)))
    {
        return Err(format!("{WHAT} has an invalid port"));
    }
    Ok(format!("{scheme}://{authority}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn public_urls_are_checked() {
        for (given, base) in [
            ("https://renkei.example.jp", "https://renkei.example.jp"),
            ("https://renkei.example.jp/", "https://renkei.example.jp"),
            (
                "HTTP://Renkei.Example.jp:8443/",
                "http://Renkei.Example.jp:8443",
            ),
            ("http://127.0.0.1:8080", "http://127.0.0.1:8080"),
            ("http://[::1]:8080/", "http://[::1]:8080"),
            (
                "https://xn--eckwd4c7c.xn--zckzah",
                "https://xn--eckwd4c7c.xn--zckzah",
            ),
        ] {
            assert_eq!(check_public_url(given).as_deref(), Ok(base), "{given}");
        }
        for bad in [
            "renkei.example.jp",
            "ftp://renkei.example.jp",
            "https://",
            "https:///",
            "https://renkei.example.jp/desk",
            "https://renkei.example.jp//",
            "https://renkei.example.jp?x=1",
            "https://renkei.example.jp/#top",
            "https://user:secret@renkei.example.jp",
            "https://renkei.example.jp:0",
            "https://renkei.example.jp:99999",
            "https://renkei.example.jp:80x",
            "https://evil.example\r\nX: y",
            "https://renkei example.jp",
            "https://連携.example.jp",
            "https://[::1",
            "https://[zz]:80",
            "https://-bad.example.jp",
        ] {
            let e = check_public_url(bad).expect_err(bad);
            assert!(e.starts_with("RENKEI_PUBLIC_URL"), "{e}");
            assert!(!e.contains("secret"), "{e}");
        }
    }

    #[test]
    fn the_base_comes_from_configuration_or_the_listener() {
        let addr: SocketAddr = "127.0.0.1:4321".parse().expect("addr");
        let c = WebConfig::default().with_listen_addr(addr).expect("ok");
        assert_eq!(c.base_url, "http://127.0.0.1:4321");
        let c = WebConfig {
            public_url: Some("https://renkei.example.jp/".into()),
            ..WebConfig::default()
        }
        .with_listen_addr(addr)
        .expect("ok");
        assert_eq!(c.base_url, "https://renkei.example.jp");
        assert!(
            WebConfig {
                public_url: Some("https://renkei.example.jp/x".into()),
                ..WebConfig::default()
            }
            .with_listen_addr(addr)
            .is_err()
        );
    }
}
