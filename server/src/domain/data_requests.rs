//! Erasure requests by message and volunteers' limited access to resolved conversations.
//! Pure rules: the caller supplies the texts and the time.

const DAY_MS: i64 = 24 * 60 * 60 * 1000;
/// The longest keyword an admin may set; a longer message is never a request.
pub const MAX_KEYWORD_CHARS: usize = 64;
/// The longest reason for declining, which the contact reads.
pub const MAX_REASON_CHARS: usize = 500;
/// A century: longer is "keep access", which an empty field says.
pub const MAX_ACCESS_DAYS: i64 = 36_500;

/// What the contact is told when their request is recorded.
pub const RECEIVED_ANSWER: &str =
    "We have received your request to delete your data. A member of our team will confirm it.";
/// What the contact is told just before their data is erased.
pub const CONFIRMED_ANSWER: &str = "Your data has been deleted.";

#[derive(Debug, PartialEq, Eq, thiserror::Error)]
pub enum DataRequestError {
    #[error("The keyword must have 1 to 64 characters.")]
    KeywordLength,
    #[error("Give the reason for declining, in 1 to 500 characters: the contact reads it.")]
    ReasonLength,
    #[error("Volunteers' access ends between 1 and 36500 days after resolution, or never (empty).")]
    AccessDays,
}

/// The keyword as it is kept: trimmed, with inner white space as typed.
pub fn valid_keyword(keyword: &str) -> Result<String, DataRequestError> {
    let keyword = keyword.trim();
    match keyword.chars().count() {
        1..=MAX_KEYWORD_CHARS => Ok(keyword.to_owned()),
        _ => Err(DataRequestError::KeywordLength),
    }
}

/// Whether a whole message asks for erasure: it is the keyword, ignoring case and the white
/// space around it.
pub fn asks_for_erasure(message: &str, keyword: &str) -> bool {
    let (message, keyword) = (message.trim(), keyword.trim());
    !keyword.is_empty() && message.to_lowercase() == keyword.to_lowercase()
}

pub fn valid_reason(reason: &str) -> Result<&str, DataRequestError> {
    let reason = reason.trim();
    match reason.chars().count() {
        1..=MAX_REASON_CHARS => Ok(reason),
        _ => Err(DataRequestError::ReasonLength),
    }
}

/// What the contact is told when their request is declined: why, and that they may complain
/// to a data protection authority (GDPR Article 12(4)).
pub fn declined_answer(reason: &str) -> String {
    format!(
        "We have not deleted your data, for this reason: {reason} \
         You may complain to a data protection authority."
    )
}

pub fn valid_access_days(days: Option<i64>) -> Result<Option<i64>, DataRequestError> {
    match days {
        Some(days) if !(1..=MAX_ACCESS_DAYS).contains(&days) => Err(DataRequestError::AccessDays),
        days => Ok(days),
    }
}

/// Conversations resolved before this moment (epoch ms) are closed to volunteers; `None`
/// when their access does not end.
pub fn access_cutoff(days_after_resolution: Option<i64>, now_ms: i64) -> Option<i64> {
    days_after_resolution.map(|days| now_ms - days.clamp(0, MAX_ACCESS_DAYS) * DAY_MS)
}

/// Whether a volunteer may still open a conversation of this status, resolved at
/// `resolved_at`, given the [`access_cutoff`].
pub fn volunteer_may_open(status: &str, resolved_at: Option<i64>, cutoff: Option<i64>) -> bool {
    match (status, resolved_at, cutoff) {
        ("resolved", Some(resolved_at), Some(cutoff)) => resolved_at >= cutoff,
        _ => true,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_whole_message_in_any_case_asks() {
        for message in ["DELETE MY DATA", "delete my data", "  Delete My Data \n"] {
            assert!(asks_for_erasure(message, "DELETE MY DATA"), "{message:?}");
        }
        for message in [
            "please delete my data",
            "DELETE MY DATA!",
            "DELETE  MY DATA",
            "",
        ] {
            assert!(!asks_for_erasure(message, "DELETE MY DATA"), "{message:?}");
        }
        assert!(
            !asks_for_erasure("", "  "),
            "an empty keyword matches nothing"
        );
    }

    #[test]
    fn keywords_and_reasons_have_bounds() {
        assert_eq!(valid_keyword("  ERASE ME "), Ok("ERASE ME".to_owned()));
        assert_eq!(valid_keyword("   "), Err(DataRequestError::KeywordLength));
        assert_eq!(
            valid_keyword(&"x".repeat(65)),
            Err(DataRequestError::KeywordLength)
        );
        assert_eq!(valid_reason(" open case "), Ok("open case"));
        assert_eq!(valid_reason(""), Err(DataRequestError::ReasonLength));
    }

    #[test]
    fn access_ends_the_set_days_after_resolution() {
        let now = 100 * DAY_MS;
        let cutoff = access_cutoff(Some(30), now);
        assert_eq!(cutoff, Some(70 * DAY_MS));
        assert!(volunteer_may_open("resolved", Some(70 * DAY_MS), cutoff));
        assert!(!volunteer_may_open(
            "resolved",
            Some(70 * DAY_MS - 1),
            cutoff
        ));
        assert!(volunteer_may_open("open", Some(1), cutoff), "reopened");
        assert!(
            volunteer_may_open("resolved", Some(1), None),
            "no limit set"
        );
        assert_eq!(
            valid_access_days(Some(0)),
            Err(DataRequestError::AccessDays)
        );
        assert_eq!(valid_access_days(None), Ok(None));
    }
}
