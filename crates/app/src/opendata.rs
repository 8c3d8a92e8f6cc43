//! Open data (オープンデータ): the records anyone may download, laid out once for the CSV files,
//! the JSON API and the pages that describe them; the CSV encoding (自治体標準オープンデータセット
//! conventions: UTF-8 with a BOM, CRLF, RFC 4180 quoting, days as `YYYY-MM-DD`, the first
//! columns 全国地方公共団体コード, ID, 地方公共団体名); the Atom feeds (RFC 4287); and the
//! licence setting (the tenant's admin, the operator or the desk).
//!
//! The CSV writes the columns of free text that people typed (names, summaries, reasons)
//! through the formula guard, as the staff exports do (`renkei_domain::spreadsheet::guard`:
//! a leading `'` before `=`, `+`, `-`, `@`, a tab or CR, so that a title such as
//! `=HYPERLINK(…)` stays text when a citizen opens the file in Excel); codes, numbers, days,
//! labels and addresses are written as they are. The JSON carries every value unguarded, so
//! the two differ only by that `'`. Several values in one cell (parties, fields) are
//! separated by `;`, the parties' columns position by position.

use crate::i18n::Tr;
use crate::{Caller, CommandError};
use chrono::{DateTime, NaiveDate, SecondsFormat, Utc};
use renkei_domain::Lang;
use renkei_domain::TenantCode;
use renkei_domain::opendata::License;
use renkei_domain::spreadsheet::guard;
use renkei_store::opendata::{OpenCallData, OpenPartnership};
use std::borrow::Cow;

/// The byte-order mark the CSV files start with (Excel reads UTF-8 by it).
pub const BOM: &str = "\u{feff}";

/// How many of the newest a feed carries.
pub const FEED_ENTRIES: i64 = 50;

/// Rows read per step while a file streams.
pub const CHUNK_ROWS: i64 = 500;

/// A column of an open-data file: its header (Japanese, as the standard names it), its JSON
/// key, the message key of its description on the pages that list the files, and whether it
/// holds free text that people typed (guarded against formulas in the CSV).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Column {
    pub header: &'static str,
    pub key: &'static str,
    pub about: &'static str,
    pub text: bool,
}

/// A column of values Renkei writes itself: codes, numbers, days, labels, addresses.
const fn col(header: &'static str, key: &'static str, about: &'static str) -> Column {
    Column {
        header,
        key,
        about,
        text: false,
    }
}

/// A column of free text people typed.
const fn text(header: &'static str, key: &'static str, about: &'static str) -> Column {
    Column {
        header,
        key,
        about,
        text: true,
    }
}

/// The partnerships file's columns, in order.
pub const PARTNERSHIP_COLUMNS: &[Column] = &[
    col(
        "全国地方公共団体コード",
        "local_government_code",
        "opendata-col-code",
    ),
    col("ID", "id", "opendata-col-id"),
    text(
        "地方公共団体名",
        "local_government_name",
        "opendata-col-lg-name",
    ),
    text("名称", "name", "opendata-col-p-name"),
    col("種別", "form", "opendata-col-p-form"),
    text("相手方名称", "partner_names", "opendata-col-p-partners"),
    col(
        "相手方法人番号",
        "partner_corporate_numbers",
        "opendata-col-p-corporate",
    ),
    col(
        "相手方種別",
        "partner_types",
        "opendata-col-p-partner-types",
    ),
    col("分野", "fields", "opendata-col-fields"),
    col("締結日", "signed_on", "opendata-col-p-signed"),
    col("開始日", "starts_on", "opendata-col-p-starts"),
    col("終了日", "ends_on", "opendata-col-p-ends"),
    col("自動更新", "auto_renew", "opendata-col-p-auto-renew"),
    col("状態", "status", "opendata-col-p-status"),
    col(
        "最終活動日",
        "last_activity_on",
        "opendata-col-p-last-activity",
    ),
    col("休眠", "dormant", "opendata-col-p-dormant"),
    text("概要", "summary", "opendata-col-p-summary"),
    col("URL", "url", "opendata-col-p-url"),
];

/// The open calls file's columns, in order.
pub const CALL_COLUMNS: &[Column] = &[
    col(
        "全国地方公共団体コード",
        "local_government_code",
        "opendata-col-code",
    ),
    col("ID", "id", "opendata-col-id"),
    text(
        "地方公共団体名",
        "local_government_name",
        "opendata-col-lg-name",
    ),
    text("名称", "name", "opendata-col-c-name"),
    text("担当課", "department", "opendata-col-c-department"),
    col("分野", "fields", "opendata-col-fields"),
    col("募集開始日", "opens_on", "opendata-col-c-opens"),
    col("締切日", "closes_on", "opendata-col-c-closes"),
    col("状態", "status", "opendata-col-c-status"),
    text("選定結果", "selected", "opendata-col-c-selected"),
    text("選定理由", "selection_reason", "opendata-col-c-reason"),
    col("URL", "url", "opendata-col-c-url"),
];

