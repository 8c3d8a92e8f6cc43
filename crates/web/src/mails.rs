//! The text of every mail the desk sends, in Japanese (the official language of the
//! correspondence), queued through the outbox by the store in the same transaction as the
//! change it reports.

use crate::i18n::{Lang, Tr};
use renkei_store::outbox::OutgoingMail;
use renkei_store::proposals::Proposal;
use renkei_store::tenants::Tenant;

fn tr() -> Tr {
    Tr::new(Lang::Ja)
}

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

/// The tenant with its names on one line each.
fn safe_tenant(t: &Tenant) -> Tenant {
    Tenant {
        code: one_line(&t.code),
        prefecture_name: one_line(&t.prefecture_name),
        name: one_line(&t.name),
        ..t.clone()
    }
}

/// The proposal with what a mail interpolates on one line (names, title, numbers) or as
/// clean lines (the decline explanation).
fn safe_proposal(p: &Proposal) -> Proposal {
    Proposal {
        receipt_number: one_line(&p.receipt_number),
        org_name: one_line(&p.org_name),
        contact_name: one_line(&p.contact_name),
        title: one_line(&p.title),
        first_response_due: one_line(&p.first_response_due),
        referred_to: p.referred_to.as_deref().map(one_line),
        decline_explanation: p.decline_explanation.as_deref().map(lines),
        ..p.clone()
    }
}

/// Every mail leaves here with a one-line subject.
fn checked(mut m: OutgoingMail) -> OutgoingMail {
    m.subject = one_line(&m.subject);
    m
}

fn footer(tenant: &Tenant) -> String {
    format!(
        "\n\n--\n{} 公民連携デスク\nこのメールは Renkei から自動送信されています。",
        tenant.full_name()
    )
}

/// Receipt of a submission, with the private tracking link.
#[allow(clippy::too_many_arguments)]
pub fn receipt(
    tenant: &Tenant,
    proposal_id: i64,
    to: &str,
    org: &str,
    contact: &str,
    title: &str,
    receipt_number: &str,
    tracking_url: &str,
) -> OutgoingMail {
    let tenant = &safe_tenant(tenant);
    let (org, contact, title) = (one_line(org), one_line(contact), one_line(title));
    let (receipt_number, tracking_url) = (one_line(receipt_number), one_line(tracking_url));
    checked(OutgoingMail {
        tenant_code: Some(tenant.code.clone()),
        proposal_id: Some(proposal_id),
        kind: "receipt".into(),
        to: to.into(),
        subject: format!("【{}】受付番号 {receipt_number}", tenant.full_name()),
        body: format!(
            "{org}\n{contact} 様\n\n{} 公民連携デスクへのご提案・ご相談を受け付けました。\n\n受付番号：{receipt_number}\n件名：{title}\n\n\
             次のリンクから、進み具合の確認、デスクとのやり取り、取下げができます。\nこのリンクはご本人専用です。他の方に知らせないでください。\n{tracking_url}{}",
            tenant.full_name(),
            footer(tenant)
        ),
    })
}

/// A status change, told to the proponent (with the reason when declined).
pub fn status_changed(tenant: &Tenant, p: &Proposal, tracking_hint: &str) -> OutgoingMail {
    let (tenant, p) = (&safe_tenant(tenant), &safe_proposal(p));
    let tr = tr();
    let status = tr.t(&format!("status-{}", p.status));
    let mut body = format!(
        "{}\n{} 様\n\n受付番号 {} 「{}」の状況が「{status}」になりました。\n",
        p.org_name, p.contact_name, p.receipt_number, p.title
    );
    if let (Some(reason), Some(explanation)) = (&p.decline_reason, &p.decline_explanation) {
        body.push_str(&format!(
            "\n理由：{}\n{}\n",
            tr.t(&format!("decline_reason-{reason}")),
            explanation
        ));
    }
    if let Some(to) = &p.referred_to {
        body.push_str(&format!(
            "\nご同意いただいたとおり、団体コード {to} の公民連携デスクへご紹介しました。\n"
        ));
    }
    body.push_str(&format!(
        "\n詳しくは受付時にお送りしたリンクからご確認ください。{tracking_hint}"
    ));
    body.push_str(&footer(tenant));
    checked(OutgoingMail {
        tenant_code: Some(tenant.code.clone()),
        proposal_id: Some(p.id),
        kind: "status".into(),
        to: p.email.clone(),
        subject: format!("【{}】{}：{status}", tenant.full_name(), p.receipt_number),
        body,
    })
}

