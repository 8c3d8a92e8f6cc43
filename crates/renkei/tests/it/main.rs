//! The one integration-test binary. Every store and web test runs on SQLite and PostgreSQL
//! (see `renkei_testkit::on_both!`), each against a fresh database.

mod api_proposals;
mod bench_data;
mod cli;
mod crash;
mod demo;
mod edge;
mod limits;
mod mail;
mod mail_lang;
mod mail_links;
mod one_way;
mod store_audit;
mod store_group;
mod store_proposals;
mod store_schema;
mod store_search;
mod store_tenants;
mod store_users;
mod web_api;
mod web_auth;
mod web_departments;
mod web_desk_profile;
mod web_desk_rules;
mod web_desk_tools;
mod web_desk_work;
mod web_intake_confirm;
mod web_isolation;
mod web_misc;
mod web_operator;
mod web_ownership;
mod web_partner_merge;
mod web_password_reset;
mod web_proposals;
mod web_text;
mod web_user_status;
