//! Tables for the people who keep them in Excel: CSV in UTF-8 with a BOM (Excel opens it
//! with the Japanese intact; without the BOM it guesses Shift_JIS) and .xlsx.
//!
//! Text that a proponent typed ends up in these files. A text cell that starts with `=`, `+`,
//! `-`, `@`, a tab or a carriage return is a formula to Excel when it opens a CSV (a title such
//! as `=HYPERLINK("https://evil.example","詳細")` would become a live link), so every CSV
//! writer (these tables and the open-data files) writes text through
//! `renkei_domain::spreadsheet::guard` (a leading `'`, as OWASP recommends) and quotes it
//! with [`csv_cell`]; numbers and days are written as they are. In .xlsx every text cell is
//! written as a string, never as a formula (text starting with `'` gets the guard there too,
//! so that the importer, which drops the guard's `'`, reads it back unchanged).

use chrono::{Datelike, NaiveDate};
use renkei_domain::spreadsheet::{MARK, guard};

/// One cell of an exported table.
#[derive(Debug, Clone, PartialEq)]
pub enum Cell {
    Text(String),
    Int(i64),
    /// A day: ISO `YYYY-MM-DD` in CSV, a date cell in .xlsx.
    Date(NaiveDate),
    Empty,
}

impl From<String> for Cell {
    fn from(s: String) -> Self {
        if s.is_empty() {
            Self::Empty
        } else {
            Self::Text(s)
        }
    }
}

impl From<&str> for Cell {
    fn from(s: &str) -> Self {
        s.to_string().into()
    }
}

impl<T: Into<Cell>> From<Option<T>> for Cell {
    fn from(v: Option<T>) -> Self {
        v.map(Into::into).unwrap_or(Self::Empty)
    }
}

impl From<NaiveDate> for Cell {
    fn from(d: NaiveDate) -> Self {
        Self::Date(d)
    }
}

impl From<i64> for Cell {
    fn from(n: i64) -> Self {
        Self::Int(n)
    }
}

/// A header row and the rows under it.
#[derive(Debug, Clone, Default)]
pub struct Table {
    pub headers: Vec<String>,
    pub rows: Vec<Vec<Cell>>,
}

/// One CSV value (RFC 4180) appended to `out`: a value holding a comma, a double quote, CR or
/// LF is quoted, its quotes doubled. The one cell writer of every CSV file; the formula
/// guard is the caller's (text cells only).
pub fn csv_cell(out: &mut String, s: &str) {
    if s.contains([',', '"', '\n', '\r']) {
        out.push('"');
        out.push_str(&s.replace('"', "\"\""));
        out.push('"');
    } else {
        out.push_str(s);
    }
}

/// RFC 4180 CSV with CRLF line ends, preceded by the UTF-8 byte order mark.
pub fn to_csv(table: &Table) -> Vec<u8> {
    let mut out = String::from("\u{feff}");
    let mut line = |cells: &mut dyn Iterator<Item = String>| {
        for (i, c) in cells.enumerate() {
            if i > 0 {
                out.push(',');
            }
            csv_cell(&mut out, &c);
        }
        out.push_str("\r\n");
    };
    line(&mut table.headers.iter().map(|h| guard(h).into_owned()));
    for row in &table.rows {
        line(&mut row.iter().map(|c| match c {
            Cell::Text(s) => guard(s).into_owned(),
            Cell::Int(n) => n.to_string(),
            Cell::Date(d) => d.format("%Y-%m-%d").to_string(),
            Cell::Empty => String::new(),
        }));
    }
    out.into_bytes()
}

/// Why an .xlsx could not be written (a bug or a limit of the format, never the user's input).
#[derive(Debug, thiserror::Error)]
#[error("xlsx: {0}")]
pub struct XlsxError(String);

impl From<rust_xlsxwriter::XlsxError> for XlsxError {
    fn from(e: rust_xlsxwriter::XlsxError) -> Self {
        Self(e.to_string())
    }
}

/// Excel's limit on one cell's text; longer text is cut (the CSV keeps all of it).
const XLSX_CELL_MAX_CHARS: usize = 32_767;

