//! `renkei`: the one binary. A thin shell over the store and web crates: parse the command
//! line (flags first, then `RENKEI_*` variables), open the database, run the command.

use clap::{Args, Parser, Subcommand};
use renkei_domain::clock::{Clock, OffsetClock, SystemClock};
use renkei_domain::{Email, Password, Role, TenantCode};
use renkei_store::tenants::ImportError;
use renkei_store::users::NewUser;
use renkei_store::{Store, Who};
use std::io::BufRead;
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;

#[derive(Parser)]
#[command(
    name = "renkei",
    version,
    about = "Renkei: the platform for public-private partnership desks (公民連携デスク)"
)]
struct Cli {
    #[command(flatten)]
    db: DbArgs,
    #[command(subcommand)]
    command: Command,
}

#[derive(Args)]
struct DbArgs {
    /// Directory of the embedded SQLite database (the default backend).
    #[arg(
        long,
        global = true,
        env = "RENKEI_DATA_DIR",
        default_value = "./renkei-data"
    )]
    data_dir: PathBuf,
    /// A PostgreSQL URL (postgres://…); overrides --data-dir.
    #[arg(
        long,
        global = true,
        env = "RENKEI_DATABASE_URL",
        hide_env_values = true
    )]
    database_url: Option<String>,
    /// Run the clock from this instant instead of the system time (RFC 3339, e.g.
    /// 2026-11-24T10:00:00+09:00): time passes as usual from there. For demonstrations,
    /// training and browser tests on a fixed day.
    #[arg(long, global = true, env = "RENKEI_CLOCK")]
    clock: Option<String>,
}

impl DbArgs {
    /// The clock every part of the server reads.
    fn clock(&self) -> Result<Arc<dyn Clock>, String> {
        match self
            .clock
            .as_deref()
            .map(str::trim)
            .filter(|s| !s.is_empty())
        {
            None => Ok(Arc::new(SystemClock)),
            Some(text) => {
                let start = chrono::DateTime::parse_from_rfc3339(text)
                    .map_err(|e| format!("--clock {text:?}: not an RFC 3339 time ({e})"))?;
                Ok(Arc::new(OffsetClock::starting_at(
                    start.with_timezone(&chrono::Utc),
                )))
            }
        }
    }

    fn url(&self) -> Result<String, String> {
        if let Some(url) = &self.database_url {
            return Ok(url.clone());
        }
        std::fs::create_dir_all(&self.data_dir)
            .map_err(|e| format!("cannot create {}: {e}", self.data_dir.display()))?;
        Ok(format!(
            "sqlite://{}?mode=rwc",
            self.data_dir.join("renkei.db").display()
        ))
    }

    /// The URL without credentials, for messages.
    fn describe(&self) -> String {
        match &self.database_url {
            Some(url) => match url.split_once('@') {
                Some((scheme_user, rest)) => {
                    let scheme = scheme_user.split("://").next().unwrap_or("postgres");
                    format!("{scheme}://…@{rest}")
                }
                None => url.clone(),
            },
            None => format!("SQLite in {}", self.data_dir.display()),
        }
    }
}

#[derive(Subcommand)]
enum Command {
    /// Serve the web UI and the API (creates and migrates the database first).
    Serve(ServeArgs),
    /// Create the database if needed and apply pending migrations.
    Migrate,
    /// Local governments (tenants).
    #[command(subcommand)]
    Tenants(TenantsCommand),
    /// Accounts.
    #[command(subcommand)]
    User(UserCommand),
    /// API tokens (Bearer).
    #[command(subcommand)]
    Token(TokenCommand),
    /// The audit trail.
    #[command(subcommand)]
    Audit(AuditCommand),
    /// Import records from spreadsheets.
    #[command(subcommand)]
    Import(ImportCommand),
    /// Write a realistic data set for benchmarks into an empty database (every local
    /// government: departments, accounts `admin@t{code}.bench.example`, `desk@…`, `dept{i}@…`
    /// with the password renkei-bench-2026, proposals over 15 fiscal years with their
    /// timeline and audit trail). Refuses a database that already holds proposals.
    BenchData(BenchDataArgs),
    /// Partnerships without activity (休眠).
    #[command(subcommand)]
    Dormancy(DormancyCommand),
}

