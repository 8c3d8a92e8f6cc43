//! The route table. Every route is registered through [`RouteBook`], which builds the axum
//! router and keeps a list of what it registered; `route_table()` hands that list to tests
//! (the tenant-isolation test walks every route from it) and to the OpenAPI check.

use crate::state::AppState;
use crate::{api, middleware, pages, static_files};
use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::handler::Handler;
use axum::http::{Method, StatusCode};
use axum::routing::{MethodRouter, get, post};
use std::time::Duration;
use tower_http::timeout::TimeoutLayer;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RouteEntry {
    pub method: Method,
    pub path: &'static str,
}

struct RouteBook {
    router: Router<AppState>,
    entries: Vec<RouteEntry>,
    upload_limit: usize,
    timeout: Duration,
    upload_timeout: Duration,
}

/// A route's time-out: past it the handler is dropped (an open transaction rolls back) and
/// the request answered 503 with an explanation (`edge::explain_timeout`).
fn timed(route: MethodRouter<AppState>, limit: Duration) -> MethodRouter<AppState> {
    route
        .layer(TimeoutLayer::with_status_code(
            StatusCode::SERVICE_UNAVAILABLE,
            limit,
        ))
        .layer(axum::middleware::map_response(crate::edge::explain_timeout))
}

impl RouteBook {
    fn new(config: &crate::WebConfig) -> Self {
        Self {
            router: Router::new(),
            entries: Vec::new(),
            upload_limit: config.max_upload_bytes,
            timeout: config.request_timeout,
            upload_timeout: config.upload_timeout.max(config.request_timeout),
        }
    }