/// A message from the desk to the proponent.
pub fn message_to_proponent(tenant: &Tenant, p: &Proposal, message: &str) -> OutgoingMail {
    let (tenant, p, message) = (&safe_tenant(tenant), &safe_proposal(p), lines(message));
    checked(OutgoingMail {
        tenant_code: Some(tenant.code.clone()),
        proposal_id: Some(p.id),
        kind: "message".into(),
        to: p.email.clone(),
        subject: format!(
            "【{}】{}：デスクからのメッセージ",
            tenant.full_name(),
            p.receipt_number
        ),
        body: format!(
            "{}\n{} 様\n\n受付番号 {} 「{}」について、公民連携デスクからメッセージが届いています。\n\n{message}\n\n\
             ご返信は受付時にお送りしたリンクからお願いします。{}",
            p.org_name,
            p.contact_name,
            p.receipt_number,
            p.title,
            footer(tenant)
        ),
    })
}

/// A message from the proponent, told to the desk.
pub fn message_to_desk(tenant: &Tenant, p: &Proposal, to: &str, link: &str) -> OutgoingMail {
    let (tenant, p, link) = (&safe_tenant(tenant), &safe_proposal(p), one_line(link));
    checked(OutgoingMail {
        tenant_code: Some(tenant.code.clone()),
        proposal_id: Some(p.id),
        kind: "message".into(),
        to: to.into(),
        subject: format!("【Renkei】{}：提案者からのメッセージ", p.receipt_number),
        body: format!(
            "受付番号 {} 「{}」（{}）に提案者からメッセージが届きました。\n内容は Renkei でご確認ください（機密のためメールには記載しません）。\n{link}{}",
            p.receipt_number,
            p.title,
            p.org_name,
            footer(tenant)
        ),
    })
}

/// A routing request to a department member (no proposal content in the mail: it is
/// confidential and lives behind sign-in).
pub fn routing_request(
    tenant: &Tenant,
    p: &Proposal,
    to: &str,
    department: &str,
    due: &str,
    link: &str,
) -> OutgoingMail {
    let (tenant, p) = (&safe_tenant(tenant), &safe_proposal(p));
    let (department, due, link) = (one_line(department), one_line(due), one_line(link));
    checked(OutgoingMail {
        tenant_code: Some(tenant.code.clone()),
        proposal_id: Some(p.id),
        kind: "routing".into(),
        to: to.into(),
        subject: format!("【Renkei 庁内照会】{}（回答期限 {due}）", p.receipt_number),
        body: format!(
            "{department} 御中\n\n公民連携デスクから庁内照会が届いています。\n受付番号：{}\n件名：{}\n回答期限：{due}\n\n\
             内容の確認と回答は Renkei にログインして行ってください。\n{link}{}",
            p.receipt_number,
            p.title,
            footer(tenant)
        ),
    })
}

/// A referred proposal, told to the receiving desk (the content is behind sign-in).
pub fn referral_to_desk(
    from: &Tenant,
    p: &Proposal,
    copy: &renkei_store::proposals::Submitted,
    dest: &Tenant,
    to: &str,
    link: &str,
) -> OutgoingMail {
    let (from, dest, p) = (&safe_tenant(from), &safe_tenant(dest), &safe_proposal(p));
    let (copy_receipt, link) = (one_line(&copy.receipt_number), one_line(link));
    checked(OutgoingMail {
        tenant_code: Some(dest.code.clone()),
        proposal_id: Some(copy.id),
        kind: "referral".into(),
        to: to.into(),
        subject: format!("【Renkei】{}からの紹介：{}", from.full_name(), copy_receipt),
        body: format!(
            "{} 公民連携デスク 御中\n\n{} 公民連携デスクから、提案者の同意を得て次の提案が紹介されました。\n受付番号：{}（紹介元 {}）\n件名：{}\n提案者：{}\n\n内容は Renkei にログインしてご確認ください。\n{link}{}",
            dest.full_name(),
            from.full_name(),
            copy_receipt,
            p.receipt_number,
            p.title,
            p.org_name,
            footer(dest)
        ),
    })
}

