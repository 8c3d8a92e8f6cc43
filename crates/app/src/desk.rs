//! The desk's own settings that the public reads: its profile (name, description, what it
//! takes and does not take, process, contact, hours), written by the local government's
//! administrator or the operator.

use crate::{Caller, CommandError, Errors};
use renkei_domain::TenantCode;
use renkei_domain::desk::DeskProfile;

/// The profile as typed into the form or sent by the demo.
#[derive(Debug, Clone, Default, serde::Deserialize)]
pub struct ProfileInput {
    #[serde(default)]
    pub desk_name: String,
    #[serde(default)]
    pub description: String,
    #[serde(default)]
    pub scope: String,
    #[serde(default)]
    pub not_taken: String,
    #[serde(default)]
    pub process: String,
    #[serde(default)]
    pub contact: String,
    #[serde(default)]
    pub hours: String,
}

impl From<&DeskProfile> for ProfileInput {
    fn from(p: &DeskProfile) -> Self {
        Self {
            desk_name: p.desk_name.clone(),
            description: p.description.clone(),
            scope: p.scope.clone(),
            not_taken: p.not_taken.clone(),
            process: p.process.clone(),
            contact: p.contact.clone(),
            hours: p.hours.clone(),
        }
    }
}

/// Saves the desk's profile: every field that does not parse is reported and nothing is
/// written; only the tenant's admin or the operator may.
pub async fn save_profile(
    app: &crate::App,
    by: &Caller,
    tenant: TenantCode,
    input: &ProfileInput,
) -> Result<DeskProfile, CommandError> {
    if !by.actor.as_ref().is_some_and(|a| a.may_open_desk(tenant)) {
        return Err(CommandError::Forbidden);
    }
    let profile = DeskProfile::parse(
        &input.desk_name,
        &input.description,
        &input.scope,
        &input.not_taken,
        &input.process,
        &input.contact,
        &input.hours,
    )
    .map_err(|list| {
        let mut errors = Errors::default();
        for e in &list {
            errors.parse(e);
        }
        CommandError::Invalid(errors.into_list())
    })?;
    app.store
        .desk_profile_save(&by.who, tenant, &profile)
        .await?;
    Ok(profile)
}
