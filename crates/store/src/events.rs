//! What a change tells people. A write that someone must hear about emits a [`DomainEvent`]
//! inside its own transaction; the [`Mailer`] it was handed turns the event into outbox
//! messages, which commit with the change (so neither exists without the other).
//!
//! The store decides *who* hears (the proponent, the department's members, the receiving
//! desk's staff: it reads them inside the transaction), each as a [`Recipient`] with the
//! language they read (an account's stored choice; for the proponent, the language the
//! proposal was sent in), and hands over the rows as they are after the change; the wording
//! and the links are the mailer's (`renkei_app::mailer`), which writes each recipient's mail
//! in their language. No caller composes mail text.

use crate::outbox::OutgoingMail;
use crate::ownership::LinkRequest;
use crate::password_resets::ResetLink;
use crate::proposals::{Proposal, Submitted};
use crate::reminders::Overdue;
use crate::tenants::Tenant;
use crate::users::DeskStaffChange;
use crate::{Result, WriteTx, rows};
use chrono::{DateTime, NaiveDate, Utc};
use renkei_domain::Lang;
use renkei_domain::proposal::Answer;

/// Someone a mail goes to, with the language it is written in for them: an account's own
/// choice, or for a proponent the language the proposal was sent in.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Recipient {
    pub email: String,
    pub lang: Lang,
}

impl Recipient {
    pub fn new(email: impl Into<String>, lang: Lang) -> Self {
        Self {
            email: email.into(),
            lang,
        }
    }

    /// An account's address and language (`email` and `lang` of `users`).
    pub(crate) fn from_user_row(r: &sqlx::any::AnyRow) -> Result<Self> {
        use sqlx::Row;
        Ok(Self {
            email: r.try_get("email")?,
            lang: rows::lang(r, "users", "lang")?,
        })
    }

    /// A proposal's proponent: its address, in the language it was sent in.
    pub fn proponent(p: &Proposal) -> Self {
        Self::new(p.email.clone(), p.lang)
    }
}

/// Something that happened, with everything a message about it needs.
#[derive(Debug)]
pub enum DomainEvent<'a> {
    /// A proposal was received (public intake, a referral's copy does not count here).
    Submitted {
        tenant: &'a Tenant,
        proposal: &'a Submitted,
        /// The proposal's address, in the language it was sent in.
        to: &'a Recipient,
        org_name: &'a str,
        contact_name: &'a str,
        title: &'a str,
    },
    /// The lifecycle moved (by the desk, or a withdrawal by the proponent).
    StatusChanged {
        tenant: &'a Tenant,
        proposal: &'a Proposal,
        /// Where it was referred to, on a referral.
        dest: Option<&'a Tenant>,
    },
    /// A proposal was referred: `copy` is the linked copy at `dest`, whose active desk
    /// staff are `desk`.
    Referred {
        tenant: &'a Tenant,
        proposal: &'a Proposal,
        copy: &'a Submitted,
        dest: &'a Tenant,
        desk: &'a [Recipient],
    },
    /// The desk wrote to the proponent.
    MessageToProponent {
        tenant: &'a Tenant,
        proposal: &'a Proposal,
        body: &'a str,
    },
    /// The proponent wrote to the desk (whose active staff are `desk`).
    MessageToDesk {
        tenant: &'a Tenant,
        proposal: &'a Proposal,
        desk: &'a [Recipient],
    },
    /// A department was asked (庁内照会); `members` are its active members.
    Routed {
        tenant: &'a Tenant,
        proposal: &'a Proposal,
        department: &'a str,
        due_on: NaiveDate,
        members: &'a [Recipient],
    },
    /// A department answered a routing (庁内照会の回答); `desk` are the desk staff to tell (the
    /// proposal's assignee, or every active desk account when nobody is assigned).
    Answered {
        tenant: &'a Tenant,
        proposal: &'a Proposal,
        department: &'a str,
        answer: Answer,
        desk: &'a [Recipient],
    },
    /// A department asked the desk a question about a routing it has not answered (照会);
    /// `desk` as for [`DomainEvent::Answered`]. The routing's deadline is `due_on`.
    QuestionAsked {
        tenant: &'a Tenant,
        proposal: &'a Proposal,
        department: &'a str,
        due_on: NaiveDate,
        desk: &'a [Recipient],
    },
    /// The desk replied to a department's question; `members` are the department's active
    /// members.
    QuestionReplied {
        tenant: &'a Tenant,
        proposal: &'a Proposal,
        department: &'a str,
        due_on: NaiveDate,
        members: &'a [Recipient],
    },
    /// An account became desk staff; `desk` are the tenant's other active desk accounts.
    DeskStaffAdded {
        tenant: &'a Tenant,
        change: &'a DeskStaffChange,
        desk: &'a [Recipient],
    },
    /// Something happened to an open call that `to` must hear of. `notice` names the mail
    /// (`mail-call-<notice>-…`): `submitted` (to the desk), `returned` (with the desk's
    /// `comment`) and `published` (to the department's members), `evaluator` (to an evaluator
    /// just assigned). `path` is the page to open.
    CallNotice {
        tenant: &'a Tenant,
        title: &'a str,
        notice: &'static str,
        comment: &'a str,
        path: String,
        to: &'a [Recipient],
    },
    /// A proponent account asked to link the proposals sent from its address.
    LinkRequested {
        tenant: &'a Tenant,
        account_name: &'a str,
        request: &'a LinkRequest,
        /// The account's language.
        lang: Lang,
    },
    /// Someone asked for a password reset link for an active account (or its tenant's
    /// administrator had one sent): the mail carries the link, to the account's address, in
    /// its language. `tenant` is the account's local government (none for the operator).
    PasswordReset {
        tenant: Option<&'a Tenant>,
        account_name: &'a str,
        to: &'a Recipient,
        link: &'a ResetLink,
    },
    /// An account's password was set through a reset link: the account is told (no link).
    PasswordChanged {
        tenant: Option<&'a Tenant>,
        account_name: &'a str,
        to: &'a Recipient,
        at: DateTime<Utc>,
    },
    /// Something is overdue today.
    Overdue {
        tenant: &'a Tenant,
        item: &'a Overdue,
    },
    /// A partnership has had no activity for the tenant's period (休眠): the desk's active
    /// staff and the responsible department's active members are reminded once.
    Dormant {
        tenant: &'a Tenant,
        item: &'a crate::partnerships::DormantItem,
    },
}

/// Turns events into mail. Implemented by the application layer with its message
/// catalogues; the store only queues what it returns.
pub trait Mailer: Send + Sync {
    fn mails(&self, event: &DomainEvent<'_>) -> Vec<OutgoingMail>;
}

/// A mailer that sends nothing, for store tests that are not about mail.
pub struct NoMail;

impl Mailer for NoMail {
    fn mails(&self, _: &DomainEvent<'_>) -> Vec<OutgoingMail> {
        Vec::new()
    }
}

impl WriteTx {
    /// Queues the mails `mailer` writes for `event`, inside this transaction.
    pub async fn emit(&mut self, mailer: &dyn Mailer, event: &DomainEvent<'_>) -> Result<()> {
        for m in mailer.mails(event) {
            self.enqueue_mail(&m).await?;
        }
        Ok(())
    }
}
