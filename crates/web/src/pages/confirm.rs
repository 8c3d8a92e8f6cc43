//! The confirmation step (確認画面) before an action that cannot be undone: 実施決定, 不採択,
//! 紹介, 取下げ, closing a desk. It works without JavaScript: the action's form posts here
//! first; this page shows what will happen and posts the same fields again with
//! `confirm=yes`. "戻る" either posts them back with `confirm=back` (the form is shown again
//! with what was typed) or is a plain link.

use super::html;
use crate::auth::Ctx;
use crate::error::WebError;
use crate::view::Base;
use askama::Template;
use axum::response::{IntoResponse, Response};

#[derive(Template)]
#[template(path = "pages/confirm.html")]
struct ConfirmTemplate {
    base: Base,
    subject: String,
    lead: String,
    facts: Vec<(String, String)>,
    action: String,
    hidden: Vec<(String, String)>,
    confirm_label: String,
    danger: bool,
    back_posts: bool,
    back_href: String,
}

/// What to ask.
pub struct Confirm {
    /// The page title: the question (「次の内容で不採択としますか」).
    pub title: String,
    /// What the action concerns (a receipt number and title).
    pub subject: String,
    /// What will happen and that it cannot be undone.
    pub lead: String,
    /// Label and value of what was entered.
    pub facts: Vec<(String, String)>,
    /// Where the form posts (the action's own URL).
    pub action: String,
    /// The fields to post again.
    pub hidden: Vec<(String, String)>,
    pub confirm_label: String,
    pub danger: bool,
    /// "戻る" posts the fields back (`confirm=back`) instead of following `back_href`.
    pub back_posts: bool,
    pub back_href: String,
}

/// Whether the posted form already carries the confirmation.
pub fn confirmed(value: &str) -> bool {
    value == "yes"
}

pub fn render(ctx: &Ctx, c: Confirm) -> Result<Response, WebError> {
    Ok(html(&ConfirmTemplate {
        base: Base::new(ctx, c.title),
        subject: c.subject,
        lead: c.lead,
        facts: c.facts,
        action: c.action,
        hidden: c.hidden,
        confirm_label: c.confirm_label,
        danger: c.danger,
        back_posts: c.back_posts,
        back_href: c.back_href,
    })?
    .into_response())
}