#[derive(Subcommand)]
enum DormancyCommand {
    /// Flag the partnerships dormant today (all local governments) and queue their reminders
    /// once; prints how many were flagged and how long it took. The server runs the same
    /// sweep every 10 minutes.
    Sweep {
        /// The public address of the server, for the links in the reminders.
        #[arg(long, env = "RENKEI_PUBLIC_URL")]
        public_url: String,
    },
}

#[derive(Args)]
struct BenchDataArgs {
    /// national (all local governments, at least 500,000 proposals), city (横浜市 with
    /// about 100 proposals a year) or a number of proposals in all.
    #[arg(long, env = "RENKEI_BENCH_SCALE", value_parser = renkei_app::bench_data::Scale::parse)]
    scale: renkei_app::bench_data::Scale,
    /// The same seed writes the same data set.
    #[arg(long, env = "RENKEI_BENCH_SEED", default_value_t = 1)]
    seed: u64,
}

#[derive(Args)]
struct ServeArgs {
    /// Address to listen on (port 0 picks a free port).
    #[arg(long, env = "RENKEI_ADDR", default_value = "127.0.0.1:8080")]
    addr: String,
    /// Load demo local governments, departments and one account per role
    /// (true/false, yes/no, on/off, 1/0).
    #[arg(long, env = "RENKEI_DEMO", num_args = 0..=1, default_value = "false",
          default_missing_value = "true", value_parser = parse_switch)]
    demo: bool,
    /// Mark cookies Secure (serve behind TLS) (true/false, yes/no, on/off, 1/0).
    #[arg(long, env = "RENKEI_SECURE_COOKIES", num_args = 0..=1, default_value = "false",
          default_missing_value = "true", value_parser = parse_switch)]
    secure_cookies: bool,
    /// Reverse proxies in front of this server whose X-Forwarded-For / X-Forwarded-Proto
    /// are trusted: a number (1 = one proxy: the client is the last X-Forwarded-For hop, the
    /// one the proxy appended; 2 = the second-to-last; fewer hops than that: the socket peer)
    /// or true/false, yes/no, on/off (true = 1). Default 0: the headers are ignored. Only
    /// the proxies may reach the server.
    #[arg(
        long,
        env = "RENKEI_TRUST_PROXY",
        value_name = "PROXIES",
        num_args = 0..=1,
        default_value = "0",
        default_missing_value = "1",
        value_parser = renkei_web::proxy::parse_trusted_proxies
    )]
    trust_proxy: usize,
    /// Largest accepted request body in bytes.
    #[arg(long, env = "RENKEI_MAX_BODY_BYTES", default_value_t = 64 * 1024)]
    max_body_bytes: usize,
    /// Largest accepted proposal submission with attachments, in bytes.
    #[arg(long, env = "RENKEI_MAX_UPLOAD_BYTES", default_value_t = 30 * 1024 * 1024)]
    max_upload_bytes: usize,
    /// Public submissions per client address per hour (0 turns the limit off, for load tests).
    #[arg(long, env = "RENKEI_INTAKE_RATE_LIMIT", default_value_t = 10)]
    intake_rate_limit: i64,
    /// Seconds a request may take (reading its body, answering) before it is stopped with a
    /// 503 and a message (1 to 3600).
    #[arg(long, env = "RENKEI_REQUEST_TIMEOUT_SECS", default_value_t = 30,
          value_parser = clap::value_parser!(u64).range(1..=3600))]
    request_timeout_secs: u64,
    /// The same for submissions with attachments (page and API), which may arrive slowly
    /// (1 to 3600; never shorter than --request-timeout-secs).
    #[arg(long, env = "RENKEI_UPLOAD_TIMEOUT_SECS", default_value_t = 300,
          value_parser = clap::value_parser!(u64).range(1..=3600))]
    upload_timeout_secs: u64,
    /// The public address of this server, for links in mail (e.g. https://renkei.example.jp;
    /// http or https, no path). Without it, links use the address the server listens on.
    #[arg(long, env = "RENKEI_PUBLIC_URL")]
    public_url: Option<String>,
    /// Keep what the dashboard, the partnership list and a partnership's page read between
    /// requests, while the local government's data is unchanged (true or false; false only
    /// to measure without them).
    #[arg(long, env = "RENKEI_READ_CACHE", default_value_t = true, action = clap::ArgAction::Set)]
    read_cache: bool,
    /// Keep whole public answers (landing, case library and search, calls, register,
    /// statistics, feeds and their JSON) for visitors who are not signed in, while the data
    /// they show is unchanged (true or false; false only to measure without it).
    #[arg(long, env = "RENKEI_PUBLIC_CACHE", default_value_t = true, action = clap::ArgAction::Set)]
    public_cache: bool,
    /// How often at most, in milliseconds, this server reads the data versions the kept
    /// public answers are checked against: a change made through another app server shows
    /// within this time (0 to 60000; 0 reads them on every public request).
    #[arg(long, env = "RENKEI_PUBLIC_CACHE_POLL_MS", default_value_t = 1000,
          value_parser = clap::value_parser!(u64).range(0..=60000))]
    public_cache_poll_ms: u64,
    /// Mail server: smtp://host:25, smtp://user:pass@host:587?tls=required or
    /// smtps://user:pass@host:465. Without it, mail stays queued in the outbox.
    #[arg(long, env = "RENKEI_SMTP_URL", hide_env_values = true)]
    smtp_url: Option<String>,
    /// The From address of outgoing mail.
    #[arg(long, env = "RENKEI_MAIL_FROM", default_value = renkei_web::mail::DEFAULT_FROM)]
    mail_from: String,
    /// Seconds between outbox rounds when there is nothing to send.
    #[arg(long, env = "RENKEI_MAIL_POLL_SECS", default_value_t = 5)]
    mail_poll_secs: u64,
}

