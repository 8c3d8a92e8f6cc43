//! Writing the case index: one `public_cases` row per case with its facet values, party keys,
//! title bigrams and search document. [`reindex`] runs inside the partnership's own write
//! transaction (every partnership change passes through `WriteTx::partnership_event`, which
//! calls it); [`backfill`] indexes everything after migration 31 and after a bulk load.

use super::{case_fold, partner_key, title_grams};
use crate::partnerships::CASE_STATUS_SQL;
use crate::{Backend, Result};
use sqlx::Row;
use std::collections::{BTreeMap, BTreeSet};

/// Partnerships per batch when indexing many.
const BATCH: i64 = 200;

enum Val {
    Text(String),
    Opt(Option<String>),
    Int(i64),
}

/// Multi-row `INSERT`s of `rows` into `table`, in statements below the backend's bind limit.
async fn insert_rows(
    conn: &mut sqlx::AnyConnection,
    backend: Backend,
    table: &str,
    columns: &[&str],
    rows: Vec<Vec<Val>>,
) -> Result<()> {
    if rows.is_empty() {
        return Ok(());
    }
    let per = (backend.max_bind_params().min(900) / columns.len()).max(1);
    let mut rows = rows.into_iter().peekable();
    while rows.peek().is_some() {
        let chunk: Vec<Vec<Val>> = rows.by_ref().take(per).collect();
        let mut n = 0;
        let tuples: Vec<String> = chunk
            .iter()
            .map(|r| {
                let ps: Vec<String> = r
                    .iter()
                    .map(|_| {
                        n += 1;
                        format!("${n}")
                    })
                    .collect();
                format!("({})", ps.join(", "))
            })
            .collect();
        let sql = format!(
            "INSERT INTO {table} ({}) VALUES {}",
            columns.join(", "),
            tuples.join(", ")
        );
        let mut q = sqlx::query(&sql);
        for r in chunk {
            for v in r {
                q = match v {
                    Val::Text(s) => q.bind(s),
                    Val::Opt(s) => q.bind(s),
                    Val::Int(i) => q.bind(i),
                };
            }
        }
        q.execute(&mut *conn).await?;
    }
    Ok(())
}

#[derive(Default)]
struct Draft {
    tenant: String,
    prefecture: String,
    form: String,
    status: String,
    title: String,
    text: Vec<String>,
    signed_on: Option<String>,
    starts_on: Option<String>,
    ends_on: Option<String>,
    created_at: String,
    parties: Vec<(String, String, Option<String>)>,
    fields: Vec<String>,
}

