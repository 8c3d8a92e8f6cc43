//! The partnership list as a spreadsheet (協定一覧): the one layout the import reads and the
//! export writes, and the pure step from rows to checked partnerships with every row error
//! (行番号 as the spreadsheet shows it, the header being row 1, and a message key).
//!
//! The layout (header names in the first row, in any order; other columns are ignored and
//! named in a notice):
//!
//! | column | required | content |
//! |---|---|---|
//! | 全国地方公共団体コード | yes | the tenant's own 6-digit code (check digit checked) |
//! | ID | yes | the agreement's identifier in the city's list (≤ 100 characters) |
//! | 地方公共団体名 | no | informational; not read |
//! | 協定名称 | yes | |
//! | 協定種別 | yes | 包括連携協定 / 事業連携協定 / 個別の連携事業 (or the codes) |
//! | 相手方名称 | yes | one party per row |
//! | 相手方法人番号 | no | 13 digits, check digit checked |
//! | 相手方種別 | yes | the labels of `proposal::PartnerType` (or the codes) |
//! | 締結日, 終了日 | no | ISO, 2024/4/1, 2024年4月1日 or 和暦 (令和6年4月1日, R6.4.1) |
//! | 自動更新, 公開 | no | する / しない (empty: しない) |
//! | 所管課 | for 事業連携協定 and 個別の連携事業 | a department name of the tenant |
//! | 分野 | no | labels of `proposal::Field` (or codes) separated by 「、」 or 「;」 |
//! | 概要 | no | |
//! | 最終活動日 | no | a day, not in the future |
//!
//! **Several parties**: one row per party. Rows with the same ID make one agreement; its
//! first row gives the agreement's columns, and every further row gives another party (its
//! 相手方名称, 相手方法人番号, 相手方種別) and must leave the agreement's columns empty or repeat
//! them unchanged (a differing value is a row error). The export writes every party's row
//! with the agreement's columns repeated, so a filtered or sorted sheet stays readable and
//! comes back unchanged.
//!
//! A cell the export protected against formula injection (a leading `'` before `=`, `+`, `-`,
//! `@`, a tab, CR or another `'`: `renkei_domain::spreadsheet::guard`) is read without that
//! `'` (`unguard`), so export → import gives back exactly what was exported.

use crate::export::{Cell, Table};
use crate::i18n::{Lang, Tr};
use crate::sheet::SheetRow;
use chrono::NaiveDate;
use renkei_domain::partnership::{
    Form, Partnership, PartnershipInput, PartyInput, optional_date, rules,
};
use renkei_domain::proposal::{Field, PartnerType};
use renkei_domain::spreadsheet::unguard;
use renkei_domain::{CorporateNumber, ParseError, TenantCode};
use std::collections::{HashMap, HashSet};

pub const COL_TENANT: &str = "全国地方公共団体コード";
pub const COL_ID: &str = "ID";
pub const COL_TENANT_NAME: &str = "地方公共団体名";
pub const COL_TITLE: &str = "協定名称";
pub const COL_FORM: &str = "協定種別";
pub const COL_PARTY_NAME: &str = "相手方名称";
pub const COL_PARTY_NUMBER: &str = "相手方法人番号";
pub const COL_PARTY_TYPE: &str = "相手方種別";
pub const COL_SIGNED: &str = "締結日";
pub const COL_ENDS: &str = "終了日";
pub const COL_AUTO_RENEW: &str = "自動更新";
pub const COL_DEPARTMENT: &str = "所管課";
pub const COL_FIELDS: &str = "分野";
pub const COL_SUMMARY: &str = "概要";
pub const COL_PUBLISHED: &str = "公開";
pub const COL_LAST_ACTIVITY: &str = "最終活動日";

/// Every column, in the order the export writes them.
pub const COLUMNS: [&str; 16] = [
    COL_TENANT,
    COL_ID,
    COL_TENANT_NAME,
    COL_TITLE,
    COL_FORM,
    COL_PARTY_NAME,
    COL_PARTY_NUMBER,
    COL_PARTY_TYPE,
    COL_SIGNED,
    COL_ENDS,
    COL_AUTO_RENEW,
    COL_DEPARTMENT,
    COL_FIELDS,
    COL_SUMMARY,
    COL_PUBLISHED,
    COL_LAST_ACTIVITY,
];

