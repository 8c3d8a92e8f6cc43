//! The desk's partner registry: adding a partner by hand, editing what the desk records about
//! one, and its contacts (担当者). Desk staff of the local government only.

use crate::{Caller, CommandError, Errors};
use renkei_domain::partner::{
    ContactInput, NewContact, NewPartner, PartnerEdit, PartnerEditInput, PartnerInput,
};
use renkei_domain::{ParseError, TenantCode};

fn may(by: &Caller, tenant: TenantCode) -> Result<(), CommandError> {
    if by
        .actor
        .as_ref()
        .is_some_and(|a| a.may_handle_proposals(tenant))
    {
        Ok(())
    } else {
        Err(CommandError::Forbidden)
    }
}

fn invalid(list: Vec<ParseError>) -> CommandError {
    let mut errors = Errors::default();
    for e in &list {
        errors.parse(e);
    }
    CommandError::Invalid(errors.into_list())
}

/// Adds a partner the desk knows of (a company met at an event, a university it works
/// with) before any proposal: every field checked, a 法人番号 by its check digit; refused
/// (`Conflict`, nothing written) when the local government already has a partner with that
/// 法人番号 or that name. Returns the new partner's id.
pub async fn add(
    app: &crate::App,
    by: &Caller,
    tenant: TenantCode,
    input: &PartnerInput,
) -> Result<i64, CommandError> {
    may(by, tenant)?;
    let partner = NewPartner::parse(input).map_err(invalid)?;
    Ok(app.store.partner_add(tenant, &partner, &by.who).await?)
}

/// Saves a partner's reading (フリガナ, which decides where it sorts), details, strengths and
/// constraints.
pub async fn update(
    app: &crate::App,
    by: &Caller,
    tenant: TenantCode,
    id: i64,
    input: &PartnerEditInput,
) -> Result<(), CommandError> {
    may(by, tenant)?;
    let edit = PartnerEdit::parse(input).map_err(invalid)?;
    Ok(app.store.partner_update(tenant, id, &edit, &by.who).await?)
}

/// Adds a contact (担当者) to a partner. Returns the contact's id.
pub async fn add_contact(
    app: &crate::App,
    by: &Caller,
    tenant: TenantCode,
    partner_id: i64,
    input: &ContactInput,
) -> Result<i64, CommandError> {
    may(by, tenant)?;
    let contact = NewContact::parse(input).map_err(invalid)?;
    Ok(app
        .store
        .partner_contact_add(tenant, partner_id, &contact, &by.who)
        .await?)
}

/// Removes a partner's contact.
pub async fn remove_contact(
    app: &crate::App,
    by: &Caller,
    tenant: TenantCode,
    partner_id: i64,
    contact_id: i64,
) -> Result<(), CommandError> {
    may(by, tenant)?;
    Ok(app
        .store
        .partner_contact_remove(tenant, partner_id, contact_id, &by.who)
        .await?)
}