/// Indexes the cases among the partnerships with ids in `from..=to` (none of which may be
/// indexed already). Returns how many were cases.
async fn index_range(
    conn: &mut sqlx::AnyConnection,
    backend: Backend,
    from: i64,
    to: i64,
    now: &str,
) -> Result<u64> {
    let rows = sqlx::query(&format!(
        "SELECT p.id, p.tenant_code, t.prefecture_code, p.form, p.status, p.title, p.purpose, \
         p.summary, p.signed_on, p.starts_on, p.ends_on, p.created_at \
         FROM partnerships p JOIN tenants t ON t.code = p.tenant_code \
         WHERE p.id >= $1 AND p.id <= $2 AND p.published = 1 AND {CASE_STATUS_SQL} \
         ORDER BY p.id"
    ))
    .bind(from)
    .bind(to)
    .fetch_all(&mut *conn)
    .await?;
    if rows.is_empty() {
        return Ok(0);
    }
    let mut drafts: BTreeMap<i64, Draft> = BTreeMap::new();
    for r in &rows {
        let title: String = r.try_get("title")?;
        drafts.insert(
            r.try_get("id")?,
            Draft {
                tenant: r.try_get("tenant_code")?,
                prefecture: r.try_get::<String, _>("prefecture_code")?,
                form: r.try_get("form")?,
                status: r.try_get("status")?,
                text: vec![title.clone(), r.try_get("purpose")?, r.try_get("summary")?],
                title,
                signed_on: r.try_get("signed_on")?,
                starts_on: r.try_get("starts_on")?,
                ends_on: r.try_get("ends_on")?,
                created_at: r.try_get("created_at")?,
                ..Draft::default()
            },
        );
    }
    let (lo, hi) = (
        *drafts.keys().next().unwrap_or(&from),
        *drafts.keys().next_back().unwrap_or(&to),
    );
    for r in sqlx::query(
        "SELECT partnership_id, name, party_type, corporate_number FROM partnership_parties \
         WHERE partnership_id >= $1 AND partnership_id <= $2 ORDER BY partnership_id, position",
    )
    .bind(lo)
    .bind(hi)
    .fetch_all(&mut *conn)
    .await?
    {
        if let Some(d) = drafts.get_mut(&r.try_get::<i64, _>("partnership_id")?) {
            let name: String = r.try_get("name")?;
            d.text.push(name.clone());
            d.parties.push((
                name,
                r.try_get("party_type")?,
                r.try_get("corporate_number")?,
            ));
        }
    }
    for r in sqlx::query(
        "SELECT partnership_id, field FROM partnership_fields \
         WHERE partnership_id >= $1 AND partnership_id <= $2 ORDER BY partnership_id, position",
    )
    .bind(lo)
    .bind(hi)
    .fetch_all(&mut *conn)
    .await?
    {
        if let Some(d) = drafts.get_mut(&r.try_get::<i64, _>("partnership_id")?) {
            d.fields.push(r.try_get("field")?);
        }
    }
    for r in sqlx::query(
        "SELECT partnership_id, title FROM activities \
         WHERE partnership_id >= $1 AND partnership_id <= $2 ORDER BY partnership_id, done_on, id",
    )
    .bind(lo)
    .bind(hi)
    .fetch_all(&mut *conn)
    .await?
    {
        if let Some(d) = drafts.get_mut(&r.try_get::<i64, _>("partnership_id")?) {
            d.text.push(r.try_get("title")?);
        }
    }

    let mut cases = Vec::new();
    let mut facets = Vec::new();
    let mut partners = Vec::new();
    let mut grams = Vec::new();
    let mut docs = Vec::new();
    for (id, d) in drafts {
        let day = d
            .signed_on
            .clone()
            .or_else(|| d.starts_on.clone())
            .unwrap_or_else(|| crate::cases::jst_day_of(&d.created_at));
        let year: i64 = day.get(..4).and_then(|y| y.parse().ok()).unwrap_or(0);
        let folded = case_fold(&d.text.join("\n"));
        let partner_names: Vec<&str> = d.parties.iter().map(|p| p.0.as_str()).collect();
        let prefecture: String = d.prefecture.chars().take(2).collect();
        let mut fv: BTreeSet<(&str, String)> = BTreeSet::new();
        fv.insert(("prefecture", prefecture.clone()));
        fv.insert(("tenant", d.tenant.clone()));
        fv.insert(("form", d.form.clone()));
        fv.insert(("year", year.to_string()));
        for f in &d.fields {
            fv.insert(("field", f.clone()));
        }
        let mut keys = BTreeSet::new();
        let mut partner_types = BTreeSet::new();
        for (name, kind, cn) in &d.parties {
            fv.insert(("partner_type", kind.clone()));
            partner_types.insert(kind.as_str());
            keys.insert(partner_key(name, cn.as_deref()));
        }
        let partner_types = partner_types.into_iter().collect::<Vec<_>>().join(",");
        for (facet, value) in fv {
            facets.push(vec![
                Val::Int(id),
                Val::Text(facet.to_string()),
                Val::Text(value),
            ]);
        }
        for k in keys {
            partners.push(vec![Val::Int(id), Val::Text(k)]);
        }
        for g in title_grams(&d.title) {
            grams.push(vec![Val::Int(id), Val::Text(g)]);
        }
        docs.push((id, crate::search::document("", &folded)));
        cases.push(vec![
            Val::Int(id),
            Val::Text(d.tenant),
            Val::Text(prefecture),
            Val::Text(d.form),
            Val::Text(d.status),
            Val::Text(d.title),
            Val::Text(partner_names.join("、")),
            Val::Text(d.fields.join(",")),
            Val::Text(partner_types),
            Val::Opt(d.signed_on),
            Val::Opt(d.starts_on),
            Val::Opt(d.ends_on),
            Val::Int(year),
            Val::Text(day),
            Val::Text(folded),
            Val::Text(now.to_string()),
        ]);
    }
    let count = cases.len() as u64;
    insert_rows(
        conn,
        backend,
        "public_cases",
        &[
            "partnership_id",
            "tenant_code",
            "prefecture_code",
            "form",
            "status",
            "title",
            "partners",
            "fields",
            "partner_types",
            "signed_on",
            "starts_on",
            "ends_on",
            "year",
            "sort_on",
            "search_text",
            "indexed_at",
        ],
        cases,
    )
    .await?;
    insert_rows(
        conn,
        backend,
        "public_case_facets",
        &["partnership_id", "facet", "value"],
        facets,
    )
    .await?;
    insert_rows(
        conn,
        backend,
        "public_case_partners",
        &["partnership_id", "partner_key"],
        partners,
    )
    .await?;
    insert_rows(
        conn,
        backend,
        "public_case_grams",
        &["partnership_id", "gram"],
        grams,
    )
    .await?;
    for chunk in docs.chunks(100) {
        let sql = backend.case_search_insert_sql(chunk.len());
        let mut q = sqlx::query(&sql);
        for (id, doc) in chunk {
            q = q.bind(*id).bind(doc.as_str());
        }
        q.execute(&mut *conn).await?;
    }
    Ok(count)
}