#[derive(Subcommand)]
enum TenantsCommand {
    /// Import the official code list (code,prefecture,city,prefecture_kana,city_kana). Idempotent.
    Import { file: PathBuf },
}

#[derive(Subcommand)]
enum UserCommand {
    /// Add an account; the password is read from standard input.
    Add {
        /// The local government's code (not for operators).
        #[arg(long)]
        tenant: Option<String>,
        /// operator, admin, desk, department or proponent.
        #[arg(long)]
        role: String,
        #[arg(long)]
        email: String,
        /// Display name (defaults to the e-mail address).
        #[arg(long)]
        name: Option<String>,
        /// Department (repeatable; department staff only).
        #[arg(long)]
        department: Vec<String>,
        /// Read the password from standard input (required).
        #[arg(long, required = true)]
        password_stdin: bool,
    },
}

#[derive(Subcommand)]
enum TokenCommand {
    /// Create an API token for an account and print it (shown only once).
    Create {
        #[arg(long)]
        email: String,
        #[arg(long, default_value = "cli")]
        label: String,
    },
    /// Revoke a token by its id.
    Revoke { id: i64 },
    /// List an account's tokens (never the secrets).
    List {
        #[arg(long)]
        email: String,
    },
}

#[derive(Subcommand)]
enum ImportCommand {
    /// Import a local government's partnership list (協定一覧: .xlsx, or CSV in UTF-8 or
    /// Shift_JIS) as its desk would: every row or nothing. Rows with errors are printed as
    /// `行 N: …` and the exit code is non-zero.
    Partnerships {
        /// The local government's code.
        #[arg(long)]
        tenant: String,
        file: PathBuf,
        /// Check every row and print what is wrong (or how many would be imported); write
        /// nothing.
        #[arg(long)]
        dry_run: bool,
    },
}

