//! The JSON API under `/api/v1`, described by `/api/openapi.json`.

pub mod cases;
pub mod departments;
pub mod open_calls;
pub mod openapi;
pub mod opendata;
pub mod partnerships;
pub mod proposals;
pub mod stats;
