//! Updating outcome indicators (成果指標) in bulk from a spreadsheet (進捗の一括更新): a
//! department (or the desk) uploads rows of `ID` (the partnership's number in Renkei),
//! `指標名`, `単位`, `年度` (2026 / 令和8), `目標値`, `実績値` — `.xlsx`, or CSV in UTF-8 or
//! Shift_JIS. `preview` checks every row (a partnership the caller may not manage is a row
//! error); `update` writes every row in one transaction, or nothing. An indicator a
//! partnership does not have yet is created; a row sets that year's target and actual as
//! given (an empty cell clears the value). `協定名称` (in the template, for reading) is
//! ignored, as are other columns (named in a notice). The same (ID, 指標名, 年度) twice in a
//! file is a row error. The `'` the template's CSV put before formula-like text (an
//! indicator named `-CO2排出量` is written `'-CO2排出量`) is dropped on reading.

use crate::export::{Cell, Table};
use crate::partnership_sheet::RowError;
use crate::sheet::SheetRow;
use crate::{Caller, CommandError, FieldError};
use renkei_domain::partnership::{Indicator, IndicatorInput, IndicatorValue, IndicatorValueInput};
use renkei_domain::spreadsheet::unguard;
use renkei_domain::{Actor, TenantCode};
use renkei_store::partnerships::{Managed, ProgressUpdate};
use sha2::{Digest, Sha256};
use std::collections::{HashMap, HashSet};

pub const COL_ID: &str = "ID";
pub const COL_TITLE: &str = "協定名称";
pub const COL_NAME: &str = "指標名";
pub const COL_UNIT: &str = "単位";
pub const COL_YEAR: &str = "年度";
pub const COL_TARGET: &str = "目標値";
pub const COL_ACTUAL: &str = "実績値";

/// The template's columns, in order.
pub const COLUMNS: [&str; 7] = [
    COL_ID, COL_TITLE, COL_NAME, COL_UNIT, COL_YEAR, COL_TARGET, COL_ACTUAL,
];
const REQUIRED: [&str; 5] = [COL_ID, COL_NAME, COL_YEAR, COL_TARGET, COL_ACTUAL];

/// One row, checked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProgressRow {
    pub line: usize,
    pub update: ProgressUpdate,
}

/// The sheet read: rows when none is wrong, every error otherwise.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ParsedProgress {
    pub rows: Vec<ProgressRow>,
    pub errors: Vec<RowError>,
    pub ignored_columns: Vec<String>,
}

fn err(line: usize, column: &'static str, key: &'static str) -> RowError {
    RowError {
        line,
        column,
        key,
        value: String::new(),
    }
}

