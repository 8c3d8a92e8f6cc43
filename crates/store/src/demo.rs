//! Demo data for `renkei serve --demo`: all local governments, departments for the demo
//! cities, and one account per role. Loading twice changes nothing.

use crate::users::NewUser;
use crate::{Result, Store, StoreError, Who};
use renkei_domain::{DepartmentName, Email, Password, Role, TenantCode};

/// The official code list, embedded so the demo works from the binary alone.
pub const CODE_LIST: &[u8] = include_bytes!("../data/local_governments.csv");

/// The password of every demo account (printed by `serve --demo`; demo only).
pub const DEMO_PASSWORD: &str = "renkei-demo-2026";

const DEPARTMENTS: &[(&str, &[&str])] = &[
    (
        "272027",
        &[
            "公民戦略連携デスク",
            "危機管理課",
            "子育て支援課",
            "観光振興課",
            "環境課",
            "福祉政策課",
            "生涯学習課",
            "産業政策課",
        ],
    ),
    (
        "270008",
        &[
            "公民戦略連携デスク",
            "危機管理室",
            "健康医療部",
            "商工労働部",
            "教育庁",
        ],
    ),
    (
        "141305",
        &[
            "協働・連携推進課",
            "危機管理本部",
            "こども未来局",
            "経済労働局",
            "環境局",
            "市民文化局",
        ],
    ),
];

/// A demo account, as printed on start.
#[derive(Debug, Clone)]
pub struct DemoLogin {
    pub role: Role,
    pub email: String,
    pub tenant: Option<String>,
}

/// One demo account: role, tenant, e-mail, display name, departments.
pub type DemoAccount = (
    Role,
    Option<&'static str>,
    &'static str,
    &'static str,
    Vec<&'static str>,
);

pub fn demo_accounts() -> Vec<DemoAccount> {
    vec![
        (
            Role::Operator,
            None,
            "operator@demo.renkei.jp",
            "運用 太郎",
            vec![],
        ),
        (
            Role::Admin,
            Some("272027"),
            "admin@kishiwada.demo.renkei.jp",
            "管理 花子",
            vec![],
        ),
        (
            Role::Desk,
            Some("272027"),
            "desk@kishiwada.demo.renkei.jp",
            "窓口 一郎",
            vec![],
        ),
        (
            Role::Department,
            Some("272027"),
            "kikikanri@kishiwada.demo.renkei.jp",
            "防災 次郎",
            vec!["危機管理課", "環境課"],
        ),
        (
            Role::Proponent,
            Some("272027"),
            "proponent@example.co.jp",
            "提案 三郎",
            vec![],
        ),
        (
            Role::Admin,
            Some("270008"),
            "admin@osaka-pref.demo.renkei.jp",
            "府 管理",
            vec![],
        ),
        (
            Role::Desk,
            Some("270008"),
            "desk@osaka-pref.demo.renkei.jp",
            "府 窓口",
            vec![],
        ),
        (
            Role::Desk,
            Some("141305"),
            "desk@kawasaki.demo.renkei.jp",
            "川崎 窓口",
            vec![],
        ),
    ]
}

impl Store {
    pub async fn load_demo(&self) -> Result<Vec<DemoLogin>> {
        let who = Who {
            user_id: None,
            label: "demo".into(),
            origin: "cli".into(),
        };
        match self.import_tenants(CODE_LIST, &who).await {
            Ok(_) => {}
            Err(crate::tenants::ImportError::Store(e)) => return Err(e),
            Err(crate::tenants::ImportError::BadRows(rows)) => {
                return Err(StoreError::Internal(format!(
                    "embedded code list: {rows:?}"
                )));
            }
        }
        for (code, names) in DEPARTMENTS {
            let tenant = TenantCode::parse(code)?;
            let existing = self.departments(tenant).await?;
            for name in *names {
                if existing.iter().all(|d| d.name != *name) {
                    self.department_create(&who, tenant, &DepartmentName::parse(name)?)
                        .await?;
                }
            }
        }
        let mut logins = Vec::new();
        for (role, tenant, email, name, departments) in demo_accounts() {
            if self.user_by_email(email).await.is_err() {
                self.create_user(
                    &who,
                    NewUser {
                        tenant: tenant.map(TenantCode::parse).transpose()?,
                        role,
                        email: Email::parse(email)?,
                        display_name: name.to_string(),
                        password: Password::parse(DEMO_PASSWORD)?,
                        departments: departments.iter().map(|s| s.to_string()).collect(),
                    },
                )
                .await?;
            }
            logins.push(DemoLogin {
                role,
                email: email.to_string(),
                tenant: tenant.map(str::to_string),
            });
        }
        Ok(logins)
    }
}