/// The columns a file must have.
pub const REQUIRED: [&str; 6] = [
    COL_TENANT,
    COL_ID,
    COL_TITLE,
    COL_FORM,
    COL_PARTY_NAME,
    COL_PARTY_TYPE,
];

/// The agreement's own columns: further rows of the same ID leave them empty or repeat them.
const AGREEMENT_COLUMNS: [&str; 11] = [
    COL_TENANT,
    COL_TITLE,
    COL_FORM,
    COL_SIGNED,
    COL_ENDS,
    COL_AUTO_RENEW,
    COL_DEPARTMENT,
    COL_FIELDS,
    COL_SUMMARY,
    COL_PUBLISHED,
    COL_LAST_ACTIVITY,
];

/// The longest ID.
pub const MAX_ID_CHARS: usize = 100;

pub const YES: &str = "する";
pub const NO: &str = "しない";

/// What is wrong with one row (or with the header, row 1).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RowError {
    /// 行番号 as the spreadsheet shows it (the header is 1).
    pub line: usize,
    /// The column's header name, or empty when the row as a whole is wrong.
    pub column: &'static str,
    pub key: &'static str,
    /// The value concerned (an unknown name), or empty.
    pub value: String,
}

impl RowError {
    fn new(line: usize, column: &'static str, key: &'static str) -> Self {
        Self {
            line,
            column,
            key,
            value: String::new(),
        }
    }

    fn with(mut self, value: &str) -> Self {
        self.value = value.chars().take(50).collect();
        self
    }

    /// The message without its row number: 「列」: what is wrong（value）.
    pub fn message(&self, tr: &Tr) -> String {
        let mut out = String::new();
        if !self.column.is_empty() {
            out.push_str(&tr.fill("import-column-prefix", &[("column", self.column)]));
        }
        out.push_str(&tr.t(self.key));
        if !self.value.is_empty() {
            out.push_str(&tr.fill("import-value-suffix", &[("value", &self.value)]));
        }
        out
    }

    /// `行 N: message`.
    pub fn line_message(&self, tr: &Tr) -> String {
        tr.fill(
            "import-row-error",
            &[
                ("line", &self.line.to_string()),
                ("message", &self.message(tr)),
            ],
        )
    }
}

/// One agreement read from the sheet, checked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SheetAgreement {
    /// The row numbers it came from (the first gives the agreement's columns).
    pub lines: Vec<usize>,
    pub source_id: String,
    pub record: Partnership,
    pub department_name: String,
    pub last_activity_on: Option<NaiveDate>,
}

/// The whole sheet read: the agreements when no row is wrong, every row error otherwise.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ParsedSheet {
    pub agreements: Vec<SheetAgreement>,
    pub errors: Vec<RowError>,
    /// Header names the layout does not know (ignored).
    pub ignored_columns: Vec<String>,
    /// Rows under the header.
    pub rows: usize,
}

/// What the tenant already has that rows are checked against.
pub struct Context<'a> {
    pub tenant: TenantCode,
    /// The tenant's departments: id and name.
    pub departments: &'a [(i64, String)],
    /// IDs already taken in the tenant (see `partnership_import`).
    pub taken_ids: &'a HashSet<String>,
    pub today: NaiveDate,
}

fn ja() -> Tr {
    Tr::new(Lang::Ja)
}

/// A vocabulary value by its code or its Japanese label.
fn lookup<T: Copy>(
    all: &[T],
    value: &str,
    code: impl Fn(T) -> &'static str,
    key: impl Fn(T) -> String,
) -> Option<T> {
    let tr = ja();
    let v = value.trim();
    all.iter()
        .copied()
        .find(|x| code(*x) == v || tr.t(&key(*x)) == v)
}

pub fn form_of(value: &str) -> Option<Form> {
    lookup(Form::ALL, value, Form::code, Form::label_key)
}

pub fn partner_type_of(value: &str) -> Option<PartnerType> {
    lookup(
        PartnerType::ALL,
        value,
        PartnerType::code,
        PartnerType::label_key,
    )
}

pub fn field_of(value: &str) -> Option<Field> {
    lookup(Field::ALL, value, Field::code, Field::label_key)
}

