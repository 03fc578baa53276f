//! Second factor (TOTP): enrolment, recovery codes and the admin setting that requires it.

use serde::{Deserialize, Serialize};

/// A started enrolment: shown once, for the person to add to their authenticator app.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct TotpEnrolment {
    /// The seed in base32, for typing in when the QR code cannot be scanned.
    pub secret: String,
    pub otpauth_url: String,
    /// The QR code of `otpauth_url`, an SVG document drawn by the server.
    pub qr_svg: String,
}

/// A six-digit code from the authenticator app.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct TotpCode {
    pub code: String,
}

/// One-time recovery codes, shown once when enrolment is confirmed.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct RecoveryCodes {
    pub recovery_codes: Vec<String>,
}

/// The signed-in person's second factor.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct TwoFactorStatus {
    pub enabled: bool,
    /// Their role must have a second factor (an admin setting).
    pub required: bool,
    pub recovery_codes_left: i64,
}

/// Sign-in rules for everyone, set by admins.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct SecuritySettings {
    /// Admins and coordinators must enrol a second factor before doing anything else.
    pub require_two_factor_for_staff: bool,
}
