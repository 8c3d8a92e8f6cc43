//! Partnerships (連携事業): creating one (directly, or from a decided proposal keeping the
//! link to it), moving its status, and recording activities (取組実績). Pages, the API, the
//! import and the demo call these.

use crate::{Caller, CommandError, Errors};
use renkei_domain::partnership::{
    Activity, ActivityInput, Form, Move, Partnership, PartnershipInput, PartnershipStatus,
    initial_status,
};
use renkei_domain::{ParseError, TenantCode};
use renkei_store::partnerships::{NewPartnership, PartnershipDetail};

pub(crate) fn invalid(list: Vec<ParseError>) -> CommandError {
    let mut errors = Errors::default();
    for e in &list {
        errors.parse(e);
    }
    CommandError::Invalid(errors.into_list())
}

fn actor(by: &Caller) -> Result<&renkei_domain::Actor, CommandError> {
    by.actor.as_ref().ok_or(CommandError::Forbidden)
}

/// Checks a partnership as typed, without writing (the import's preview, a 確認画面).
pub fn check(input: &PartnershipInput) -> Result<Partnership, CommandError> {
    Partnership::parse(input).map_err(invalid)
}

/// Creates a partnership entered directly (or from a decided proposal, `proposal_id`, whose
/// route and history it keeps). The desk creates any form; department staff create the forms
/// their own department leads. Its status follows from the dates given
/// (`initial_status`). Returns the new id.
pub async fn create(
    app: &crate::App,
    by: &Caller,
    tenant: TenantCode,
    input: &PartnershipInput,
    proposal_id: Option<i64>,
) -> Result<i64, CommandError> {
    let a = actor(by)?;
    if !a.may_read_partnerships(tenant) {
        return Err(CommandError::Forbidden);
    }
    let record = check(input)?;
    if !a.may_create_partnership(tenant, record.form, record.department_id) {
        // A department member choosing another department or a 包括連携協定 is told so at the
        // field, not shown a bare refusal.
        if a.role == renkei_domain::Role::Department {
            let field = if record.form == Form::Comprehensive {
                ("form", "error-partnership-form-desk-only")
            } else {
                ("department_id", "error-partnership-department-not-yours")
            };
            return Err(CommandError::Invalid(vec![crate::FieldError {
                field: field.0,
                key: field.1,
            }]));
        }
        return Err(CommandError::Forbidden);
    }
    if proposal_id.is_some() && !a.may_handle_proposals(tenant) {
        return Err(CommandError::Forbidden);
    }
    let today = app.store.today();
    let status = initial_status(record.signed_on, record.ends_on, record.auto_renew, today);
    let new = NewPartnership {
        record,
        proposal_id,
        status,
        last_activity_on: None,
        origin: if proposal_id.is_some() {
            "created-from-proposal"
        } else {
            "created"
        },
    };
    Ok(app.store.partnership_create(tenant, &new, &by.who).await?)
}

/// Reads a partnership for a member of the local government's staff.
pub async fn get(
    app: &crate::App,
    by: &Caller,
    tenant: TenantCode,
    id: i64,
) -> Result<PartnershipDetail, CommandError> {
    if !actor(by)?.may_read_partnerships(tenant) {
        return Err(CommandError::Forbidden);
    }
    Ok(app.store.partnership(tenant, id).await?)
}

/// Whether the caller may keep this partnership up to date.
pub fn may_manage(by: &Caller, tenant: TenantCode, p: &PartnershipDetail) -> bool {
    by.actor
        .as_ref()
        .is_some_and(|a| a.may_manage_partnership(tenant, p.summary.department_id))
}

async fn managed(
    app: &crate::App,
    by: &Caller,
    tenant: TenantCode,
    id: i64,
) -> Result<PartnershipDetail, CommandError> {
    let p = get(app, by, tenant, id).await?;
    if !may_manage(by, tenant, &p) {
        return Err(CommandError::Forbidden);
    }
    Ok(p)
}

/// The status moves a form offers, by code: `sign` (with the signing day), `end`, `cancel`,
/// `reopen`.
pub fn parse_move(code: &str, signed_on: &str) -> Result<Move, CommandError> {
    match code.trim() {
        "sign" => {
            let mut errors = Vec::new();
            let day = if signed_on.trim().is_empty() {
                errors.push(ParseError::new("signed_on", "error-required"));
                None
            } else {
                renkei_domain::partnership::optional_date(&mut errors, "signed_on", signed_on)
            };
            match day {
                Some(signed_on) => Ok(Move::Sign { signed_on }),
                None => Err(invalid(errors)),
            }
        }
        "end" => Ok(Move::End),
        "cancel" => Ok(Move::Cancel),
        "reopen" => Ok(Move::Reopen),
        _ => Err(invalid(vec![ParseError::new(
            "move",
            "error-partnership-move-not-allowed",
        )])),
    }
}

/// Moves a partnership's status (準備中 → 締結済・実施中 → 終了 | 解約), if it is still in
/// `expected`.
pub async fn move_status(
    app: &crate::App,
    by: &Caller,
    tenant: TenantCode,
    id: i64,
    expected: &str,
    mv: Move,
) -> Result<PartnershipStatus, CommandError> {
    managed(app, by, tenant, id).await?;
    let expected = PartnershipStatus::parse(expected).map_err(|e| invalid(vec![e]))?;
    Ok(app
        .store
        .partnership_move(tenant, id, expected, mv, &by.who)
        .await?)
}

/// Records an activity (取組実績): recording one clears a dormancy flag. Returns its id.
pub async fn add_activity(
    app: &crate::App,
    by: &Caller,
    tenant: TenantCode,
    partnership_id: i64,
    input: &ActivityInput,
) -> Result<i64, CommandError> {
    managed(app, by, tenant, partnership_id).await?;
    let activity = Activity::parse(input, app.store.today()).map_err(invalid)?;
    Ok(app
        .store
        .activity_add(tenant, partnership_id, &activity, &by.who)
        .await?)
}