#[derive(Subcommand)]
enum AuditCommand {
    /// Check the hash chains (one per local government); exits non-zero if any entry was
    /// edited or deleted. Streams the trail in pages: memory stays bounded at any size.
    Verify {
        /// Check one local government's chain only (its JIS X 0402 code).
        #[arg(long)]
        tenant: Option<String>,
    },
}

/// An on/off setting as people write it in environment files: true/false, yes/no, on/off,
/// 1/0 (any case; empty is off).
fn parse_switch(text: &str) -> Result<bool, String> {
    match text.trim().to_ascii_lowercase().as_str() {
        "" | "false" | "no" | "off" | "0" => Ok(false),
        "true" | "yes" | "on" | "1" => Ok(true),
        other => Err(format!(
            "{other:?} is not an on/off value (true/false, yes/no, on/off, 1/0)"
        )),
    }
}

fn init_logging() {
    let filter = tracing_subscriber::EnvFilter::try_from_env("RENKEI_LOG")
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info"));
    tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .init();
}

#[tokio::main]
async fn main() -> ExitCode {
    init_logging();
    let cli = Cli::parse();
    match run(cli).await {
        Ok(code) => code,
        Err(message) => {
            eprintln!("renkei: {message}");
            ExitCode::FAILURE
        }
    }
}

async fn open(db: &DbArgs) -> Result<Store, String> {
    let url = db.url()?;
    let clock = db.clock()?;
    Store::open(&url)
        .await
        .map(|store| store.with_clock(clock))
        .map_err(|e| format!("cannot open the database ({}): {e}", db.describe()))
}