/// A new desk account (or an account given the desk role), told to the tenant's other desk
/// staff: desk staff read every proposal under consideration, so no one joins quietly. No
/// link: a security notice should not invite a click; the desk's home page lists the change.
pub fn desk_account_added(
    tenant: &Tenant,
    change: &renkei_store::users::DeskStaffChange,
    to: &str,
) -> OutgoingMail {
    let tenant = &safe_tenant(tenant);
    let tr = tr();
    let (name, email) = (one_line(&change.display_name), one_line(&change.email));
    let by = match &change.by_name {
        Some(by_name) => format!("{}（{}）", one_line(by_name), one_line(&change.by_label)),
        None if change.by_label == "cli" => tr.t("desk-staff-by-cli"),
        None => one_line(&change.by_label),
    };
    let what = match change.previous_role {
        Some(prev) => format!(
            "{name}（{email}）の役割が「{}」から「{}」に変更されました。",
            tr.t(prev.label_key()),
            tr.t("role-desk")
        ),
        None => format!("デスク担当のアカウント {name}（{email}）が追加されました。"),
    };
    let at = renkei_domain::time::parse_db_timestamp(&change.at)
        .map(renkei_domain::time::wareki_datetime_jst)
        .unwrap_or_else(|| one_line(&change.at));
    checked(OutgoingMail {
        tenant_code: Some(tenant.code.clone()),
        proposal_id: None,
        kind: "desk-staff".into(),
        to: to.into(),
        subject: format!("【{}】デスク担当が追加されました", tenant.full_name()),
        body: format!(
            "{} 公民連携デスク 担当者各位\n\n{what}\nデスク担当は、検討中の提案をすべて閲覧できます。\n\n\
             操作した人：{by}\n日時：{at}\n\n\
             心当たりがない場合は、速やかに管理者に確認してください。\n\
             この追加は、Renkei にログインするとデスクのホーム画面でも確認できます。{}",
            tenant.full_name(),
            footer(tenant)
        ),
    })
}

/// The confirmation that links a proponent account to the proposals sent from its address:
/// the link works once, for that account, until it expires.
pub fn proposal_link_confirmation(
    tenant: &Tenant,
    to: &str,
    account_name: &str,
    link: &str,
    expires_at: &str,
) -> OutgoingMail {
    let tenant = &safe_tenant(tenant);
    let (account_name, link, expires_at) =
        (one_line(account_name), one_line(link), one_line(expires_at));
    checked(OutgoingMail {
        tenant_code: Some(tenant.code.clone()),
        proposal_id: None,
        kind: "link".into(),
        to: to.into(),
        subject: format!(
            "【{}】提案をアカウントに追加するための確認",
            tenant.full_name()
        ),
        body: format!(
            "{account_name} 様\n\n{} 公民連携デスクの提案者アカウントから、このメールアドレスで送信された提案を\n\
             アカウントに追加するお申込みがありました。\n\n\
             追加するには、提案者アカウントでログインしたまま、次のリンクを開いてください。\n{link}\n\n\
             このリンクは1回だけ使えます。有効期限：{expires_at}\n\
             お申込みに心当たりがない場合は、このメールを破棄してください。提案が追加されることはありません。{}",
            tenant.full_name(),
            footer(tenant)
        ),
    })
}

/// The mails a status change sends: the proponent hears of it; on a referral the receiving
/// desk's staff hear of the linked copy too. Recipients are looked up before the change, the
/// mails are composed inside its transaction.
pub async fn for_transition(
    store: &renkei_store::Store,
    tenant: &Tenant,
    t: &renkei_domain::proposal::Transition,
    base: &str,
) -> renkei_store::Result<
    impl FnOnce(&Proposal, Option<&renkei_store::proposals::Submitted>) -> Vec<OutgoingMail>
    + Send
    + use<>,
> {
    let dest = match t {
        renkei_domain::proposal::Transition::Refer { to } => {
            match store.tenant(&to.to_string()).await {
                Ok(dest) => {
                    let desk: Vec<String> = store
                        .users_in_tenant(&dest.code)
                        .await?
                        .into_iter()
                        .filter(|u| u.role == renkei_domain::Role::Desk && !u.disabled)
                        .map(|u| u.email)
                        .collect();
                    Some((dest, desk))
                }
                // An unknown destination is refused by the store with its own message.
                Err(renkei_store::StoreError::NotFound) => None,
                Err(e) => return Err(e),
            }
        }
        _ => None,
    };
    let tenant = tenant.clone();
    let base = base.to_string();
    Ok(
        move |p: &Proposal, copy: Option<&renkei_store::proposals::Submitted>| {
            let mut mails = vec![status_changed(&tenant, p, "")];
            if let (Some((dest, desk)), Some(copy)) = (&dest, copy) {
                let link = format!(
                    "{base}/t/{}/desk/proposals/{}",
                    dest.code, copy.receipt_number
                );
                mails.extend(
                    desk.iter()
                        .map(|to| referral_to_desk(&tenant, p, copy, dest, to, &link)),
                );
            }
            mails
        },
    )
}

