//! Prometheus metrics (the `prometheus` crate, text format): requests per route and status,
//! a latency histogram per route, and whether the database answers.
//!
//! Each [`Metrics`] has a registry of its own (not the process-wide default), so several
//! servers in one process — the integration tests — count separately.

use prometheus::{
    Encoder, HistogramOpts, HistogramVec, IntCounterVec, IntGauge, Opts, Registry, TextEncoder,
};

/// Upper bounds of the latency buckets, in seconds. Pages answer in milliseconds; a sign-in
/// (Argon2) takes tens of them; the last bucket is the default request time-out.
pub const BUCKETS: &[f64] = &[
    0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0,
];

pub struct Metrics {
    registry: Registry,
    requests: IntCounterVec,
    duration: HistogramVec,
    database_up: IntGauge,
    public_cache: IntCounterVec,
}

impl Default for Metrics {
    fn default() -> Self {
        Self::new()
    }
}

impl Metrics {
    pub fn new() -> Self {
        // The names and labels below are constants that the registry accepts; a mistake in
        // them is a programming error that every test run would show at once.
        let requests = IntCounterVec::new(
            Opts::new("renkei_http_requests_total", "HTTP requests answered."),
            &["method", "route", "status"],
        )
        .expect("valid counter definition");
        let duration = HistogramVec::new(
            HistogramOpts::new(
                "renkei_http_request_duration_seconds",
                "Time spent answering HTTP requests, by matched route.",
            )
            .buckets(BUCKETS.to_vec()),
            &["method", "route"],
        )
        .expect("valid histogram definition");
        let database_up = IntGauge::new(
            "renkei_database_up",
            "Whether the database answered the last check.",
        )
        .expect("valid gauge definition");
        let public_cache = IntCounterVec::new(
            Opts::new(
                "renkei_public_cache_total",
                "Public answers given from the public answer cache (hit; such requests are \
                 not counted by route) or made and kept (miss).",
            ),
            &["outcome"],
        )
        .expect("valid counter definition");
        let registry = Registry::new();
        for c in [
            Box::new(requests.clone()) as Box<dyn prometheus::core::Collector>,
            Box::new(duration.clone()),
            Box::new(database_up.clone()),
            Box::new(public_cache.clone()),
        ] {
            registry.register(c).expect("metric names are unique");
        }
        Self {
            registry,
            requests,
            duration,
            database_up,
            public_cache,
        }
    }

    /// Counts a public answer given from the cache (`hit`) or made and kept (`miss`).
    pub fn public_cache(&self, outcome: &str) {
        if let Ok(c) = self.public_cache.get_metric_with_label_values(&[outcome]) {
            c.inc();
        }
    }

    /// Counts one answered request. `route` is the matched route's template (never the raw
    /// path, which may hold tokens and would make the label set unbounded).
    pub fn observe(&self, method: &str, route: &str, status: u16, seconds: f64) {
        let status = status.to_string();
        if let Ok(c) = self
            .requests
            .get_metric_with_label_values(&[method, route, status.as_str()])
        {
            c.inc();
        }
        if let Ok(h) = self.duration.get_metric_with_label_values(&[method, route]) {
            h.observe(seconds);
        }
    }

    /// The Prometheus text exposition of every metric.
    pub fn render(&self, db_up: bool) -> String {
        self.database_up.set(i64::from(db_up));
        let mut out = Vec::new();
        if let Err(e) = TextEncoder::new().encode(&self.registry.gather(), &mut out) {
            tracing::error!(error = %e, "metrics could not be encoded");
        }
        String::from_utf8(out).unwrap_or_default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_format_with_counters_and_a_histogram() {
        let m = Metrics::new();
        m.observe("GET", "/t/{code}", 200, 0.003);
        m.observe("GET", "/t/{code}", 200, 0.2);
        m.observe("GET", "/t/{code}", 404, 0.007);
        m.observe("POST", "/a\"b\\c\nd", 303, 40.0);
        let text = m.render(true);
        for line in [
            "# TYPE renkei_http_requests_total counter",
            "renkei_http_requests_total{method=\"GET\",route=\"/t/{code}\",status=\"200\"} 2",
            "renkei_http_requests_total{method=\"GET\",route=\"/t/{code}\",status=\"404\"} 1",
            "# TYPE renkei_http_request_duration_seconds histogram",
            "renkei_http_request_duration_seconds_bucket{method=\"GET\",route=\"/t/{code}\",le=\"0.005\"} 1",
            "renkei_http_request_duration_seconds_bucket{method=\"GET\",route=\"/t/{code}\",le=\"0.01\"} 2",
            "renkei_http_request_duration_seconds_bucket{method=\"GET\",route=\"/t/{code}\",le=\"0.25\"} 3",
            "renkei_http_request_duration_seconds_bucket{method=\"GET\",route=\"/t/{code}\",le=\"+Inf\"} 3",
            "renkei_http_request_duration_seconds_count{method=\"GET\",route=\"/t/{code}\"} 3",
            "renkei_http_request_duration_seconds_bucket{method=\"POST\",route=\"/a\\\"b\\\\c\\nd\",le=\"30\"} 0",
            "renkei_http_request_duration_seconds_bucket{method=\"POST\",route=\"/a\\\"b\\\\c\\nd\",le=\"+Inf\"} 1",
            "# TYPE renkei_database_up gauge",
            "renkei_database_up 1",
        ] {
            assert!(text.lines().any(|l| l == line), "{line} missing in\n{text}");
        }
        assert!(
            text.lines().any(|l| l.starts_with(
                "renkei_http_request_duration_seconds_sum{method=\"GET\",route=\"/t/{code}\"} 0.21"
            )),
            "{text}"
        );
        assert!(m.render(false).contains("renkei_database_up 0\n"));
    }
}
