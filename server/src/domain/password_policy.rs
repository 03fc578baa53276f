//! Which passwords are acceptable, following NIST SP 800-63B: a minimum length, a generous
//! maximum, no composition rules, and no passwords that are common or easy to guess.

use zxcvbn::{Score, zxcvbn};

pub const MIN_LENGTH: usize = 8;
pub const MAX_LENGTH: usize = 128;

#[derive(Debug, PartialEq, Eq, thiserror::Error)]
pub enum PasswordRejected {
    #[error("Use at least 8 characters.")]
    TooShort,
    #[error("Use at most 128 characters.")]
    TooLong,
    #[error("This password is too common or too easy to guess. A few unrelated words work well.")]
    TooCommon,
}

/// Checks a new password; `personal` holds the person's own details (email, name), which make a
/// password easy to guess too.
pub fn check(password: &str, personal: &[&str]) -> Result<(), PasswordRejected> {
    let length = password.chars().count();
    if length < MIN_LENGTH {
        return Err(PasswordRejected::TooShort);
    }
    if length > MAX_LENGTH {
        return Err(PasswordRejected::TooLong);
    }
    if zxcvbn(password, personal).score() < Score::Two {
        return Err(PasswordRejected::TooCommon);
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn length_bounds_apply() {
        assert_eq!(check("a1b2c3", &[]), Err(PasswordRejected::TooShort));
        assert_eq!(
            check(&"correct horse ".repeat(10), &[]),
            Err(PasswordRejected::TooLong)
        );
    }

    #[test]
    fn common_passwords_are_refused() {
        for common in [
            "password",
            "password1",
            "12345678",
            "qwertyuiop",
            "iloveyou1",
        ] {
            assert_eq!(
                check(common, &[]),
                Err(PasswordRejected::TooCommon),
                "{common}"
            );
        }
    }

    #[test]
    fn personal_details_count_as_easy() {
        assert_eq!(
            check(
                "ana.souza@example.org",
                &["ana.souza@example.org", "Ana Souza"]
            ),
            Err(PasswordRejected::TooCommon)
        );
    }

    #[test]
    fn long_unusual_passwords_pass_without_composition_rules() {
        assert_eq!(check("harbour lantern orbit", &[]), Ok(()));
        let sixty_four = "violet canal whisper fig lantern orbit sable quartz meadow drift";
        assert_eq!(sixty_four.len(), 64);
        assert_eq!(check(sixty_four, &[]), Ok(()));
        assert_eq!(check("tamarind-kettle-59", &[]), Ok(()));
    }
}
