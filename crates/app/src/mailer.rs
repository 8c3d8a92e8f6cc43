//! The one mailer: domain events become outbox messages. Every recipient gets their own
//! mail in their own language (the event's [`Recipient`]s carry it: an account's choice, or
//! the language a proposal was sent in). The wording is in the message catalogues (`mail-*`
//! keys), dates are written as officials write them in Japanese (令和8年12月1日) and plainly
//! in English (1 December 2026), and links are built from the configured public address only
//! (never from a request's Host header). The store queues what this returns inside the
//! transaction of the change it reports.

use crate::i18n::{Lang, Tr};
use chrono::{DateTime, NaiveDate, Utc};
use renkei_domain::time::{
    english_date, english_datetime_jst, parse_db_timestamp, wareki, wareki_datetime_jst,
};
use renkei_store::events::{DomainEvent, Mailer, Recipient};
use renkei_store::outbox::OutgoingMail;
use renkei_store::proposals::Proposal;
use renkei_store::reminders::Overdue;
use renkei_store::tenants::Tenant;

/// A value that stays on its line (a name, a title, a subject): line breaks, tabs and other
/// control characters become one space. Input checks refuse them already; this keeps a row
/// stored before those checks, or any other path, from adding lines to a mail's header or
/// to the line structure of its body.
pub fn one_line(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut gap = false;
    for c in s.chars() {
        if c.is_control() || matches!(c, '\u{2028}' | '\u{2029}') {
            gap = true;
            continue;
        }
        if gap && !out.is_empty() {
            out.push(' ');
        }
        gap = false;
        out.push(c);
    }
    out
}

/// Text of several lines (a message, an explanation): CRLF and CR become LF; other control
/// characters than LF and tab are dropped.
fn lines(s: &str) -> String {
    s.replace("\r\n", "\n")
        .replace('\r', "\n")
        .chars()
        .filter(|c| !c.is_control() || matches!(c, '\n' | '\t'))
        .collect()
}

/// Where links in mail point: the configured public address of the installation.
#[derive(Debug, Clone)]
pub struct Links {
    base: String,
}

impl Links {
    pub fn new(base: &str) -> Self {
        Self {
            base: one_line(base.trim_end_matches('/')),
        }
    }

    pub fn base(&self) -> &str {
        &self.base
    }

    /// The proponent's private tracking page.
    pub fn tracking(&self, tenant: &str, token: &str) -> String {
        format!("{}/t/{tenant}/track/{token}", self.base)
    }

    pub fn desk_proposal(&self, tenant: &str, receipt: &str) -> String {
        format!("{}/t/{tenant}/desk/proposals/{receipt}", self.base)
    }

    pub fn department_proposal(&self, tenant: &str, receipt: &str) -> String {
        format!("{}/t/{tenant}/department/proposals/{receipt}", self.base)
    }

    pub fn link_confirmation(&self, tenant: &str, token: &str) -> String {
        format!("{}/t/{tenant}/mypage/link/{token}", self.base)
    }

    /// The page where a new password is set with a mailed reset link.
    pub fn password_reset(&self, token: &str) -> String {
        format!("{}/password/reset/{token}", self.base)
    }

    /// Where the reset mail points when the link is gone: the request form.
    pub fn password_forgot(&self) -> String {
        format!("{}/password/forgot", self.base)
    }

    /// A partnership's staff page.
    pub fn partnership(&self, tenant: &str, id: i64) -> String {
        format!("{}/t/{tenant}/partnerships/{id}", self.base)
    }
}

/// The mailer of this installation.
#[derive(Debug, Clone)]
pub struct Mails {
    links: Links,
}

/// What a mail is about (the outbox's columns besides its text).
struct About<'a> {
    tenant: &'a Tenant,
    proposal_id: Option<i64>,
    kind: &'a str,
}