async fn run(cli: Cli) -> Result<ExitCode, String> {
    match cli.command {
        Command::Serve(args) => serve(&cli.db, args).await,
        Command::Migrate => {
            let store = open(&cli.db).await?;
            println!(
                "database ready ({}, {})",
                cli.db.describe(),
                store.backend().name()
            );
            Ok(ExitCode::SUCCESS)
        }
        Command::Tenants(TenantsCommand::Import { file }) => {
            let data = std::fs::read(&file).map_err(|e| format!("{}: {e}", file.display()))?;
            let store = open(&cli.db).await?;
            match store.import_tenants(&data, &Who::cli()).await {
                Ok(r) => {
                    println!(
                        "imported {}: {} new, {} updated, {} unchanged",
                        file.display(),
                        r.inserted,
                        r.updated,
                        r.unchanged
                    );
                    Ok(ExitCode::SUCCESS)
                }
                Err(ImportError::BadRows(rows)) => {
                    let tr = renkei_web::i18n::Tr::new(renkei_web::i18n::Lang::Ja);
                    for r in &rows {
                        eprintln!(
                            "{}:{}: {} ({})",
                            file.display(),
                            r.line,
                            tr.t(r.key),
                            r.detail
                        );
                    }
                    eprintln!("{} bad row(s); nothing was imported", rows.len());
                    Ok(ExitCode::FAILURE)
                }
                Err(ImportError::Store(e)) => Err(e.to_string()),
            }
        }
        Command::User(UserCommand::Add {
            tenant,
            role,
            email,
            name,
            department,
            password_stdin: _,
        }) => {
            let tr = renkei_web::i18n::Tr::new(renkei_web::i18n::Lang::Ja);
            let msg = |e: renkei_domain::ParseError| format!("{}: {}", e.field, tr.t(e.key));
            let role = Role::parse(&role).map_err(msg)?;
            let tenant = tenant
                .as_deref()
                .map(TenantCode::parse)
                .transpose()
                .map_err(msg)?;
            let email = Email::parse(&email).map_err(msg)?;
            let mut line = String::new();
            std::io::stdin()
                .lock()
                .read_line(&mut line)
                .map_err(|e| format!("reading the password: {e}"))?;
            let password = Password::parse(line.trim_end_matches(['\r', '\n'])).map_err(msg)?;
            let store = open(&cli.db).await?;
            let user = store
                .create_user(
                    &Who::cli(),
                    NewUser {
                        tenant,
                        role,
                        display_name: name.unwrap_or_else(|| email.to_string()),
                        email,
                        password,
                        departments: department,
                    },
                    // A desk account is announced to the tenant's desk staff by the one
                    // mailer (that notice carries no link, so no public address is needed).
                    &renkei_app::mailer::Mails::new(renkei_app::mailer::Links::new("")),
                )
                .await
                .map_err(|e| match e {
                    renkei_store::StoreError::Conflict { field, key } => {
                        format!("{field}: {}", tr.t(key))
                    }
                    renkei_store::StoreError::Invalid(p) => msg(p),
                    other => other.to_string(),
                })?;
            println!(
                "user {} added (id {}, role {})",
                user.email, user.id, user.role
            );
            if user.role == Role::Desk {
                println!(
                    "new desk staff: announced by mail to the local government's desk staff and shown on the desk's home page"
                );
            }
            Ok(ExitCode::SUCCESS)
        }
        Command::Token(cmd) => {
            let store = open(&cli.db).await?;
            match cmd {
                TokenCommand::Create { email, label } => {
                    let user = store
                        .user_by_email(&email)
                        .await
                        .map_err(|_| format!("no account {email}"))?;
                    let (id, secret) = store
                        .token_create(&Who::cli(), user.id, &label)
                        .await
                        .map_err(|e| match e {
                            renkei_store::StoreError::Invalid(p) => {
                                let tr = renkei_web::i18n::Tr::new(renkei_web::i18n::Lang::Ja);
                                format!("--{}: {}", p.field, tr.t(p.key))
                            }
                            other => other.to_string(),
                        })?;
                    eprintln!(
                        "token {id} created for {}; it is shown only now:",
                        user.email
                    );
                    println!("{secret}");
                }
                TokenCommand::Revoke { id } => {
                    store
                        .token_revoke(&Who::cli(), id)
                        .await
                        .map_err(|e| format!("token {id}: {e}"))?;
                    println!("token {id} revoked");
                }
                TokenCommand::List { email } => {
                    let user = store
                        .user_by_email(&email)
                        .await
                        .map_err(|_| format!("no account {email}"))?;
                    for t in store.tokens_of(user.id).await.map_err(|e| e.to_string())? {
                        println!(
                            "{}\t{}\tcreated {}\t{}",
                            t.id,
                            t.label,
                            t.created_at,
                            t.revoked_at
                                .map(|r| format!("revoked {r}"))
                                .unwrap_or_else(|| "active".into())
                        );
                    }
                }
            }
            Ok(ExitCode::SUCCESS)
        }
        Command::BenchData(args) => bench_data(&cli.db, args).await,
        Command::Import(ImportCommand::Partnerships {
            tenant,
            file,
            dry_run,
        }) => import_partnerships(&cli.db, &tenant, &file, dry_run).await,
        Command::Dormancy(DormancyCommand::Sweep { public_url }) => {
            let public_url = renkei_web::config::check_public_url(public_url.trim())?;
            let store = open(&cli.db).await?;
            let app = renkei_app::App::new(store.clone(), &public_url);
            let started = std::time::Instant::now();
            let report = store
                .dormancy_sweep(&app.mails)
                .await
                .map_err(|e| e.to_string())?;
            println!(
                "dormancy sweep: {} partnership(s) flagged dormant in {} local government(s), {} mail(s) queued, in {:.2} s",
                report.flagged,
                report.tenants,
                report.mails,
                started.elapsed().as_secs_f64()
            );
            store.close().await;
            Ok(ExitCode::SUCCESS)
        }
        Command::Audit(AuditCommand::Verify { tenant }) => {
            let store = open(&cli.db).await?;
            let report = match &tenant {
                Some(code) => {
                    let code = renkei_domain::TenantCode::parse(code)
                        .map_err(|_| format!("--tenant {code:?}: not a local government code"))?;
                    store.audit_verify_tenant(&code.as_string()).await
                }
                None => store.audit_verify().await,
            }
            .map_err(|e| e.to_string())?;
            if report.faults.is_empty() {
                println!(
                    "audit chain intact: {} entries verified in {} chain(s)",
                    report.checked, report.chains
                );
                Ok(ExitCode::SUCCESS)
            } else {
                for f in &report.faults {
                    let chain = if f.chain.is_empty() {
                        "(no local government)"
                    } else {
                        &f.chain
                    };
                    eprintln!("audit chain fault in {chain}: {:?}", f.fault);
                }
                eprintln!(
                    "audit chain BROKEN: {} fault(s) in {} entries",
                    report.faults.len(),
                    report.checked
                );
                Ok(ExitCode::FAILURE)
            }
        }
    }
}

