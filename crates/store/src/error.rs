use renkei_domain::ParseError;

/// Errors of the store layer. `Invalid` and `Conflict` carry message keys the web layer
/// shows to the user; `Db` and `Internal` are logged and shown as a generic failure.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("not found")]
    NotFound,
    #[error("invalid input: {0}")]
    Invalid(#[from] ParseError),
    /// A uniqueness or state conflict; the key names the message.
    #[error("conflict: {key}")]
    Conflict {
        field: &'static str,
        key: &'static str,
    },
    /// Too many requests of this kind from this client for now (the intake rate limit).
    #[error("rate limited")]
    RateLimited,
    #[error("database error: {0}")]
    Db(#[from] sqlx::Error),
    #[error("internal error: {0}")]
    Internal(String),
    /// A stored value that does not parse into its domain type (logged, never shown, never
    /// replaced by a default).
    #[error("corrupt row: {table}.{column} = {value:?}")]
    Corrupt {
        table: &'static str,
        column: &'static str,
        value: String,
    },
}

impl StoreError {
    pub fn conflict(field: &'static str, key: &'static str) -> Self {
        Self::Conflict { field, key }
    }

    /// Whether the database refused a row for violating a UNIQUE constraint.
    pub fn is_unique_violation(err: &sqlx::Error) -> bool {
        match err {
            sqlx::Error::Database(db) => db.is_unique_violation(),
            _ => false,
        }
    }
}
