//! Wellbeing rules: which limits an admin may set, the rolling windows time answering is
//! counted over, when a person is over a limit, and what they are told. Pure: the caller
//! supplies the time and the counts.
//!
//! Time is counted in whole minutes (UTC, since the Unix epoch): a minute in which a person had
//! a conversation open counts once, however many tabs told it. Minute buckets make the rolling
//! windows exact: the last 24 hours are the 1440 minutes ending with the current one, the last
//! 7 days the 10080 minutes ending with it.

use app::model::WellbeingSettings;

pub const MINUTE_MS: i64 = 60_000;
pub const DAY_MINUTES: i64 = 24 * 60;
pub const WEEK_MINUTES: i64 = 7 * DAY_MINUTES;
/// Minutes older than this count in no window; a day more than the longest one, so a clock
/// a little behind never deletes what a window still counts.
pub const KEEP_MINUTES: i64 = 8 * DAY_MINUTES;

#[derive(Debug, PartialEq, Eq, thiserror::Error)]
pub enum WellbeingError {
    #[error("The daily limit must be between 1 and 1440 minutes (24 hours).")]
    DailyOutOfRange,
    #[error("The weekly limit must be between 1 and 10080 minutes (7 days).")]
    WeeklyOutOfRange,
    #[error("The weekly limit cannot be less than the daily limit.")]
    WeeklyBelowDaily,
}

pub fn validate(settings: &WellbeingSettings) -> Result<(), WellbeingError> {
    if !(1..=DAY_MINUTES).contains(&settings.daily_limit_minutes) {
        return Err(WellbeingError::DailyOutOfRange);
    }
    if !(1..=WEEK_MINUTES).contains(&settings.weekly_limit_minutes) {
        return Err(WellbeingError::WeeklyOutOfRange);
    }
    if settings.weekly_limit_minutes < settings.daily_limit_minutes {
        return Err(WellbeingError::WeeklyBelowDaily);
    }
    Ok(())
}

/// The minute bucket `epoch_ms` falls in.
pub fn minute_of(epoch_ms: i64) -> i64 {
    epoch_ms.div_euclid(MINUTE_MS)
}

/// The first minute each rolling window counts, for the windows ending with minute `now`
/// (included).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Windows {
    pub day_from: i64,
    pub week_from: i64,
    /// Minutes before this are kept no longer.
    pub keep_from: i64,
}

pub fn windows(now_minute: i64) -> Windows {
    Windows {
        day_from: now_minute - DAY_MINUTES + 1,
        week_from: now_minute - WEEK_MINUTES + 1,
        keep_from: now_minute - KEEP_MINUTES + 1,
    }
}

/// Counts a person's minute buckets into the windows ending with minute `now`; what the
/// store's counting query must agree with.
pub fn count(minutes: &[i64], now_minute: i64) -> TimeOnShift {
    let windows = windows(now_minute);
    let within = |from: i64| {
        minutes
            .iter()
            .filter(|minute| (from..=now_minute).contains(*minute))
            .count() as i64
    };
    TimeOnShift {
        last_day: within(windows.day_from),
        last_week: within(windows.week_from),
    }
}

/// Minutes answering in the rolling windows.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct TimeOnShift {
    pub last_day: i64,
    pub last_week: i64,
}

/// Which limits a time on shift is over: passing a limit means more minutes than it allows.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Over {
    pub daily: bool,
    pub weekly: bool,
}

impl Over {
    pub fn any(self) -> bool {
        self.daily || self.weekly
    }
}

pub fn over(time: TimeOnShift, settings: &WellbeingSettings) -> Over {
    Over {
        daily: time.last_day > settings.daily_limit_minutes,
        weekly: time.last_week > settings.weekly_limit_minutes,
    }
}

impl TimeOnShift {
    /// The time before a new minute was counted: that minute lies in both windows.
    pub fn before_new_minute(self) -> TimeOnShift {
        TimeOnShift {
            last_day: (self.last_day - 1).max(0),
            last_week: (self.last_week - 1).max(0),
        }
    }
}

/// Whether counting a minute took a person past a limit they were not past before: the moment
/// coordinators are told, once per passing rather than once a minute.
pub fn newly_passed(before: TimeOnShift, after: TimeOnShift, settings: &WellbeingSettings) -> bool {
    let (before, after) = (over(before, settings), over(after, settings));
    (after.daily && !before.daily) || (after.weekly && !before.weekly)
}

/// What the person is told once over a limit: the day's first, as the more pressing.
pub fn warning(time: TimeOnShift, settings: &WellbeingSettings) -> Option<String> {
    let over = over(time, settings);
    let (limit, period) = if over.daily {
        (settings.daily_limit_minutes, "today")
    } else if over.weekly {
        (settings.weekly_limit_minutes, "this week")
    } else {
        return None;
    };
    Some(format!(
        "You have been answering for over {} {period}. Please take a break.",
        duration_words(limit)
    ))
}