    fn get<H, T>(mut self, path: &'static str, handler: H) -> Self
    where
        H: Handler<T, AppState>,
        T: 'static,
    {
        self.router = self.router.route(path, timed(get(handler), self.timeout));
        self.entries.push(RouteEntry {
            method: Method::GET,
            path,
        });
        self
    }

    /// A POST that takes file uploads: its body limit is the upload limit, not the form
    /// limit, and its time-out the upload time-out. (The API's intake reads its own,
    /// base64-sized limit.)
    fn post_upload<H, T>(mut self, path: &'static str, handler: H) -> Self
    where
        H: Handler<T, AppState>,
        T: 'static,
    {
        self.router = self.router.route(
            path,
            timed(
                post(handler).layer(DefaultBodyLimit::max(self.upload_limit)),
                self.upload_timeout,
            ),
        );
        self.entries.push(RouteEntry {
            method: Method::POST,
            path,
        });
        self
    }

    fn post<H, T>(mut self, path: &'static str, handler: H) -> Self
    where
        H: Handler<T, AppState>,
        T: 'static,
    {
        self.router = self.router.route(path, timed(post(handler), self.timeout));
        self.entries.push(RouteEntry {
            method: Method::POST,
            path,
        });
        self
    }
}

fn book(config: &crate::WebConfig) -> RouteBook {
    use pages::*;
    RouteBook::new(config)
        // Public
        .get("/", top::get)
        .get("/t/{code}", tenant_page::get)
        .get("/login", login::get)
        .post("/login", login::post)
        .post("/logout", logout::post)
        // 「パスワードをお忘れの方」: a single-use link by mail (the token never reaches a log)
        .get("/password/forgot", password_forgot::get)
        .post("/password/forgot", password_forgot::post)
        .get("/password/reset/{token}", password_reset::get)
        .post("/password/reset/{token}", password_reset::post)
        // Operator
        .get("/operator", operator_home::get)
        // Tenant staff and proponents
        .get("/t/{code}/admin", admin_home::get)
        .get("/t/{code}/desk", desk_home::get)
        .get("/t/{code}/department", department_home::get)
        .get("/t/{code}/mypage", mypage::get)
        // A proponent account adds the proposals sent from its address by a mailed confirmation
        .post("/t/{code}/mypage/link", mypage::link_request)
        .get("/t/{code}/mypage/link/{token}", proposal_link::get)
        .post("/t/{code}/mypage/link/{token}", proposal_link::post)
        // Tenant administration
        .get("/t/{code}/admin/departments", departments_list::get)
        .post("/t/{code}/admin/departments", department_create::post)
        .get("/t/{code}/admin/departments/{id}", department_show::get)
        .post(
            "/t/{code}/admin/departments/{id}/rename",
            department_rename::post,
        )
        .post(
            "/t/{code}/admin/departments/{id}/delete",
            department_delete::post,
        )
        .post(
            "/t/{code}/admin/departments/{id}/members",
            department_member_add::post,
        )
        .post(
            "/t/{code}/admin/departments/{id}/members/{user_id}/remove",
            department_member_remove::post,
        )
        .get("/t/{code}/admin/users", users_list::get)
        .post("/t/{code}/admin/users", user_create::post)
        .post(
            "/t/{code}/admin/users/{user_id}/disable",
            user_status::disable,
        )
        .post(
            "/t/{code}/admin/users/{user_id}/enable",
            user_status::enable,
        )
        .post(
            "/t/{code}/admin/users/{user_id}/password-reset",
            user_password_reset::post,
        )
        .get("/t/{code}/admin/audit", audit_list::get)
        .get("/t/{code}/admin/profile", desk_profile::get)
        .post("/t/{code}/admin/profile", desk_profile::post)
        .get("/t/{code}/admin/settings", settings::get)
        .post("/t/{code}/admin/settings", settings::post)
        .post("/t/{code}/admin/settings/desk-open", settings::open)
        .post("/t/{code}/admin/settings/desk-close", settings::close)
        .post("/t/{code}/admin/settings/dormancy", settings::dormancy)
        // Intake and the proponent's page (tracking link or proponent account)
        .get("/t/{code}/propose", propose::get)
        .post_upload("/t/{code}/propose", propose::post)
        .get("/t/{code}/propose/confirm/{token}", propose::confirm_get)
        .post("/t/{code}/propose/confirm/{token}", propose::confirm_post)
        .get("/t/{code}/track/{token}", proponent_view::show_by_token)
        .post(
            "/t/{code}/track/{token}/messages",
            proponent_view::message_by_token,
        )
        .post(
            "/t/{code}/track/{token}/withdraw",
            proponent_view::withdraw_by_token,
        )
        .post(
            "/t/{code}/track/{token}/consent",
            proponent_view::consent_by_token,
        )
        .post(
            "/t/{code}/track/{token}/claim",
            proponent_view::claim_by_token,
        )
        .get(
            "/t/{code}/track/{token}/attachments/{id}",
            proponent_view::attachment_by_token,
        )
        .get(
            "/t/{code}/mypage/proposals/{receipt}",
            proponent_view::show_by_account,
        )
        .post(
            "/t/{code}/mypage/proposals/{receipt}/messages",
            proponent_view::message_by_account,
        )
        .post(
            "/t/{code}/mypage/proposals/{receipt}/withdraw",
            proponent_view::withdraw_by_account,
        )
        .post(
            "/t/{code}/mypage/proposals/{receipt}/consent",
            proponent_view::consent_by_account,
        )
        .get(
            "/t/{code}/mypage/proposals/{receipt}/attachments/{id}",
            proponent_view::attachment_by_account,
        )
        // The desk at work
        .get("/t/{code}/desk/proposals", desk_inbox::get)
        .post("/t/{code}/desk/bulk", desk_bulk::post)
        .get(
            "/t/{code}/desk/export/proposals.csv",
            desk_inbox::export_csv,
        )
        .get(
            "/t/{code}/desk/export/proposals.xlsx",
            desk_inbox::export_xlsx,
        )
        .get("/t/{code}/desk/proposals/{receipt}", desk_proposal::get)
        .get(
            "/t/{code}/desk/proposals/{receipt}/print",
            desk_proposal::print,
        )
        .post(
            "/t/{code}/desk/proposals/{receipt}/transition",
            desk_proposal::transition,
        )
        .post(
            "/t/{code}/desk/proposals/{receipt}/assign",
            desk_proposal::assign,
        )
        .post(
            "/t/{code}/desk/proposals/{receipt}/hearings",
            desk_proposal::hearing,
        )
        .post(
            "/t/{code}/desk/proposals/{receipt}/routings",
            desk_proposal::routing,
        )
        .post(
            "/t/{code}/desk/proposals/{receipt}/messages",
            desk_proposal::message,
        )
        // The desk's own records: internal memos, its files, corrections of the record
        .post(
            "/t/{code}/desk/proposals/{receipt}/memos",
            desk_proposal::memo,
        )
        .post_upload(
            "/t/{code}/desk/proposals/{receipt}/attachments",
            desk_proposal::attachment_upload,
        )
        .get(
            "/t/{code}/desk/proposals/{receipt}/correct",
            desk_correct::get,
        )
        .post(
            "/t/{code}/desk/proposals/{receipt}/correct",
            desk_correct::post,
        )
        .post(
            "/t/{code}/desk/proposals/{receipt}/questions/{id}/reply",
            desk_proposal::reply,
        )
        .get(
            "/t/{code}/proposals/{receipt}/attachments/{id}",
            desk_proposal::attachment,
        )
        .get("/t/{code}/desk/templates", desk_templates::list)
        .post("/t/{code}/desk/templates", desk_templates::create)
        .get("/t/{code}/desk/templates/{id}", desk_templates::edit)
        .post("/t/{code}/desk/templates/{id}", desk_templates::update)
        .post(
            "/t/{code}/desk/templates/{id}/delete",
            desk_templates::delete,
        )
        .get("/t/{code}/desk/approach", desk_approach::get)
        .post("/t/{code}/desk/approach", desk_approach::post)
        .get("/t/{code}/desk/partners", partners::list)
        .post("/t/{code}/desk/partners", partners::add)
        .get("/t/{code}/desk/partners/export.csv", partners_export::csv)
        .get("/t/{code}/desk/partners/export.xlsx", partners_export::xlsx)
        .get("/t/{code}/desk/partners/{id}", partners::show)
        .post("/t/{code}/desk/partners/{id}", partners::update)
        .post("/t/{code}/desk/partners/{id}/merge", partners::merge)
        .post(
            "/t/{code}/desk/partners/{id}/contacts",
            partners::contact_add,
        )
        .post(
            "/t/{code}/desk/partners/{id}/contacts/{contact_id}/remove",
            partners::contact_remove,
        )
        // Partnerships (連携事業): the staff's list, entry, page and its records
        .get("/t/{code}/partnerships", partnerships_list::get)
        .get("/t/{code}/partnerships/new", partnership_form::new_get)
        .post("/t/{code}/partnerships/new", partnership_form::new_post)
        .get("/t/{code}/partnerships/{id}", partnership_page::get)
        .get(
            "/t/{code}/partnerships/{id}/edit",
            partnership_form::edit_get,
        )
        .post(
            "/t/{code}/partnerships/{id}/edit",
            partnership_form::edit_post,
        )
        .post(
            "/t/{code}/partnerships/{id}/move",
            partnership_page::move_post,
        )
        .post_upload(
            "/t/{code}/partnerships/{id}/activities",
            partnership_page::activity_post,
        )
        .post(
            "/t/{code}/partnerships/{id}/indicators",
            partnership_page::indicator_post,
        )
        .post(
            "/t/{code}/partnerships/{id}/indicators/{indicator_id}/values",
            partnership_page::indicator_value_post,
        )
        .post(
            "/t/{code}/partnerships/{id}/reviews",
            partnership_page::review_post,
        )
        .post_upload(
            "/t/{code}/partnerships/{id}/documents",
            partnership_page::document_post,
        )
        .get(
            "/t/{code}/partnerships/{id}/documents/{doc_id}",
            partnership_page::document_get,
        )
        .get(
            "/t/{code}/partnerships/{id}/photos/{photo_id}",
            partnership_page::photo_get,
        )
        // The partnership list in and out of Excel (branch excel)
        .get(
            "/t/{code}/partnerships/import",
            partnership_sheet::import_form,
        )
        .post_upload(
            "/t/{code}/partnerships/import",
            partnership_sheet::import_check,
        )
        .post(
            "/t/{code}/partnerships/import/confirm",
            partnership_sheet::import_confirm,
        )
        .get(
            "/t/{code}/partnerships/export.csv",
            partnership_sheet::export_csv,
        )
        .get(
            "/t/{code}/partnerships/export.xlsx",
            partnership_sheet::export_xlsx,
        )
        .get(
            "/t/{code}/partnerships/progress",
            partnership_progress::form,
        )
        .post_upload(
            "/t/{code}/partnerships/progress",
            partnership_progress::check,
        )
        .post(
            "/t/{code}/partnerships/progress/confirm",
            partnership_progress::confirm,
        )
        .get(
            "/t/{code}/partnerships/progress-template.csv",
            partnership_progress::template_csv,
        )
        // Departments answer routing requests
        .get(
            "/t/{code}/department/proposals/{receipt}",
            department_proposal::get,
        )
        .post(
            "/t/{code}/department/routings/{id}/answer",
            department_proposal::answer,
        )
        .post(
            "/t/{code}/department/routings/{id}/questions",
            department_proposal::ask,
        )
        // Alive or dormant: the desk's dashboard, beneficiaries' voice (public page, the desk's
        // moderation) and the accountability record
        .get("/t/{code}/desk/dashboard", desk_dashboard::get)
        .get("/t/{code}/desk/feedback", desk_feedback::get)
        .post(
            "/t/{code}/desk/feedback/{id}/approve",
            desk_feedback::approve,
        )
        .post("/t/{code}/desk/feedback/{id}/reject", desk_feedback::reject)
        .get(
            "/t/{code}/partnerships/{id}/public",
            partnership_public::moved,
        )
        .post(
            "/t/{code}/partnerships/{id}/public",
            partnership_public::post,
        )
        .get(
            "/t/{code}/partnerships/{id}/accountability",
            partnership_accountability::get,
        )
        // Open calls (行政課題・テーマ型提案募集): the desk, departments, evaluators, the public
        .get("/t/{code}/desk/calls", open_calls::desk_list)
        .post("/t/{code}/desk/calls", open_calls::desk_create)
        .get("/t/{code}/desk/calls/new", open_calls::desk_new)
        .get("/t/{code}/desk/calls/{id}", open_calls::desk_show)
        .get("/t/{code}/desk/calls/{id}/edit", open_calls::desk_edit)
        .post("/t/{code}/desk/calls/{id}/edit", open_calls::desk_update)
        .post("/t/{code}/desk/calls/{id}/move", open_calls::desk_move)
        .post(
            "/t/{code}/desk/calls/{id}/evaluators",
            open_calls::desk_assign,
        )
        .post(
            "/t/{code}/desk/calls/{id}/evaluators/{user_id}/remove",
            open_calls::desk_unassign,
        )
        .post("/t/{code}/desk/calls/{id}/select", open_calls::desk_select)
        .get("/t/{code}/department/calls", open_calls::department_list)
        .post("/t/{code}/department/calls", open_calls::department_create)
        .get("/t/{code}/department/calls/new", open_calls::department_new)
        .get(
            "/t/{code}/department/calls/{id}",
            open_calls::department_show,
        )
        .get(
            "/t/{code}/department/calls/{id}/edit",
            open_calls::department_edit,
        )
        .post(
            "/t/{code}/department/calls/{id}/edit",
            open_calls::department_update,
        )
        .post(
            "/t/{code}/department/calls/{id}/submit",
            open_calls::department_submit,
        )
        .get("/t/{code}/evaluations", call_evaluations::list)
        .get("/t/{code}/evaluations/{id}", call_evaluations::call)
        .get(
            "/t/{code}/evaluations/{id}/answers/{proposal_id}",
            call_evaluations::answer,
        )
        .post(
            "/t/{code}/evaluations/{id}/answers/{proposal_id}/scores",
            call_evaluations::score,
        )
        .post(
            "/t/{code}/evaluations/{id}/answers/{proposal_id}/conflict",
            call_evaluations::conflict,
        )
        .get("/t/{code}/calls", calls_public::list)
        .get("/t/{code}/calls/{id}", calls_public::show)
        // Open data: the agreement register, the files (streamed CSV), the feeds, the licence
        .get("/t/{code}/agreements", agreements::get)
        .get("/opendata", opendata::national_page)
        .get("/t/{code}/opendata", opendata::tenant_page)
        .get(
            "/opendata/partnerships.csv",
            opendata::national_partnerships_csv,
        )
        .get("/opendata/calls.csv", opendata::national_calls_csv)
        .get(
            "/t/{code}/opendata/partnerships.csv",
            opendata::partnerships_csv,
        )
        .get("/t/{code}/opendata/calls.csv", opendata::calls_csv)
        .get("/feeds/cases.atom", opendata::national_cases_feed)
        .get("/feeds/calls.atom", opendata::national_calls_feed)
        .get("/t/{code}/feeds/cases.atom", opendata::cases_feed)
        .get("/t/{code}/feeds/calls.atom", opendata::calls_feed)
        .post("/t/{code}/admin/settings/license", opendata::license_post)
        // --- landing: the national list of published open calls ---
        .get("/calls", calls_public::national)
        // Statistics, public (aggregate counts only)
        .get("/stats", stats_public::national)
        .get("/t/{code}/stats", stats_public::tenant)
        // JSON API
        .get("/api/openapi.json", api::openapi::get)
        .get("/api/v1/tenants/{code}/departments", api::departments::list)
        .get("/api/v1/tenants/{code}/proposals", api::proposals::list)
        .post_upload("/api/v1/tenants/{code}/proposals", api::proposals::submit)
        .get(
            "/api/v1/tenants/{code}/proposals/{receipt_number}",
            api::proposals::show,
        )
        .post(
            "/api/v1/tenants/{code}/proposals/{receipt_number}/transitions",
            api::proposals::transition,
        )
        .post(
            "/api/v1/tenants/{code}/proposals/{receipt_number}/hearings",
            api::proposals::hearing,
        )
        .post(
            "/api/v1/tenants/{code}/proposals/{receipt_number}/routings",
            api::proposals::route,
        )
        .post(
            "/api/v1/tenants/{code}/routings/{id}/answer",
            api::proposals::answer,
        )
        .get(
            "/api/v1/tenants/{code}/partnerships",
            api::partnerships::list,
        )
        .get(
            "/api/v1/tenants/{code}/partnerships/{id}",
            api::partnerships::show,
        )
        .post(
            "/api/v1/tenants/{code}/partnerships/{id}/activities",
            api::partnerships::add_activity,
        )
        .get("/api/v1/tenants/{code}/calls", api::open_calls::list)
        .get("/api/v1/calls", api::open_calls::national)
        .get(
            "/api/v1/tenants/{code}/calls/{id}/answers",
            api::open_calls::answers,
        )
        .get("/api/v1/opendata/partnerships", api::opendata::partnerships)
        .get("/api/v1/opendata/calls", api::opendata::calls)
        // The public case library (連携事例) and its national search; the case page holds
        // beneficiaries' voice (its form posts to `/t/{code}/partnerships/{id}/public`)
        .get("/cases", cases::national)
        .get("/t/{code}/cases", cases::tenant)
        .get("/t/{code}/cases/{id}", partnership_public::get)
        .get("/api/v1/cases", api::cases::list)
        .get("/api/v1/cases/{id}", api::cases::show)
        // Statistics (public, no token)
        .get("/api/v1/stats", api::stats::national)
        .get("/api/v1/tenants/{code}/stats", api::stats::tenant)
        // Operations
        .get("/healthz", pages::ops::healthz)
        .get("/metrics", pages::ops::metrics)
        .get("/static/{*path}", static_files::get)
}

/// Every route the application serves, as registered.
pub fn route_table() -> Vec<RouteEntry> {
    book(&crate::WebConfig::default()).entries
}

/// The application with all its layers. Innermost first: per route its time-out
/// (`TimeoutLayer`) and `track` (metrics); then the public answer cache
/// ([`crate::public_cache`]: a hit answers here, without the route), `pages`,
/// `conditional_get` (ETag and 304 for
/// public answers), `common_headers`, the body limit;
/// then the edge layers of [`crate::edge::layers`] (compression, request ids, tracing).
pub fn app(state: AppState) -> Router {
    let max_body = state.config.max_body_bytes;
    let app = book(&state.config)
        .router
        .route_layer(axum::middleware::from_fn_with_state(
            state.clone(),
            middleware::track,
        ))
        .fallback(pages::error_page::fallback)
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            crate::public_cache::layer,
        ))
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            middleware::pages,
        ))
        .layer(axum::middleware::from_fn(middleware::conditional_get))
        .layer(axum::middleware::from_fn(middleware::common_headers))
        .layer(DefaultBodyLimit::max(max_body))
        .with_state(state);
    crate::edge::layers(app)
}
