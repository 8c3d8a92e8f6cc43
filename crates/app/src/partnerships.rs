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
    add_activity_with_photos(app, by, tenant, partnership_id, input, Vec::new()).await
}

// ---------------------------------------------------------------------------------------------
// The staff side: a record from a decided proposal, activities with photos, indicators,
// annual reviews, signed documents and corrections.

use crate::proposals::RawFile;
use renkei_domain::attachment::{self, FileKind};
use renkei_domain::partnership::{
    Indicator, IndicatorInput, IndicatorValue, IndicatorValueInput, PartyInput, Review, ReviewInput,
};
use renkei_store::proposals::NewAttachment;

/// Photos per activity, each at most [`MAX_PHOTO_BYTES`], JPEG or PNG.
pub const MAX_PHOTOS: usize = 5;
pub const MAX_PHOTO_BYTES: usize = 5 * 1024 * 1024;
/// Signed documents per upload.
pub const MAX_DOCUMENTS_AT_ONCE: usize = 5;

/// The form of a new partnership prefilled from a decided proposal (desk only): title,
/// summary, the organisation as first party with its type and 法人番号, fields, and the fiscal
/// burden's explanation. Refused when the proposal is not decided or already has one.
pub async fn input_from_proposal(
    app: &crate::App,
    by: &Caller,
    tenant: TenantCode,
    proposal_id: i64,
) -> Result<(PartnershipInput, renkei_store::proposals::Proposal), CommandError> {
    let a = actor(by)?;
    if !a.may_handle_proposals(tenant) {
        return Err(CommandError::Forbidden);
    }
    let p = app.store.proposal_by_id(tenant, proposal_id).await?;
    if p.status() != renkei_domain::proposal::Status::Decided {
        return Err(CommandError::Conflict {
            field: "proposal_id",
            key: "error-partnership-proposal-not-decided",
        });
    }
    if app
        .store
        .partnership_of_proposal(tenant, proposal_id)
        .await?
        .is_some()
    {
        return Err(CommandError::Conflict {
            field: "proposal_id",
            key: "error-partnership-proposal-taken",
        });
    }
    let input = PartnershipInput {
        form: Form::Project.code().to_string(),
        title: p.title.chars().take(200).collect(),
        summary: p.summary.clone(),
        parties: vec![PartyInput {
            name: p.org_name.clone(),
            party_type: p.partner_type.code().to_string(),
            corporate_number: p.corporate_number.clone().unwrap_or_default(),
            role: String::new(),
        }],
        fields: p.fields.iter().map(|f| f.code().to_string()).collect(),
        fiscal_burden: if p.fiscal_burden { "some" } else { "none" }.to_string(),
        fiscal_justification: if p.fiscal_burden {
            p.fiscal_justification
                .clone()
                .filter(|j| !j.trim().is_empty())
                .unwrap_or_else(|| p.fiscal_explanation.clone())
        } else {
            String::new()
        },
        published: p.publication_consent,
        ..Default::default()
    };
    Ok((input, p))
}

/// The record as the edit form shows it.
pub fn input_of(p: &PartnershipDetail) -> PartnershipInput {
    let s = &p.summary;
    let day = |d: Option<chrono::NaiveDate>| d.map(|d| d.to_string()).unwrap_or_default();
    PartnershipInput {
        form: s.form.code().to_string(),
        title: s.title.clone(),
        purpose: p.purpose.clone(),
        summary: p.summary_text.clone(),
        department_id: s.department_id.map(|d| d.to_string()).unwrap_or_default(),
        city_role: p.city_role.clone(),
        parties: p
            .parties
            .iter()
            .map(|x| PartyInput {
                name: x.name.clone(),
                party_type: x.party_type.code().to_string(),
                corporate_number: x.corporate_number.clone().unwrap_or_default(),
                role: x.role.clone(),
            })
            .collect(),
        fields: s.fields.iter().map(|f| f.code().to_string()).collect(),
        signed_on: day(s.signed_on),
        starts_on: day(s.starts_on),
        ends_on: day(s.ends_on),
        auto_renew: s.auto_renew,
        fiscal_burden: if p.fiscal_amount.is_some() {
            "some"
        } else {
            "none"
        }
        .to_string(),
        fiscal_amount: p.fiscal_amount.map(|a| a.to_string()).unwrap_or_default(),
        fiscal_justification: p.fiscal_justification.clone(),
        published: s.published,
        commercial_benefit: p.commercial_note.is_some(),
        commercial_note: p.commercial_note.clone().unwrap_or_default(),
    }
}