/// The wording above, handed to the store for the demo data.
pub struct DeskMails;

impl renkei_store::mail_texts::MailTexts for DeskMails {
    fn receipt(
        &self,
        tenant: &Tenant,
        proposal_id: i64,
        to: &str,
        org: &str,
        contact: &str,
        title: &str,
        receipt_number: &str,
        tracking_url: &str,
    ) -> OutgoingMail {
        receipt(
            tenant,
            proposal_id,
            to,
            org,
            contact,
            title,
            receipt_number,
            tracking_url,
        )
    }

    fn status_changed(&self, tenant: &Tenant, p: &Proposal) -> OutgoingMail {
        status_changed(tenant, p, "")
    }

    fn message_to_proponent(&self, tenant: &Tenant, p: &Proposal, message: &str) -> OutgoingMail {
        message_to_proponent(tenant, p, message)
    }

    fn message_to_desk(&self, tenant: &Tenant, p: &Proposal, to: &str, link: &str) -> OutgoingMail {
        message_to_desk(tenant, p, to, link)
    }

    fn routing_request(
        &self,
        tenant: &Tenant,
        p: &Proposal,
        to: &str,
        department: &str,
        due: &str,
        link: &str,
    ) -> OutgoingMail {
        routing_request(tenant, p, to, department, due, link)
    }

    fn referral_to_desk(
        &self,
        from: &Tenant,
        p: &Proposal,
        copy: &renkei_store::proposals::Submitted,
        dest: &Tenant,
        to: &str,
        link: &str,
    ) -> OutgoingMail {
        referral_to_desk(from, p, copy, dest, to, link)
    }

    fn desk_account_added(
        &self,
        tenant: &Tenant,
        change: &renkei_store::users::DeskStaffChange,
        to: &str,
    ) -> OutgoingMail {
        desk_account_added(tenant, change, to)
    }
}

/// Reminders for what is overdue (no proposal content: it stays behind sign-in).
pub fn overdue_reminders(
    item: &renkei_store::reminders::Overdue,
    tenant: &Tenant,
    base: &str,
) -> Vec<OutgoingMail> {
    use renkei_store::reminders::Overdue;
    let tenant = &safe_tenant(tenant);
    let base = one_line(base);
    match item {
        Overdue::Routing {
            proposal,
            routing,
            recipients,
            ..
        } => {
            let (proposal, department) =
                (safe_proposal(proposal), one_line(&routing.department_name));
            recipients
                .iter()
                .map(|to| checked(OutgoingMail {
                    tenant_code: Some(tenant.code.clone()),
                    proposal_id: Some(proposal.id),
                    kind: "reminder".into(),
                    to: to.clone(),
                    subject: format!("【Renkei 督促】庁内照会 {} の回答期限を過ぎています", proposal.receipt_number),
                    body: format!(
                        "{} 御中\n\n受付番号 {} 「{}」への庁内照会の回答期限（{}）を過ぎています。\nRenkei にログインして回答してください。\n{base}/t/{}/department/proposals/{}{}",
                        department,
                        proposal.receipt_number,
                        proposal.title,
                        routing.due_on,
                        tenant.code,
                        proposal.receipt_number,
                        footer(tenant)
                    ),
                }))
                .collect()
        }
        Overdue::FirstResponse {
            proposal,
            recipients,
            ..
        } => {
            let proposal = safe_proposal(proposal);
            recipients
                .iter()
                .map(|to| checked(OutgoingMail {
                    tenant_code: Some(tenant.code.clone()),
                    proposal_id: Some(proposal.id),
                    kind: "reminder".into(),
                    to: to.clone(),
                    subject: format!("【Renkei 督促】{} の初回回答期限を過ぎています", proposal.receipt_number),
                    body: format!(
                        "受付番号 {} 「{}」（{}）の初回回答期限（{}）を過ぎています。\n提案者への最初の連絡をお願いします。\n{base}/t/{}/desk/proposals/{}{}",
                        proposal.receipt_number,
                        proposal.title,
                        proposal.org_name,
                        proposal.first_response_due,
                        tenant.code,
                        proposal.receipt_number,
                        footer(tenant)
                    ),
                }))
                .collect()
        }
    }
}