/// `renkei import partnerships`: the desk's import (`renkei_app::partnership_import`), run
/// by whoever holds the database, acting as the local government's desk (audited as `cli`).
async fn import_partnerships(
    db: &DbArgs,
    tenant: &str,
    file: &std::path::Path,
    dry_run: bool,
) -> Result<ExitCode, String> {
    use renkei_app::partnership_import::{self as cmd, ImportError as SheetError};
    let tr = renkei_web::i18n::Tr::new(renkei_web::i18n::Lang::Ja);
    let code =
        TenantCode::parse(tenant).map_err(|e| format!("--tenant {tenant}: {}", tr.t(e.key)))?;
    let meta = std::fs::metadata(file).map_err(|e| format!("{}: {e}", file.display()))?;
    if meta.len() > renkei_app::sheet::MAX_BYTES as u64 {
        return Err(format!(
            "{}: {}",
            file.display(),
            tr.t("error-import-file-too-large")
        ));
    }
    let data = std::fs::read(file).map_err(|e| format!("{}: {e}", file.display()))?;
    let filename = file
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let store = open(db).await?;
    store
        .tenant(&code.to_string())
        .await
        .map_err(|_| format!("--tenant {tenant}: no such local government"))?;
    let app = renkei_app::App::new(store, "");
    let caller = renkei_app::Caller {
        actor: Some(renkei_domain::Actor {
            user_id: 0,
            role: Role::Desk,
            tenant: Some(code),
            departments: vec![],
        }),
        who: Who::cli(),
    };
    let command_error = |e: renkei_app::CommandError| match e.fields() {
        Some(list) => list
            .iter()
            .map(|f| format!("{}: {}", file.display(), tr.t(f.key)))
            .collect::<Vec<_>>()
            .join("\n"),
        None => e.to_string(),
    };
    let print_rows = |rows: &[renkei_app::partnership_sheet::RowError]| {
        for r in rows {
            eprintln!("{}", r.line_message(&tr));
        }
        eprintln!("{} error(s); nothing was imported", rows.len());
    };
    if dry_run {
        let p = cmd::preview(&app, &caller, code, &data, &filename)
            .await
            .map_err(command_error)?;
        for c in &p.sheet.ignored_columns {
            eprintln!("ignored column: {c}");
        }
        if !p.sheet.errors.is_empty() {
            print_rows(&p.sheet.errors);
            return Ok(ExitCode::FAILURE);
        }
        println!(
            "dry run: {} partnership(s) from {} row(s) would be imported; nothing was written",
            p.sheet.agreements.len(),
            p.sheet.rows
        );
        return Ok(ExitCode::SUCCESS);
    }
    match cmd::import(&app, &caller, code, &data, &filename).await {
        Ok(n) => {
            println!("imported {n} partnership(s) from {}", file.display());
            Ok(ExitCode::SUCCESS)
        }
        Err(SheetError::BadRows(rows)) => {
            print_rows(&rows);
            Ok(ExitCode::FAILURE)
        }
        Err(SheetError::Command(e)) => Err(command_error(e)),
    }
}