/// A partnership's row, every value as the file writes it.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct PartnershipRecord {
    pub local_government_code: String,
    pub id: String,
    pub local_government_name: String,
    pub name: String,
    pub form: String,
    pub partner_names: String,
    pub partner_corporate_numbers: String,
    pub partner_types: String,
    pub fields: String,
    pub signed_on: String,
    pub starts_on: String,
    pub ends_on: String,
    pub auto_renew: String,
    pub status: String,
    pub last_activity_on: String,
    pub dormant: String,
    pub summary: String,
    pub url: String,
}

impl PartnershipRecord {
    /// The cells in [`PARTNERSHIP_COLUMNS`] order.
    pub fn cells(&self) -> [&str; 18] {
        [
            &self.local_government_code,
            &self.id,
            &self.local_government_name,
            &self.name,
            &self.form,
            &self.partner_names,
            &self.partner_corporate_numbers,
            &self.partner_types,
            &self.fields,
            &self.signed_on,
            &self.starts_on,
            &self.ends_on,
            &self.auto_renew,
            &self.status,
            &self.last_activity_on,
            &self.dormant,
            &self.summary,
            &self.url,
        ]
    }
}

/// An open call's row, every value as the file writes it.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct CallRecord {
    pub local_government_code: String,
    pub id: String,
    pub local_government_name: String,
    pub name: String,
    pub department: String,
    pub fields: String,
    pub opens_on: String,
    pub closes_on: String,
    pub status: String,
    pub selected: String,
    pub selection_reason: String,
    pub url: String,
}

impl CallRecord {
    /// The cells in [`CALL_COLUMNS`] order.
    pub fn cells(&self) -> [&str; 12] {
        [
            &self.local_government_code,
            &self.id,
            &self.local_government_name,
            &self.name,
            &self.department,
            &self.fields,
            &self.opens_on,
            &self.closes_on,
            &self.status,
            &self.selected,
            &self.selection_reason,
            &self.url,
        ]
    }
}

fn day(d: Option<NaiveDate>) -> String {
    d.map(|d| d.format("%Y-%m-%d").to_string())
        .unwrap_or_default()
}

fn joined<T>(items: &[T], f: impl Fn(&T) -> String) -> String {
    items.iter().map(f).collect::<Vec<_>>().join(";")
}

/// A case's public address: `{base}/t/{code}/cases/{id}`.
pub fn case_url(base: &str, tenant: TenantCode, id: i64) -> String {
    format!("{}/t/{tenant}/cases/{id}", base.trim_end_matches('/'))
}

/// An open call's public address: `{base}/t/{code}/calls/{id}`.
pub fn call_url(base: &str, tenant: TenantCode, id: i64) -> String {
    format!("{}/t/{tenant}/calls/{id}", base.trim_end_matches('/'))
}

/// A published partnership as its row (labels in Japanese, as the standard's files are).
pub fn partnership_record(p: &OpenPartnership, base: &str) -> PartnershipRecord {
    let tr = Tr::new(Lang::Ja);
    PartnershipRecord {
        local_government_code: p.tenant_code.to_string(),
        id: p.id.to_string(),
        local_government_name: p.tenant_name.clone(),
        name: p.title.clone(),
        form: tr.t(&p.form.label_key()),
        partner_names: joined(&p.parties, |x| x.name.clone()),
        partner_corporate_numbers: joined(&p.parties, |x| {
            x.corporate_number.clone().unwrap_or_default()
        }),
        partner_types: joined(&p.parties, |x| tr.t(&x.party_type.label_key())),
        fields: joined(&p.fields, |f| tr.t(&f.label_key())),
        signed_on: day(p.signed_on),
        starts_on: day(p.starts_on),
        ends_on: day(p.ends_on),
        auto_renew: if p.auto_renew { "あり" } else { "なし" }.into(),
        status: tr.t(&p.status.label_key()),
        last_activity_on: day(p.last_activity_on),
        dormant: if p.dormant { "休眠" } else { "" }.into(),
        summary: p.summary.clone(),
        // A cancelled agreement stays in the data but has no case page.
        url: if p.status.is_case() {
            case_url(base, p.tenant_code, p.id)
        } else {
            String::new()
        },
    }
}

