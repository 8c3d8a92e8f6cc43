use crate::config::WebConfig;
use crate::metrics::Metrics;
use renkei_app::App;
use renkei_store::Store;
use std::sync::Arc;

/// Shared by every request. Holds no per-user state: app servers are stateless, everything
/// durable is in the database.
#[derive(Clone)]
pub struct AppState {
    pub store: Store,
    /// The application commands (every change goes through them) and the mailer.
    pub app: App,
    pub config: Arc<WebConfig>,
    pub(crate) metrics: Arc<Metrics>,
    /// The landing page's national reads, kept a minute (`pages::top::LandingCache`).
    pub(crate) landing: Arc<crate::pages::top::LandingCache>,
}

impl AppState {
    pub fn new(store: Store, config: WebConfig) -> Self {
        Self {
            app: App::new(store.clone(), &config.base_url),
            store,
            config: Arc::new(config),
            metrics: Arc::new(Metrics::default()),
            landing: Arc::default(),
        }
    }

    /// The base of links in mail (`WebConfig::base_url`): configuration only, never the
    /// request.
    pub fn base_url(&self) -> &str {
        &self.config.base_url
    }
}
