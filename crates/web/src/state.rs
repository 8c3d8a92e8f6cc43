use crate::cache::VersionCache;
use crate::config::WebConfig;
use crate::metrics::Metrics;
use renkei_app::App;
use renkei_store::Store;
use renkei_store::partnerships::{DeskDashboard, PartnershipFilter};
use std::sync::Arc;

/// Shared by every request. Holds no per-user state: app servers are stateless, everything
/// durable is in the database (the read caches are checked against it on every use).
#[derive(Clone)]
pub struct AppState {
    pub store: Store,
    /// The application commands (every change goes through them) and the mailer.
    pub app: App,
    pub config: Arc<WebConfig>,
    pub(crate) metrics: Arc<Metrics>,
    /// Read caches of the heaviest staff pages, kept right by the tenant's data version.
    pub(crate) caches: Arc<Caches>,
    /// The landing page's national reads, kept a minute (`pages::top::LandingCache`).
    pub(crate) landing: Arc<crate::pages::top::LandingCache>,
    /// Whole public answers for visitors who are not signed in (`crate::public_cache`).
    pub(crate) public_cache: Arc<crate::public_cache::PublicCache>,
}

/// The read caches (`crate::cache`), one per page.
pub(crate) struct Caches {
    /// The desk's dashboard, by tenant.
    pub dashboard: VersionCache<String, DeskDashboard>,
    /// The desk's home, by tenant and whether the viewer handles proposals.
    pub desk_home: VersionCache<(String, bool), crate::pages::desk_home::HomeRead>,
    /// A partnership list page, by tenant and filter.
    pub partnership_lists:
        VersionCache<(String, PartnershipFilter), crate::pages::partnerships_list::Listed>,
    /// What a partnership's page shows, by tenant and id.
    pub partnership_pages: VersionCache<(String, i64), crate::pages::partnership_page::Read>,
}

impl AppState {
    pub fn new(store: Store, config: WebConfig) -> Self {
        Self {
            caches: Arc::new(Caches::new(config.read_cache)),
            public_cache: Arc::new(crate::public_cache::PublicCache::new(
                config.public_cache,
                config.public_cache_poll,
            )),
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

impl Caches {
    fn new(enabled: bool) -> Self {
        Self {
            dashboard: VersionCache::new(enabled),
            desk_home: VersionCache::new(enabled),
            partnership_lists: VersionCache::new(enabled),
            partnership_pages: VersionCache::new(enabled),
        }
    }
}