async fn bench_data(db: &DbArgs, args: BenchDataArgs) -> Result<ExitCode, String> {
    use std::io::Write;
    let store = open(db).await?;
    let started = std::time::Instant::now();
    let mut last_shown = std::time::Instant::now() - std::time::Duration::from_secs(1);
    let mut show = |p: &renkei_app::bench_data::Progress| {
        let done = p.tenants_done == p.tenants_total;
        if !done && last_shown.elapsed() < std::time::Duration::from_millis(200) {
            return;
        }
        last_shown = std::time::Instant::now();
        let mut err = std::io::stderr().lock();
        let _ = write!(
            err,
            "\rbench-data: {}/{} local governments, {} proposals, {} audit entries, {:.0} s   ",
            p.tenants_done,
            p.tenants_total,
            p.written.proposals,
            p.written.audit_entries,
            started.elapsed().as_secs_f64()
        );
        let _ = err.flush();
    };
    let result = renkei_app::bench_data::run(&store, args.scale, args.seed, &mut show).await;
    eprintln!();
    let summary = match result {
        Ok(s) => s,
        Err(renkei_app::bench_data::BenchError::NotEmpty(n)) => {
            eprintln!("{}", renkei_app::bench_data::BenchError::NotEmpty(n));
            store.close().await;
            return Ok(ExitCode::FAILURE);
        }
        Err(e) => return Err(format!("bench-data: {e}")),
    };
    let w = summary.written;
    println!(
        "bench-data written to {} ({}) in {:.1} s: {} local governments, {} departments, {} accounts, \
         {} partners, {} proposals, {} timeline events, {} messages, {} hearings, {} routings, \
         {} partnerships, {} activities, {} audit entries",
        db.describe(),
        store.backend().name(),
        started.elapsed().as_secs_f64(),
        summary.tenants,
        w.departments,
        w.users,
        w.partners,
        w.proposals,
        w.events,
        w.messages,
        w.hearings,
        w.routings,
        w.partnerships,
        w.activities,
        w.audit_entries
    );
    store.close().await;
    Ok(ExitCode::SUCCESS)
}

