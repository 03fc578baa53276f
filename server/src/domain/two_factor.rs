//! Time-based one-time codes (TOTP, RFC 6238: HMAC-SHA1, six digits, 30-second steps) and
//! recovery codes. Pure rules: the caller supplies the time and remembers the last accepted step.

use totp_rs::{Algorithm, Builder, Totp};

/// Seconds per time-step, as authenticator apps assume.
pub const STEP_SECONDS: u64 = 30;
/// RFC 4226 asks for at least 128 bits; 160 is what authenticator apps expect for SHA-1.
pub const SEED_BYTES: usize = 20;
pub const RECOVERY_CODES: usize = 10;
const ISSUER: &str = "Switchboard";

#[derive(Debug, PartialEq, Eq, thiserror::Error)]
pub enum TwoFactorError {
    #[error("the second-factor seed is not usable")]
    BadSeed,
}

fn totp(seed: &[u8], account: &str) -> Result<Totp, TwoFactorError> {
    Builder::new()
        .with_algorithm(Algorithm::SHA1)
        .with_digits(6)
        // The window (one step either side) is applied in `accepted_step`, newest step first.
        .with_skew(0)
        .with_step_duration(STEP_SECONDS)
        .with_secret(seed.to_vec())
        .with_issuer(Some(ISSUER))
        .with_account_name(account.replace(':', ""))
        .build()
        .map_err(|_| TwoFactorError::BadSeed)
}

/// The time-step a code is valid for at `now_secs`, within one step either side, when it is
/// later than `last_step` (the step of the last accepted code): a code is single-use, and so is
/// every code older than the last one accepted.
pub fn accepted_step(
    seed: &[u8],
    code: &str,
    now_secs: u64,
    last_step: i64,
) -> Result<Option<i64>, TwoFactorError> {
    let code: String = code.chars().filter(|c| !c.is_whitespace()).collect();
    if code.len() != 6 || !code.chars().all(|c| c.is_ascii_digit()) {
        return Ok(None);
    }
    let totp = totp(seed, "")?;
    let current = now_secs / STEP_SECONDS;
    // One step either side: a phone clock a little off, or a code typed as it turned over.
    // The newest step is tried first, so a code is never taken for an older, replayable step.
    let found = [current + 1, current, current.saturating_sub(1)]
        .into_iter()
        .filter_map(|step| i64::try_from(step).ok().map(|signed| (step, signed)))
        .filter(|(_, signed)| *signed > last_step)
        .find(|(step, _)| totp.check(&code, step * STEP_SECONDS).is_some())
        .map(|(_, signed)| signed);
    Ok(found)
}

/// The code an authenticator shows at `now_secs` (tests and examples compute codes with it).
pub fn code_at(seed: &[u8], now_secs: u64) -> Result<String, TwoFactorError> {
    Ok(totp(seed, "")?.generate(now_secs).to_string())
}

/// The `otpauth://` address an authenticator app reads from the QR code.
pub fn otpauth_url(seed: &[u8], account: &str) -> Result<String, TwoFactorError> {
    totp(seed, account)?
        .to_url()
        .map_err(|_| TwoFactorError::BadSeed)
}

/// The seed as authenticator apps take it when typed in (RFC 4648 base32, no padding).
pub fn seed_base32(seed: &[u8]) -> String {
    totp_rs::Secret::from(seed.to_vec()).to_base32()
}

/// The QR code of `text` as an SVG document, drawn on the server so the browser needs no
/// QR library.
pub fn qr_svg(text: &str) -> Result<String, TwoFactorError> {
    use qrcode::render::svg;
    let code = qrcode::QrCode::new(text.as_bytes()).map_err(|_| TwoFactorError::BadSeed)?;
    Ok(code
        .render::<svg::Color>()
        .min_dimensions(200, 200)
        .quiet_zone(true)
        .build())
}

/// A recovery code as people type it: case, spaces and dashes do not matter.
pub fn normalize_recovery_code(code: &str) -> String {
    code.chars()
        .filter(|c| c.is_ascii_alphanumeric())
        .map(|c| c.to_ascii_lowercase())
        .collect()
}

