//! The thin web layer: routes, request parsing and response shaping. Decisions live in
//! `services`.

pub mod api;
pub mod client_address;
pub mod error;
pub mod health;
pub mod language;
pub mod live;
pub mod media;
pub mod metrics;
pub mod pwa;
pub mod sandbox;
pub mod security;
pub mod server_fn_status;
pub mod sign_in;
pub mod templates;
pub mod text;
pub mod webhooks;
