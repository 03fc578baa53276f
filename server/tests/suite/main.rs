//! Every server test in one binary, so a change links one test program instead of one per
//! file. Each module is a story (API, webhooks, supervision…); `common` starts the application
//! on SQLite or PostgreSQL and holds the fake providers. Run one story with, for example,
//! `cargo test -p server --test suite supervision::`.

#[macro_use]
mod common;

mod api;
mod audit;
mod audit_reads;
mod auth;
mod backup;
mod channels_at_rest;
mod cli;
mod conversations;
mod costs;
mod data_requests;
mod demo;
mod erasure_requests;
mod escalation;
mod failure_paths;
mod fakes;
mod files;
mod first_run;
mod inbox;
mod instances;
mod languages;
mod limited_access;
mod media;
mod metrics;
mod openapi;
mod provider_security;
mod replies;
mod reply_buttons;
mod reports;
mod retention;
mod satisfaction;
mod search;
mod store;
mod supervision;
mod templates;
mod totp;
mod translation;
mod upgrade;
mod webhooks;
mod wellbeing;
