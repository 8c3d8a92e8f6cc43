//! What every page template gets: the translator, the signed-in user, the CSRF token and
//! the path (for the language switch), plus display helpers.

use crate::auth::Ctx;
use crate::i18n::Tr;
use renkei_store::users::User;
use std::collections::BTreeMap;

/// `p` if it is a path on this site and nothing else: it starts with one `/` (not `//`,
/// which browsers read as another host), and holds only printable ASCII without `\\`
/// (which browsers read as `/`), so no tab, line feed or space that URL parsers drop or
/// that cannot go into a `Location` header. Links and redirects built from a request use it.
pub fn local_path(p: &str) -> Option<&str> {
    let bytes = p.as_bytes();
    let ok = bytes.first() == Some(&b'/')
        && !matches!(bytes.get(1), Some(b'/' | b'\\'))
        && bytes.iter().all(|b| b.is_ascii_graphic() && *b != b'\\');
    ok.then_some(p)
}

pub struct Base {
    pub tr: Tr,
    pub user: Option<User>,
    pub csrf: String,
    pub path: String,
    pub title: String,
    pub notice: Option<String>,
}

impl Base {
    pub fn new(ctx: &Ctx, title: String) -> Self {
        Self {
            tr: ctx.tr,
            user: ctx.user.clone(),
            csrf: ctx.csrf.clone(),
            path: ctx.path.clone(),
            title,
            notice: None,
        }
    }

    /// With a notice from a `?notice=key` redirect (only known keys are shown).
    pub fn with_notice(mut self, notice: Option<&str>) -> Self {
        self.notice = notice.filter(|k| NOTICES.contains(k)).map(|k| self.tr.t(k));
        self
    }

    pub fn t(&self, key: &str) -> String {
        self.tr.t(key)
    }

    /// A message with one `{name}` filled in.
    pub fn t1(&self, key: &str, name: &str, value: &str) -> String {
        self.tr.t1(key, name, &value)
    }

    pub fn lang(&self) -> &'static str {
        self.tr.lang.code()
    }

    pub fn other_lang(&self) -> &'static str {
        self.tr.lang.other().code()
    }

    pub fn date(&self, ts: &str) -> String {
        display_date(self.tr.lang, ts)
    }

    pub fn datetime(&self, ts: &str) -> String {
        display_time(self.tr.lang, ts)
    }

    /// 令和8年11月22日 10:23 of an instant.
    pub fn moment(&self, t: &chrono::DateTime<chrono::Utc>) -> String {
        renkei_app::mailer::moment_for(self.tr.lang, *t)
    }

    /// 令和8年11月22日 (the day in Japan) of an instant.
    pub fn day(&self, t: &chrono::DateTime<chrono::Utc>) -> String {
        renkei_app::mailer::date_for(self.tr.lang, renkei_domain::time::jst_date(*t))
    }

    pub fn role_label(&self, user: &User) -> String {
        self.tr.t(user.role.label_key())
    }

    pub fn signed_in_as(&self) -> String {
        match &self.user {
            Some(u) => self.tr.t2(
                "signed-in-as",
                ("name", &u.display_name),
                ("role", &self.role_label(u)),
            ),
            None => String::new(),
        }
    }

    /// Whether the header shows the public navigation (cases, calls, statistics, open
    /// data): for visitors and proponents; staff keep their own navigation.
    pub fn public_nav(&self) -> bool {
        self.user
            .as_ref()
            .is_none_or(|u| u.role == renkei_domain::Role::Proponent)
    }

    /// The signed-in user's home page.
    pub fn user_home(&self) -> String {
        self.user
            .as_ref()
            .map(home_of)
            .unwrap_or_else(|| "/".to_string())
    }
}

/// Notices that a redirect may ask a page to show.
pub const NOTICES: &[&str] = &[
    "feedback-approved",
    "feedback-rejected",
    "bulk-done",
    "department-created",
    "department-renamed",
    "department-deleted",
    "department-member-added",
    "department-member-removed",
    "user-created",
    "user-disable-done",
    "user-enable-done",
    "user-password-reset-done",
    "password-reset",
    "logout-done",
    "proposal-received",
    "message-sent",
    "proposal-withdrawn",
    "consent-saved",
    "status-changed",
    "assigned",
    "hearing-recorded",
    "routed",
    "approach-recorded",
    "partner-saved",
    "partners-merged",
    "partner-added",
    "partner-contact-added",
    "partner-contact-removed",
    "settings-saved",
    "profile-saved",
    "answer-sent",
    "question-sent",
    "question-replied",
    "template-saved",
    "template-deleted",
    "desk-opened",
    "desk-closed",
    "proposal-claimed",
    "link-mail-sent",
    "proposals-linked",
    // The desk's memos, corrections and files
    "memo-saved",
    "corrected",
    "attachment-added",
    // Partnerships (連携事業): the staff side
    "pships-created",
    "pships-corrected",
    "pships-status-changed",
    "pships-activity-recorded",
    "pships-document-added",
    "pships-indicator-added",
    "pships-indicator-saved",
    "pships-review-recorded",
    // Open calls
    "call-saved",
    "call-submitted",
    "call-published",
    "call-returned",
    "call-closed",
    "call-evaluator-assigned",
    "call-evaluator-removed",
    "call-decided",
    "call-scored",
    "call-conflict-declared",
];

/// Field errors of a form, already translated, by field name.
#[derive(Default, Debug, Clone)]
pub struct FieldErrors(pub BTreeMap<&'static str, String>);

impl FieldErrors {
    pub fn add(&mut self, tr: &Tr, field: &'static str, key: &str) {
        self.0.entry(field).or_insert_with(|| tr.t(key));
    }

    pub fn get(&self, field: &str) -> Option<&String> {
        self.0.get(field)
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

/// 令和8年11月22日 10:23 (English: the Gregorian date) from a stored timestamp.
pub fn display_time(lang: renkei_domain::Lang, ts: &str) -> String {
    renkei_domain::time::parse_db_timestamp(ts)
        .map(|t| renkei_app::mailer::moment_for(lang, t))
        .unwrap_or_else(|| ts.to_string())
}

/// 令和8年11月22日 (English: the Gregorian date) from a stored timestamp.
pub fn display_date(lang: renkei_domain::Lang, ts: &str) -> String {
    renkei_domain::time::parse_db_timestamp(ts)
        .map(|t| renkei_app::mailer::date_for(lang, renkei_domain::time::jst_date(t)))
        .unwrap_or_else(|| ts.to_string())
}

/// Where a user lands after signing in (the policy decides).
pub fn home_of(user: &User) -> String {
    renkei_domain::Actor {
        user_id: user.id,
        role: user.role,
        tenant: user
            .tenant_code
            .as_deref()
            .and_then(|t| renkei_domain::TenantCode::parse(t).ok()),
        departments: vec![],
    }
    .home_path()
}

#[cfg(test)]
mod local_path_tests {
    use super::local_path;

    #[test]
    fn only_paths_on_this_site() {
        for ok in [
            "/",
            "/t/272027/desk",
            "/t/272027/desk/inbox?page=2&q=%E3%81%82",
        ] {
            assert_eq!(local_path(ok), Some(ok));
        }
        for bad in [
            "",
            "//evil.example",
            "/\\evil.example",
            "https://evil.example",
            "evil.example",
            "/\t/evil.example",
            "/%09/evil.example".replace("%09", "\t").as_str(),
            "/\n",
            "/ x",
            "/\u{3042}",
            "/a\\b",
        ] {
            assert_eq!(local_path(bad), None, "{bad:?}");
        }
    }
}