/// する / しない (also はい・いいえ, TRUE/FALSE, 1/0, ○/×); empty is しない.
pub fn flag_of(value: &str) -> Option<bool> {
    match value.trim() {
        "する" | "はい" | "有" | "あり" | "○" | "〇" | "TRUE" | "true" | "1" => {
            Some(true)
        }
        "" | "しない" | "いいえ" | "無" | "なし" | "×" | "FALSE" | "false" | "0" => {
            Some(false)
        }
        _ => None,
    }
}

/// The header's columns by name; missing required columns and repeated names are errors of
/// row 1.
fn header(
    row: &SheetRow,
    errors: &mut Vec<RowError>,
    ignored: &mut Vec<String>,
) -> HashMap<&'static str, usize> {
    let mut index = HashMap::new();
    for (i, cell) in row.cells.iter().enumerate() {
        let name = cell.trim_start_matches('\u{feff}').trim();
        if name.is_empty() {
            continue;
        }
        match COLUMNS.iter().find(|c| **c == name) {
            Some(col) => {
                if index.insert(*col, i).is_some() {
                    errors.push(RowError::new(row.line, col, "error-import-column-twice"));
                }
            }
            None => ignored.push(name.chars().take(50).collect()),
        }
    }
    for col in REQUIRED {
        if !index.contains_key(col) {
            errors.push(RowError::new(row.line, col, "error-import-column-missing"));
        }
    }
    index
}

/// The column a domain error belongs to.
fn column_of(field: &str) -> &'static str {
    match field {
        "title" => COL_TITLE,
        "form" => COL_FORM,
        "summary" => COL_SUMMARY,
        "department_id" => COL_DEPARTMENT,
        "party_name" => COL_PARTY_NAME,
        "party_type" => COL_PARTY_TYPE,
        "party_corporate_number" => COL_PARTY_NUMBER,
        "field" | "fields" => COL_FIELDS,
        "signed_on" => COL_SIGNED,
        "ends_on" => COL_ENDS,
        _ => "",
    }
}

fn is_party_field(field: &str) -> bool {
    field.starts_with("party_")
}

/// One row's cells by column name.
struct Row<'a> {
    line: usize,
    cells: &'a [String],
    index: &'a HashMap<&'static str, usize>,
}

impl Row<'_> {
    fn get(&self, col: &str) -> &str {
        self.index
            .get(col)
            .and_then(|i| self.cells.get(*i))
            .map(|s| unguard(s.trim()))
            .unwrap_or("")
    }

    /// The row's party, checked (errors at this row).
    fn party(&self, errors: &mut Vec<RowError>) -> PartyInput {
        let name = self.get(COL_PARTY_NAME);
        match rules::PARTY_NAME.parse_required(name, "error-required") {
            Ok(_) => {}
            Err(e) => errors.push(RowError::new(self.line, COL_PARTY_NAME, e.key)),
        }
        let type_text = self.get(COL_PARTY_TYPE);
        let party_type = if type_text.is_empty() {
            errors.push(RowError::new(self.line, COL_PARTY_TYPE, "error-required"));
            ""
        } else {
            match partner_type_of(type_text) {
                Some(t) => t.code(),
                None => {
                    errors.push(
                        RowError::new(self.line, COL_PARTY_TYPE, "error-import-party-type-unknown")
                            .with(type_text),
                    );
                    ""
                }
            }
        };
        let number = self.get(COL_PARTY_NUMBER);
        if !number.is_empty() && CorporateNumber::parse(number).is_err() {
            errors.push(
                RowError::new(
                    self.line,
                    COL_PARTY_NUMBER,
                    "error-corporate-number-invalid",
                )
                .with(number),
            );
        }
        PartyInput {
            name: name.to_string(),
            party_type: party_type.to_string(),
            corporate_number: number.to_string(),
            role: String::new(),
        }
    }
}