/// One worksheet named `sheet`: a bold, frozen header row with a filter, dates as dates.
pub fn to_xlsx(table: &Table, sheet: &str) -> Result<Vec<u8>, XlsxError> {
    use rust_xlsxwriter::{ExcelDateTime, Format, Workbook};
    let mut book = Workbook::new();
    let ws = book.add_worksheet();
    ws.set_name(sheet)?;
    let bold = Format::new().set_bold();
    let day = Format::new().set_num_format("yyyy-mm-dd");
    for (c, h) in table.headers.iter().enumerate() {
        ws.write_string_with_format(0, c as u16, h, &bold)?;
    }
    for (r, row) in table.rows.iter().enumerate() {
        let r = r as u32 + 1;
        for (c, cell) in row.iter().enumerate() {
            let c = c as u16;
            match cell {
                Cell::Text(s) => {
                    // A string cell is never a formula; only a leading `'` needs the guard
                    // (for the importer's sake, see the module's comment).
                    let s = if s.starts_with(MARK) {
                        guard(s)
                    } else {
                        s.into()
                    };
                    let s: String = s.chars().take(XLSX_CELL_MAX_CHARS).collect();
                    ws.write_string(r, c, s)?;
                }
                Cell::Int(n) => {
                    ws.write_number(r, c, *n as f64)?;
                }
                Cell::Date(d) => {
                    let dt =
                        ExcelDateTime::from_ymd(d.year() as u16, d.month() as u8, d.day() as u8)?;
                    ws.write_datetime_with_format(r, c, &dt, &day)?;
                }
                Cell::Empty => {}
            }
        }
    }
    if !table.headers.is_empty() {
        let last_col = table.headers.len() as u16 - 1;
        ws.autofilter(0, 0, table.rows.len() as u32, last_col)?;
        ws.set_freeze_panes(1, 0)?;
        for c in 0..=last_col {
            ws.set_column_width(c, 16)?;
        }
    }
    Ok(book.save_to_buffer()?)
}

