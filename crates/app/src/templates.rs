//! The desk's templates (定型文): managed by whoever works at the desk (its officers and
//! admin; operators — `Actor::may_manage_templates`), chosen on the proposal page to fill the
//! message or decline form, with the proposal's values put in for the placeholders.

use crate::{Caller, CommandError, Errors};
use renkei_domain::TenantCode;
use renkei_domain::template::{self, Placeholders, Template, TemplateInput};
use renkei_store::proposals::Proposal;
use renkei_store::templates::StoredTemplate;
use renkei_store::tenants::Tenant;

type Result<T, E = CommandError> = std::result::Result<T, E>;

fn manager(by: &Caller, tenant: TenantCode) -> Result<()> {
    if by
        .actor
        .as_ref()
        .is_some_and(|a| a.may_manage_templates(tenant))
    {
        Ok(())
    } else {
        Err(CommandError::Forbidden)
    }
}

fn parse(input: &TemplateInput) -> Result<Template> {
    Template::parse(input).map_err(|list| {
        let mut errors = Errors::default();
        for e in &list {
            errors.parse(e);
        }
        CommandError::Invalid(errors.into_list())
    })
}

/// The templates of a local government.
pub async fn list(
    app: &crate::App,
    by: &Caller,
    tenant: TenantCode,
) -> Result<Vec<StoredTemplate>> {
    manager(by, tenant)?;
    Ok(app.store.templates(tenant).await?)
}

/// One template (for its edit form).
pub async fn get(
    app: &crate::App,
    by: &Caller,
    tenant: TenantCode,
    id: i64,
) -> Result<StoredTemplate> {
    manager(by, tenant)?;
    Ok(app.store.template(tenant, id).await?)
}

/// Adds a template: every field that does not parse is reported and nothing is written.
pub async fn create(
    app: &crate::App,
    by: &Caller,
    tenant: TenantCode,
    input: &TemplateInput,
) -> Result<i64> {
    manager(by, tenant)?;
    let t = parse(input)?;
    Ok(app.store.template_create(&by.who, tenant, &t).await?)
}

/// Replaces a template.
pub async fn update(
    app: &crate::App,
    by: &Caller,
    tenant: TenantCode,
    id: i64,
    input: &TemplateInput,
) -> Result<()> {
    manager(by, tenant)?;
    let t = parse(input)?;
    Ok(app.store.template_update(&by.who, tenant, id, &t).await?)
}

/// Removes a template.
pub async fn delete(app: &crate::App, by: &Caller, tenant: TenantCode, id: i64) -> Result<()> {
    manager(by, tenant)?;
    Ok(app.store.template_delete(&by.who, tenant, id).await?)
}

/// The desk's name for {窓口名}: the local government's name and the desk's own name from its
/// profile (`default_name` when it has none).
pub fn desk_name(tenant: &Tenant, profile_name: &str, default_name: &str) -> String {
    let name = if profile_name.trim().is_empty() {
        default_name
    } else {
        profile_name.trim()
    };
    format!("{} {}", tenant.name, name)
}

/// A template's text with the proposal's values in place of its placeholders.
pub fn fill(t: &StoredTemplate, p: &Proposal, desk: &str) -> String {
    template::fill(
        &t.body,
        &Placeholders {
            proponent: &p.org_name,
            title: &p.title,
            receipt: &p.receipt_number,
            desk,
        },
    )
}