/// An agreement being gathered from its rows.
struct Gathering {
    lines: Vec<usize>,
    source_id: String,
    input: PartnershipInput,
    department_name: String,
    last_activity_on: Option<NaiveDate>,
    /// The first row's agreement columns, to compare further rows with.
    first: Vec<(&'static str, String)>,
    bad: bool,
}

/// Reads the agreement's own columns of an ID's first row.
fn agreement(row: &Row<'_>, ctx: &Context<'_>, errors: &mut Vec<RowError>) -> Gathering {
    let line = row.line;
    let before = errors.len();
    // 全国地方公共団体コード: a number cell may have lost its leading zero (北海道 01…).
    let code_text = row.get(COL_TENANT);
    let code_text = if code_text.len() == 5 && code_text.bytes().all(|b| b.is_ascii_digit()) {
        format!("0{code_text}")
    } else {
        code_text.to_string()
    };
    if code_text.is_empty() {
        errors.push(RowError::new(line, COL_TENANT, "error-required"));
    } else {
        match TenantCode::parse(&code_text) {
            Ok(c) if c == ctx.tenant => {}
            Ok(_) => errors.push(
                RowError::new(line, COL_TENANT, "error-import-tenant-other").with(&code_text),
            ),
            Err(e) => errors.push(RowError::new(line, COL_TENANT, e.key).with(&code_text)),
        }
    }
    let form_text = row.get(COL_FORM);
    let form = if form_text.is_empty() {
        errors.push(RowError::new(line, COL_FORM, "error-required"));
        String::new()
    } else {
        match form_of(form_text) {
            Some(f) => f.code().to_string(),
            None => {
                errors.push(
                    RowError::new(line, COL_FORM, "error-import-form-unknown").with(form_text),
                );
                String::new()
            }
        }
    };
    let mut flag = |col: &'static str| {
        let v = row.get(col);
        flag_of(v).unwrap_or_else(|| {
            errors.push(RowError::new(line, col, "error-import-flag-invalid").with(v));
            false
        })
    };
    let auto_renew = flag(COL_AUTO_RENEW);
    let published = flag(COL_PUBLISHED);
    let department_name = row.get(COL_DEPARTMENT).to_string();
    let department_id = if department_name.is_empty() {
        String::new()
    } else {
        match ctx
            .departments
            .iter()
            .find(|(_, name)| name.trim() == department_name)
        {
            Some((id, _)) => id.to_string(),
            None => {
                errors.push(
                    RowError::new(line, COL_DEPARTMENT, "error-import-department-unknown")
                        .with(&department_name),
                );
                String::new()
            }
        }
    };
    let mut fields = Vec::new();
    for part in row
        .get(COL_FIELDS)
        .split(['、', ';', '；', ',', '，'])
        .map(str::trim)
        .filter(|p| !p.is_empty())
    {
        match field_of(part) {
            Some(f) => fields.push(f.code().to_string()),
            None => errors
                .push(RowError::new(line, COL_FIELDS, "error-import-field-unknown").with(part)),
        }
    }
    let mut date_errors = Vec::new();
    let last_activity_on = optional_date(
        &mut date_errors,
        "last_activity_on",
        row.get(COL_LAST_ACTIVITY),
    );
    if !date_errors.is_empty() {
        errors.push(
            RowError::new(line, COL_LAST_ACTIVITY, "error-date-invalid")
                .with(row.get(COL_LAST_ACTIVITY)),
        );
    } else if last_activity_on.is_some_and(|d| d > ctx.today) {
        errors.push(RowError::new(
            line,
            COL_LAST_ACTIVITY,
            "error-date-in-future",
        ));
    }
    let input = PartnershipInput {
        form,
        title: row.get(COL_TITLE).to_string(),
        summary: row.get(COL_SUMMARY).to_string(),
        department_id,
        fields,
        signed_on: row.get(COL_SIGNED).to_string(),
        ends_on: row.get(COL_ENDS).to_string(),
        auto_renew,
        published,
        ..Default::default()
    };
    Gathering {
        lines: vec![line],
        source_id: row.get(COL_ID).to_string(),
        input,
        department_name,
        last_activity_on,
        first: AGREEMENT_COLUMNS
            .iter()
            .map(|c| (*c, row.get(c).to_string()))
            .collect(),
        bad: errors.len() > before,
    }
}