/// The values a mail's subject and body are filled in with; each stays on its line unless
/// it is made with [`lines`].
type Args = Vec<(&'static str, String)>;

/// A day as a reader of `lang` writes it: 令和8年12月1日, or 1 December 2026.
pub fn date_for(lang: Lang, date: NaiveDate) -> String {
    match lang {
        Lang::Ja => wareki(date),
        Lang::En => english_date(date),
    }
}

/// An instant, in Japan's time, as a reader of `lang` writes it.
pub fn moment_for(lang: Lang, t: DateTime<Utc>) -> String {
    match lang {
        Lang::Ja => wareki_datetime_jst(t),
        Lang::En => english_datetime_jst(t),
    }
}

impl Mails {
    pub fn new(links: Links) -> Self {
        Self { links }
    }

    pub fn links(&self) -> &Links {
        &self.links
    }

    /// One mail to each recipient, in their language: subject and body from the catalogue
    /// entries `mail-{name}-subject` and `mail-{name}-body` (plus the desk's footer), filled in
    /// from `args` (given the recipient's translator). The subject stays on one line.
    fn to_each(
        &self,
        about: About<'_>,
        recipients: &[Recipient],
        name: &str,
        args: impl Fn(&Tr) -> Args,
    ) -> Vec<OutgoingMail> {
        let desk = one_line(&about.tenant.full_name());
        recipients
            .iter()
            .map(|to| {
                let tr = Tr::new(to.lang);
                let mut values = args(&tr);
                values.push(("desk", desk.clone()));
                let values: Vec<(&str, &str)> =
                    values.iter().map(|(k, v)| (*k, v.as_str())).collect();
                let body = format!(
                    "{}{}",
                    tr.fill(&format!("mail-{name}-body"), &values),
                    tr.fill("mail-footer", &[("desk", &desk)])
                );
                OutgoingMail {
                    tenant_code: Some(one_line(&about.tenant.code)),
                    proposal_id: about.proposal_id,
                    kind: about.kind.into(),
                    to: to.email.clone(),
                    subject: one_line(&tr.fill(&format!("mail-{name}-subject"), &values)),
                    body,
                }
            })
            .collect()
    }

    /// One mail to an account about the account itself (not about a proposal): in its
    /// language, with its desk's footer, or for the operator (no local government) the
    /// installation's.
    fn to_account(
        tenant: Option<&Tenant>,
        to: &Recipient,
        name: &str,
        kind: &str,
        args: Args,
    ) -> OutgoingMail {
        let tr = Tr::new(to.lang);
        let desk = tenant.map(|t| one_line(&t.full_name()));
        let mut values = args;
        values.push(("desk", desk.clone().unwrap_or_else(|| "Renkei".into())));
        let values: Vec<(&str, &str)> = values.iter().map(|(k, v)| (*k, v.as_str())).collect();
        let footer = match &desk {
            Some(d) => tr.fill("mail-footer", &[("desk", d)]),
            None => tr.t("mail-footer-installation"),
        };
        OutgoingMail {
            tenant_code: tenant.map(|t| one_line(&t.code)),
            proposal_id: None,
            kind: kind.into(),
            to: to.email.clone(),
            subject: one_line(&tr.fill(&format!("mail-{name}-subject"), &values)),
            body: format!("{}{footer}", tr.fill(&format!("mail-{name}-body"), &values)),
        }
    }

    /// What most mails about a proposal fill in.
    fn proposal_args(p: &Proposal) -> Args {
        vec![
            ("receipt", one_line(&p.receipt_number)),
            ("title", one_line(&p.title)),
            ("org", one_line(&p.org_name)),
            ("contact", one_line(&p.contact_name)),
        ]
    }

    fn about<'a>(tenant: &'a Tenant, p: &Proposal, kind: &'a str) -> About<'a> {
        About {
            tenant,
            proposal_id: Some(p.id),
            kind,
        }
    }

    fn status_changed(
        &self,
        tenant: &Tenant,
        p: &Proposal,
        dest: Option<&Tenant>,
    ) -> Vec<OutgoingMail> {
        self.to_each(
            Self::about(tenant, p, "status"),
            &[Recipient::proponent(p)],
            "status",
            |tr| {
                let status = tr.t(&format!("status-{}", p.status));
                let mut args = Self::proposal_args(p);
                args.push(("status", status.clone()));
                let mut extra = String::new();
                if let (Some(reason), Some(explanation)) =
                    (&p.decline_reason, &p.decline_explanation)
                {
                    extra.push_str(&tr.fill(
                        "mail-status-declined",
                        &[
                            ("reason", &tr.t(&format!("decline_reason-{reason}"))),
                            ("explanation", &lines(explanation)),
                        ],
                    ));
                }
                if let Some(code) = &p.referred_to {
                    let dest = dest
                        .map(|d| one_line(&d.full_name()))
                        .unwrap_or_else(|| code.to_string());
                    extra.push_str(&tr.fill("mail-status-referred", &[("dest", &dest)]));
                }
                extra.push_str(&tr.t("mail-status-tail"));
                args.push(("more", extra));
                args
            },
        )
    }

    fn overdue(&self, tenant: &Tenant, item: &Overdue) -> Vec<OutgoingMail> {
        match item {
            Overdue::Routing {
                proposal: p,
                routing,
                recipients,
                ..
            } => self.to_each(
                Self::about(tenant, p, "reminder"),
                recipients,
                "reminder-routing",
                |tr| {
                    let mut args = Self::proposal_args(p);
                    args.push(("department", one_line(&routing.department_name)));
                    args.push(("due", date_for(tr.lang, routing.due_on)));
                    args.push((
                        "link",
                        self.links
                            .department_proposal(&tenant.code, &p.receipt_number),
                    ));
                    args
                },
            ),
            Overdue::FirstResponse {
                proposal: p,
                recipients,
                ..
            } => self.to_each(
                Self::about(tenant, p, "reminder"),
                recipients,
                "reminder-first",
                |tr| {
                    let mut args = Self::proposal_args(p);
                    args.push(("due", date_for(tr.lang, p.first_response_due)));
                    args.push((
                        "link",
                        self.links.desk_proposal(&tenant.code, &p.receipt_number),
                    ));
                    args
                },
            ),
        }
    }
}

impl Mailer for Mails {
    fn mails(&self, event: &DomainEvent<'_>) -> Vec<OutgoingMail> {
        match *event {
            DomainEvent::Submitted {
                tenant,
                proposal,
                to,
                org_name,
                contact_name,
                title,
            } => self.to_each(
                About {
                    tenant,
                    proposal_id: Some(proposal.id),
                    kind: "receipt",
                },
                std::slice::from_ref(to),
                "receipt",
                |_| {
                    vec![
                        ("receipt", one_line(&proposal.receipt_number)),
                        ("title", one_line(title)),
                        ("org", one_line(org_name)),
                        ("contact", one_line(contact_name)),
                        (
                            "link",
                            self.links.tracking(&tenant.code, &proposal.tracking_token),
                        ),
                    ]
                },
            ),
            DomainEvent::StatusChanged {
                tenant,
                proposal,
                dest,
            } => self.status_changed(tenant, proposal, dest),
            DomainEvent::Referred {
                tenant,
                proposal: p,
                copy,
                dest,
                desk,
            } => self.to_each(
                About {
                    tenant: dest,
                    proposal_id: Some(copy.id),
                    kind: "referral",
                },
                desk,
                "referral",
                |_| {
                    vec![
                        // The copy's receipt number is the one the receiving desk knows.
                        ("receipt", one_line(&copy.receipt_number)),
                        ("original", one_line(&p.receipt_number)),
                        ("title", one_line(&p.title)),
                        ("org", one_line(&p.org_name)),
                        ("from", one_line(&tenant.full_name())),
                        ("dest", one_line(&dest.full_name())),
                        (
                            "link",
                            self.links.desk_proposal(&dest.code, &copy.receipt_number),
                        ),
                    ]
                },
            ),
            DomainEvent::MessageToProponent {
                tenant,
                proposal: p,
                body,
            } => self.to_each(
                Self::about(tenant, p, "message"),
                &[Recipient::proponent(p)],
                "message",
                |_| {
                    let mut args = Self::proposal_args(p);
                    args.push(("message", lines(body)));
                    args
                },
            ),
            DomainEvent::MessageToDesk {
                tenant,
                proposal: p,
                desk,
            } => self.to_each(
                Self::about(tenant, p, "message"),
                desk,
                "message-desk",
                |_| {
                    let mut args = Self::proposal_args(p);
                    args.push((
                        "link",
                        self.links.desk_proposal(&tenant.code, &p.receipt_number),
                    ));
                    args
                },
            ),
            DomainEvent::Answered {
                tenant,
                proposal: p,
                department,
                answer,
                desk,
            } => self.to_each(
                Self::about(tenant, p, "answer"),
                desk,
                "answer-desk",
                |tr| {
                    let mut args = Self::proposal_args(p);
                    args.push(("department", one_line(department)));
                    args.push(("answer", tr.t(&answer.label_key())));
                    args.push((
                        "link",
                        self.links.desk_proposal(&tenant.code, &p.receipt_number),
                    ));
                    args
                },
            ),
            DomainEvent::Routed {
                tenant,
                proposal: p,
                department,
                due_on,
                members,
            } => self.to_each(
                Self::about(tenant, p, "routing"),
                members,
                "routing",
                |tr| {
                    let mut args = Self::proposal_args(p);
                    args.push(("department", one_line(department)));
                    args.push(("due", date_for(tr.lang, due_on)));
                    args.push((
                        "link",
                        self.links
                            .department_proposal(&tenant.code, &p.receipt_number),
                    ));
                    args
                },
            ),
            DomainEvent::QuestionAsked {
                tenant,
                proposal: p,
                department,
                due_on,
                desk,
            } => self.to_each(
                Self::about(tenant, p, "question"),
                desk,
                "question-desk",
                |tr| {
                    let mut args = Self::proposal_args(p);
                    args.push(("department", one_line(department)));
                    args.push(("due", date_for(tr.lang, due_on)));
                    args.push((
                        "link",
                        self.links.desk_proposal(&tenant.code, &p.receipt_number),
                    ));
                    args
                },
            ),
            DomainEvent::QuestionReplied {
                tenant,
                proposal: p,
                department,
                due_on,
                members,
            } => self.to_each(
                Self::about(tenant, p, "question-reply"),
                members,
                "question-reply",
                |tr| {
                    let mut args = Self::proposal_args(p);
                    args.push(("department", one_line(department)));
                    args.push(("due", date_for(tr.lang, due_on)));
                    args.push((
                        "link",
                        self.links
                            .department_proposal(&tenant.code, &p.receipt_number),
                    ));
                    args
                },
            ),
            DomainEvent::CallNotice {
                tenant,
                title,
                notice,
                comment,
                ref path,
                to,
            } => self.to_each(
                About {
                    tenant,
                    proposal_id: None,
                    kind: "call",
                },
                to,
                &format!("call-{notice}"),
                |_| {
                    vec![
                        ("title", one_line(title)),
                        ("comment", comment.to_string()),
                        ("link", format!("{}{path}", self.links.base())),
                    ]
                },
            ),
            // No link: a security notice should not invite a click; the desk's home page
            // lists the change.
            DomainEvent::DeskStaffAdded {
                tenant,
                change,
                desk,
            } => self.to_each(
                About {
                    tenant,
                    proposal_id: None,
                    kind: "desk-staff",
                },
                desk,
                "desk-staff",
                |tr| {
                    let (name, email) = (one_line(&change.display_name), one_line(&change.email));
                    let by = match &change.by_name {
                        Some(by_name) => tr.fill(
                            "mail-desk-staff-by",
                            &[
                                ("name", &one_line(by_name)),
                                ("label", &one_line(&change.by_label)),
                            ],
                        ),
                        None if change.by_label == "cli" => tr.t("desk-staff-by-cli"),
                        None => one_line(&change.by_label),
                    };
                    let what = match change.previous_role {
                        Some(prev) => tr.fill(
                            "mail-desk-staff-role",
                            &[
                                ("name", &name),
                                ("email", &email),
                                ("from", &tr.t(prev.label_key())),
                                ("to", &tr.t("role-desk")),
                            ],
                        ),
                        None => {
                            tr.fill("mail-desk-staff-new", &[("name", &name), ("email", &email)])
                        }
                    };
                    let at = parse_db_timestamp(&change.at)
                        .map(|t| moment_for(tr.lang, t))
                        .unwrap_or_else(|| one_line(&change.at));
                    vec![("what", what), ("by", by), ("at", at)]
                },
            ),
            DomainEvent::LinkRequested {
                tenant,
                account_name,
                request,
                lang,
            } => self.to_each(
                About {
                    tenant,
                    proposal_id: None,
                    kind: "link",
                },
                &[Recipient::new(request.email.clone(), lang)],
                "link",
                |tr| {
                    vec![
                        ("name", one_line(account_name)),
                        (
                            "link",
                            self.links.link_confirmation(&tenant.code, &request.token),
                        ),
                        ("expires", moment_for(tr.lang, request.expires_at)),
                    ]
                },
            ),
            // The link is the reason for the mail; it goes only to the account's own address.
            DomainEvent::PasswordReset {
                tenant,
                account_name,
                to,
                link,
            } => {
                let tr = Tr::new(to.lang);
                vec![Self::to_account(
                    tenant,
                    to,
                    "password-reset",
                    "password-reset",
                    vec![
                        ("name", one_line(account_name)),
                        ("link", self.links.password_reset(&link.token)),
                        ("expires", moment_for(tr.lang, link.expires_at)),
                        ("again", self.links.password_forgot()),
                    ],
                )]
            }
            // No link: a security notice should not invite a click.
            DomainEvent::PasswordChanged {
                tenant,
                account_name,
                to,
                at,
            } => {
                let tr = Tr::new(to.lang);
                vec![Self::to_account(
                    tenant,
                    to,
                    "password-changed",
                    "password-changed",
                    vec![
                        ("name", one_line(account_name)),
                        ("at", moment_for(tr.lang, at)),
                    ],
                )]
            }
            DomainEvent::Overdue { tenant, item } => self.overdue(tenant, item),
            DomainEvent::Dormant { tenant, item } => self.to_each(
                About {
                    tenant,
                    proposal_id: None,
                    kind: "dormant",
                },
                &item.recipients,
                "dormant",
                |tr| {
                    vec![
                        ("title", one_line(&item.title)),
                        (
                            "since",
                            item.since
                                .map(|d| date_for(tr.lang, d))
                                .unwrap_or_else(|| "—".into()),
                        ),
                        ("months", item.months.to_string()),
                        (
                            "link",
                            self.links.partnership(&tenant.code, item.partnership_id),
                        ),
                    ]
                },
            ),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use renkei_domain::TenantCode;
    use renkei_domain::proposal::{DeclineReason, Kind, PartnerType, Route, Status};
    use renkei_store::proposals::Submitted;

    fn code(s: &str) -> TenantCode {
        TenantCode::parse(s).unwrap_or_else(|e| panic!("{e:?}"))
    }

    fn day(s: &str) -> chrono::NaiveDate {
        chrono::NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap_or_default()
    }

    fn instant(s: &str) -> chrono::DateTime<chrono::Utc> {
        parse_db_timestamp(s).unwrap_or_default()
    }

    const INJECTED: &str = "\r\nBcc: evil@example.com\nX-Injected: 1\u{2028}\u{85}\rZ";

    fn tenant(extra: &str) -> Tenant {
        Tenant {
            code: "272027".into(),
            kind: "municipality".into(),
            prefecture_code: "270008".into(),
            prefecture_name: format!("大阪府{extra}"),
            name: format!("岸和田市{extra}"),
            prefecture_kana: "オオサカフ".into(),
            name_kana: "キシワダシ".into(),
        }
    }

    fn proposal(extra: &str) -> Proposal {
        Proposal {
            id: 7,
            tenant_code: code("272027"),
            receipt_number: "272027-2026-0001".into(),
            kind: Kind::Proposal,
            route: Route::Free,
            status: Status::Declined,
            partner_id: 1,
            org_name: format!("株式会社だんじり{extra}"),
            partner_type: PartnerType::Company,
            corporate_number: None,
            org_address: String::new(),
            contact_name: format!("岸和田 太郎{extra}"),
            contact_department: String::new(),
            contact_title: String::new(),
            email: "taro@example.co.jp".into(),
            phone: String::new(),
            title: format!("防災訓練{extra}"),
            summary: String::new(),
            details: String::new(),
            fields: vec![],
            offers: vec![],
            expected_effects: String::new(),
            fiscal_burden: false,
            fiscal_explanation: String::new(),
            publication_consent: false,
            referral_consent: true,
            proponent_user_id: None,
            assignee_user_id: None,
            assignee_name: None,
            first_response_due: day("2026-05-01"),
            first_responded_at: None,
            decline_reason: Some(DeclineReason::Other),
            decline_explanation: Some("一行目\n二行目".into()),
            referred_to: Some(code("270008")),
            referred_from_id: None,
            created_at: instant("2026-04-01T00:00:00.000Z"),
            updated_at: instant("2026-04-01T00:00:00.000Z"),
            closed_at: None,
            received_on: day("2026-04-01"),
            fiscal_year: 2026,
            fiscal_justification: None,
            lang: Lang::Ja,
            unseen_answers: 0,
            open_questions: 0,
            privacy_consented_at: None,
        }
    }

    fn routing(extra: &str) -> renkei_store::proposals::Routing {
        renkei_store::proposals::Routing {
            id: 1,
            proposal_id: 7,
            receipt_number: "272027-2026-0001".into(),
            title: format!("防災訓練{extra}"),
            department_id: 3,
            department_name: format!("危機管理課{extra}"),
            question: "ご意見を".into(),
            due_on: day("2026-05-01"),
            requested_at: instant("2026-04-01T00:00:00.000Z"),
            answer: None,
            answer_comment: None,
            answered_by: None,
            answered_at: None,
        }
    }

    /// Every mail the installation sends, with `extra` added to every name and title it
    /// interpolates.
    fn every_mail(extra: &str) -> Vec<OutgoingMail> {
        every_mail_in(extra, Lang::Ja)
    }

    /// The same, with every recipient (and the proposal) in `lang`.
    fn every_mail_in(extra: &str, lang: Lang) -> Vec<OutgoingMail> {
        let t = tenant(extra);
        let p = Proposal {
            lang,
            ..proposal(extra)
        };
        let mails = Mails::new(Links::new("https://renkei.example.jp"));
        let copy = Submitted {
            id: 8,
            receipt_number: "270008-2026-0001".into(),
            tracking_token: "t".into(),
        };
        let desk = vec![Recipient::new("desk@example.jp", lang)];
        let change = renkei_store::users::DeskStaffChange {
            user_id: 3,
            display_name: format!("新任 担当{extra}"),
            email: "new@example.jp".into(),
            previous_role: None,
            by_user_id: Some(1),
            by_label: "admin@example.jp".into(),
            by_name: Some(format!("管理者{extra}")),
            at: "2026-04-01T00:00:00.000Z".into(),
        };
        let request = renkei_store::ownership::LinkRequest {
            token: "tok".into(),
            email: "taro@example.co.jp".into(),
            expires_at: chrono::DateTime::UNIX_EPOCH,
        };
        let routing_item = Overdue::Routing {
            tenant_code: "272027".into(),
            proposal: Box::new(p.clone()),
            routing: Box::new(routing(extra)),
            recipients: vec![Recipient::new("dept@example.jp", lang)],
        };
        let first_item = Overdue::FirstResponse {
            tenant_code: "272027".into(),
            proposal: Box::new(p.clone()),
            recipients: vec![Recipient::new("desk@example.jp", lang)],
        };
        let members = vec![Recipient::new("dept@example.jp", lang)];
        let dormant = renkei_store::partnerships::DormantItem {
            partnership_id: 12,
            title: format!("防災備蓄の連携{extra}"),
            since: Some(day("2025-01-10")),
            months: 12,
            recipients: vec![Recipient::new("desk@example.jp", lang)],
        };
        let proponent = Recipient::new("taro@example.co.jp", lang);
        let reset = renkei_store::password_resets::ResetLink {
            token: "resettoken".into(),
            expires_at: chrono::DateTime::UNIX_EPOCH,
        };
        let events = [
            DomainEvent::Submitted {
                tenant: &t,
                proposal: &copy,
                to: &proponent,
                org_name: &p.org_name,
                contact_name: &p.contact_name,
                title: &p.title,
            },
            DomainEvent::StatusChanged {
                tenant: &t,
                proposal: &p,
                dest: None,
            },
            DomainEvent::MessageToProponent {
                tenant: &t,
                proposal: &p,
                body: "ご連絡です。\n二行目です。",
            },
            DomainEvent::MessageToDesk {
                tenant: &t,
                proposal: &p,
                desk: &desk,
            },
            DomainEvent::Answered {
                tenant: &t,
                proposal: &p,
                department: &format!("危機管理課{extra}"),
                answer: renkei_domain::proposal::Answer::Conditional,
                desk: &desk,
            },
            DomainEvent::Routed {
                tenant: &t,
                proposal: &p,
                department: &format!("危機管理課{extra}"),
                due_on: chrono::NaiveDate::from_ymd_opt(2026, 5, 1).unwrap_or_default(),
                members: &members,
            },
            DomainEvent::QuestionAsked {
                tenant: &t,
                proposal: &p,
                department: &format!("危機管理課{extra}"),
                due_on: chrono::NaiveDate::from_ymd_opt(2026, 5, 1).unwrap_or_default(),
                desk: &desk,
            },
            DomainEvent::QuestionReplied {
                tenant: &t,
                proposal: &p,
                department: &format!("危機管理課{extra}"),
                due_on: chrono::NaiveDate::from_ymd_opt(2026, 5, 1).unwrap_or_default(),
                members: &members,
            },
            DomainEvent::Referred {
                tenant: &t,
                proposal: &p,
                copy: &copy,
                dest: &t,
                desk: &desk,
            },
            DomainEvent::DeskStaffAdded {
                tenant: &t,
                change: &change,
                desk: &desk,
            },
            DomainEvent::LinkRequested {
                tenant: &t,
                account_name: &p.contact_name,
                request: &request,
                lang,
            },
            DomainEvent::Overdue {
                tenant: &t,
                item: &routing_item,
            },
            DomainEvent::Overdue {
                tenant: &t,
                item: &first_item,
            },
            DomainEvent::Dormant {
                tenant: &t,
                item: &dormant,
            },
            DomainEvent::PasswordReset {
                tenant: Some(&t),
                account_name: &p.contact_name,
                to: &proponent,
                link: &reset,
            },
            DomainEvent::PasswordChanged {
                tenant: Some(&t),
                account_name: &p.contact_name,
                to: &proponent,
                at: chrono::DateTime::UNIX_EPOCH,
            },
        ];
        events.iter().flat_map(|e| mails.mails(e)).collect()
    }

    #[test]
    fn mails_read_as_officials_write_them() {
        let all = every_mail("");
        let routing = all
            .iter()
            .find(|m| m.kind == "routing")
            .expect("routing mail");
        assert_eq!(
            routing.subject,
            "【Renkei 庁内照会】272027-2026-0001（回答期限 令和8年5月1日）"
        );
        assert!(
            routing.body.contains(
                "https://renkei.example.jp/t/272027/department/proposals/272027-2026-0001"
            ),
            "{}",
            routing.body
        );
        assert!(
            routing
                .body
                .ends_with("このメールは Renkei から自動送信されています。")
        );
        let receipt = all.iter().find(|m| m.kind == "receipt").expect("receipt");
        assert!(
            receipt
                .body
                .contains("https://renkei.example.jp/t/272027/track/t")
        );
        let status = all.iter().find(|m| m.kind == "status").expect("status");
        assert!(status.body.contains("「不採択」"), "{}", status.body);
        let reminder = all.iter().find(|m| m.kind == "reminder").expect("reminder");
        assert!(reminder.body.contains("令和8年5月1日"), "{}", reminder.body);
        let dormant = all.iter().find(|m| m.kind == "dormant").expect("dormant");
        assert!(dormant.body.contains("令和7年1月10日"), "{}", dormant.body);
        assert!(
            dormant
                .body
                .contains("https://renkei.example.jp/t/272027/partnerships/12"),
            "{}",
            dormant.body
        );
    }

    #[test]
    fn english_mail_reads_as_english() {
        let ja = every_mail("");
        let en = every_mail_in("", Lang::En);
        assert_eq!(ja.len(), en.len());
        // Words of the Japanese templates (names and the desk's name are Japanese in both).
        let japanese = [
            "様",
            "受付",
            "御中",
            "提案",
            "照会",
            "令和",
            "デスク",
            "メール",
            "。",
            "：",
            "【",
        ];
        for (j, e) in ja.iter().zip(&en) {
            assert_eq!((&j.kind, &j.to), (&e.kind, &e.to));
            assert_ne!(j.subject, e.subject);
            for word in japanese {
                let text = e
                    .body
                    .replace("大阪府岸和田市", "")
                    .replace("岸和田 太郎", "")
                    .replace("株式会社だんじり", "")
                    .replace("防災訓練", "")
                    .replace("危機管理課", "")
                    .replace("新任 担当", "")
                    .replace("管理者", "")
                    .replace("ご連絡です。\n二行目です。", "")
                    .replace("一行目\n二行目", "");
                assert!(
                    !text.contains(word) && !e.subject.contains(word),
                    "{}: {word:?} in\n{}\n{}",
                    e.kind,
                    e.subject,
                    e.body
                );
            }
        }
        let routing = en.iter().find(|m| m.kind == "routing").expect("routing");
        assert_eq!(
            routing.subject,
            "[Renkei] Routing request 272027-2026-0001 (please answer by 1 May 2026)"
        );
        assert!(
            routing
                .body
                .ends_with("This mail was sent automatically by Renkei."),
            "{}",
            routing.body
        );
        let receipt = en.iter().find(|m| m.kind == "receipt").expect("receipt");
        assert!(receipt.subject.contains("received"), "{}", receipt.subject);
        let status = en.iter().find(|m| m.kind == "status").expect("status");
        assert!(status.body.contains("\"Declined\""), "{}", status.body);
        assert!(status.body.contains("Reason: Other"), "{}", status.body);
        let staff = en.iter().find(|m| m.kind == "desk-staff").expect("staff");
        assert!(
            staff.body.contains("管理者 (admin@example.jp)")
                && staff.body.contains("1 April 2026, 09:00 JST"),
            "{}",
            staff.body
        );
        let link = en.iter().find(|m| m.kind == "link").expect("link");
        assert!(
            link.body.contains("1 January 1970, 09:00 JST"),
            "{}",
            link.body
        );
    }

    /// One event, several recipients: each gets the mail in their own language.
    #[test]
    fn each_recipient_reads_their_own_language() {
        let (t, p) = (tenant(""), proposal(""));
        let mails = Mails::new(Links::new("https://renkei.example.jp"));
        let members = [
            Recipient::new("a@example.jp", Lang::Ja),
            Recipient::new("b@example.jp", Lang::En),
        ];
        let sent = mails.mails(&DomainEvent::Routed {
            tenant: &t,
            proposal: &p,
            department: "危機管理課",
            due_on: day("2026-12-01"),
            members: &members,
        });
        assert_eq!(sent.len(), 2);
        assert_eq!(sent[0].to, "a@example.jp");
        assert!(sent[0].subject.contains("庁内照会") && sent[0].subject.contains("令和8年12月1日"));
        assert_eq!(sent[1].to, "b@example.jp");
        assert!(
            sent[1].subject.contains("Routing request")
                && sent[1].subject.contains("1 December 2026"),
            "{}",
            sent[1].subject
        );
    }

    #[test]
    fn the_reset_mail_carries_the_configured_link_and_says_what_to_do() {
        for lang in Lang::ALL {
            let all = every_mail_in("", lang);
            let reset = all
                .iter()
                .find(|m| m.kind == "password-reset")
                .expect("reset mail");
            assert!(
                reset
                    .body
                    .contains("https://renkei.example.jp/password/reset/resettoken"),
                "{}",
                reset.body
            );
            assert!(
                reset
                    .body
                    .contains("https://renkei.example.jp/password/forgot"),
                "{}",
                reset.body
            );
            let changed = all
                .iter()
                .find(|m| m.kind == "password-changed")
                .expect("changed mail");
            assert!(!changed.body.contains("https://"), "{}", changed.body);
            assert_eq!(reset.tenant_code.as_deref(), Some("272027"));
        }
        let ja = every_mail("");
        let reset = ja.iter().find(|m| m.kind == "password-reset").expect("ja");
        assert_eq!(reset.subject, "【大阪府岸和田市】パスワード再設定のご案内");
        assert!(reset.body.contains("有効期限は1時間"), "{}", reset.body);
        assert!(
            reset
                .body
                .contains("心当たりがない場合は、このメールを破棄")
        );
        let changed = ja
            .iter()
            .find(|m| m.kind == "password-changed")
            .expect("ja");
        assert_eq!(
            changed.subject,
            "【大阪府岸和田市】パスワードが変更されました"
        );
        // The operator has no local government: the installation signs the mail.
        let mails = Mails::new(Links::new("https://renkei.example.jp/"));
        let op = mails.mails(&DomainEvent::PasswordReset {
            tenant: None,
            account_name: "運用者",
            to: &Recipient::new("op@example.jp", Lang::Ja),
            link: &renkei_store::password_resets::ResetLink {
                token: "t".into(),
                expires_at: chrono::DateTime::UNIX_EPOCH,
            },
        });
        assert_eq!(op.len(), 1);
        assert_eq!(op[0].tenant_code, None);
        assert_eq!(op[0].subject, "【Renkei】パスワード再設定のご案内");
        assert!(
            op[0]
                .body
                .contains("https://renkei.example.jp/password/reset/t")
        );
        assert!(
            op[0]
                .body
                .ends_with("このメールは Renkei から自動送信されています。")
        );
    }

    #[test]
    fn a_placeholder_typed_by_a_proponent_stays_as_typed() {
        let all = every_mail("{link}{due}");
        let routing = all
            .iter()
            .find(|m| m.kind == "routing")
            .expect("routing mail");
        assert!(
            routing.body.contains("件名：防災訓練{link}{due}"),
            "{}",
            routing.body
        );
    }

    #[test]
    fn one_line_collapses_line_breaks_and_control_characters() {
        assert_eq!(one_line("a\r\nb"), "a b");
        assert_eq!(one_line("a\n\n\tb\u{2028}c\u{85}d"), "a b c d");
        assert_eq!(one_line("\r\nab\n"), "ab");
        assert_eq!(
            one_line("❤\u{FE0F}葛\u{E0100}か\u{3099}"),
            "❤\u{FE0F}葛\u{E0100}か\u{3099}"
        );
        assert_eq!(lines("a\r\nb\rc\u{0}d\te"), "a\nb\ncd\te");
    }

    #[test]
    fn names_and_titles_cannot_add_lines_to_a_mail() {
        for lang in Lang::ALL {
            lines_hold_in(lang);
        }
    }

    fn lines_hold_in(lang: Lang) {
        let plain = every_mail_in("", lang);
        let hostile = every_mail_in(INJECTED, lang);
        assert_eq!(plain.len(), hostile.len());
        assert_eq!(plain.len(), 16, "every kind of mail is covered");
        for (p, h) in plain.iter().zip(&hostile) {
            assert!(
                !h.subject.chars().any(|c| c.is_control() || c == '\u{2028}'),
                "{:?}",
                h.subject
            );
            assert_eq!(
                p.body.lines().count(),
                h.body.lines().count(),
                "{}: the body keeps its lines\n{}",
                h.kind,
                h.body
            );
            assert!(!h.body.contains('\r'), "{}", h.body);
            for line in h.body.lines() {
                assert!(
                    !line.starts_with("Bcc:") && !line.starts_with("X-Injected:"),
                    "{}: {line}",
                    h.kind
                );
            }
            // The names are still there, on their line.
            assert!(
                h.body.contains("Bcc: evil@example.com X-Injected: 1") || h.kind != "receipt",
                "{}",
                h.body
            );
        }
        // Multi-line text keeps its lines.
        assert!(plain[2].body.contains("ご連絡です。\n二行目です。"));
        assert!(plain[1].body.contains("一行目\n二行目"));
    }
}
