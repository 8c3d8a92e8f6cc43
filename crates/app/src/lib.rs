//! The application layer: each action exists once, as a command that pages, the JSON API,
//! the command line, imports and the demo all call.
//!
//! A command parses its raw input into domain values (reporting *every* field that does not
//! parse, as message keys), asks the policy whether the caller may do it, runs the store
//! change (one transaction with its audit entry, timeline event and the mails the
//! [`mailer::Mails`] writes from the change's domain event) and returns typed rows. Errors are
//! [`CommandError`]: field-level message keys, so a page re-renders its form with them and
//! the API answers a 422 with the very same keys.

pub mod accounts;
pub mod bench_data;
pub mod demo;
pub mod desk;
pub mod export;
pub mod i18n;
pub mod mailer;
pub mod open_calls;
pub mod opendata;
pub mod partners;
pub mod partnership_import;
pub mod partnership_sheet;
pub mod partnerships;
pub mod progress_import;
pub mod proposals;
pub mod sheet;
pub mod templates;

use renkei_domain::{Actor, ParseError};
use renkei_store::{Store, StoreError, Who};

/// The store and the mailer: what every command needs.
#[derive(Clone)]
pub struct App {
    pub store: Store,
    pub mails: mailer::Mails,
}

impl App {
    /// `base_url` is the installation's public address, for the links in mail.
    pub fn new(store: Store, base_url: &str) -> Self {
        Self {
            store,
            mails: mailer::Mails::new(mailer::Links::new(base_url)),
        }
    }

    pub fn links(&self) -> &mailer::Links {
        self.mails.links()
    }
}

/// Who runs a command: the policy's view of them (`None` for a proponent without an
/// account, who acts through the private tracking link), and how the audit trail names them.
#[derive(Debug, Clone)]
pub struct Caller {
    pub actor: Option<Actor>,
    pub who: Who,
}

/// A field and the message key of what is wrong with it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FieldError {
    pub field: &'static str,
    pub key: &'static str,
}

impl From<&ParseError> for FieldError {
    fn from(e: &ParseError) -> Self {
        Self {
            field: e.field,
            key: e.key,
        }
    }
}

/// Why a command did nothing.
#[derive(Debug, thiserror::Error)]
pub enum CommandError {
    /// Input that does not parse: every field with its message key (a page re-renders its
    /// form; the API answers 422). Nothing was written.
    #[error("invalid input: {0:?}")]
    Invalid(Vec<FieldError>),
    /// Well-formed, but refused in the current state (a closed proposal, a deadline in the
    /// past, a move the lifecycle forbids): the field it concerns and why (API: 409).
    #[error("conflict: {field} {key}")]
    Conflict {
        field: &'static str,
        key: &'static str,
    },
    /// The policy says no.
    #[error("forbidden")]
    Forbidden,
    #[error("not found")]
    NotFound,
    #[error("rate limited")]
    RateLimited,
    /// Something broke underneath (logged at the edge, never shown).
    #[error(transparent)]
    Store(StoreError),
}

impl From<StoreError> for CommandError {
    fn from(e: StoreError) -> Self {
        match e {
            StoreError::Invalid(p) => Self::Invalid(vec![FieldError::from(&p)]),
            StoreError::Conflict { field, key } => Self::Conflict { field, key },
            StoreError::NotFound => Self::NotFound,
            StoreError::RateLimited => Self::RateLimited,
            other => Self::Store(other),
        }
    }
}

impl From<ParseError> for CommandError {
    fn from(e: ParseError) -> Self {
        Self::Invalid(vec![FieldError::from(&e)])
    }
}

impl CommandError {
    /// The field errors a form shows (a conflict names its field too); `None` for errors
    /// that are not about the input.
    pub fn fields(&self) -> Option<Vec<FieldError>> {
        match self {
            Self::Invalid(list) => Some(list.clone()),
            Self::Conflict { field, key } => Some(vec![FieldError { field, key }]),
            _ => None,
        }
    }
}

/// Collects field errors while parsing a command's input, first error per field.
#[derive(Debug, Default)]
pub struct Errors(Vec<FieldError>);

impl Errors {
    pub fn add(&mut self, field: &'static str, key: &'static str) {
        if self.0.iter().all(|e| e.field != field) {
            self.0.push(FieldError { field, key });
        }
    }

    pub fn parse(&mut self, e: &ParseError) {
        self.add(e.field, e.key);
    }

    /// The collected errors (for a command that builds [`CommandError::Invalid`] itself).
    pub fn into_list(self) -> Vec<FieldError> {
        self.0
    }

    /// `Ok(v)` when nothing was wrong and `v` is there.
    pub fn finish<T>(self, v: Option<T>) -> Result<T, CommandError> {
        match (self.0.is_empty(), v) {
            (true, Some(v)) => Ok(v),
            (true, None) => Err(CommandError::Invalid(vec![FieldError {
                field: "form",
                key: "error-form-summary",
            }])),
            (false, _) => Err(CommandError::Invalid(self.0)),
        }
    }
}