/// Reads every row: header mapping, labels to vocabularies, rows of one ID gathered into one
/// agreement, each checked by the domain (`Partnership::parse`) and against the tenant
/// (`ctx`). Every error is reported, with its row.
pub fn parse(rows: &[SheetRow], ctx: &Context<'_>) -> ParsedSheet {
    let mut out = ParsedSheet::default();
    let Some((head, body)) = rows.split_first() else {
        out.errors
            .push(RowError::new(1, "", "error-import-file-empty"));
        return out;
    };
    let index = header(head, &mut out.errors, &mut out.ignored_columns);
    out.rows = body.len();
    if !out.errors.is_empty() {
        return out;
    }
    let mut order: Vec<String> = Vec::new();
    let mut groups: HashMap<String, Gathering> = HashMap::new();
    for r in body {
        let row = Row {
            line: r.line,
            cells: &r.cells,
            index: &index,
        };
        let id = row.get(COL_ID);
        if id.is_empty() {
            out.errors
                .push(RowError::new(row.line, COL_ID, "error-required"));
            continue;
        }
        if id.chars().count() > MAX_ID_CHARS || id.contains(['\n', '\r', '\t']) {
            out.errors
                .push(RowError::new(row.line, COL_ID, "error-import-id-invalid"));
            continue;
        }
        let before = out.errors.len();
        let party = row.party(&mut out.errors);
        let party_bad = out.errors.len() > before;
        match groups.get_mut(id) {
            Some(g) => {
                for (col, first) in &g.first {
                    let v = row.get(col);
                    if !v.is_empty() && v != first {
                        out.errors
                            .push(RowError::new(row.line, col, "error-import-row-differs").with(v));
                        g.bad = true;
                    }
                }
                g.lines.push(row.line);
                g.input.parties.push(party);
                g.bad |= party_bad;
            }
            None => {
                let mut g = agreement(&row, ctx, &mut out.errors);
                if ctx.taken_ids.contains(id) {
                    out.errors
                        .push(RowError::new(row.line, COL_ID, "error-import-id-taken").with(id));
                    g.bad = true;
                }
                g.input.parties.push(party);
                g.bad |= party_bad;
                order.push(id.to_string());
                groups.insert(id.to_string(), g);
            }
        }
    }
    for id in order {
        let Some(g) = groups.remove(&id) else {
            continue;
        };
        let line = g.lines[0];
        match Partnership::parse(&g.input) {
            Ok(record) if !g.bad => out.agreements.push(SheetAgreement {
                lines: g.lines,
                source_id: g.source_id,
                record,
                department_name: g.department_name,
                last_activity_on: g.last_activity_on,
            }),
            Ok(_) => {}
            Err(list) => {
                for e in list {
                    push_domain_error(&mut out.errors, line, &e, &g);
                }
            }
        }
    }
    out.errors.sort_by_key(|e| e.line);
    if !out.errors.is_empty() {
        out.agreements.clear();
    }
    out
}

/// A domain error at the agreement's first row, unless the row reading already said it.
fn push_domain_error(errors: &mut Vec<RowError>, line: usize, e: &ParseError, g: &Gathering) {
    // Party fields were checked row by row; the parties' count is the agreement's.
    if is_party_field(e.field) && e.key != "error-too-many-parties" {
        return;
    }
    let column = column_of(e.field);
    // Unknown vocabulary values were reported with the value already.
    if errors
        .iter()
        .any(|x| g.lines.contains(&x.line) && x.column == column && !column.is_empty())
    {
        return;
    }
    let value = match column {
        COL_SIGNED => g.input.signed_on.as_str(),
        COL_ENDS if e.key == "error-date-invalid" => g.input.ends_on.as_str(),
        _ => "",
    };
    errors.push(RowError::new(line, column, e.key).with(value));
}

