//! The route table. Every route is registered through [`RouteBook`], which builds the axum
//! router and keeps a list of what it registered; `route_table()` hands that list to tests
//! (the tenant-isolation test walks every route from it) and to the OpenAPI check.

use crate::state::AppState;
use crate::{api, middleware, pages, static_files};
use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::handler::Handler;
use axum::http::Method;
use axum::routing::{get, post};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RouteEntry {
    pub method: Method,
    pub path: &'static str,
}

struct RouteBook {
    router: Router<AppState>,
    entries: Vec<RouteEntry>,
}

impl RouteBook {
    fn new() -> Self {
        Self {
            router: Router::new(),
            entries: Vec::new(),
        }
    }

    fn get<H, T>(mut self, path: &'static str, handler: H) -> Self
    where
        H: Handler<T, AppState>,
        T: 'static,
    {
        self.router = self.router.route(path, get(handler));
        self.entries.push(RouteEntry {
            method: Method::GET,
            path,
        });
        self
    }

    fn post<H, T>(mut self, path: &'static str, handler: H) -> Self
    where
        H: Handler<T, AppState>,
        T: 'static,
    {
        self.router = self.router.route(path, post(handler));
        self.entries.push(RouteEntry {
            method: Method::POST,
            path,
        });
        self
    }
}

fn book() -> RouteBook {
    use pages::*;
    RouteBook::new()
        // Public
        .get("/", top::get)
        .get("/t/{code}", tenant_page::get)
        .get("/login", login::get)
        .post("/login", login::post)
        .post("/logout", logout::post)
        // Operator
        .get("/operator", operator_home::get)
        // Tenant staff and proponents
        .get("/t/{code}/admin", admin_home::get)
        .get("/t/{code}/desk", desk_home::get)
        .get("/t/{code}/department", department_home::get)
        .get("/t/{code}/mypage", mypage::get)
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
        .get("/t/{code}/admin/audit", audit_list::get)
        // JSON API
        .get("/api/openapi.json", api::openapi::get)
        .get("/api/v1/tenants/{code}/departments", api::departments::list)
        // Operations
        .get("/healthz", pages::ops::healthz)
        .get("/metrics", pages::ops::metrics)
        .get("/static/{*path}", static_files::get)
}

/// Every route the application serves, as registered.
pub fn route_table() -> Vec<RouteEntry> {
    book().entries
}

/// The application with all its layers.
pub fn app(state: AppState) -> Router {
    let max_body = state.config.max_body_bytes;
    book()
        .router
        .route_layer(axum::middleware::from_fn_with_state(
            state.clone(),
            middleware::track,
        ))
        .fallback(pages::error_page::fallback)
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            middleware::pages,
        ))
        .layer(axum::middleware::from_fn(middleware::common_headers))
        .layer(DefaultBodyLimit::max(max_body))
        .with_state(state)
}
