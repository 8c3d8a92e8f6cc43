//! Renkei's HTTP edge: server-rendered pages (askama, embedded), the JSON API under `/api/v1`,
//! sessions, CSRF, message catalogues, health and metrics.
//!
//! A request flows: [`edge`] (request id, tracing span, compression; tower-http) →
//! [`middleware`] (security headers, language and CSRF cookies, error pages) → per route the
//! metrics and the time-out → a handler in [`pages`] or [`api`] (one file per action) →
//! extractors in [`auth`] (who is asking) → a policy question to `renkei_domain::policy` → a `renkei_store::Store`
//! method that takes the tenant first → a template in `templates/` or JSON.

pub mod api;
pub mod auth;
pub mod cache;
mod charts;
pub mod config;
mod edge;
pub mod error;
pub use renkei_app::i18n;
pub mod mail;
mod metrics;
mod middleware;
mod pages;
pub mod proxy;
pub mod public_cache;
pub mod routes;
mod state;
mod static_files;
mod view;

pub use config::WebConfig;
pub use routes::{RouteEntry, route_table};
pub use state::AppState;

use std::future::Future;
use std::net::SocketAddr;
use tokio::net::TcpListener;

/// Serves on an already-bound listener until `shutdown` resolves (tests bind port 0).
/// Links in mail need a base: when `WebConfig::base_url` was left empty it is taken from
/// the public URL or, failing that, this listener's address.
pub async fn serve(
    listener: TcpListener,
    state: AppState,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    serve_wrapped(listener, state, shutdown, |app| app).await
}

/// [`serve`] with an outermost layer of the caller's around the whole application (the test
/// kit checks every API answer against the OpenAPI document this way).
pub async fn serve_wrapped(
    listener: TcpListener,
    mut state: AppState,
    shutdown: impl Future<Output = ()> + Send + 'static,
    wrap: impl FnOnce(axum::Router) -> axum::Router,
) -> std::io::Result<()> {
    if state.config.base_url.is_empty() {
        let config = (*state.config)
            .clone()
            .with_listen_addr(listener.local_addr()?)
            .map_err(|e| std::io::Error::new(std::io::ErrorKind::InvalidInput, e))?;
        state.config = std::sync::Arc::new(config);
    }
    let app = wrap(routes::app(state));
    axum::serve(
        listener,
        app.into_make_service_with_connect_info::<SocketAddr>(),
    )
    .with_graceful_shutdown(shutdown)
    .await
}