/// Reads the rows; `may_manage(partnership id)` is `None` for an unknown partnership and
/// whether the caller may manage it otherwise.
pub fn parse(rows: &[SheetRow], may_manage: impl Fn(i64) -> Option<bool>) -> ParsedProgress {
    let mut out = ParsedProgress::default();
    let Some((head, body)) = rows.split_first() else {
        out.errors.push(err(1, "", "error-import-file-empty"));
        return out;
    };
    let mut index: HashMap<&'static str, usize> = HashMap::new();
    for (i, cell) in head.cells.iter().enumerate() {
        let name = cell.trim_start_matches('\u{feff}').trim();
        if name.is_empty() {
            continue;
        }
        match COLUMNS.iter().find(|c| **c == name) {
            Some(c) => {
                if index.insert(*c, i).is_some() {
                    out.errors
                        .push(err(head.line, c, "error-import-column-twice"));
                }
            }
            None => out.ignored_columns.push(name.chars().take(50).collect()),
        }
    }
    for c in REQUIRED {
        if !index.contains_key(c) {
            out.errors
                .push(err(head.line, c, "error-import-column-missing"));
        }
    }
    if !out.errors.is_empty() {
        return out;
    }
    let mut seen: HashSet<(i64, String, i32)> = HashSet::new();
    for r in body {
        let get = |c: &str| {
            index
                .get(c)
                .and_then(|i| r.cells.get(*i))
                .map(|s| unguard(s.trim()))
                .unwrap_or("")
        };
        let line = r.line;
        let before = out.errors.len();
        let id_text = get(COL_ID);
        let id = renkei_domain::partnership::parse_integer(id_text, 1, i64::MAX);
        match id.map(&may_manage) {
            None => out.errors.push(
                err(
                    line,
                    COL_ID,
                    if id_text.is_empty() {
                        "error-required"
                    } else {
                        "error-progress-id-invalid"
                    },
                )
                .with_value(id_text),
            ),
            Some(None) => out
                .errors
                .push(err(line, COL_ID, "error-progress-partnership-unknown").with_value(id_text)),
            Some(Some(false)) => out
                .errors
                .push(err(line, COL_ID, "error-progress-not-yours").with_value(id_text)),
            Some(Some(true)) => {}
        }
        let indicator = Indicator::parse(&IndicatorInput {
            name: get(COL_NAME).to_string(),
            unit: get(COL_UNIT).to_string(),
        });
        if let Err(list) = &indicator {
            for e in list {
                let column = if e.field == "indicator_unit" {
                    COL_UNIT
                } else {
                    COL_NAME
                };
                out.errors.push(err(line, column, e.key));
            }
        }
        let value = IndicatorValue::parse(&IndicatorValueInput {
            fiscal_year: get(COL_YEAR).to_string(),
            target: get(COL_TARGET).to_string(),
            actual: get(COL_ACTUAL).to_string(),
        });
        if let Err(list) = &value {
            for e in list {
                let (column, v) = match e.field {
                    "fiscal_year" => (COL_YEAR, get(COL_YEAR)),
                    "target" => (COL_TARGET, get(COL_TARGET)),
                    _ => (COL_ACTUAL, get(COL_ACTUAL)),
                };
                out.errors.push(err(line, column, e.key).with_value(v));
            }
        }
        if out.errors.len() > before {
            continue;
        }
        if let (Some(id), Ok(indicator), Ok(value)) = (id, indicator, value) {
            if !seen.insert((id, indicator.name.clone(), value.fiscal_year)) {
                out.errors.push(
                    err(line, COL_NAME, "error-progress-row-twice").with_value(&indicator.name),
                );
                continue;
            }
            out.rows.push(ProgressRow {
                line,
                update: ProgressUpdate {
                    partnership_id: id,
                    name: indicator.name,
                    unit: indicator.unit,
                    fiscal_year: value.fiscal_year,
                    target: value.target,
                    actual: value.actual,
                },
            });
        }
    }
    if !out.errors.is_empty() {
        out.rows.clear();
    }
    out
}

trait WithValue {
    fn with_value(self, v: &str) -> Self;
}

impl WithValue for RowError {
    fn with_value(mut self, v: &str) -> Self {
        self.value = v.chars().take(50).collect();
        self
    }
}

/// Department staff of the tenant and its desk.
pub fn may_use(a: &Actor, tenant: TenantCode) -> bool {
    a.may_handle_proposals(tenant) || a.may_enter_department_area(tenant)
}

fn actor(by: &Caller, tenant: TenantCode) -> Result<&Actor, CommandError> {
    match &by.actor {
        Some(a) if may_use(a, tenant) => Ok(a),
        _ => Err(CommandError::Forbidden),
    }
}

/// What an update would write.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProgressPreview {
    pub sheet: ParsedProgress,
    pub filename: String,
    pub sha256: String,
}

/// Reads and checks the file; nothing is written.
pub async fn preview(
    app: &crate::App,
    by: &Caller,
    tenant: TenantCode,
    bytes: &[u8],
    filename: &str,
) -> Result<ProgressPreview, CommandError> {
    let a = actor(by, tenant)?;
    let rows = crate::sheet::read(bytes, filename).map_err(|e| CommandError::Invalid(vec![e]))?;
    let managed: HashMap<i64, Managed> = app
        .store
        .partnerships_managed(tenant)
        .await?
        .into_iter()
        .map(|m| (m.id, m))
        .collect();
    let sheet = parse(&rows, |id| {
        managed
            .get(&id)
            .map(|m| a.may_manage_partnership(tenant, m.department_id))
    });
    Ok(ProgressPreview {
        sheet,
        filename: filename.chars().take(200).collect(),
        sha256: hex::encode(Sha256::digest(bytes)),
    })
}

