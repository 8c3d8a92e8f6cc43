//! Prometheus text metrics: request counts and durations per route and status.

use std::collections::BTreeMap;
use std::sync::Mutex;

/// (method, route, status) → (count, total seconds).
type Series = BTreeMap<(String, String, u16), (u64, f64)>;

#[derive(Default)]
pub struct Metrics {
    requests: Mutex<Series>,
}

impl Metrics {
    pub fn observe(&self, method: &str, route: &str, status: u16, seconds: f64) {
        if let Ok(mut m) = self.requests.lock() {
            let e = m
                .entry((method.to_string(), route.to_string(), status))
                .or_insert((0, 0.0));
            e.0 += 1;
            e.1 += seconds;
        }
    }

    pub fn render(&self, db_up: bool) -> String {
        let mut out = String::new();
        out.push_str("# HELP renkei_http_requests_total HTTP requests answered.\n");
        out.push_str("# TYPE renkei_http_requests_total counter\n");
        let snapshot = self.requests.lock().map(|m| m.clone()).unwrap_or_default();
        for ((method, route, status), (count, _)) in &snapshot {
            out.push_str(&format!(
                "renkei_http_requests_total{{method=\"{method}\",route=\"{}\",status=\"{status}\"}} {count}\n",
                escape(route)
            ));
        }
        out.push_str("# HELP renkei_http_request_duration_seconds_sum Time spent answering.\n");
        out.push_str("# TYPE renkei_http_request_duration_seconds_sum counter\n");
        for ((method, route, status), (_, secs)) in &snapshot {
            out.push_str(&format!(
                "renkei_http_request_duration_seconds_sum{{method=\"{method}\",route=\"{}\",status=\"{status}\"}} {secs:.6}\n",
                escape(route)
            ));
        }
        out.push_str("# HELP renkei_database_up Whether the database answered the last check.\n");
        out.push_str("# TYPE renkei_database_up gauge\n");
        out.push_str(&format!("renkei_database_up {}\n", u8::from(db_up)));
        out
    }
}

fn escape(s: &str) -> String {
    s.replace('\\', "\\\\")
        .replace('"', "\\\"")
        .replace('\n', "\\n")
}