/// A public open call as its row; the selection only once decided.
pub fn call_record(c: &OpenCallData, base: &str) -> CallRecord {
    let tr = Tr::new(Lang::Ja);
    CallRecord {
        local_government_code: c.tenant_code.to_string(),
        id: c.id.to_string(),
        local_government_name: c.tenant_name.clone(),
        name: c.title.clone(),
        department: c.department.clone(),
        fields: joined(&c.fields, |f| tr.t(&f.label_key())),
        opens_on: day(Some(c.opens_on)),
        closes_on: day(Some(c.closes_on)),
        status: tr.t(&c.status.label_key()),
        selected: c.selected.join(";"),
        selection_reason: c.selection_reason.clone().unwrap_or_default(),
        url: call_url(base, c.tenant_code, c.id),
    }
}

/// One CSV record (RFC 4180, `crate::export::csv_cell`), every value as it is; CRLF ends
/// the record.
pub fn csv_record<'a>(cells: impl IntoIterator<Item = &'a str>) -> String {
    let mut out = String::new();
    for (i, cell) in cells.into_iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        crate::export::csv_cell(&mut out, cell);
    }
    out.push_str("\r\n");
    out
}

/// A row of a file: as [`csv_record`], the text columns guarded against formulas.
pub fn csv_row<'a>(columns: &[Column], cells: impl IntoIterator<Item = &'a str>) -> String {
    let mut out = String::new();
    for (i, (column, cell)) in columns.iter().zip(cells).enumerate() {
        if i > 0 {
            out.push(',');
        }
        let cell = if column.text {
            guard(cell)
        } else {
            Cow::Borrowed(cell)
        };
        crate::export::csv_cell(&mut out, &cell);
    }
    out.push_str("\r\n");
    out
}

impl PartnershipRecord {
    /// The row as the CSV file writes it.
    pub fn csv_row(&self) -> String {
        csv_row(PARTNERSHIP_COLUMNS, self.cells())
    }
}

impl CallRecord {
    /// The row as the CSV file writes it.
    pub fn csv_row(&self) -> String {
        csv_row(CALL_COLUMNS, self.cells())
    }
}

/// The header record of a file.
pub fn csv_header(columns: &[Column]) -> String {
    csv_record(columns.iter().map(|c| c.header))
}

/// Sets the tenant's open-data licence: the tenant's admin, the operator or the desk.
pub async fn set_license(
    app: &crate::App,
    by: &Caller,
    tenant: TenantCode,
    kind: &str,
    text: &str,
) -> Result<License, CommandError> {
    if !by
        .actor
        .as_ref()
        .is_some_and(|a| a.may_open_desk(tenant) || a.may_work_desk(tenant))
    {
        return Err(CommandError::Forbidden);
    }
    let license = License::parse(kind, text)?;
    app.store
        .opendata_license_set(tenant, &license, &by.who)
        .await?;
    Ok(license)
}

// ---------------------------------------------------------------------------------------------
// Atom (RFC 4287)

/// Text for XML: `& < > " '` escaped; characters XML 1.0 does not allow dropped.
pub fn xml_escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            '\t' | '\n' | '\r' => out.push(c),
            c if (c as u32) < 0x20 || c == '\u{fffe}' || c == '\u{ffff}' => {}
            c => out.push(c),
        }
    }
    out
}

fn stamp(t: &DateTime<Utc>) -> String {
    t.to_rfc3339_opts(SecondsFormat::Secs, true)
}

/// An entry of a feed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AtomEntry {
    pub title: String,
    /// The entry's page (also its id).
    pub link: String,
    pub updated: DateTime<Utc>,
    pub published: Option<DateTime<Utc>>,
    pub author: String,
    pub summary: String,
    /// The entry's own licence (the national feeds: each local government's).
    pub rights: Option<String>,
}

/// A feed: its own address (also its id), the page it stands for, and its licence.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AtomFeed {
    pub title: String,
    pub self_link: String,
    pub alternate: String,
    pub rights: String,
    /// When nothing is in it: the feed's `updated`.
    pub now: DateTime<Utc>,
    pub entries: Vec<AtomEntry>,
}

