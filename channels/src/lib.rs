//! Channel adapters, pure part: provider wire formats for WhatsApp Cloud API, Twilio
//! (SMS/MMS and WhatsApp) and Facebook Messenger.
//!
//! Webhook bodies are translated into one provider-independent model ([`inbound`]), and
//! webhook signatures are checked in [`signature`]. Nothing here does I/O: the server hands
//! in raw bytes or decoded form parameters and gets typed values back.

pub mod consent;
pub mod errors;
pub mod inbound;
pub mod messenger;
pub mod outbound;
pub mod phone;
pub mod signature;
pub mod simulate;
pub mod templates;
pub mod twilio;
pub mod whatsapp;

/// The service a channel runs through; error codes and routing keys are per provider.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Provider {
    /// Meta's WhatsApp Business Platform (Cloud API), used directly.
    WhatsApp,
    /// Twilio Programmable Messaging, for SMS/MMS and WhatsApp.
    Twilio,
    /// Meta's Messenger Platform (Facebook Pages).
    Messenger,
}