async fn serve(db: &DbArgs, args: ServeArgs) -> Result<ExitCode, String> {
    let mail_config = renkei_web::mail::MailConfig {
        smtp_url: args.smtp_url.clone().filter(|u| !u.trim().is_empty()),
        from: args.mail_from.clone(),
        poll_interval: std::time::Duration::from_secs(args.mail_poll_secs.max(1)),
    };
    mail_config.check().map_err(|e| e.to_string())?;
    // Links in mail come from configuration only: a bad public URL stops start-up here.
    let public_url = args
        .public_url
        .as_deref()
        .map(str::trim)
        .filter(|u| !u.is_empty())
        .map(renkei_web::config::check_public_url)
        .transpose()?;
    let store = open(db).await?;
    let listener = tokio::net::TcpListener::bind(&args.addr)
        .await
        .map_err(|e| format!("cannot listen on {}: {e}", args.addr))?;
    let addr = listener.local_addr().map_err(|e| e.to_string())?;
    let config = renkei_web::WebConfig {
        secure_cookies: args.secure_cookies,
        trusted_proxies: args.trust_proxy,
        max_body_bytes: args.max_body_bytes,
        max_upload_bytes: args.max_upload_bytes,
        intake_rate_limit: args.intake_rate_limit,
        request_timeout: std::time::Duration::from_secs(args.request_timeout_secs),
        upload_timeout: std::time::Duration::from_secs(
            args.upload_timeout_secs.max(args.request_timeout_secs),
        ),
        public_url: public_url.clone(),
        base_url: String::new(),
        read_cache: args.read_cache,
        public_cache: args.public_cache,
        public_cache_poll: std::time::Duration::from_millis(args.public_cache_poll_ms),
    }
    .with_listen_addr(addr)?;
    if public_url.is_none() && addr.ip().is_unspecified() {
        tracing::warn!(
            base = %config.base_url,
            "no RENKEI_PUBLIC_URL: links in mail use the listening address; set it to the address people reach this server at"
        );
    }
    let app = renkei_app::App::new(store.clone(), &config.base_url);
    if args.demo {
        let logins = renkei_app::demo::load(&app)
            .await
            .map_err(|e| format!("demo data: {e}"))?;
        for l in logins {
            let home = renkei_domain::Actor {
                user_id: 0,
                role: l.role,
                tenant: l.tenant.as_deref().and_then(|t| TenantCode::parse(t).ok()),
                departments: vec![],
            }
            .home_path();
            println!(
                "demo login: role={} email={} password={} home={}",
                l.role,
                l.email,
                renkei_app::demo::DEMO_PASSWORD,
                home
            );
        }
    }
    let state = renkei_web::AppState::new(store.clone(), config);
    // Housekeeping, overdue reminders and the dormancy sweep, every 10 minutes (each overdue
    // item is reminded once a day; each dormant partnership once until its next activity).
    let sweeper = tokio::spawn({
        let store = store.clone();
        async move {
            let mut tick = tokio::time::interval(std::time::Duration::from_secs(600));
            loop {
                tick.tick().await;
                if let Err(e) = store.sweep().await {
                    tracing::warn!(error = %e, "sweep failed");
                }
                match store.queue_overdue_reminders(&app.mails).await {
                    Ok(0) => {}
                    Ok(n) => tracing::info!(reminders = n, "overdue reminders queued"),
                    Err(e) => tracing::warn!(error = %e, "reminders failed"),
                }
                match store.dormancy_sweep(&app.mails).await {
                    Ok(r) if r.flagged == 0 => {}
                    Ok(r) => tracing::info!(
                        flagged = r.flagged,
                        mails = r.mails,
                        "dormant partnerships flagged"
                    ),
                    Err(e) => tracing::warn!(error = %e, "dormancy sweep failed"),
                }
            }
        }
    });
    let mailer = renkei_web::mail::spawn_mail_worker(store.clone(), mail_config);
    println!("Renkei listening on http://{addr}/");
    tracing::info!(database = %db.describe(), "database");
    tracing::info!(%addr, backend = store.backend().name(), "serving");
    let result = renkei_web::serve(listener, state, shutdown_signal()).await;
    sweeper.abort();
    mailer.abort();
    store.close().await;
    result.map_err(|e| e.to_string())?;
    Ok(ExitCode::SUCCESS)
}

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! {
        _ = ctrl_c => {},
        _ = term => {},
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn switches_read_as_people_write_them() {
        for on in ["1", "true", "TRUE", "yes", "On", " on "] {
            assert_eq!(parse_switch(on), Ok(true), "{on}");
        }
        for off in ["0", "false", "No", "off", ""] {
            assert_eq!(parse_switch(off), Ok(false), "{off}");
        }
        for junk in ["2", "y", "enable", "-1"] {
            assert!(parse_switch(junk).is_err(), "{junk}");
        }
    }

    #[test]
    fn serve_takes_switches_from_the_environment_spellings() {
        let cli = Cli::try_parse_from(["renkei", "serve", "--demo", "--secure-cookies", "1"]);
        match cli.map(|c| c.command) {
            Ok(Command::Serve(args)) => assert!(args.demo && args.secure_cookies),
            _ => panic!("serve --demo --secure-cookies 1 did not parse"),
        }
        assert!(Cli::try_parse_from(["renkei", "serve", "--secure-cookies", "maybe"]).is_err());
    }

    #[test]
    fn time_outs_are_bounded() {
        match Cli::try_parse_from(["renkei", "serve"]).map(|c| c.command) {
            Ok(Command::Serve(args)) => {
                assert_eq!(
                    (args.request_timeout_secs, args.upload_timeout_secs),
                    (30, 300)
                )
            }
            _ => panic!("serve did not parse"),
        }
        match Cli::try_parse_from(["renkei", "serve", "--request-timeout-secs", "5"])
            .map(|c| c.command)
        {
            Ok(Command::Serve(args)) => assert_eq!(args.request_timeout_secs, 5),
            _ => panic!("--request-timeout-secs 5 did not parse"),
        }
        for bad in ["0", "3601", "-1", "soon"] {
            assert!(
                Cli::try_parse_from(["renkei", "serve", "--request-timeout-secs", bad]).is_err(),
                "{bad}"
            );
        }
    }
}
