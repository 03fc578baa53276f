//! Retention rules: which periods an admin may set, and the moment before which each kind of
//! data has expired. Pure: the caller supplies the time.

use app::model::RetentionSettings;

const DAY_MS: i64 = 24 * 60 * 60 * 1000;
/// A century: longer is "keep", which is what an empty field says.
pub const MAX_DAYS: i64 = 36_500;

#[derive(Debug, PartialEq, Eq, thiserror::Error)]
pub enum RetentionError {
    #[error("{0} must be kept between 1 and 36500 days, or left empty to keep it.")]
    OutOfRange(&'static str),
}

/// For each kind, the time (epoch milliseconds) before which it has expired; `None` keeps it.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Cutoffs {
    pub resolved_conversations: Option<i64>,
    pub media: Option<i64>,
    pub orphan_contacts: Option<i64>,
    pub raw_deliveries: Option<i64>,
    pub audit_log: Option<i64>,
}

pub fn validate(settings: &RetentionSettings) -> Result<(), RetentionError> {
    let periods = [
        (
            "Resolved conversations",
            settings.resolved_conversations_days,
        ),
        ("Media", settings.media_days),
        (
            "Contacts with no conversation",
            settings.orphan_contacts_days,
        ),
        ("Raw webhook deliveries", settings.raw_deliveries_days),
        ("The audit log", settings.audit_log_days),
    ];
    match periods
        .into_iter()
        .find(|(_, days)| days.is_some_and(|days| !(1..=MAX_DAYS).contains(&days)))
    {
        Some((kind, _)) => Err(RetentionError::OutOfRange(kind)),
        None => Ok(()),
    }
}

pub fn cutoffs(settings: &RetentionSettings, now_ms: i64) -> Cutoffs {
    // Clamped, so settings stored before validation existed cannot overflow.
    let before = |days: Option<i64>| days.map(|days| now_ms - days.clamp(1, MAX_DAYS) * DAY_MS);
    Cutoffs {
        resolved_conversations: before(settings.resolved_conversations_days),
        media: before(settings.media_days),
        orphan_contacts: before(settings.orphan_contacts_days),
        raw_deliveries: raw_deliveries_cutoff(
            before(settings.raw_deliveries_days),
            before(settings.resolved_conversations_days),
        ),
        audit_log: before(settings.audit_log_days),
    }
}

/// A raw delivery holds the same text as the message made from it, so it never outlives the
/// conversation: whichever period ends first (the later cutoff) applies. A delivery arrives before
/// its conversation's last message, so one older than the conversations' cutoff cannot belong to
/// a conversation still being kept for its period.
fn raw_deliveries_cutoff(own: Option<i64>, conversations: Option<i64>) -> Option<i64> {
    match (own, conversations) {
        (Some(own), Some(conversations)) => Some(own.max(conversations)),
        (own, conversations) => own.or(conversations),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_defaults_keep_nothing_for_ever() {
        let defaults = RetentionSettings::default();
        assert_eq!(validate(&defaults), Ok(()));
        let cut = cutoffs(&defaults, 1000 * DAY_MS);
        assert_eq!(
            cut,
            Cutoffs {
                resolved_conversations: Some(270 * DAY_MS),
                media: Some(635 * DAY_MS),
                orphan_contacts: Some(970 * DAY_MS),
                raw_deliveries: Some(970 * DAY_MS),
                audit_log: Some(270 * DAY_MS),
            }
        );
    }

    #[test]
    fn raw_deliveries_never_outlive_the_conversations_they_hold_text_of() {
        let now = 1000 * DAY_MS;
        let settings = |raw, conversations| RetentionSettings {
            raw_deliveries_days: raw,
            resolved_conversations_days: conversations,
            ..RetentionSettings::default()
        };
        let raw_cutoff =
            |raw, conversations| cutoffs(&settings(raw, conversations), now).raw_deliveries;
        assert_eq!(raw_cutoff(Some(30), Some(730)), Some(970 * DAY_MS));
        assert_eq!(raw_cutoff(Some(900), Some(100)), Some(900 * DAY_MS));
        assert_eq!(raw_cutoff(None, Some(100)), Some(900 * DAY_MS));
        assert_eq!(raw_cutoff(Some(30), None), Some(970 * DAY_MS));
        assert_eq!(raw_cutoff(None, None), None);
    }

    #[test]
    fn empty_keeps_and_zero_or_huge_periods_are_refused() {
        let keep_all = RetentionSettings {
            resolved_conversations_days: None,
            media_days: None,
            orphan_contacts_days: None,
            raw_deliveries_days: None,
            audit_log_days: None,
        };
        assert_eq!(validate(&keep_all), Ok(()));
        assert_eq!(cutoffs(&keep_all, 5), Cutoffs::default());
        for days in [0, -1, MAX_DAYS + 1, i64::MAX] {
            let media = RetentionSettings {
                media_days: Some(days),
                ..RetentionSettings::default()
            };
            assert_eq!(validate(&media), Err(RetentionError::OutOfRange("Media")));
        }
    }
}