/// Queues today's overdue reminders for every tenant (run periodically by `renkei serve`).
pub async fn queue_reminders(
    store: &renkei_store::Store,
    base: &str,
) -> renkei_store::Result<usize> {
    use renkei_store::reminders::Overdue;
    // Items only exist in tenants with accounts (someone routed or received them).
    let tenants: std::collections::HashMap<String, Tenant> = store
        .tenants_with_accounts()
        .await?
        .into_iter()
        .map(|t| (t.code.clone(), t))
        .collect();
    store
        .queue_overdue_reminders(|item| {
            let (Overdue::Routing { tenant_code, .. } | Overdue::FirstResponse { tenant_code, .. }) = item;
            tenants
                .get(tenant_code)
                .map(|t| overdue_reminders(item, t, base))
                .unwrap_or_default()
        })
        .await
}

#[cfg(test)]
mod tests {
    use super::*;
    use renkei_store::proposals::Submitted;
    use renkei_store::reminders::Overdue;

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
            tenant_code: "272027".into(),
            receipt_number: "272027-2026-0001".into(),
            kind: "proposal".into(),
            route: "free".into(),
            status: "declined".into(),
            partner_id: 1,
            org_name: format!("株式会社だんじり{extra}"),
            partner_type: "company".into(),
            corporate_number: None,
            contact_name: format!("岸和田 太郎{extra}"),
            email: "taro@example.co.jp".into(),
            phone: String::new(),
            title: format!("防災訓練{extra}"),
            summary: String::new(),
            details: String::new(),
            fields: vec![],
            offers: vec![],
            expected_effects: String::new(),
            fiscal_burden: "none".into(),
            fiscal_explanation: String::new(),
            publication_consent: false,
            referral_consent: true,
            proponent_user_id: None,
            assignee_user_id: None,
            assignee_name: None,
            first_response_due: "2026-05-01".into(),
            first_responded_at: None,
            decline_reason: Some("other".into()),
            decline_explanation: Some("一行目\n二行目".into()),
            referred_to: Some("270008".into()),
            referred_from_id: None,
            created_at: "2026-04-01T00:00:00.000Z".into(),
            updated_at: "2026-04-01T00:00:00.000Z".into(),
            closed_at: None,
            received_on: "2026-04-01".into(),
            fiscal_year: 2026,
            fiscal_justification: None,
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
            due_on: "2026-05-01".into(),
            requested_at: "2026-04-01T00:00:00.000Z".into(),
            answer: None,
            answer_comment: None,
            answered_by: None,
            answered_at: None,
        }
    }

    /// Every mail the desk sends, with `extra` added to every name and title it interpolates.
    fn every_mail(extra: &str) -> Vec<OutgoingMail> {
        let (t, p) = (tenant(extra), proposal(extra));
        let copy = Submitted {
            id: 8,
            receipt_number: "270008-2026-0001".into(),
            tracking_token: "t".into(),
        };
        let link = "https://renkei.example.jp/t/272027/desk/proposals/272027-2026-0001";
        let mut all = vec![
            receipt(
                &t,
                7,
                "taro@example.co.jp",
                &p.org_name,
                &p.contact_name,
                &p.title,
                &p.receipt_number,
                link,
            ),
            status_changed(&t, &p, ""),
            message_to_proponent(&t, &p, "ご連絡です。\n二行目です。"),
            message_to_desk(&t, &p, "desk@example.jp", link),
            routing_request(
                &t,
                &p,
                "dept@example.jp",
                &format!("危機管理課{extra}"),
                "令和8年5月1日",
                link,
            ),
            referral_to_desk(&t, &p, &copy, &tenant(extra), "desk@example.jp", link),
        ];
        all.extend(overdue_reminders(
            &Overdue::Routing {
                tenant_code: "272027".into(),
                proposal: Box::new(p.clone()),
                routing: Box::new(routing(extra)),
                recipients: vec!["dept@example.jp".into()],
            },
            &t,
            "https://renkei.example.jp",
        ));
        all.extend(overdue_reminders(
            &Overdue::FirstResponse {
                tenant_code: "272027".into(),
                proposal: Box::new(p),
                recipients: vec!["desk@example.jp".into()],
            },
            &t,
            "https://renkei.example.jp",
        ));
        all
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
        let plain = every_mail("");
        let hostile = every_mail(INJECTED);
        assert_eq!(plain.len(), hostile.len());
        assert_eq!(plain.len(), 8, "every kind of mail is covered");
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