/// Whether what someone typed at the code step looks like a TOTP code rather than a recovery
/// code.
pub fn is_totp_code(code: &str) -> bool {
    let digits: String = code.chars().filter(|c| !c.is_whitespace()).collect();
    digits.len() == 6 && digits.chars().all(|c| c.is_ascii_digit())
}

#[cfg(test)]
mod tests {
    use super::*;

    // RFC 6238 appendix B's SHA-1 seed; its 8-digit vectors end in these six digits.
    const RFC_SEED: &[u8] = b"12345678901234567890";

    #[test]
    fn codes_match_the_rfc_test_vectors() {
        assert_eq!(code_at(RFC_SEED, 59).unwrap(), "287082");
        assert_eq!(code_at(RFC_SEED, 1_111_111_109).unwrap(), "081804");
        assert_eq!(code_at(RFC_SEED, 1_234_567_890).unwrap(), "005924");
        assert_eq!(code_at(RFC_SEED, 2_000_000_000).unwrap(), "279037");
    }

    #[test]
    fn a_code_is_accepted_one_step_either_side_and_no_further() {
        let now = 1_234_567_890;
        let step = (now / STEP_SECONDS) as i64;
        let current = code_at(RFC_SEED, now).unwrap();
        assert_eq!(accepted_step(RFC_SEED, &current, now, 0), Ok(Some(step)));
        let previous = code_at(RFC_SEED, now - STEP_SECONDS).unwrap();
        assert_eq!(
            accepted_step(RFC_SEED, &previous, now, 0),
            Ok(Some(step - 1))
        );
        let next = code_at(RFC_SEED, now + STEP_SECONDS).unwrap();
        assert_eq!(accepted_step(RFC_SEED, &next, now, 0), Ok(Some(step + 1)));
        let stale = code_at(RFC_SEED, now - 2 * STEP_SECONDS).unwrap();
        assert_eq!(accepted_step(RFC_SEED, &stale, now, 0), Ok(None));
        let early = code_at(RFC_SEED, now + 2 * STEP_SECONDS).unwrap();
        assert_eq!(accepted_step(RFC_SEED, &early, now, 0), Ok(None));
    }

    #[test]
    fn a_code_is_not_accepted_again_nor_one_older_than_the_last() {
        let now = 1_234_567_890;
        let step = (now / STEP_SECONDS) as i64;
        let current = code_at(RFC_SEED, now).unwrap();
        assert_eq!(accepted_step(RFC_SEED, &current, now, step), Ok(None));
        let previous = code_at(RFC_SEED, now - STEP_SECONDS).unwrap();
        assert_eq!(accepted_step(RFC_SEED, &previous, now, step), Ok(None));
        let next = code_at(RFC_SEED, now + STEP_SECONDS).unwrap();
        assert_eq!(
            accepted_step(RFC_SEED, &next, now, step),
            Ok(Some(step + 1))
        );
    }

    #[test]
    fn malformed_codes_are_refused_and_spaces_ignored() {
        let now = 1_234_567_890;
        assert_eq!(accepted_step(RFC_SEED, "", now, 0), Ok(None));
        assert_eq!(accepted_step(RFC_SEED, "12345", now, 0), Ok(None));
        assert_eq!(accepted_step(RFC_SEED, "abcdef", now, 0), Ok(None));
        assert_eq!(accepted_step(RFC_SEED, "0059241", now, 0), Ok(None));
        assert!(
            accepted_step(RFC_SEED, "005 924", now, 0)
                .unwrap()
                .is_some()
        );
    }

    #[test]
    fn the_qr_code_and_url_name_the_account_and_carry_the_seed() {
        let url = otpauth_url(RFC_SEED, "ana@example.org").unwrap();
        assert!(url.starts_with("otpauth://totp/"), "{url}");
        assert!(url.contains(&seed_base32(RFC_SEED)), "{url}");
        assert!(url.contains("Switchboard"), "{url}");
        let svg = qr_svg(&url).unwrap();
        assert!(svg.contains("<svg"), "{svg}");
    }

    #[test]
    fn recovery_codes_are_compared_without_case_or_dashes() {
        assert_eq!(normalize_recovery_code("AbCd-eFgh 12"), "abcdefgh12");
        assert!(is_totp_code(" 123 456 "));
        assert!(!is_totp_code("abcd-efgh"));
    }
}
