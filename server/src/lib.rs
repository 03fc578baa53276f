//! The Switchboard server: HTTP (pages, API, auth), persistence and the command line.
//!
//! `domain` holds rules that know neither HTTP nor SQL, `store` is the one storage boundary,
//! `services` orchestrates both and checks permissions, `http` is the thin web layer.

// Leptos view types nest deeply; the server monomorphises every page.
#![recursion_limit = "256"]

pub mod auth;
pub mod backup;
pub mod cli;
pub mod config;
pub mod demo;
pub mod domain;
pub mod http;
pub mod media_store;
pub mod metrics;
pub mod secrets;
pub mod services;
pub mod startup;
pub mod store;
pub mod telemetry;
