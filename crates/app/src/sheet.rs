//! Reading a spreadsheet a person uploads: `.xlsx` (the first worksheet, with `calamine`) or
//! CSV (with `csv`) in UTF-8 with or without a BOM, else Shift_JIS (Excel's 「CSV（コンマ区切り）」
//! on a Japanese Windows). Every cell comes back as text; day cells as ISO `YYYY-MM-DD`. Rows
//! carry the number the spreadsheet shows (the header is row 1), and wholly empty rows are
//! left out. Bounded: at most [`MAX_BYTES`] and [`MAX_ROWS`] rows under the header.

use crate::FieldError;

/// The largest file read (10 MB).
pub const MAX_BYTES: usize = 10 * 1024 * 1024;
/// The most rows under the header.
pub const MAX_ROWS: usize = 5_000;
/// The most columns read; cells past it are ignored.
const MAX_COLUMNS: usize = 100;

/// One row as the spreadsheet shows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SheetRow {
    /// 行番号: 1 for the header row.
    pub line: usize,
    pub cells: Vec<String>,
}

fn refused(key: &'static str) -> FieldError {
    FieldError { field: "file", key }
}

/// Whether the file is an .xlsx (a zip) rather than text.
fn is_xlsx(bytes: &[u8], filename: &str) -> bool {
    bytes.starts_with(b"PK\x03\x04") || filename.to_lowercase().ends_with(".xlsx")
}

/// The rows of the file, header first. Refuses an empty, oversized or unreadable file.
pub fn read(bytes: &[u8], filename: &str) -> Result<Vec<SheetRow>, FieldError> {
    if bytes.is_empty() {
        return Err(refused("error-import-file-empty"));
    }
    if bytes.len() > MAX_BYTES {
        return Err(refused("error-import-file-too-large"));
    }
    // The old binary .xls (an OLE compound file) is not read: save it as .xlsx or CSV.
    if bytes.starts_with(b"\xd0\xcf\x11\xe0") {
        return Err(refused("error-import-not-a-sheet"));
    }
    let rows = if is_xlsx(bytes, filename) {
        read_xlsx(bytes)?
    } else {
        read_csv(&decode(bytes)?)?
    };
    if rows.is_empty() {
        return Err(refused("error-import-file-empty"));
    }
    if rows.len() > MAX_ROWS + 1 {
        return Err(refused("error-import-too-many-rows"));
    }
    Ok(rows)
}

/// UTF-8 (a BOM dropped) when the bytes are valid UTF-8, else Shift_JIS; neither is refused.
pub fn decode(bytes: &[u8]) -> Result<String, FieldError> {
    let body = bytes.strip_prefix(b"\xef\xbb\xbf").unwrap_or(bytes);
    if let Ok(s) = std::str::from_utf8(body) {
        return Ok(s.to_string());
    }
    encoding_rs::SHIFT_JIS
        .decode_without_bom_handling_and_without_replacement(bytes)
        .map(|s| s.into_owned())
        .ok_or(refused("error-import-encoding"))
}

fn keep(line: usize, cells: Vec<String>, out: &mut Vec<SheetRow>) -> Result<(), FieldError> {
    if cells.iter().all(|c| c.trim().is_empty()) {
        return Ok(());
    }
    if out.len() > MAX_ROWS {
        return Err(refused("error-import-too-many-rows"));
    }
    out.push(SheetRow { line, cells });
    Ok(())
}

fn read_csv(text: &str) -> Result<Vec<SheetRow>, FieldError> {
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .from_reader(text.as_bytes());
    let mut out = Vec::new();
    for (i, record) in reader.records().enumerate() {
        let record = record.map_err(|_| refused("error-import-not-a-sheet"))?;
        let cells = record
            .iter()
            .take(MAX_COLUMNS)
            .map(str::to_string)
            .collect();
        keep(i + 1, cells, &mut out)?;
    }
    Ok(out)
}

fn cell_text(d: &calamine::Data) -> String {
    use calamine::Data;
    match d {
        Data::Empty | Data::Error(_) => String::new(),
        Data::String(s) | Data::DateTimeIso(s) | Data::DurationIso(s) => s.clone(),
        Data::Int(n) => n.to_string(),
        Data::Float(f) => {
            if f.fract() == 0.0 && f.abs() < 1e15 {
                format!("{}", *f as i64)
            } else {
                f.to_string()
            }
        }
        Data::Bool(b) => if *b { "TRUE" } else { "FALSE" }.to_string(),
        Data::DateTime(dt) => match dt.as_datetime() {
            Some(t) => t.date().format("%Y-%m-%d").to_string(),
            None => dt.as_f64().to_string(),
        },
    }
}