/// A department member choosing another department or a 包括連携協定 is told so at the field.
fn may_hold(
    a: &renkei_domain::Actor,
    tenant: TenantCode,
    record: &Partnership,
) -> Result<(), CommandError> {
    if a.may_create_partnership(tenant, record.form, record.department_id) {
        return Ok(());
    }
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
    Err(CommandError::Forbidden)
}

/// Corrects a partnership's record (訂正) with a required reason; `basis` is the record's
/// `updated_at` when the form was opened (stale forms are refused). Returns the changed
/// fields.
pub async fn correct(
    app: &crate::App,
    by: &Caller,
    tenant: TenantCode,
    id: i64,
    input: &PartnershipInput,
    reason: &str,
    basis: &str,
) -> Result<Vec<String>, CommandError> {
    managed(app, by, tenant, id).await?;
    let mut errors = Errors::default();
    let record = Partnership::parse(input)
        .map_err(|list| list.iter().for_each(|e| errors.parse(e)))
        .ok();
    let reason = renkei_domain::text::TextRule::many_lines("correction_reason", 2000)
        .parse_required(reason, "error-correction-reason-required")
        .map_err(|e| errors.parse(&e))
        .ok();
    let (record, reason) = match (errors.finish(record)?, reason) {
        (r, Some(reason)) => (r, reason),
        (_, None) => {
            return Err(CommandError::Invalid(vec![crate::FieldError {
                field: "correction_reason",
                key: "error-correction-reason-required",
            }]));
        }
    };
    may_hold(actor(by)?, tenant, &record)?;
    Ok(app
        .store
        .partnership_update(tenant, id, &record, &reason, basis, &by.who)
        .await?)
}

/// A photo checked by its content: JPEG or PNG, at most 5 MB.
fn photo_of(errors: &mut Errors, f: RawFile) -> Option<NewAttachment> {
    let Some(data) = f.data else {
        errors.add("photos", "error-bad-request");
        return None;
    };
    if data.is_empty() {
        errors.add("photos", "error-attachment-empty");
        return None;
    }
    if data.len() > MAX_PHOTO_BYTES {
        errors.add("photos", "error-photo-too-large");
        return None;
    }
    match attachment::sniff(&data) {
        Some(kind @ (FileKind::Jpeg | FileKind::Png)) => Some(NewAttachment {
            filename: attachment::truthful_filename(&f.filename, kind),
            content_type: kind.mime().to_string(),
            data,
        }),
        _ => {
            errors.add("photos", "error-photo-type");
            None
        }
    }
}

/// Records an activity with up to [`MAX_PHOTOS`] photos; every problem (the activity's fields
/// and each photo) is reported at once and nothing is written.
pub async fn add_activity_with_photos(
    app: &crate::App,
    by: &Caller,
    tenant: TenantCode,
    partnership_id: i64,
    input: &ActivityInput,
    photos: Vec<RawFile>,
) -> Result<i64, CommandError> {
    managed(app, by, tenant, partnership_id).await?;
    let mut errors = Errors::default();
    let activity = Activity::parse(input, app.store.today())
        .map_err(|list| list.iter().for_each(|e| errors.parse(e)))
        .ok();
    if photos.len() > MAX_PHOTOS {
        errors.add("photos", "error-photo-count");
    }
    let files: Vec<NewAttachment> = photos
        .into_iter()
        .take(MAX_PHOTOS)
        .filter_map(|f| photo_of(&mut errors, f))
        .collect();
    let activity = errors.finish(activity)?;
    Ok(app
        .store
        .activity_add_with_photos(tenant, partnership_id, &activity, &files, &by.who)
        .await?)
}

