//! Static assets, embedded in the binary.

use axum::extract::Path;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};

const FILES: &[(&str, &str, &str)] = &[
    (
        "css/tokens.css",
        "text/css; charset=utf-8",
        include_str!("../static/vendor/design-tokens/tokens.css"),
    ),
    (
        "css/renkei.css",
        "text/css; charset=utf-8",
        include_str!("../static/css/renkei.css"),
    ),
];

pub async fn get(Path(path): Path<String>) -> Response {
    match FILES.iter().find(|(p, _, _)| *p == path) {
        Some((_, mime, body)) => (
            [
                (header::CONTENT_TYPE, *mime),
                (header::CACHE_CONTROL, "public, max-age=3600"),
            ],
            *body,
        )
            .into_response(),
        None => StatusCode::NOT_FOUND.into_response(),
    }
}
