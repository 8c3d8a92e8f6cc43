use crate::config::WebConfig;
use crate::metrics::Metrics;
use renkei_store::Store;
use std::sync::Arc;

/// Shared by every request. Holds no per-user state: app servers are stateless, everything
/// durable is in the database.
#[derive(Clone)]
pub struct AppState {
    pub store: Store,
    pub config: Arc<WebConfig>,
    pub(crate) metrics: Arc<Metrics>,
}

impl AppState {
    pub fn new(store: Store, config: WebConfig) -> Self {
        Self {
            store,
            config: Arc::new(config),
            metrics: Arc::new(Metrics::default()),
        }
    }

    /// The base of links in mail (`WebConfig::base_url`): configuration only, never the
    /// request.
    pub fn base_url(&self) -> &str {
        &self.config.base_url
    }
}
