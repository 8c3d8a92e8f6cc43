//! Page handlers, one file per action (the URL tells you the file).

pub mod admin_home;
pub mod audit_list;
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
pub mod desk_home;
pub mod desk_inbox;
pub mod desk_profile;
pub mod desk_proposal;
pub mod desk_templates;
pub mod error_page;
pub mod login;
pub mod logout;
pub mod mypage;
pub mod operator_home;
pub mod ops;
pub mod partners;
pub mod password_forgot;
pub mod password_reset;
pub mod proponent_view;
pub mod proposal_link;
pub mod proposal_view;
pub mod propose;
pub mod settings;
pub mod tenant_page;
pub mod top;
pub mod user_create;
pub mod user_password_reset;
pub mod user_status;
pub mod users_list;

use axum::response::Html;

/// Renders an askama template into an HTML response.
pub fn html<T: askama::Template>(t: &T) -> Result<Html<String>, crate::error::WebError> {
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