/// One partnership as the export writes it (see `renkei_store::partnerships::ExportRow`).
pub fn export_table(
    tenant_code: &str,
    tenant_name: &str,
    list: &[renkei_store::partnerships::ExportRow],
) -> Table {
    let tr = ja();
    let flag = |b: bool| Cell::from(if b { YES } else { NO });
    let mut rows = Vec::new();
    for p in list {
        let fields = p
            .fields
            .iter()
            .map(|f| tr.t(&f.label_key()))
            .collect::<Vec<_>>()
            .join("、");
        for party in &p.parties {
            rows.push(vec![
                tenant_code.into(),
                p.sheet_id().into(),
                tenant_name.into(),
                p.title.as_str().into(),
                tr.t(&p.form.label_key()).into(),
                party.name.as_str().into(),
                party.corporate_number.as_deref().into(),
                tr.t(&party.party_type.label_key()).into(),
                p.signed_on.into(),
                p.ends_on.into(),
                flag(p.auto_renew),
                p.department_name.as_deref().into(),
                fields.as_str().into(),
                p.summary_text.as_str().into(),
                flag(p.published),
                p.last_activity_on.into(),
            ]);
        }
    }
    Table {
        headers: COLUMNS.iter().map(|c| c.to_string()).collect(),
        rows,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn code() -> TenantCode {
        TenantCode::parse("272027").expect("code")
    }

    fn rows(text: &str) -> Vec<SheetRow> {
        crate::sheet::read(text.as_bytes(), "x.csv").expect("read")
    }

    fn today() -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 11, 24).expect("day")
    }

    fn parse_with(text: &str, taken: &HashSet<String>) -> ParsedSheet {
        let departments = vec![
            (7, "危機管理課".to_string()),
            (8, "子育て支援課".to_string()),
        ];
        parse(
            &rows(text),
            &Context {
                tenant: code(),
                departments: &departments,
                taken_ids: taken,
                today: today(),
            },
        )
    }

    fn parse_text(text: &str) -> ParsedSheet {
        parse_with(text, &HashSet::new())
    }

    const HEAD: &str = "ID,全国地方公共団体コード,協定名称,協定種別,相手方名称,相手方法人番号,相手方種別,締結日,終了日,自動更新,所管課,分野,概要,公開,最終活動日,備考\n";

    #[test]
    fn rows_become_partnerships_with_labels_wareki_and_several_parties() {
        let text = format!(
            "{HEAD}K-1,272027,防災協定,事業連携協定,株式会社サンプル,,企業,令和6年4月1日,R9.3.31,する,危機管理課,防災・減災、disaster;地域コミュニティ,概要です,する,2026/10/1,メモ\n\
             K-1,,,,大学法人テスト,,大学等,,,,,,,,,\n\
             K-2,272027,包括協定,comprehensive,ＮＰＯテスト,,NPO・市民活動団体,,,しない,,,,しない,,\n"
        );
        let p = parse_text(&text);
        assert_eq!(p.errors, vec![]);
        assert_eq!(p.ignored_columns, vec!["備考".to_string()]);
        assert_eq!(p.rows, 3);
        assert_eq!(p.agreements.len(), 2);
        let a = &p.agreements[0];
        assert_eq!(a.lines, vec![2, 3]);
        assert_eq!(a.source_id, "K-1");
        assert_eq!(a.record.form, Form::Business);
        assert_eq!(a.record.department_id, Some(7));
        assert_eq!(a.record.parties.len(), 2);
        assert_eq!(a.record.parties[1].party_type, PartnerType::University);
        assert_eq!(a.record.fields, vec![Field::Disaster, Field::Community]);
        assert_eq!(a.record.signed_on, NaiveDate::from_ymd_opt(2024, 4, 1));
        assert_eq!(a.record.ends_on, NaiveDate::from_ymd_opt(2027, 3, 31));
        assert!(a.record.auto_renew && a.record.published);
        assert_eq!(a.last_activity_on, NaiveDate::from_ymd_opt(2026, 10, 1));
        assert_eq!(p.agreements[1].record.form, Form::Comprehensive);
        assert_eq!(p.agreements[1].record.department_id, None);
    }

    #[test]
    fn every_bad_row_is_named_and_nothing_is_kept() {
        let text = format!(
            "{HEAD}A,272027,良い協定,事業連携協定,会社,,企業,2024-04-01,,,危機管理課,,,,,\n\
             B,272027,日付,事業連携協定,会社,,企業,2024-13-45,,,危機管理課,,,,,\n\
             C,272027,種別,協定っぽいもの,会社,,企業,,,,危機管理課,,,,,\n\
             D,272027,番号,事業連携協定,会社,1234567890123,企業,,,,危機管理課,,,,,\n\
             E,131016,他団体,事業連携協定,会社,,企業,,,,危機管理課,,,,,\n\
             F,272027,課,事業連携協定,会社,,企業,,,,存在しない課,,,,,\n\
             G,272028,検査数字,事業連携協定,会社,,企業,,,,危機管理課,,,,,\n\
             A,,,包括連携協定,会社2,,企業,,,,,,,,,\n"
        );
        let p = parse_text(&text);
        assert!(p.agreements.is_empty());
        let lines: Vec<(usize, &str, &str)> =
            p.errors.iter().map(|e| (e.line, e.column, e.key)).collect();
        assert_eq!(
            lines,
            vec![
                (3, COL_SIGNED, "error-date-invalid"),
                (4, COL_FORM, "error-import-form-unknown"),
                (5, COL_PARTY_NUMBER, "error-corporate-number-invalid"),
                (6, COL_TENANT, "error-import-tenant-other"),
                (7, COL_DEPARTMENT, "error-import-department-unknown"),
                (8, COL_TENANT, "error-tenant-code-check-digit"),
                (9, COL_FORM, "error-import-row-differs"),
            ]
        );
        let tr = ja();
        assert_eq!(
            p.errors[4].line_message(&tr),
            "行 7: 「所管課」：この名前の課は登録されていません。先に課を登録してください。（存在しない課）"
        );
    }

    #[test]
    fn a_missing_column_is_named_and_taken_ids_refused() {
        let p = parse_text("ID,協定名称,協定種別,相手方名称\nA,x,包括連携協定,会社\n");
        let missing: Vec<&str> = p.errors.iter().map(|e| e.column).collect();
        assert_eq!(missing, vec![COL_TENANT, COL_PARTY_TYPE]);
        assert!(p.errors.iter().all(|e| e.line == 1));
        let taken: HashSet<String> = ["A".to_string()].into();
        let p = parse_with(
            &format!("{HEAD}A,272027,x,包括連携協定,会社,,企業,,,,,,,,,\n"),
            &taken,
        );
        assert_eq!(p.errors[0].key, "error-import-id-taken");
    }

    #[test]
    fn department_forms_need_a_department_and_future_activity_is_refused() {
        let p = parse_text(&format!(
            "{HEAD}A,272027,x,個別の連携事業,会社,,企業,,,,,,,,2027-01-01,\n"
        ));
        let keys: Vec<&str> = p.errors.iter().map(|e| e.key).collect();
        assert_eq!(
            keys,
            vec![
                "error-date-in-future",
                "error-partnership-department-required"
            ]
        );
    }

    #[test]
    fn the_export_layout_reads_back() {
        use renkei_store::partnerships::ExportRow;
        use renkei_store::partnerships::PartyRow;
        let row = ExportRow {
            id: 5,
            source_id: None,
            form: Form::Business,
            title: "=危険な名前".into(),
            department_name: Some("危機管理課".into()),
            signed_on: NaiveDate::from_ymd_opt(2024, 4, 1),
            ends_on: None,
            auto_renew: false,
            published: true,
            fields: vec![Field::Disaster, Field::Health],
            summary_text: "一行目\n二行目, \"引用\"".into(),
            last_activity_on: None,
            parties: vec![
                PartyRow {
                    position: 0,
                    partner_id: None,
                    name: "-会社".into(),
                    party_type: PartnerType::Company,
                    corporate_number: Some("7000012050002".into()),
                    role: String::new(),
                },
                PartyRow {
                    position: 1,
                    partner_id: None,
                    name: "'=大学".into(),
                    party_type: PartnerType::University,
                    corporate_number: None,
                    role: String::new(),
                },
            ],
        };
        let table = export_table("272027", "岸和田市", &[row]);
        let csv = crate::export::to_csv(&table);
        let xlsx = crate::export::to_xlsx(&table, "協定一覧").expect("xlsx");
        for (bytes, name) in [(csv, "x.csv"), (xlsx, "x.xlsx")] {
            let p = parse(
                &crate::sheet::read(&bytes, name).expect("read"),
                &Context {
                    tenant: code(),
                    departments: &[(7, "危機管理課".to_string())],
                    taken_ids: &HashSet::new(),
                    today: today(),
                },
            );
            assert_eq!(p.errors, vec![], "{name}");
            let a = &p.agreements[0];
            assert_eq!(a.source_id, "5");
            assert_eq!(a.record.title, "=危険な名前", "{name}");
            assert_eq!(a.record.summary, "一行目\n二行目, \"引用\"");
            assert_eq!(a.record.parties.len(), 2);
            assert_eq!(a.record.parties[0].name, "-会社", "{name}");
            assert_eq!(a.record.parties[1].name, "'=大学", "{name}");
            assert_eq!(a.record.fields, vec![Field::Disaster, Field::Health]);
            assert!(a.record.published && !a.record.auto_renew);
        }
    }
}
