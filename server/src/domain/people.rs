//! Validated values about people, parsed once at the edge and trusted inside.

use std::fmt;

#[derive(Debug, PartialEq, Eq, thiserror::Error)]
pub enum PersonError {
    #[error("Enter a valid email address, like name@example.org.")]
    InvalidEmail,
    #[error("Enter a name of 1 to 100 characters.")]
    InvalidName,
}

/// An email address, trimmed and lower-cased so one person has one account.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Email(String);

impl Email {
    pub fn parse(value: &str) -> Result<Email, PersonError> {
        let value = value.trim().to_lowercase();
        let (local, domain) = value.split_once('@').ok_or(PersonError::InvalidEmail)?;
        let plausible = !local.is_empty()
            && domain.contains('.')
            && !domain.starts_with('.')
            && !domain.ends_with('.')
            && !domain.contains('@')
            && value.len() <= 254
            && !value.chars().any(|c| c.is_whitespace() || c.is_control());
        if plausible {
            Ok(Email(value))
        } else {
            Err(PersonError::InvalidEmail)
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for Email {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// A person's display name.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PersonName(String);

impl PersonName {
    pub fn parse(value: &str) -> Result<PersonName, PersonError> {
        let value = value.trim();
        let length = value.chars().count();
        if (1..=100).contains(&length) && !value.chars().any(char::is_control) {
            Ok(PersonName(value.to_string()))
        } else {
            Err(PersonError::InvalidName)
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn emails_are_normalised() {
        assert_eq!(
            Email::parse("  Ana@Example.ORG ").unwrap().as_str(),
            "ana@example.org"
        );
    }

    #[test]
    fn implausible_emails_are_refused() {
        for bad in [
            "",
            "ana",
            "ana@",
            "@example.org",
            "ana@example",
            "a b@example.org",
            "ana@.org",
        ] {
            assert_eq!(Email::parse(bad), Err(PersonError::InvalidEmail), "{bad}");
        }
    }

    #[test]
    fn names_are_trimmed_and_bounded() {
        assert_eq!(PersonName::parse(" Ana ").unwrap().as_str(), "Ana");
        assert!(PersonName::parse("   ").is_err());
        assert!(PersonName::parse(&"x".repeat(101)).is_err());
    }
}
