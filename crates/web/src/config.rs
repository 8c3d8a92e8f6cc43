/// Settings of the web layer. Built by the binary from flags and `RENKEI_*` variables.
#[derive(Debug, Clone)]
pub struct WebConfig {
    /// Mark cookies `Secure` (behind TLS). Also set per request when a trusted proxy says
    /// `X-Forwarded-Proto: https`.
    pub secure_cookies: bool,
    /// Trust `X-Forwarded-For` / `X-Forwarded-Proto` from a reverse proxy.
    pub trust_proxy: bool,
    /// Largest accepted request body for forms and JSON, in bytes.
    pub max_body_bytes: usize,
    /// Largest accepted proposal submission with its attachments, in bytes.
    pub max_upload_bytes: usize,
    /// Public submissions per client address per hour (0: no limit, for load tests).
    pub intake_rate_limit: i64,
    /// The address people reach this server at (for links in mail), e.g.
    /// `https://renkei.example.jp`. Without it, links use the request's Host header.
    pub public_url: Option<String>,
}

impl Default for WebConfig {
    fn default() -> Self {
        Self {
            secure_cookies: false,
            trust_proxy: false,
            max_body_bytes: 64 * 1024,
            max_upload_bytes: 30 * 1024 * 1024,
            intake_rate_limit: 10,
            public_url: None,
        }
    }
}
