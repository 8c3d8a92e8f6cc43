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
    OutgoingMail {
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
    }
}

/// A status change, told to the proponent (with the reason when declined).
pub fn status_changed(tenant: &Tenant, p: &Proposal, tracking_hint: &str) -> OutgoingMail {
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
    OutgoingMail {
        tenant_code: Some(tenant.code.clone()),
        proposal_id: Some(p.id),
        kind: "status".into(),
        to: p.email.clone(),
        subject: format!("【{}】{}：{status}", tenant.full_name(), p.receipt_number),
        body,
    }
}

/// A message from the desk to the proponent.
pub fn message_to_proponent(tenant: &Tenant, p: &Proposal, message: &str) -> OutgoingMail {
    OutgoingMail {
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
    }
}

/// A message from the proponent, told to the desk.
pub fn message_to_desk(tenant: &Tenant, p: &Proposal, to: &str, link: &str) -> OutgoingMail {
    OutgoingMail {
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
    }
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
    OutgoingMail {
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
    }
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
    OutgoingMail {
        tenant_code: Some(dest.code.clone()),
        proposal_id: Some(copy.id),
        kind: "referral".into(),
        to: to.into(),
        subject: format!(
            "【Renkei】{}からの紹介：{}",
            from.full_name(),
            copy.receipt_number
        ),
        body: format!(
            "{} 公民連携デスク 御中\n\n{} 公民連携デスクから、提案者の同意を得て次の提案が紹介されました。\n             受付番号：{}（紹介元 {}）\n件名：{}\n提案者：{}\n\n内容は Renkei にログインしてご確認ください。\n{link}{}",
            dest.full_name(),
            from.full_name(),
            copy.receipt_number,
            p.receipt_number,
            p.title,
            p.org_name,
            footer(dest)
        ),
    }
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
}

/// Reminders for what is overdue (no proposal content: it stays behind sign-in).
pub fn overdue_reminders(
    item: &renkei_store::reminders::Overdue,
    tenant: &Tenant,
    base: &str,
) -> Vec<OutgoingMail> {
    use renkei_store::reminders::Overdue;
    match item {
        Overdue::Routing { proposal, routing, recipients, .. } => recipients
            .iter()
            .map(|to| OutgoingMail {
                tenant_code: Some(tenant.code.clone()),
                proposal_id: Some(proposal.id),
                kind: "reminder".into(),
                to: to.clone(),
                subject: format!("【Renkei 督促】庁内照会 {} の回答期限を過ぎています", proposal.receipt_number),
                body: format!(
                    "{} 御中\n\n受付番号 {} 「{}」への庁内照会の回答期限（{}）を過ぎています。\nRenkei にログインして回答してください。\n{base}/t/{}/department/proposals/{}{}",
                    routing.department_name,
                    proposal.receipt_number,
                    proposal.title,
                    routing.due_on,
                    tenant.code,
                    proposal.receipt_number,
                    footer(tenant)
                ),
            })
            .collect(),
        Overdue::FirstResponse { proposal, recipients, .. } => recipients
            .iter()
            .map(|to| OutgoingMail {
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
            })
            .collect(),
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