/// "4 hours", "1 hour 30 minutes", "45 minutes".
pub fn duration_words(minutes: i64) -> String {
    let plural = |count: i64, unit: &str| {
        if count == 1 {
            format!("1 {unit}")
        } else {
            format!("{count} {unit}s")
        }
    };
    match (minutes / 60, minutes % 60) {
        (0, minutes) => plural(minutes, "minute"),
        (hours, 0) => plural(hours, "hour"),
        (hours, minutes) => format!("{} {}", plural(hours, "hour"), plural(minutes, "minute")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn limits(daily: i64, weekly: i64) -> WellbeingSettings {
        WellbeingSettings {
            blur_media: true,
            daily_limit_minutes: daily,
            weekly_limit_minutes: weekly,
        }
    }

    fn time(last_day: i64, last_week: i64) -> TimeOnShift {
        TimeOnShift {
            last_day,
            last_week,
        }
    }

    #[test]
    fn the_defaults_are_four_hours_a_day_and_sixteen_a_week_and_valid() {
        let defaults = WellbeingSettings::default();
        assert_eq!(defaults, limits(240, 960));
        assert_eq!(validate(&defaults), Ok(()));
    }

    #[test]
    fn limits_out_of_range_are_refused() {
        assert_eq!(
            validate(&limits(0, 960)),
            Err(WellbeingError::DailyOutOfRange)
        );
        assert_eq!(
            validate(&limits(1441, 10080)),
            Err(WellbeingError::DailyOutOfRange)
        );
        assert_eq!(
            validate(&limits(-5, 960)),
            Err(WellbeingError::DailyOutOfRange)
        );
        assert_eq!(
            validate(&limits(240, 0)),
            Err(WellbeingError::WeeklyOutOfRange)
        );
        assert_eq!(
            validate(&limits(240, 10081)),
            Err(WellbeingError::WeeklyOutOfRange)
        );
        assert_eq!(
            validate(&limits(300, 299)),
            Err(WellbeingError::WeeklyBelowDaily)
        );
        assert_eq!(validate(&limits(1, 1)), Ok(()));
        assert_eq!(validate(&limits(1440, 10080)), Ok(()));
    }

    #[test]
    fn minutes_are_buckets_of_sixty_seconds_also_before_the_epoch() {
        assert_eq!(minute_of(0), 0);
        assert_eq!(minute_of(59_999), 0);
        assert_eq!(minute_of(60_000), 1);
        assert_eq!(minute_of(-1), -1);
    }

    #[test]
    fn the_windows_are_the_minutes_ending_with_the_current_one() {
        let now = 100_000;
        assert_eq!(
            windows(now),
            Windows {
                day_from: now - 1439,
                week_from: now - 10079,
                keep_from: now - 11519,
            }
        );
        // The first and last minute of each window count; the minute before does not.
        let minutes = [
            now,
            now - 1439,
            now - 1440,
            now - 10079,
            now - 10080,
            now + 1,
        ];
        assert_eq!(count(&minutes, now), time(2, 4));
    }

    #[test]
    fn the_rolling_day_lets_go_of_a_minute_exactly_24_hours_later() {
        let worked: Vec<i64> = (0..300).collect();
        // At minute 299 all 300 count; 24 hours after the first, it no longer does.
        assert_eq!(count(&worked, 299), time(300, 300));
        assert_eq!(count(&worked, 1439), time(300, 300));
        assert_eq!(count(&worked, 1440), time(299, 300));
        assert_eq!(count(&worked, 1440 + 299), time(0, 300));
        assert_eq!(count(&worked, 10079 + 300), time(0, 0));
    }

    #[test]
    fn passing_a_limit_means_more_minutes_than_it_allows() {
        let settings = limits(240, 960);
        assert_eq!(over(time(240, 960), &settings), Over::default());
        assert_eq!(
            over(time(241, 500), &settings),
            Over {
                daily: true,
                weekly: false
            }
        );
        assert_eq!(
            over(time(100, 961), &settings),
            Over {
                daily: false,
                weekly: true
            }
        );
        assert!(over(time(241, 961), &settings).any());
    }

    #[test]
    fn coordinators_are_told_once_when_a_limit_is_passed() {
        let settings = limits(240, 960);
        let at = |day, week| {
            let after = time(day, week);
            newly_passed(after.before_new_minute(), after, &settings)
        };
        assert!(!at(240, 500), "at the limit is not past it");
        assert!(at(241, 500), "the minute that passes the day's limit");
        assert!(!at(242, 500), "still past it: already told");
        assert!(at(100, 961), "the minute that passes the week's limit");
        assert!(at(300, 961), "past the day already, the week's is new");
        assert!(!at(300, 962));
    }

    #[test]
    fn the_warning_names_the_limit_passed_the_day_first() {
        let settings = limits(240, 960);
        assert_eq!(warning(time(240, 960), &settings), None);
        assert_eq!(
            warning(time(241, 300), &settings).as_deref(),
            Some("You have been answering for over 4 hours today. Please take a break.")
        );
        assert_eq!(
            warning(time(100, 961), &settings).as_deref(),
            Some("You have been answering for over 16 hours this week. Please take a break.")
        );
        assert_eq!(
            warning(time(241, 961), &settings).as_deref(),
            Some("You have been answering for over 4 hours today. Please take a break.")
        );
    }

    #[test]
    fn durations_read_as_people_say_them() {
        assert_eq!(duration_words(1), "1 minute");
        assert_eq!(duration_words(45), "45 minutes");
        assert_eq!(duration_words(60), "1 hour");
        assert_eq!(duration_words(90), "1 hour 30 minutes");
        assert_eq!(duration_words(121), "2 hours 1 minute");
        assert_eq!(duration_words(960), "16 hours");
    }
}
