//! Importing the city's partnership list (協定一覧) from a spreadsheet: `preview` reads and
//! checks every row without writing; `import` reads the same bytes again and writes every
//! partnership in one transaction, or nothing when any row is wrong. Desk staff only.
//!
//! The layout is [`crate::partnership_sheet`]'s. Re-importing: each partnership keeps its
//! row's ID (`source_id`); a row whose ID an earlier import used — or that is the number of a
//! partnership entered directly, which is what the export writes for those — is refused as
//! taken, so importing the same file (or a fresh export) twice adds nothing.

use crate::partnership_sheet::{self, Context, ParsedSheet, RowError};
use crate::{Caller, CommandError, FieldError};
use renkei_domain::TenantCode;
use renkei_domain::partnership::initial_status;
use renkei_store::partnerships::{ImportPartnership, NewPartnership};
use sha2::{Digest, Sha256};

/// What an import would do.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Preview {
    pub sheet: ParsedSheet,
    pub filename: String,
    pub sha256: String,
}

impl Preview {
    pub fn is_ok(&self) -> bool {
        self.sheet.errors.is_empty() && !self.sheet.agreements.is_empty()
    }
}

/// Why nothing was imported.
#[derive(Debug, thiserror::Error)]
pub enum ImportError {
    #[error(transparent)]
    Command(#[from] CommandError),
    /// The rows that are wrong (every one of them).
    #[error("{} bad row(s)", .0.len())]
    BadRows(Vec<RowError>),
}

fn allowed(by: &Caller, tenant: TenantCode) -> Result<(), CommandError> {
    match &by.actor {
        Some(a) if a.may_handle_proposals(tenant) => Ok(()),
        _ => Err(CommandError::Forbidden),
    }
}

/// Reads and checks the file against the tenant (its code, its departments, the IDs taken).
/// A file that cannot be read at all is `Invalid` on the field `file`.
pub async fn preview(
    app: &crate::App,
    by: &Caller,
    tenant: TenantCode,
    bytes: &[u8],
    filename: &str,
) -> Result<Preview, CommandError> {
    allowed(by, tenant)?;
    let rows = crate::sheet::read(bytes, filename).map_err(|e| CommandError::Invalid(vec![e]))?;
    let departments: Vec<(i64, String)> = app
        .store
        .departments(tenant)
        .await?
        .into_iter()
        .map(|d| (d.id, d.name))
        .collect();
    let taken = app.store.partnership_taken_ids(tenant).await?;
    let sheet = partnership_sheet::parse(
        &rows,
        &Context {
            tenant,
            departments: &departments,
            taken_ids: &taken,
            today: app.store.today(),
        },
    );
    Ok(Preview {
        sheet,
        filename: filename.chars().take(200).collect(),
        sha256: hex::encode(Sha256::digest(bytes)),
    })
}

/// Imports every row, or nothing. Returns how many partnerships were created.
pub async fn import(
    app: &crate::App,
    by: &Caller,
    tenant: TenantCode,
    bytes: &[u8],
    filename: &str,
) -> Result<usize, ImportError> {
    let p = preview(app, by, tenant, bytes, filename).await?;
    if !p.sheet.errors.is_empty() {
        return Err(ImportError::BadRows(p.sheet.errors));
    }
    if p.sheet.agreements.is_empty() {
        return Err(CommandError::Invalid(vec![FieldError {
            field: "file",
            key: "error-import-no-rows",
        }])
        .into());
    }
    let today = app.store.today();
    let list: Vec<ImportPartnership> = p
        .sheet
        .agreements
        .into_iter()
        .map(|a| {
            let status = initial_status(
                a.record.signed_on,
                a.record.ends_on,
                a.record.auto_renew,
                today,
            );
            ImportPartnership {
                new: NewPartnership {
                    record: a.record,
                    proposal_id: None,
                    status,
                    last_activity_on: a.last_activity_on,
                    origin: "imported",
                },
                source_id: a.source_id,
            }
        })
        .collect();
    Ok(app
        .store
        .partnerships_import(tenant, &list, &p.filename, &p.sha256, &by.who)
        .await
        .map_err(CommandError::from)?)
}
