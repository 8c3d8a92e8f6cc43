//! Renkei's domain: validated values, roles, permissions and pure computations.
//!
//! Nothing here does IO. Every value that crosses a boundary (a form, a CSV row, a CLI flag)
//! is parsed into one of these types once; code further in can rely on it being valid
//! ("parse, don't validate"). A failed parse carries a message key from the catalogues in
//! `crates/app/locales/`, so the same error reads in Japanese and in English.

#[macro_use]
mod vocab;

pub mod attachment;
pub mod audit;
pub mod calendar;
pub mod clock;
pub mod corporate_number;
pub mod date_input;
pub mod department;
pub mod desk;
pub mod email;
pub mod error;
pub mod kana;
pub mod lang;
pub mod open_call;
pub mod opendata;
pub mod partner;
pub mod partnership;
pub mod password;
pub mod policy;
pub mod proposal;
pub mod role;
pub mod spreadsheet;
pub mod template;
pub mod tenant;
pub mod text;
pub mod time;

pub use corporate_number::CorporateNumber;
pub use department::DepartmentName;
pub use email::Email;
pub use error::ParseError;
pub use lang::Lang;
pub use password::Password;
pub use policy::Actor;
pub use role::Role;
pub use tenant::{TenantCode, TenantKind};