impl AtomFeed {
    /// The document (UTF-8).
    pub fn to_xml(&self) -> String {
        let updated = self
            .entries
            .iter()
            .map(|e| e.updated)
            .max()
            .unwrap_or(self.now);
        let mut x = String::from("<?xml version=\"1.0\" encoding=\"utf-8\"?>\n");
        x.push_str("<feed xmlns=\"http://www.w3.org/2005/Atom\" xml:lang=\"ja\">\n");
        x.push_str(&format!("  <id>{}</id>\n", xml_escape(&self.self_link)));
        x.push_str(&format!("  <title>{}</title>\n", xml_escape(&self.title)));
        x.push_str(&format!("  <updated>{}</updated>\n", stamp(&updated)));
        x.push_str(&format!(
            "  <link rel=\"self\" type=\"application/atom+xml\" href=\"{}\"/>\n",
            xml_escape(&self.self_link)
        ));
        x.push_str(&format!(
            "  <link rel=\"alternate\" type=\"text/html\" href=\"{}\"/>\n",
            xml_escape(&self.alternate)
        ));
        x.push_str(&format!(
            "  <rights>{}</rights>\n",
            xml_escape(&self.rights)
        ));
        x.push_str("  <generator>Renkei</generator>\n");
        for e in &self.entries {
            x.push_str("  <entry>\n");
            x.push_str(&format!("    <id>{}</id>\n", xml_escape(&e.link)));
            x.push_str(&format!("    <title>{}</title>\n", xml_escape(&e.title)));
            x.push_str(&format!(
                "    <link rel=\"alternate\" type=\"text/html\" href=\"{}\"/>\n",
                xml_escape(&e.link)
            ));
            x.push_str(&format!("    <updated>{}</updated>\n", stamp(&e.updated)));
            if let Some(p) = &e.published {
                x.push_str(&format!("    <published>{}</published>\n", stamp(p)));
            }
            x.push_str(&format!(
                "    <author><name>{}</name></author>\n",
                xml_escape(&e.author)
            ));
            x.push_str(&format!(
                "    <summary>{}</summary>\n",
                xml_escape(&e.summary)
            ));
            if let Some(r) = &e.rights {
                x.push_str(&format!("    <rights>{}</rights>\n", xml_escape(r)));
            }
            x.push_str("  </entry>\n");
        }
        x.push_str("</feed>\n");
        x
    }
}

/// The rights line of a feed or file: `ライセンス: CC BY 4.0 (address)`.
pub fn rights_line(license: &License) -> String {
    match license.url() {
        Some(url) => format!("{} {url}", license.name()),
        None => license.name(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn csv_quotes_what_needs_it() {
        assert_eq!(csv_record(["a", "b"]), "a,b\r\n");
        assert_eq!(
            csv_record(["a,b", "say \"hi\"", "x\ny", ""]),
            "\"a,b\",\"say \"\"hi\"\"\",\"x\ny\",\r\n"
        );
        assert_eq!(
            csv_header(&CALL_COLUMNS[..3]),
            "全国地方公共団体コード,ID,地方公共団体名\r\n"
        );
    }

    #[test]
    fn text_columns_are_guarded_and_values_renkei_writes_are_not() {
        let texts: Vec<&str> = PARTNERSHIP_COLUMNS
            .iter()
            .filter(|c| c.text)
            .map(|c| c.header)
            .collect();
        assert_eq!(texts, vec!["地方公共団体名", "名称", "相手方名称", "概要"]);
        let texts: Vec<&str> = CALL_COLUMNS
            .iter()
            .filter(|c| c.text)
            .map(|c| c.header)
            .collect();
        assert_eq!(
            texts,
            vec!["地方公共団体名", "名称", "担当課", "選定結果", "選定理由"]
        );
        let record = PartnershipRecord {
            local_government_code: "272027".into(),
            id: "-1".into(),
            local_government_name: "岸和田市".into(),
            name: "=HYPERLINK(\"http://evil.example\",\"x\")".into(),
            form: "包括連携協定".into(),
            partner_names: "+cmd|' /C calc'!A0;大学".into(),
            partner_corporate_numbers: ";".into(),
            partner_types: "企業;大学等".into(),
            fields: "防災・減災".into(),
            signed_on: "2024-04-01".into(),
            starts_on: String::new(),
            ends_on: String::new(),
            auto_renew: "なし".into(),
            status: "締結済み".into(),
            last_activity_on: String::new(),
            dormant: String::new(),
            summary: "@SUM(1)\n-二行目".into(),
            url: "https://renkei.example.jp/t/272027/cases/1".into(),
        };
        assert_eq!(
            record.csv_row(),
            "272027,-1,岸和田市,\"'=HYPERLINK(\"\"http://evil.example\"\",\"\"x\"\")\",\
             包括連携協定,'+cmd|' /C calc'!A0;大学,;,企業;大学等,防災・減災,2024-04-01,,,なし,\
             締結済み,,,\"'@SUM(1)\n-二行目\",https://renkei.example.jp/t/272027/cases/1\r\n"
        );
        // The JSON's values (the record itself) stay as stored.
        assert!(record.name.starts_with('='));
    }

    #[test]
    fn xml_escapes_and_drops_what_xml_forbids() {
        assert_eq!(xml_escape("<a&b>\"'\u{1}"), "&lt;a&amp;b&gt;&quot;&apos;");
    }
}