fn read_xlsx(bytes: &[u8]) -> Result<Vec<SheetRow>, FieldError> {
    use calamine::{Reader, Xlsx};
    let mut book = Xlsx::new(std::io::Cursor::new(bytes.to_vec()))
        .map_err(|_| refused("error-import-not-a-sheet"))?;
    let range = match book.worksheet_range_at(0) {
        Some(Ok(r)) => r,
        _ => return Err(refused("error-import-not-a-sheet")),
    };
    let first_row = range.start().map(|(r, _)| r as usize).unwrap_or(0);
    let first_col = range.start().map(|(_, c)| c as usize).unwrap_or(0);
    let mut out = Vec::new();
    for (i, row) in range.rows().enumerate() {
        // Columns left of the used range are empty: keep positions as Excel shows them.
        let mut cells = vec![String::new(); first_col.min(MAX_COLUMNS)];
        cells.extend(
            row.iter()
                .take(MAX_COLUMNS.saturating_sub(first_col))
                .map(cell_text),
        );
        keep(first_row + i + 1, cells, &mut out)?;
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn utf8_with_and_without_bom_and_shift_jis_read_the_same() {
        let text = "ID,協定名称\r\nA-1,\"防災, 協定\"\r\n,\r\nA-2,子育て\r\n";
        let (sjis, _, bad) = encoding_rs::SHIFT_JIS.encode(text);
        assert!(!bad);
        let mut bom = b"\xef\xbb\xbf".to_vec();
        bom.extend_from_slice(text.as_bytes());
        let a = read(text.as_bytes(), "a.csv").expect("utf-8");
        let b = read(&bom, "b.csv").expect("bom");
        let c = read(&sjis, "c.csv").expect("sjis");
        assert_eq!(a, b);
        assert_eq!(a, c);
        // The empty row 3 is left out; row numbers are the spreadsheet's.
        assert_eq!(a.iter().map(|r| r.line).collect::<Vec<_>>(), vec![1, 2, 4]);
        assert_eq!(a[1].cells, vec!["A-1", "防災, 協定"]);
    }

    #[test]
    fn bounds_and_garbage_are_refused() {
        assert_eq!(
            read(b"", "x.csv").map_err(|e| e.key),
            Err("error-import-file-empty")
        );
        assert_eq!(
            read(&vec![b'a'; MAX_BYTES + 1], "x.csv").map_err(|e| e.key),
            Err("error-import-file-too-large")
        );
        assert_eq!(
            read(b"\xff\xfe\xfd\x80\x80", "x.csv").map_err(|e| e.key),
            Err("error-import-encoding")
        );
        assert_eq!(
            read(b"PK\x03\x04garbage", "x.xlsx").map_err(|e| e.key),
            Err("error-import-not-a-sheet")
        );
        assert_eq!(
            read(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", "x.xls").map_err(|e| e.key),
            Err("error-import-not-a-sheet")
        );
        let mut many = String::from("ID\n");
        for i in 0..=MAX_ROWS {
            many.push_str(&format!("{i}\n"));
        }
        assert_eq!(
            read(many.as_bytes(), "x.csv").map_err(|e| e.key),
            Err("error-import-too-many-rows")
        );
    }

    #[test]
    fn xlsx_cells_come_back_as_text_and_days_as_iso() {
        use crate::export::{Cell, Table, to_xlsx};
        let table = Table {
            headers: vec!["ID".into(), "締結日".into(), "法人番号".into()],
            rows: vec![vec![
                "A-1".into(),
                Cell::Date(chrono::NaiveDate::from_ymd_opt(2024, 4, 1).expect("day")),
                Cell::Int(1234567890123),
            ]],
        };
        let bytes = to_xlsx(&table, "一覧").expect("xlsx");
        let rows = read(&bytes, "x.xlsx").expect("read");
        assert_eq!(rows[0].line, 1);
        assert_eq!(rows[1].cells, vec!["A-1", "2024-04-01", "1234567890123"]);
    }
}
