//! The wording of the desk's mails is the web layer's (with its message catalogues). The
//! store needs it to queue the demo data's mails, and the announcement of new desk staff that
//! [`crate::Store::create_user`] sends whoever calls it (pages, the command line, the demo);
//! this trait lets the web layer hand its wording in, so every path sends the very same texts.

use crate::outbox::OutgoingMail;
use crate::proposals::{Proposal, Submitted};
use crate::tenants::Tenant;
use crate::users::DeskStaffChange;

pub trait MailTexts: Send + Sync {
    /// Receipt of a submission, with the private tracking link.
    #[allow(clippy::too_many_arguments)]
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
    ) -> OutgoingMail;
    /// A status change, told to the proponent.
    fn status_changed(&self, tenant: &Tenant, p: &Proposal) -> OutgoingMail;
    /// A message from the desk to the proponent.
    fn message_to_proponent(&self, tenant: &Tenant, p: &Proposal, message: &str) -> OutgoingMail;
    /// A message from the proponent, told to the desk (without its content).
    fn message_to_desk(&self, tenant: &Tenant, p: &Proposal, to: &str, link: &str) -> OutgoingMail;
    /// A routing request to a department member.
    fn routing_request(
        &self,
        tenant: &Tenant,
        p: &Proposal,
        to: &str,
        department: &str,
        due: &str,
        link: &str,
    ) -> OutgoingMail;
    /// A referred proposal, told to the receiving desk.
    fn referral_to_desk(
        &self,
        from: &Tenant,
        p: &Proposal,
        copy: &Submitted,
        dest: &Tenant,
        to: &str,
        link: &str,
    ) -> OutgoingMail;
    /// A new desk account (or an account given the desk role), told to another desk account
    /// of the tenant.
    fn desk_account_added(
        &self,
        tenant: &Tenant,
        change: &DeskStaffChange,
        to: &str,
    ) -> OutgoingMail;
}
