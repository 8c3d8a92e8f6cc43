//! Page handlers, one file per action (the URL tells you the file).

pub mod admin_home;
pub mod agreements;
pub mod audit_list;
pub mod call_evaluations;
pub mod calls_public;
pub mod cases;
pub mod confirm;
pub mod department_create;
pub mod department_delete;
pub mod department_home;
pub mod department_member_add;
pub mod department_member_remove;
pub mod department_proposal;
pub mod department_rename;
pub mod department_show;
pub mod departments_list;
pub mod desk_approach;
pub mod desk_bulk;
pub mod desk_correct;
pub mod desk_dashboard;
pub mod desk_feedback;
pub mod desk_home;
pub mod desk_inbox;
pub mod desk_profile;
pub mod desk_proposal;
pub mod desk_templates;
pub mod error_page;
pub mod login;
pub mod logout;
pub mod mypage;
pub mod open_calls;
pub mod opendata;
pub mod operator_home;
pub mod ops;
pub mod partners;
pub mod partners_export;
pub mod partnership_accountability;
pub mod partnership_form;
pub mod partnership_page;
pub mod partnership_progress;
pub mod partnership_public;
pub mod partnership_sheet;
pub mod partnerships_list;
pub mod password_forgot;
pub mod password_reset;
pub mod proponent_view;
pub mod proposal_link;
pub mod proposal_view;
pub mod propose;
pub mod settings;
pub mod stats_public;
pub mod tenant_page;
pub mod top;
pub mod user_create;
pub mod user_password_reset;
pub mod user_status;
pub mod users_list;

use crate::error::WebError;
use axum::response::Html;

/// Renders an askama template into an HTML response.
pub fn html<T: askama::Template>(t: &T) -> Result<Html<String>, WebError> {
    Ok(Html(t.render()?))
}

/// A `?notice=…` query.
#[derive(Debug, serde::Deserialize, Default)]
pub struct NoticeQuery {
    pub notice: Option<String>,
}

/// A POST form with nothing but the CSRF token.
#[derive(Debug, serde::Deserialize)]
pub struct EmptyForm {}

/// The numbered links of a list of `total` items, `per_page` a page: the first and last page,
/// and two on either side of the current one; a gap (…) where pages are left out. Pages count
/// from 0 in links (`link(page)`) and from 1 on screen. Each entry: the label, the link (none
/// for a gap) and whether it is the current page. Empty when everything fits on one page.
pub fn numbered_pages(
    current: i64,
    total: i64,
    per_page: i64,
    link: impl Fn(i64) -> String,
) -> Vec<(String, Option<String>, bool)> {
    let count = (total + per_page - 1) / per_page.max(1);
    if count <= 1 {
        return Vec::new();
    }
    let mut out = Vec::new();
    let mut last_shown = -1;
    for p in 0..count {
        let near = (p - current).abs() <= 2;
        if p == 0 || p == count - 1 || near {
            if last_shown >= 0 && p > last_shown + 1 {
                out.push(("…".to_string(), None, false));
            }
            out.push(((p + 1).to_string(), Some(link(p)), p == current));
            last_shown = p;
        }
    }
    out
}

/// The next part of a multipart upload; a body past the limit is 413, anything malformed 400.
pub(crate) async fn next_part<'a>(
    multipart: &'a mut axum::extract::Multipart,
) -> Result<Option<axum::extract::multipart::Field<'a>>, WebError> {
    match multipart.next_field().await {
        Ok(f) => Ok(f),
        Err(e) if e.status() == axum::http::StatusCode::PAYLOAD_TOO_LARGE => {
            Err(WebError::PayloadTooLarge)
        }
        Err(_) => Err(WebError::BadRequest("error-bad-request")),
    }
}

/// An `attachments` part read whole, its name cleaned; `None` for the empty file input of a
/// form sent without a file (or a part with no file name).
pub(crate) async fn file_part(
    field: axum::extract::multipart::Field<'_>,
) -> Result<Option<renkei_app::proposals::RawFile>, WebError> {
    let filename = field
        .file_name()
        .map(renkei_domain::attachment::clean_filename);
    let data = field.bytes().await.map_err(|e| {
        if e.status() == axum::http::StatusCode::PAYLOAD_TOO_LARGE {
            WebError::PayloadTooLarge
        } else {
            WebError::BadRequest("error-bad-request")
        }
    })?;
    let Some(filename) = filename else {
        return Ok(None);
    };
    if data.is_empty() && filename == "attachment" {
        return Ok(None);
    }
    Ok(Some(renkei_app::proposals::RawFile {
        filename,
        data: Some(data.to_vec()),
    }))
}
