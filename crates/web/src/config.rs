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
}

impl Default for WebConfig {
    fn default() -> Self {
        Self {
            secure_cookies: false,
            trust_proxy: false,
            max_body_bytes: 64 * 1024,
        }
    }
}
