//! Reading columns into domain types. A value that does not parse is an error naming the
//! table and column ([`StoreError::Corrupt`]), never a default: a corrupt row must not pass for
//! a plausible one (a status read as 受付 would put a closed proposal back in the inbox).

use crate::{Result, StoreError};
use chrono::{DateTime, NaiveDate, Utc};
use renkei_domain::time::parse_db_timestamp;
use renkei_domain::{Lang, ParseError};
use sqlx::Row;
use sqlx::any::AnyRow;

fn corrupt(table: &'static str, column: &'static str, value: &str) -> StoreError {
    StoreError::Corrupt {
        table,
        column,
        value: value.chars().take(40).collect(),
    }
}

/// A closed vocabulary stored as its code.
pub(crate) fn code<T>(
    r: &AnyRow,
    table: &'static str,
    column: &'static str,
    parse: fn(&str) -> Result<T, ParseError>,
) -> Result<T> {
    let s: String = r.try_get(column)?;
    parse(&s).map_err(|_| corrupt(table, column, &s))
}

/// The same, where NULL means "none".
pub(crate) fn opt_code<T>(
    r: &AnyRow,
    table: &'static str,
    column: &'static str,
    parse: fn(&str) -> Result<T, ParseError>,
) -> Result<Option<T>> {
    let s: Option<String> = r.try_get(column)?;
    s.map(|s| parse(&s).map_err(|_| corrupt(table, column, &s)))
        .transpose()
}

/// A day (`YYYY-MM-DD`).
pub(crate) fn date(r: &AnyRow, table: &'static str, column: &'static str) -> Result<NaiveDate> {
    let s: String = r.try_get(column)?;
    NaiveDate::parse_from_str(&s, "%Y-%m-%d").map_err(|_| corrupt(table, column, &s))
}

/// An instant as stored (`2026-11-22T02:23:34.123Z`).
pub(crate) fn instant(
    r: &AnyRow,
    table: &'static str,
    column: &'static str,
) -> Result<DateTime<Utc>> {
    let s: String = r.try_get(column)?;
    parse_db_timestamp(&s).ok_or_else(|| corrupt(table, column, &s))
}

/// The same, where NULL means "not yet".
pub(crate) fn opt_instant(
    r: &AnyRow,
    table: &'static str,
    column: &'static str,
) -> Result<Option<DateTime<Utc>>> {
    let s: Option<String> = r.try_get(column)?;
    s.map(|s| parse_db_timestamp(&s).ok_or_else(|| corrupt(table, column, &s)))
        .transpose()
}

/// A language code (`ja`, `en`).
pub(crate) fn lang(r: &AnyRow, table: &'static str, column: &'static str) -> Result<Lang> {
    let s: String = r.try_get(column)?;
    Lang::parse(&s).ok_or_else(|| corrupt(table, column, &s))
}

/// A day where NULL means "none".
pub(crate) fn opt_date(
    r: &AnyRow,
    table: &'static str,
    column: &'static str,
) -> Result<Option<NaiveDate>> {
    let s: Option<String> = r.try_get(column)?;
    s.map(|s| NaiveDate::parse_from_str(&s, "%Y-%m-%d").map_err(|_| corrupt(table, column, &s)))
        .transpose()
}