/// Removes a partnership's case rows, if it has any (and says whether it had).
async fn remove(conn: &mut sqlx::AnyConnection, backend: Backend, id: i64) -> Result<bool> {
    let old = sqlx::query("SELECT search_text FROM public_cases WHERE partnership_id = $1")
        .bind(id)
        .fetch_optional(&mut *conn)
        .await?;
    let Some(old) = old else {
        return Ok(false);
    };
    let text: String = old.try_get("search_text")?;
    // FTS5's contentless table is told the document it held; PostgreSQL deletes the row.
    sqlx::query(backend.case_search_delete_sql())
        .bind(id)
        .bind(crate::search::document("", &text))
        .execute(&mut *conn)
        .await?;
    for table in [
        "public_case_facets",
        "public_case_partners",
        "public_case_grams",
        "public_cases",
    ] {
        sqlx::query(&format!("DELETE FROM {table} WHERE partnership_id = $1"))
            .bind(id)
            .execute(&mut *conn)
            .await?;
    }
    Ok(true)
}

/// Brings one partnership's case rows up to date: removed, then written again when it is a
/// case (published, signed or ended). Says whether it was or is a case (whether the search's
/// keys may have changed).
pub(crate) async fn reindex(
    conn: &mut sqlx::AnyConnection,
    backend: Backend,
    id: i64,
    now: &str,
) -> Result<bool> {
    let was = remove(conn, backend, id).await?;
    let is = index_range(conn, backend, id, id, now).await? > 0;
    Ok(was || is)
}

/// Indexes every case (the index must be empty). Returns how many.
pub(crate) async fn backfill(
    conn: &mut sqlx::AnyConnection,
    backend: Backend,
    now: &str,
) -> Result<u64> {
    let r = sqlx::query("SELECT COALESCE(MAX(id), 0) AS top FROM partnerships")
        .fetch_one(&mut *conn)
        .await?;
    let top: i64 = r.try_get("top")?;
    let mut count = 0;
    let mut from = 1;
    while from <= top {
        count += index_range(conn, backend, from, from + BATCH - 1, now).await?;
        from += BATCH;
    }
    Ok(count)
}

/// Empties the index (before [`backfill`] rebuilds it).
pub(crate) async fn clear(conn: &mut sqlx::AnyConnection, backend: Backend) -> Result<()> {
    sqlx::query(backend.case_search_clear_sql())
        .execute(&mut *conn)
        .await?;
    for table in [
        "public_case_facets",
        "public_case_partners",
        "public_case_grams",
        "public_cases",
    ] {
        sqlx::query(&format!("DELETE FROM {table}"))
            .execute(&mut *conn)
            .await?;
    }
    Ok(())
}