/// The inbox as a desk officer's spreadsheet: one row per proposal, the columns of the
/// paper register (受付簿) in the reader's language; codes as their labels, days as days.
pub fn proposals_table(tr: &crate::i18n::Tr, list: &[renkei_store::proposals::Proposal]) -> Table {
    let keys = [
        "col-receipt",
        "col-received",
        "export-fiscal-year",
        "col-title",
        "col-kind",
        "col-route",
        "propose-fields",
        "col-status",
        "propose-org-name",
        "propose-partner-type",
        "export-corporate-number",
        "propose-org-address",
        "propose-contact-name",
        "propose-contact-department",
        "propose-contact-title",
        "col-email",
        "propose-phone",
        "col-assignee",
        "col-due",
        "export-first-responded",
        "export-decline-reason",
        "export-updated",
        "export-summary",
    ];
    let labels = |ks: Vec<String>| ks.iter().map(|k| tr.t(k)).collect::<Vec<_>>().join("、");
    Table {
        headers: keys.iter().map(|k| tr.t(k)).collect(),
        rows: list
            .iter()
            .map(|p| {
                vec![
                    p.receipt_number.as_str().into(),
                    p.received_on.into(),
                    Cell::Int(p.fiscal_year),
                    p.title.as_str().into(),
                    tr.t(&p.kind.label_key()).into(),
                    tr.t(&p.route.label_key()).into(),
                    labels(p.fields.iter().map(|f| f.label_key()).collect()).into(),
                    tr.t(&p.status.label_key()).into(),
                    p.org_name.as_str().into(),
                    tr.t(&p.partner_type.label_key()).into(),
                    p.corporate_number.as_deref().into(),
                    p.org_address.as_str().into(),
                    p.contact_name.as_str().into(),
                    p.contact_department.as_str().into(),
                    p.contact_title.as_str().into(),
                    p.email.as_str().into(),
                    p.phone.as_str().into(),
                    p.assignee_name.as_deref().into(),
                    p.first_response_due.into(),
                    p.first_responded_at
                        .map(renkei_domain::time::jst_date)
                        .into(),
                    p.decline_reason.map(|r| tr.t(&r.label_key())).into(),
                    renkei_domain::time::jst_date(p.updated_at).into(),
                    p.summary.as_str().into(),
                ]
            })
            .collect(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn table() -> Table {
        Table {
            headers: vec![
                "受付番号".into(),
                "件名".into(),
                "受付日".into(),
                "件数".into(),
            ],
            rows: vec![
                vec![
                    "R8-0001".into(),
                    "防災訓練への協力, \"ドローン\"\n二行目".into(),
                    NaiveDate::from_ymd_opt(2026, 12, 1)
                        .expect("test value")
                        .into(),
                    Cell::Int(3),
                ],
                vec![
                    "R8-0002".into(),
                    "=HYPERLINK(\"https://evil.example\",\"詳細\")".into(),
                    Cell::Empty,
                    Cell::Int(-1),
                ],
            ],
        }
    }

    #[test]
    fn csv_starts_with_the_bom_and_quotes_what_needs_it() {
        let bytes = to_csv(&table());
        assert_eq!(&bytes[..3], b"\xef\xbb\xbf");
        let text = String::from_utf8(bytes[3..].to_vec()).expect("test value");
        let lines: Vec<&str> = text.split("\r\n").collect();
        assert_eq!(lines[0], "受付番号,件名,受付日,件数");
        assert_eq!(
            lines[1],
            "R8-0001,\"防災訓練への協力, \"\"ドローン\"\"\n二行目\",2026-12-01,3"
        );
        // Formula-like text is inert; numbers stay numbers (a negative count is not text).
        assert_eq!(
            lines[2],
            "R8-0002,\"'=HYPERLINK(\"\"https://evil.example\"\",\"\"詳細\"\")\",,-1"
        );
        assert_eq!(lines[3], "");
        assert_eq!(lines.len(), 4);
    }

    #[test]
    fn text_cells_are_guarded_and_numbers_and_days_are_not() {
        let table = Table {
            headers: vec!["件名".into(), "件数".into(), "日".into()],
            rows: vec![
                vec!["+cmd|' /C calc'!A0".into(), Cell::Int(-5), Cell::Empty],
                vec!["-防災".into(), Cell::Int(0), Cell::Empty],
                vec!["@SUM(A1)".into(), Cell::Int(1), Cell::Empty],
                vec!["'引用符".into(), Cell::Int(2), Cell::Empty],
                vec!["\t=1".into(), Cell::Int(3), Cell::Empty],
            ],
        };
        let text = String::from_utf8(to_csv(&table)).expect("utf-8");
        let lines: Vec<&str> = text.trim_start_matches('\u{feff}').split("\r\n").collect();
        assert_eq!(lines[1], "'+cmd|' /C calc'!A0,-5,");
        assert_eq!(lines[2], "'-防災,0,");
        assert_eq!(lines[3], "'@SUM(A1),1,");
        assert_eq!(lines[4], "''引用符,2,");
        assert_eq!(lines[5], "'\t=1,3,");
    }

    #[test]
    fn xlsx_reads_back_with_text_as_text_and_dates_as_dates() {
        use calamine::{Data, Reader, Xlsx};
        let bytes = to_xlsx(&table(), "受付一覧").expect("test value");
        let mut book = Xlsx::new(std::io::Cursor::new(bytes)).expect("test value");
        assert_eq!(book.sheet_names(), vec!["受付一覧".to_string()]);
        let range = book.worksheet_range("受付一覧").expect("test value");
        assert_eq!(range.get_size(), (3, 4));
        assert_eq!(range.get((0, 1)), Some(&Data::String("件名".into())));
        assert_eq!(
            range.get((1, 1)),
            Some(&Data::String(
                "防災訓練への協力, \"ドローン\"\n二行目".into()
            ))
        );
        match range.get((1, 2)) {
            Some(Data::DateTime(d)) => assert_eq!(
                d.as_datetime().map(|t| t.date()),
                NaiveDate::from_ymd_opt(2026, 12, 1)
            ),
            other => panic!("not a date: {other:?}"),
        }
        assert_eq!(range.get((1, 3)), Some(&Data::Float(3.0)));
        // The formula-like title is a string cell, not a formula.
        assert_eq!(
            range.get((2, 1)),
            Some(&Data::String(
                "=HYPERLINK(\"https://evil.example\",\"詳細\")".into()
            ))
        );
        let formulas = book.worksheet_formula("受付一覧").expect("test value");
        assert!(formulas.used_cells().all(|(_, _, f)| f.is_empty()));
    }
}