/// Writes every row, or nothing. Returns the rows written.
pub async fn update(
    app: &crate::App,
    by: &Caller,
    tenant: TenantCode,
    bytes: &[u8],
    filename: &str,
) -> Result<usize, crate::partnership_import::ImportError> {
    use crate::partnership_import::ImportError;
    let p = preview(app, by, tenant, bytes, filename).await?;
    if !p.sheet.errors.is_empty() {
        return Err(ImportError::BadRows(p.sheet.errors));
    }
    if p.sheet.rows.is_empty() {
        return Err(CommandError::Invalid(vec![FieldError {
            field: "file",
            key: "error-import-no-rows",
        }])
        .into());
    }
    let rows: Vec<ProgressUpdate> = p.sheet.rows.into_iter().map(|r| r.update).collect();
    Ok(app
        .store
        .progress_update(tenant, &rows, &p.filename, &p.sha256, &by.who)
        .await
        .map_err(CommandError::from)?)
}

/// The template: the caller's manageable partnerships with their indicators and this fiscal
/// year's values (one empty indicator row for a partnership without any).
pub async fn template(
    app: &crate::App,
    by: &Caller,
    tenant: TenantCode,
) -> Result<Table, CommandError> {
    let a = actor(by, tenant)?;
    let fy = renkei_domain::time::fiscal_year(app.store.today());
    let lines = app.store.progress_lines(tenant, fy).await?;
    let num = |n: Option<i64>| n.map(Cell::Int).unwrap_or(Cell::Empty);
    Ok(Table {
        headers: COLUMNS.iter().map(|c| c.to_string()).collect(),
        rows: lines
            .iter()
            .filter(|l| a.may_manage_partnership(tenant, l.department_id))
            .map(|l| {
                vec![
                    Cell::Int(l.partnership_id),
                    l.title.as_str().into(),
                    l.name.as_str().into(),
                    l.unit.as_str().into(),
                    Cell::Int(i64::from(fy)),
                    num(l.target),
                    num(l.actual),
                ]
            })
            .collect(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rows(text: &str) -> Vec<SheetRow> {
        crate::sheet::read(text.as_bytes(), "x.csv").expect("read")
    }

    #[test]
    fn rows_are_read_and_refusals_named_by_line() {
        let text = "ID,協定名称,指標名,単位,年度,目標値,実績値,メモ\n\
                    1,防災,参加者数,人,令和8,\"1,000\",850,\n\
                    2,子育て,講座数,回,2026,12,,\n\
                    3,他課,参加者数,人,2026,1,1,\n\
                    9,ない,参加者数,人,2026,1,1,\n\
                    1,防災,参加者数,人,2026,1,1,\n\
                    1,防災,,人,令和九,x,1,\n";
        let p = parse(&rows(text), |id| match id {
            1 | 2 => Some(true),
            3 => Some(false),
            _ => None,
        });
        let got: Vec<(usize, &str, &str)> =
            p.errors.iter().map(|e| (e.line, e.column, e.key)).collect();
        assert_eq!(
            got,
            vec![
                (4, COL_ID, "error-progress-not-yours"),
                (5, COL_ID, "error-progress-partnership-unknown"),
                (6, COL_NAME, "error-progress-row-twice"),
                (7, COL_NAME, "error-required"),
                (7, COL_YEAR, "error-fiscal-year-invalid"),
                (7, COL_TARGET, "error-number-invalid"),
            ]
        );
        assert!(p.rows.is_empty());
        assert_eq!(p.ignored_columns, vec!["メモ".to_string()]);
        let ok = parse(
            &rows(&text.lines().take(3).collect::<Vec<_>>().join("\n")),
            |_| Some(true),
        );
        assert_eq!(ok.errors, vec![]);
        assert_eq!(ok.rows[0].update.target, Some(1000));
        assert_eq!(ok.rows[0].update.fiscal_year, 2026);
        assert_eq!(ok.rows[1].update.actual, None);
    }

    #[test]
    fn the_templates_guarded_text_reads_back_unchanged() {
        let table = Table {
            headers: COLUMNS.iter().map(|c| c.to_string()).collect(),
            rows: vec![vec![
                Cell::Int(1),
                "=1+1".into(),
                "-CO2排出量".into(),
                "@t".into(),
                Cell::Int(2026),
                Cell::Int(-5),
                Cell::Empty,
            ]],
        };
        let csv = crate::export::to_csv(&table);
        assert!(String::from_utf8_lossy(&csv).contains(",'-CO2排出量,'@t,2026,-5,"));
        let p = parse(&crate::sheet::read(&csv, "x.csv").expect("read"), |_| {
            Some(true)
        });
        assert_eq!(p.errors, vec![]);
        assert_eq!(p.rows[0].update.name, "-CO2排出量");
        assert_eq!(p.rows[0].update.unit, "@t");
        assert_eq!(p.rows[0].update.target, Some(-5));
    }
}