/// Adds an outcome indicator (成果指標).
pub async fn add_indicator(
    app: &crate::App,
    by: &Caller,
    tenant: TenantCode,
    partnership_id: i64,
    input: &IndicatorInput,
) -> Result<i64, CommandError> {
    managed(app, by, tenant, partnership_id).await?;
    let i = Indicator::parse(input).map_err(invalid)?;
    Ok(app
        .store
        .indicator_add(tenant, partnership_id, &i, &by.who)
        .await?)
}

/// Sets an indicator's target and actual for a fiscal year.
pub async fn set_indicator_value(
    app: &crate::App,
    by: &Caller,
    tenant: TenantCode,
    partnership_id: i64,
    indicator_id: i64,
    input: &IndicatorValueInput,
) -> Result<(), CommandError> {
    managed(app, by, tenant, partnership_id).await?;
    let v = IndicatorValue::parse(input).map_err(invalid)?;
    Ok(app
        .store
        .indicator_value_set(tenant, partnership_id, indicator_id, &v, &by.who)
        .await?)
}

/// Records the annual review (年次評価) of a fiscal year; a second review of the same year is
/// refused (`error-review-duplicate` at `fiscal_year`).
pub async fn add_review(
    app: &crate::App,
    by: &Caller,
    tenant: TenantCode,
    partnership_id: i64,
    input: &ReviewInput,
) -> Result<i64, CommandError> {
    managed(app, by, tenant, partnership_id).await?;
    let r = Review::parse(input).map_err(invalid)?;
    Ok(app
        .store
        .review_add(tenant, partnership_id, &r, &by.who)
        .await?)
}

/// Keeps signed documents (締結した協定書): PDF or images, checked by their content.
pub async fn add_documents(
    app: &crate::App,
    by: &Caller,
    tenant: TenantCode,
    partnership_id: i64,
    files: Vec<RawFile>,
) -> Result<Vec<i64>, CommandError> {
    managed(app, by, tenant, partnership_id).await?;
    let mut errors = Errors::default();
    if files.is_empty() {
        errors.add("documents", "error-attachment-required");
    }
    if files.len() > MAX_DOCUMENTS_AT_ONCE {
        errors.add("documents", "error-attachment-count");
    }
    let mut ok = Vec::new();
    for f in files.into_iter().take(MAX_DOCUMENTS_AT_ONCE) {
        let Some(data) = f.data else {
            errors.add("documents", "error-bad-request");
            continue;
        };
        match attachment::check(&data) {
            Ok(kind @ (FileKind::Pdf | FileKind::Png | FileKind::Jpeg)) => ok.push(NewAttachment {
                filename: attachment::truthful_filename(&f.filename, kind),
                content_type: kind.mime().to_string(),
                data,
            }),
            Ok(_) => errors.add("documents", "error-document-type"),
            Err(e) => errors.add("documents", e.key),
        }
    }
    let files = errors.finish(Some(ok))?;
    Ok(app
        .store
        .documents_add(tenant, partnership_id, &files, &by.who)
        .await?)
}

/// Checks a partnership as typed by this caller, without writing (the 確認画面 before
/// [`create`]): every field, then whether the caller may hold a partnership of that form and
/// department (a department member is told at the field).
pub fn check_as(
    by: &Caller,
    tenant: TenantCode,
    input: &PartnershipInput,
) -> Result<Partnership, CommandError> {
    let a = actor(by)?;
    if !a.may_read_partnerships(tenant) {
        return Err(CommandError::Forbidden);
    }
    let record = check(input)?;
    may_hold(a, tenant, &record)?;
    Ok(record)
}
