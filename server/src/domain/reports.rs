//! Reports: how long contacts waited for a person to answer and for their conversation to be
//! resolved, counted on the wall clock or in the organisation's business hours. Pure: the caller
//! supplies each conversation's events and the organisation's settings.
//!
//! The definitions, as the Reports page and the README quote them:
//!
//! - An **open period** runs from the moment a conversation is opened or reopened to the next
//!   moment it is resolved (or to now, if it is still open).
//! - **First response time**: for each open period, the time from its start to the first reply a
//!   person wrote in it. A period nobody replied in gives no first response time; it is counted
//!   as unanswered.
//! - **Reply time**: after a period's first response, each time the contact writes while not
//!   already waiting, the time from that message to the next reply a person wrote. Several
//!   messages in a row are one wait, timed from the first of them. A wait with no reply yet, or
//!   ended by resolving the conversation, gives no reply time.
//! - **Resolution time**: for each time a conversation is resolved, the time from the start of
//!   that open period to the resolution.
//! - **Median** and **90th percentile** use the nearest rank: the smallest value such that at
//!   least half (or 90 %) of the values are less than or equal to it. It is always one of the
//!   measured values, never an average of two.
//! - In **business hours**, only the time the organisation is open counts: the opening hours of
//!   each weekday, read on the organisation's local clock, except on its holidays.
//!
//! Replies written by Switchboard itself (auto-replies, satisfaction surveys, any automatic
//! message) and internal notes are not replies a person wrote: they never end a wait.

use std::collections::HashSet;
use std::fmt;
use std::str::FromStr;

use jiff::Timestamp;
use jiff::civil;
use jiff::tz::{AmbiguousOffset, Offset, TimeZone};
use serde::{Deserialize, Serialize};
use time::{Date, Month, Weekday};

const MINUTES_PER_DAY: u16 = 24 * 60;
const HOURS_PER_DAY: u8 = 24;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ReportsError {
    #[error(
        "“{0}” is not a time zone Switchboard knows. Write a name from the IANA time zone list, \
         such as Europe/Paris, America/New_York or Africa/Nairobi."
    )]
    UnknownTimeZone(String),
    #[error(
        "“{0}” is not a time of day. Write hours and minutes on the 24-hour clock, such as 09:00 \
         or 17:30; 24:00 is the end of the day."
    )]
    NotATimeOfDay(String),
    #[error(
        "On {weekday}, the opening hours {opens}–{closes} do not end after they start. Hours past \
         midnight are written as two intervals, such as 22:00–24:00 and 00:00–02:00 on the next \
         day."
    )]
    EndsBeforeStart {
        weekday: Weekday,
        opens: TimeOfDay,
        closes: TimeOfDay,
    },
    #[error(
        "On {weekday}, the opening hours {}–{} and {}–{} overlap. Join them into one interval or \
         make one end before the other starts.",
        .first.0, .first.1, .second.0, .second.1
    )]
    Overlap {
        weekday: Weekday,
        first: (TimeOfDay, TimeOfDay),
        second: (TimeOfDay, TimeOfDay),
    },
    #[error(
        "Business hours need at least one opening interval in the week: without one, every wait \
         would count as no time at all."
    )]
    NoOpeningHours,
    #[error(
        "Line {line} of the opening hours, “{text}”, is not a weekday and two times: write one \
         interval per line, such as “Monday 09:00-17:00”."
    )]
    NotAnInterval { line: usize, text: String },
    #[error("Line {line} of the holidays, “{text}”, is not a date written YYYY-MM-DD.")]
    NotAHoliday { line: usize, text: String },
}

// ---------------------------------------------------------------------------------------------
// Conversation timelines
// ---------------------------------------------------------------------------------------------

/// What happened in a conversation, as far as response times are concerned.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum EventKind {
    /// The conversation was created.
    Opened,
    /// The contact wrote to the organisation (an inbound message).
    ContactMessage,
    /// A person of the organisation sent the contact a message they wrote. Automatic messages
    /// (auto-replies, surveys, anything Switchboard sends by itself) are not human replies and
    /// must not be passed; neither are internal notes, which the contact never sees.
    HumanReply { user_id: i64 },
    /// The conversation was resolved.
    Resolved,
    /// The conversation was reopened after being resolved.
    Reopened,
}

/// One event of a conversation's timeline, at `at` (epoch milliseconds).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct TimelineEvent {
    pub at: i64,
    pub kind: EventKind,
}

/// One measured wait: it started at `started_at` and ended at `ended_at` (epoch milliseconds),
/// and lasted `duration_ms` on the report's [`Clock`]. The start is what attributes the sample
/// to a day of the report, so a wait that began on Friday counts on Friday.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Sample {
    pub started_at: i64,
    pub ended_at: i64,
    pub duration_ms: i64,
    /// The person whose reply ended the wait; `None` for a resolution.
    pub replied_by: Option<i64>,
}

/// Everything one conversation contributes to a report.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ConversationTimings {
    /// One per open period a person replied in: from the period's start (opened or reopened) to
    /// the first human reply in it.
    pub first_responses: Vec<Sample>,
    /// One per answered wait after a period's first response: from the first contact message
    /// the organisation had not answered yet to the next human reply.
    pub replies: Vec<Sample>,
    /// One per resolution: from the start of the open period to the moment it was resolved.
    pub resolutions: Vec<Sample>,
    /// Open periods with no human reply at all: resolved without one, or still open and
    /// waiting for one. They give no first response time, so they are counted here instead of
    /// silently leaving the median.
    pub unanswered_periods: u32,
}

/// The open period being read.
struct OpenPeriod {
    started_at: i64,
    answered: bool,
    /// The first contact message since the last human reply, once the period was answered.
    waiting_since: Option<i64>,
}

impl OpenPeriod {
    fn starting_at(at: i64) -> OpenPeriod {
        OpenPeriod {
            started_at: at,
            answered: false,
            waiting_since: None,
        }
    }
}

/// The first response, reply and resolution times of one conversation (definitions in the
/// module's documentation and on [`ConversationTimings`]), each measured on `clock`.
///
/// `timeline` is the conversation's events in the order they happened; events out of order are
/// sorted by `at` first, keeping the given order of events at the same millisecond (so pass an
/// `Opened` before a `ContactMessage` of the same moment). The events are read as follows:
///
/// - `Opened` or `Reopened` starts an open period; while one is open it changes nothing.
/// - A `ContactMessage` while no period is open starts one, as a reopening would: a contact
///   writing to a resolved conversation reopens it.
/// - A `HumanReply` outside an open period (written to a resolved conversation without
///   reopening it) answers no one and is ignored, as is a `Resolved` outside one.
/// - `Resolved` ends the period; a reply wait still running then gives no sample.
pub fn timings(timeline: &[TimelineEvent], clock: &Clock) -> ConversationTimings {
    let sorted;
    let events = if timeline.is_sorted_by_key(|event| event.at) {
        timeline
    } else {
        let mut copy = timeline.to_vec();
        copy.sort_by_key(|event| event.at);
        sorted = copy;
        &sorted
    };
    let sample = |started_at: i64, ended_at: i64, replied_by: Option<i64>| Sample {
        started_at,
        ended_at,
        duration_ms: clock.duration(started_at, ended_at),
        replied_by,
    };

    let mut timings = ConversationTimings::default();
    let mut period: Option<OpenPeriod> = None;
    for event in events {
        match event.kind {
            EventKind::Opened | EventKind::Reopened => {
                period.get_or_insert_with(|| OpenPeriod::starting_at(event.at));
            }
            EventKind::ContactMessage => match &mut period {
                None => period = Some(OpenPeriod::starting_at(event.at)),
                Some(open) if open.answered => {
                    open.waiting_since.get_or_insert(event.at);
                }
                // Still waiting for the period's first response, which times this message too.
                Some(_) => {}
            },
            EventKind::HumanReply { user_id } => {
                let Some(open) = &mut period else { continue };
                if !open.answered {
                    open.answered = true;
                    timings
                        .first_responses
                        .push(sample(open.started_at, event.at, Some(user_id)));
                } else if let Some(since) = open.waiting_since.take() {
                    timings.replies.push(sample(since, event.at, Some(user_id)));
                }
            }
            EventKind::Resolved => {
                let Some(open) = period.take() else { continue };
                if !open.answered {
                    timings.unanswered_periods += 1;
                }
                timings
                    .resolutions
                    .push(sample(open.started_at, event.at, None));
            }
        }
    }
    if period.is_some_and(|open| !open.answered) {
        timings.unanswered_periods += 1;
    }
    timings
}

// ---------------------------------------------------------------------------------------------
// Summaries
// ---------------------------------------------------------------------------------------------

/// The nearest-rank percentile of `durations`: the smallest of the values such that at least
/// `percent` % of the values are less than or equal to it (the value at rank ⌈percent × n / 100⌉
/// of the n values in increasing order, rank 1 at least). It is always one of the values, never
/// an interpolation. `None` for no values; a `percent` above 100 counts as 100.
pub fn percentile(durations: &[i64], percent: u8) -> Option<i64> {
    if durations.is_empty() {
        return None;
    }
    let rank = nearest_rank(durations.len(), percent);
    let mut values = durations.to_vec();
    let (_, value, _) = values.select_nth_unstable(rank - 1);
    Some(*value)
}

/// The rank (1 for the smallest) of the [`percentile`] `percent` among `count` values in
/// increasing order: ⌈percent × count / 100⌉, 1 at least; a `percent` above 100 counts as 100.
/// The store selects the value at this rank when the database sorts the values.
pub fn nearest_rank(count: usize, percent: u8) -> usize {
    (usize::from(percent.min(100)) * count).div_ceil(100).max(1)
}

/// The nearest-rank median: the smallest value such that at least half of the values are less
/// than or equal to it. Of an even number of values this is the lower of the middle two (of 1,
/// 2, 3 and 4 it is 2), not their average. `None` for no values.
pub fn median(durations: &[i64]) -> Option<i64> {
    percentile(durations, 50)
}

/// The nearest-rank 90th percentile: the smallest value such that at least 90 % of the values
/// are less than or equal to it. `None` for no values.
pub fn p90(durations: &[i64]) -> Option<i64> {
    percentile(durations, 90)
}

/// How many waits were measured, with their [`median`] and [`p90`] in milliseconds.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Summary {
    pub count: usize,
    pub median_ms: Option<i64>,
    pub p90_ms: Option<i64>,
}

pub fn summarize(samples: &[Sample]) -> Summary {
    let durations: Vec<i64> = samples.iter().map(|sample| sample.duration_ms).collect();
    Summary {
        count: durations.len(),
        median_ms: median(&durations),
        p90_ms: p90(&durations),
    }
}

// ---------------------------------------------------------------------------------------------
// Time zones and calendar buckets
// ---------------------------------------------------------------------------------------------

/// A time zone of the IANA database (such as Europe/Paris), in which a report reads its days
/// and hours and business hours are kept. Daylight-saving changes are the zone's own.
#[derive(Clone, Debug)]
pub struct LocalTimeZone {
    name: String,
    zone: TimeZone,
}

impl PartialEq for LocalTimeZone {
    fn eq(&self, other: &LocalTimeZone) -> bool {
        self.name == other.name
    }
}

impl Eq for LocalTimeZone {}

/// Where a moment falls on the local calendar: its date, for the daily chart, and its hour of
/// the week, for the heatmap.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct LocalBucket {
    pub date: Date,
    /// 0 is Monday 00:00–00:59 local time, 23 Monday 23:00–23:59, 24 Tuesday 00:00–00:59, up to
    /// 167 Sunday 23:00–23:59. On the day clocks go forward the skipped hour gets nothing; on
    /// the day they go back the repeated hour gets both.
    pub hour_of_week: u8,
}

impl LocalTimeZone {
    /// The zone named `name` (surrounding spaces ignored), from the system's time zone database
    /// or, where there is none, the copy built into Switchboard.
    pub fn named(name: &str) -> Result<LocalTimeZone, ReportsError> {
        let name = name.trim();
        let zone =
            TimeZone::get(name).map_err(|_| ReportsError::UnknownTimeZone(name.to_owned()))?;
        let name = zone.iana_name().unwrap_or(name).to_owned();
        Ok(LocalTimeZone { name, zone })
    }

    pub fn utc() -> LocalTimeZone {
        LocalTimeZone {
            name: "UTC".to_owned(),
            zone: TimeZone::UTC,
        }
    }

    /// The zone's IANA name, as the database spells it.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The local calendar date of `at_ms` (epoch milliseconds).
    pub fn local_date(&self, at_ms: i64) -> Date {
        to_time_date(self.local_datetime(at_ms).date())
    }

    /// The local date and hour of the week of `at_ms` (epoch milliseconds).
    pub fn bucket(&self, at_ms: i64) -> LocalBucket {
        let local = self.local_datetime(at_ms);
        let weekday = local.date().weekday().to_monday_zero_offset() as u8;
        LocalBucket {
            date: to_time_date(local.date()),
            hour_of_week: weekday * HOURS_PER_DAY + local.hour() as u8,
        }
    }

    /// The zone's offsets from UTC between `from_ms` and `to_ms` (epoch milliseconds): the
    /// moment each takes effect and the offset in milliseconds, the first at `from_ms`. A moment
    /// reads on the local clock as itself plus the offset of the last entry at or before it, so
    /// the database can place moments on local days and hours without knowing the zone.
    pub fn offsets_between(&self, from_ms: i64, to_ms: i64) -> Vec<(i64, i64)> {
        let start = timestamp(from_ms);
        let offset_ms = |offset: Offset| i64::from(offset.seconds()) * 1000;
        let mut offsets = vec![(from_ms, offset_ms(self.zone.to_offset(start)))];
        for transition in self.zone.following(start) {
            let at = transition.timestamp().as_millisecond();
            if at >= to_ms {
                break;
            }
            offsets.push((at, offset_ms(transition.offset())));
        }
        offsets
    }

    /// The first moment (epoch milliseconds) of the local day `date`: a report from one day to
    /// another covers `start_of_day(from)` up to `start_of_day(to + 1 day)`.
    pub fn start_of_day(&self, date: Date) -> i64 {
        match to_civil_date(date) {
            Some(day) => self.first_moment_at_or_after(day.to_datetime(civil::Time::midnight())),
            None if date.year() < 0 => Timestamp::MIN.as_millisecond(),
            None => Timestamp::MAX.as_millisecond(),
        }
    }

    fn local_datetime(&self, at_ms: i64) -> civil::DateTime {
        self.zone.to_datetime(timestamp(at_ms))
    }

    /// The first moment (epoch milliseconds) at which the local clock reads `local` or later.
    /// Usually the one moment it reads `local`; when clocks go forward past it, the moment they
    /// jump; when they go back and it reads `local` twice, the first time.
    fn first_moment_at_or_after(&self, local: civil::DateTime) -> i64 {
        let at_offset = |offset: Offset| {
            offset
                .to_timestamp(local)
                .unwrap_or(if local.date().year() < 0 {
                    Timestamp::MIN
                } else {
                    Timestamp::MAX
                })
        };
        let moment = match self.zone.to_ambiguous_timestamp(local).offset() {
            AmbiguousOffset::Unambiguous { offset } => at_offset(offset),
            AmbiguousOffset::Fold { before, .. } => at_offset(before),
            // Read with the later offset, `local` is a moment just before the jump, which is
            // then the next transition.
            AmbiguousOffset::Gap { before, after } => {
                let before_the_jump = at_offset(after);
                self.zone
                    .following(before_the_jump)
                    .next()
                    .map_or_else(|| at_offset(before), |jump| jump.timestamp())
            }
        };
        moment.as_millisecond()
    }
}

/// Epoch milliseconds as a timestamp, held to the years -9999 to 9999 that jiff represents.
fn timestamp(at_ms: i64) -> Timestamp {
    Timestamp::from_millisecond(at_ms).unwrap_or(if at_ms < 0 {
        Timestamp::MIN
    } else {
        Timestamp::MAX
    })
}

fn to_time_date(date: civil::Date) -> Date {
    let month = Month::try_from(date.month() as u8).expect("jiff months are 1 to 12");
    Date::from_calendar_date(i32::from(date.year()), month, date.day() as u8)
        .expect("jiff's years -9999 to 9999 are within time's range")
}

fn to_civil_date(date: Date) -> Option<civil::Date> {
    let year = i16::try_from(date.year()).ok()?;
    civil::Date::new(year, u8::from(date.month()) as i8, date.day() as i8).ok()
}

// ---------------------------------------------------------------------------------------------
// Business hours
// ---------------------------------------------------------------------------------------------

/// A time on the local clock, to the minute: 00:00 to 23:59, and 24:00 for the end of the day.
/// Written and read as "HH:MM".
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct TimeOfDay {
    minutes_after_midnight: u16,
}

impl TimeOfDay {
    pub const MIDNIGHT: TimeOfDay = TimeOfDay {
        minutes_after_midnight: 0,
    };
    pub const END_OF_DAY: TimeOfDay = TimeOfDay {
        minutes_after_midnight: MINUTES_PER_DAY,
    };

    /// `hour`:`minute` on the 24-hour clock; 24:00 is the end of the day.
    pub fn new(hour: u8, minute: u8) -> Result<TimeOfDay, ReportsError> {
        let minutes_after_midnight = u16::from(hour) * 60 + u16::from(minute);
        if minute >= 60 || minutes_after_midnight > MINUTES_PER_DAY {
            return Err(ReportsError::NotATimeOfDay(format!(
                "{hour:02}:{minute:02}"
            )));
        }
        Ok(TimeOfDay {
            minutes_after_midnight,
        })
    }

    pub fn minutes_after_midnight(self) -> u16 {
        self.minutes_after_midnight
    }

    /// This time on the local calendar `date`; 24:00 is midnight starting the next day.
    fn on(self, date: civil::Date) -> Option<civil::DateTime> {
        if self == TimeOfDay::END_OF_DAY {
            return date.tomorrow().ok().map(|next| next.at(0, 0, 0, 0));
        }
        let hour = (self.minutes_after_midnight / 60) as i8;
        let minute = (self.minutes_after_midnight % 60) as i8;
        Some(date.at(hour, minute, 0, 0))
    }
}

impl fmt::Display for TimeOfDay {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let minutes = self.minutes_after_midnight;
        write!(f, "{:02}:{:02}", minutes / 60, minutes % 60)
    }
}

impl FromStr for TimeOfDay {
    type Err = ReportsError;

    /// "9:00", "09:00", "17:30", "24:00": one or two digits of hours, two of minutes.
    fn from_str(text: &str) -> Result<TimeOfDay, ReportsError> {
        let refuse = || ReportsError::NotATimeOfDay(text.to_owned());
        let (hour, minute) = text.trim().split_once(':').ok_or_else(refuse)?;
        let number = |digits: &str, lengths: std::ops::RangeInclusive<usize>| {
            let well_formed =
                lengths.contains(&digits.len()) && digits.bytes().all(|b| b.is_ascii_digit());
            well_formed.then(|| digits.parse::<u8>().ok()).flatten()
        };
        match (number(hour, 1..=2), number(minute, 2..=2)) {
            (Some(hour), Some(minute)) => TimeOfDay::new(hour, minute).map_err(|_| refuse()),
            _ => Err(refuse()),
        }
    }
}

impl TryFrom<String> for TimeOfDay {
    type Error = ReportsError;

    fn try_from(text: String) -> Result<TimeOfDay, ReportsError> {
        text.parse()
    }
}

impl From<TimeOfDay> for String {
    fn from(time: TimeOfDay) -> String {
        time.to_string()
    }
}

/// The organisation is open on `weekday` from `opens` until `closes`, local time. An interval
/// ends the day it starts: hours past midnight are two intervals, one ending at 24:00 and one
/// starting at 00:00 the next day.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct OpeningInterval {
    #[serde(with = "weekday_name")]
    pub weekday: Weekday,
    pub opens: TimeOfDay,
    pub closes: TimeOfDay,
}

/// Business hours as an admin sets them and as they are stored: checked by
/// [`BusinessHours::new`] before use.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct BusinessHoursSettings {
    /// An IANA time zone name, such as "Europe/Paris".
    pub time_zone: String,
    /// Zero or more intervals per weekday, in any order.
    pub opening_hours: Vec<OpeningInterval>,
    /// Local dates on which the organisation is closed all day, written "YYYY-MM-DD".
    #[serde(default, with = "iso_dates")]
    pub holidays: Vec<Date>,
}

impl BusinessHoursSettings {
    /// Business hours as the settings form writes them: one interval per line ("Monday
    /// 09:00-17:00", an en dash works too) and one holiday per line (YYYY-MM-DD); blank lines
    /// are skipped. Checked with [`BusinessHours::new`] as well.
    pub fn from_lines(
        time_zone: &str,
        opening_hours: &str,
        holidays: &str,
    ) -> Result<BusinessHoursSettings, ReportsError> {
        let lines = |text: &'_ str| {
            text.lines()
                .enumerate()
                .map(|(index, line)| (index + 1, line.trim()))
                .filter(|(_, line)| !line.is_empty())
                .map(|(line, text)| (line, text.to_owned()))
                .collect::<Vec<_>>()
        };
        let opening_hours = lines(opening_hours)
            .into_iter()
            .map(|(line, text)| {
                let refuse = || ReportsError::NotAnInterval {
                    line,
                    text: text.clone(),
                };
                let (day, times) = text.split_once(char::is_whitespace).ok_or_else(refuse)?;
                let weekday: Weekday = day.trim().parse().map_err(|_| refuse())?;
                let (opens, closes) = times.trim().split_once(['-', '–']).ok_or_else(refuse)?;
                Ok(OpeningInterval {
                    weekday,
                    opens: opens.parse().map_err(|_| refuse())?,
                    closes: closes.parse().map_err(|_| refuse())?,
                })
            })
            .collect::<Result<Vec<_>, ReportsError>>()?;
        let holidays = lines(holidays)
            .into_iter()
            .map(|(line, text)| {
                Date::parse(
                    &text,
                    time::macros::format_description!("[year]-[month]-[day]"),
                )
                .map_err(|_| ReportsError::NotAHoliday { line, text })
            })
            .collect::<Result<Vec<_>, ReportsError>>()?;
        let settings = BusinessHoursSettings {
            time_zone: time_zone.trim().to_owned(),
            opening_hours,
            holidays,
        };
        BusinessHours::new(&settings)?;
        Ok(settings)
    }

    /// The opening hours and holidays as the form shows them, one per line.
    pub fn to_lines(&self) -> (String, String) {
        let hours = self
            .opening_hours
            .iter()
            .map(|interval| {
                format!(
                    "{} {}-{}",
                    interval.weekday, interval.opens, interval.closes
                )
            })
            .collect::<Vec<_>>()
            .join("\n");
        let holidays = self
            .holidays
            .iter()
            .map(Date::to_string)
            .collect::<Vec<_>>()
            .join("\n");
        (hours, holidays)
    }
}

/// Checked business hours, ready to count with.
///
/// The organisation is open during an interval of a weekday from the first moment the local
/// clock reads its opening time on a date with that weekday (that is not a holiday) until the
/// first moment it reads its closing time. So on the night clocks go forward an hour, an
/// interval 00:00–24:00 is 23 hours long and one 01:00–05:00 in Europe/Paris 3 hours; an
/// opening time the clocks skip opens when they jump. On the night clocks go back, 00:00–24:00
/// is 25 hours; an interval ending inside the repeated hour ends the first time the clock reads
/// its closing time.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BusinessHours {
    zone: LocalTimeZone,
    /// Seven days, Monday first; each day's intervals sorted and not overlapping.
    week: Vec<Vec<(TimeOfDay, TimeOfDay)>>,
    holidays: HashSet<civil::Date>,
}

impl BusinessHours {
    /// Checks an admin's settings: the time zone must exist, each interval must end after it
    /// starts, intervals of the same weekday must not overlap (one may start when another ends),
    /// and the week must have at least one interval.
    pub fn new(settings: &BusinessHoursSettings) -> Result<BusinessHours, ReportsError> {
        let zone = LocalTimeZone::named(&settings.time_zone)?;
        let mut week: Vec<Vec<(TimeOfDay, TimeOfDay)>> = vec![Vec::new(); 7];
        for interval in &settings.opening_hours {
            if interval.closes <= interval.opens {
                return Err(ReportsError::EndsBeforeStart {
                    weekday: interval.weekday,
                    opens: interval.opens,
                    closes: interval.closes,
                });
            }
            week[usize::from(interval.weekday.number_days_from_monday())]
                .push((interval.opens, interval.closes));
        }
        for (day, intervals) in week.iter_mut().enumerate() {
            intervals.sort();
            if let Some(pair) = intervals.windows(2).find(|pair| pair[1].0 < pair[0].1) {
                return Err(ReportsError::Overlap {
                    weekday: Weekday::Monday.nth_next(day as u8),
                    first: pair[0],
                    second: pair[1],
                });
            }
        }
        if week.iter().all(Vec::is_empty) {
            return Err(ReportsError::NoOpeningHours);
        }
        Ok(BusinessHours {
            zone,
            week,
            holidays: settings
                .holidays
                .iter()
                .filter_map(|&date| to_civil_date(date))
                .collect(),
        })
    }

    pub fn time_zone(&self) -> &LocalTimeZone {
        &self.zone
    }

    /// The open time, in milliseconds, between `start_ms` and `end_ms` (epoch milliseconds):
    /// how much of that span falls inside opening hours (see [`BusinessHours`]). A message at
    /// Friday 16:00 answered on Monday at 10:00, with hours 09:00–17:00 on weekdays, waited
    /// 2 hours. 0 when `end_ms` is not after `start_ms`.
    ///
    /// Goes through the span a local day at a time, so a wait of a year takes a few hundred
    /// steps.
    pub fn business_duration(&self, start_ms: i64, end_ms: i64) -> i64 {
        if end_ms <= start_ms {
            return 0;
        }
        let last_day = self.zone.local_datetime(end_ms).date();
        // A day earlier too: an interval closing at 24:00 ends on the next date.
        let first_day = self.zone.local_datetime(start_ms).date();
        let mut day = first_day.yesterday().unwrap_or(first_day);
        let mut open_ms = 0;
        while day <= last_day {
            if !self.holidays.contains(&day) {
                let intervals = &self.week[day.weekday().to_monday_zero_offset() as usize];
                for &(opens, closes) in intervals {
                    let (Some(opens), Some(closes)) = (opens.on(day), closes.on(day)) else {
                        continue;
                    };
                    let from = self.zone.first_moment_at_or_after(opens).max(start_ms);
                    let until = self.zone.first_moment_at_or_after(closes).min(end_ms);
                    open_ms += (until - from).max(0);
                }
            }
            let Ok(next) = day.tomorrow() else { break };
            day = next;
        }
        open_ms
    }
}

/// How a report counts time.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Clock {
    /// Every millisecond counts, day and night.
    WallClock,
    /// Only time inside the organisation's opening hours counts.
    BusinessHours(BusinessHours),
}

impl Clock {
    /// The time from `start_ms` to `end_ms` (epoch milliseconds) on this clock, in
    /// milliseconds; 0 when `end_ms` is not after `start_ms`.
    pub fn duration(&self, start_ms: i64, end_ms: i64) -> i64 {
        match self {
            Clock::WallClock => end_ms.saturating_sub(start_ms).max(0),
            Clock::BusinessHours(hours) => hours.business_duration(start_ms, end_ms),
        }
    }
}

/// Weekdays stored by their English names ("Monday"), whatever `time`'s serde features say.
mod weekday_name {
    use serde::{Deserialize, Deserializer, Serializer, de::Error};
    use time::Weekday;

    pub fn serialize<S: Serializer>(weekday: &Weekday, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(weekday)
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Weekday, D::Error> {
        let name = String::deserialize(deserializer)?;
        name.parse()
            .map_err(|_| D::Error::custom(format!("“{name}” is not a weekday such as Monday.")))
    }
}

/// Dates stored as "YYYY-MM-DD", whatever `time`'s serde features say.
mod iso_dates {
    use serde::{Deserialize, Deserializer, Serializer, de::Error};
    use time::Date;
    use time::macros::format_description;

    pub fn serialize<S: Serializer>(dates: &[Date], serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_seq(dates.iter().map(|date| date.to_string()))
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Vec<Date>, D::Error> {
        Vec::<String>::deserialize(deserializer)?
            .into_iter()
            .map(|text| {
                Date::parse(&text, format_description!("[year]-[month]-[day]")).map_err(|_| {
                    D::Error::custom(format!("“{text}” is not a date written YYYY-MM-DD."))
                })
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use EventKind::{ContactMessage, Opened, Reopened, Resolved};
    use time::macros::date;

    const MINUTE: i64 = 60 * 1000;
    const HOUR: i64 = 60 * MINUTE;
    const DAY_MS: i64 = 24 * HOUR;
    /// 2023-11-14 22:13:20 UTC, an arbitrary start for wall-clock timelines.
    const T: i64 = 1_700_000_000_000;

    fn event(at: i64, kind: EventKind) -> TimelineEvent {
        TimelineEvent { at, kind }
    }

    fn reply(user_id: i64) -> EventKind {
        EventKind::HumanReply { user_id }
    }

    fn sample(started_at: i64, duration_ms: i64, replied_by: Option<i64>) -> Sample {
        Sample {
            started_at,
            ended_at: started_at + duration_ms,
            duration_ms,
            replied_by,
        }
    }

    /// Epoch milliseconds of a local time that happens exactly once in `zone`.
    fn local(zone: &str, datetime: &str) -> i64 {
        let datetime: civil::DateTime = datetime.parse().unwrap();
        TimeZone::get(zone)
            .unwrap()
            .to_ambiguous_timestamp(datetime)
            .unambiguous()
            .unwrap()
            .as_millisecond()
    }

    fn time_of_day(text: &str) -> TimeOfDay {
        text.parse().unwrap()
    }

    fn interval(weekday: Weekday, opens: &str, closes: &str) -> OpeningInterval {
        OpeningInterval {
            weekday,
            opens: time_of_day(opens),
            closes: time_of_day(closes),
        }
    }

    const WEEKDAYS: [Weekday; 5] = [
        Weekday::Monday,
        Weekday::Tuesday,
        Weekday::Wednesday,
        Weekday::Thursday,
        Weekday::Friday,
    ];

    fn office_hours(zone: &str, holidays: Vec<Date>) -> BusinessHoursSettings {
        BusinessHoursSettings {
            time_zone: zone.to_owned(),
            opening_hours: WEEKDAYS
                .iter()
                .map(|&weekday| interval(weekday, "09:00", "17:00"))
                .collect(),
            holidays,
        }
    }

    fn business(settings: &BusinessHoursSettings) -> BusinessHours {
        BusinessHours::new(settings).unwrap()
    }

    // --- timelines ---------------------------------------------------------------------------

    #[test]
    fn a_simple_conversation() {
        let timeline = [
            event(T, Opened),
            event(T, ContactMessage),
            event(T + 5 * MINUTE, reply(7)),
            event(T + 10 * MINUTE, ContactMessage),
            event(T + 12 * MINUTE, reply(8)),
            event(T + 30 * MINUTE, Resolved),
        ];
        assert_eq!(
            timings(&timeline, &Clock::WallClock),
            ConversationTimings {
                first_responses: vec![sample(T, 5 * MINUTE, Some(7))],
                replies: vec![sample(T + 10 * MINUTE, 2 * MINUTE, Some(8))],
                resolutions: vec![sample(T, 30 * MINUTE, None)],
                unanswered_periods: 0,
            }
        );
    }

    #[test]
    fn a_reopened_conversation_has_two_periods() {
        let timeline = [
            event(T, Opened),
            event(T, ContactMessage),
            event(T + 10 * MINUTE, reply(7)),
            event(T + HOUR, Resolved),
            event(T + 2 * HOUR, Reopened),
            event(T + 2 * HOUR, ContactMessage),
            event(T + 2 * HOUR + 3 * MINUTE, reply(9)),
            event(T + 3 * HOUR, Resolved),
        ];
        let result = timings(&timeline, &Clock::WallClock);
        assert_eq!(
            result.first_responses,
            vec![
                sample(T, 10 * MINUTE, Some(7)),
                sample(T + 2 * HOUR, 3 * MINUTE, Some(9)),
            ]
        );
        assert_eq!(
            result.resolutions,
            vec![sample(T, HOUR, None), sample(T + 2 * HOUR, HOUR, None)]
        );
        assert_eq!(result.replies, vec![]);
        assert_eq!(result.unanswered_periods, 0);
    }

    #[test]
    fn a_contact_writing_to_a_resolved_conversation_reopens_it() {
        let timeline = [
            event(T, Opened),
            event(T, ContactMessage),
            event(T + MINUTE, reply(7)),
            event(T + 10 * MINUTE, Resolved),
            // No Reopened event.
            event(T + HOUR, ContactMessage),
            event(T + HOUR + 4 * MINUTE, reply(7)),
            event(T + 2 * HOUR, Resolved),
        ];
        let result = timings(&timeline, &Clock::WallClock);
        assert_eq!(
            result.first_responses,
            vec![
                sample(T, MINUTE, Some(7)),
                sample(T + HOUR, 4 * MINUTE, Some(7)),
            ]
        );
        assert_eq!(
            result.resolutions,
            vec![sample(T, 10 * MINUTE, None), sample(T + HOUR, HOUR, None)]
        );
    }

    #[test]
    fn messages_in_a_row_are_one_wait_from_the_first() {
        let timeline = [
            event(T, Opened),
            event(T, ContactMessage),
            // Before the first response: timed by the first response alone.
            event(T + 5 * MINUTE, ContactMessage),
            event(T + 8 * MINUTE, reply(7)),
            event(T + 10 * MINUTE, ContactMessage),
            event(T + 11 * MINUTE, ContactMessage),
            event(T + 15 * MINUTE, ContactMessage),
            event(T + 20 * MINUTE, reply(7)),
            // A second reply answers no new message.
            event(T + 21 * MINUTE, reply(8)),
            event(T + 30 * MINUTE, ContactMessage),
            event(T + 31 * MINUTE, reply(8)),
        ];
        let result = timings(&timeline, &Clock::WallClock);
        assert_eq!(result.first_responses, vec![sample(T, 8 * MINUTE, Some(7))]);
        assert_eq!(
            result.replies,
            vec![
                sample(T + 10 * MINUTE, 10 * MINUTE, Some(7)),
                sample(T + 30 * MINUTE, MINUTE, Some(8)),
            ]
        );
        assert_eq!(result.resolutions, vec![]);
    }

    #[test]
    fn waits_without_a_reply_give_no_sample() {
        // Still waiting at the end.
        let waiting = [
            event(T, Opened),
            event(T, ContactMessage),
            event(T + MINUTE, reply(7)),
            event(T + HOUR, ContactMessage),
        ];
        let result = timings(&waiting, &Clock::WallClock);
        assert_eq!(result.first_responses, vec![sample(T, MINUTE, Some(7))]);
        assert_eq!(result.replies, vec![]);
        assert_eq!(result.unanswered_periods, 0);

        // Ended by resolving: the next period's first response times the next message.
        let resolved_while_waiting = [
            event(T, Opened),
            event(T, ContactMessage),
            event(T + MINUTE, reply(7)),
            event(T + HOUR, ContactMessage),
            event(T + 2 * HOUR, Resolved),
            event(T + 3 * HOUR, reply(7)),
        ];
        let result = timings(&resolved_while_waiting, &Clock::WallClock);
        assert_eq!(result.replies, vec![]);
        assert_eq!(result.resolutions, vec![sample(T, 2 * HOUR, None)]);
    }

    #[test]
    fn periods_nobody_replied_in_are_counted_as_unanswered() {
        let timeline = [
            event(T, Opened),
            event(T, ContactMessage),
            event(T + HOUR, Resolved),
            event(T + 2 * HOUR, ContactMessage),
        ];
        let result = timings(&timeline, &Clock::WallClock);
        assert_eq!(result.first_responses, vec![]);
        assert_eq!(result.resolutions, vec![sample(T, HOUR, None)]);
        assert_eq!(result.unanswered_periods, 2);
        assert_eq!(
            timings(&[], &Clock::WallClock),
            ConversationTimings::default()
        );
    }

    #[test]
    fn events_out_of_order_are_sorted_and_stray_ones_ignored() {
        let in_order = [
            event(T, Opened),
            event(T, ContactMessage),
            event(T + MINUTE, reply(7)),
            event(T + 2 * MINUTE, Opened),
            event(T + 10 * MINUTE, Resolved),
            event(T + 11 * MINUTE, Resolved),
            event(T + 12 * MINUTE, reply(7)),
        ];
        let mut shuffled = in_order;
        shuffled.reverse();
        shuffled[5..].reverse(); // Opened stays before ContactMessage at T.
        let expected = ConversationTimings {
            first_responses: vec![sample(T, MINUTE, Some(7))],
            replies: vec![],
            resolutions: vec![sample(T, 10 * MINUTE, None)],
            unanswered_periods: 0,
        };
        assert_eq!(timings(&in_order, &Clock::WallClock), expected);
        assert_eq!(timings(&shuffled, &Clock::WallClock), expected);
    }

    #[test]
    fn timelines_are_measured_on_the_clock_given() {
        let hours = Clock::BusinessHours(business(&office_hours("Europe/Paris", vec![])));
        let friday = local("Europe/Paris", "2024-03-15T16:00");
        let monday = local("Europe/Paris", "2024-03-18T10:00");
        let timeline = [
            event(friday, Opened),
            event(friday, ContactMessage),
            event(monday, reply(7)),
            event(monday + HOUR, Resolved),
        ];
        let result = timings(&timeline, &hours);
        assert_eq!(
            result.first_responses,
            vec![Sample {
                started_at: friday,
                ended_at: monday,
                duration_ms: 2 * HOUR,
                replied_by: Some(7),
            }]
        );
        assert_eq!(result.resolutions[0].duration_ms, 3 * HOUR);
    }

    // --- summaries ---------------------------------------------------------------------------

    #[test]
    fn nearest_ranks_are_the_ranks_percentiles_pick() {
        assert_eq!(nearest_rank(1, 50), 1);
        assert_eq!(nearest_rank(4, 50), 2);
        assert_eq!(nearest_rank(5, 50), 3);
        assert_eq!(nearest_rank(10, 90), 9);
        assert_eq!(nearest_rank(11, 90), 10);
        assert_eq!(nearest_rank(7, 0), 1);
        assert_eq!(nearest_rank(7, 250), 7);
        for count in 1..=60_usize {
            let values: Vec<i64> = (1..=count as i64).rev().collect();
            for percent in [0, 1, 50, 90, 99, 100] {
                assert_eq!(
                    percentile(&values, percent),
                    Some(nearest_rank(count, percent) as i64)
                );
            }
        }
    }

    #[test]
    fn percentiles_use_the_nearest_rank() {
        assert_eq!(median(&[]), None);
        assert_eq!(p90(&[]), None);
        assert_eq!(median(&[5]), Some(5));
        assert_eq!(p90(&[5]), Some(5));
        assert_eq!(median(&[4, 1, 3, 2]), Some(2));
        assert_eq!(p90(&[4, 1, 3, 2]), Some(4));
        let one_to_ten: Vec<i64> = (1..=10).rev().collect();
        assert_eq!(median(&one_to_ten), Some(5));
        assert_eq!(p90(&one_to_ten), Some(9));
        let one_to_hundred: Vec<i64> = (1..=100).map(|n| (n * 37) % 100 + 1).collect();
        assert_eq!(p90(&one_to_hundred), Some(90));
        assert_eq!(percentile(&one_to_hundred, 0), Some(1));
        assert_eq!(percentile(&one_to_hundred, 100), Some(100));
        assert_eq!(percentile(&one_to_hundred, 250), Some(100));
        assert_eq!(median(&[7, 7, 1, 7]), Some(7));
    }

    #[test]
    fn a_summary_counts_its_samples() {
        let samples = [
            sample(T, 3 * MINUTE, Some(1)),
            sample(T, MINUTE, Some(1)),
            sample(T, 2 * MINUTE, Some(2)),
        ];
        assert_eq!(
            summarize(&samples),
            Summary {
                count: 3,
                median_ms: Some(2 * MINUTE),
                p90_ms: Some(3 * MINUTE),
            }
        );
        assert_eq!(summarize(&[]), Summary::default());
    }

    #[test]
    fn moments_fall_on_local_dates_and_hours_of_the_week() {
        let paris = LocalTimeZone::named("Europe/Paris").unwrap();
        assert_eq!(paris.name(), "Europe/Paris");
        // Sunday 01:30 CET, on the night clocks go forward.
        let sunday = local("Europe/Paris", "2024-03-31T01:30");
        assert_eq!(
            paris.bucket(sunday),
            LocalBucket {
                date: date!(2024 - 03 - 31),
                hour_of_week: 6 * 24 + 1,
            }
        );
        // 23:30 UTC that Sunday is already Monday 01:30 in Paris.
        let late_sunday_utc = sunday + 23 * HOUR;
        assert_eq!(paris.local_date(late_sunday_utc), date!(2024 - 04 - 01));
        assert_eq!(paris.bucket(late_sunday_utc).hour_of_week, 1);
        let utc = LocalTimeZone::utc();
        assert_eq!(utc.local_date(late_sunday_utc), date!(2024 - 03 - 31));
        assert_eq!(utc.bucket(late_sunday_utc).hour_of_week, 167);
        assert_eq!(utc.bucket(0).date, date!(1970 - 01 - 01));
        assert_eq!(utc.bucket(0).hour_of_week, 3 * 24); // A Thursday.
    }

    #[test]
    fn offsets_place_moments_on_the_local_calendar_as_the_zone_does() {
        const HOUR_MS: i64 = 3_600_000;
        let mut random = XorShift(0x0ff5_e75e_ed00_0001);
        // Paris and New York change clocks; Kolkata is half an hour off UTC; Lord Howe changes
        // by half an hour.
        for name in [
            "Europe/Paris",
            "America/New_York",
            "Asia/Kolkata",
            "Australia/Lord_Howe",
            "UTC",
        ] {
            let zone = LocalTimeZone::named(name).unwrap();
            let from = zone.start_of_day(date!(2024 - 01 - 01));
            let to = zone.start_of_day(date!(2025 - 01 - 01));
            let offsets = zone.offsets_between(from, to);
            assert_eq!(offsets[0].0, from);
            assert!(offsets.is_sorted_by_key(|(at, _)| *at));
            assert!(offsets.len() <= 3, "{name}: at most two changes a year");
            for _ in 0..2_000 {
                let at = from + random.below((to - from) as u64) as i64;
                let offset = offsets
                    .iter()
                    .rev()
                    .find(|(start, _)| *start <= at)
                    .unwrap()
                    .1;
                let local_ms = at + offset;
                let days = local_ms.div_euclid(DAY_MS);
                let bucket = zone.bucket(at);
                assert_eq!(
                    bucket.date,
                    date!(1970 - 01 - 01) + time::Duration::days(days),
                    "{name} at {at}"
                );
                let hour_of_week =
                    (days + 3).rem_euclid(7) * 24 + local_ms.rem_euclid(DAY_MS) / HOUR_MS;
                assert_eq!(
                    i64::from(bucket.hour_of_week),
                    hour_of_week,
                    "{name} at {at}"
                );
            }
        }
    }

    // --- business hours ----------------------------------------------------------------------

    #[test]
    fn business_hours_skip_nights_and_weekends() {
        let hours = business(&office_hours("Europe/Paris", vec![]));
        let at = |text| local("Europe/Paris", text);
        let between = |start, end| hours.business_duration(at(start), at(end));
        assert_eq!(between("2024-03-15T16:00", "2024-03-18T10:00"), 2 * HOUR);
        assert_eq!(between("2024-03-19T10:00", "2024-03-19T11:30"), 90 * MINUTE);
        assert_eq!(between("2024-03-19T07:00", "2024-03-19T09:30"), 30 * MINUTE);
        assert_eq!(between("2024-03-19T18:00", "2024-03-20T08:00"), 0);
        assert_eq!(between("2024-03-16T10:00", "2024-03-17T10:00"), 0);
        assert_eq!(between("2024-03-19T11:00", "2024-03-19T10:00"), 0);
        assert_eq!(between("2024-03-11T00:00", "2024-03-18T00:00"), 40 * HOUR);
    }

    #[test]
    fn holidays_are_closed_all_day_across_a_clock_change() {
        // Good Friday and Easter Monday 2024, around the night of 31 March when Paris moves
        // from UTC+1 to UTC+2.
        let hours = business(&office_hours(
            "Europe/Paris",
            vec![date!(2024 - 03 - 29), date!(2024 - 04 - 01)],
        ));
        let thursday = local("Europe/Paris", "2024-03-28T16:00");
        let tuesday = local("Europe/Paris", "2024-04-02T10:00");
        // 4 days and 18 hours on the clock face, an hour less in fact.
        assert_eq!(Clock::WallClock.duration(thursday, tuesday), 113 * HOUR);
        assert_eq!(hours.business_duration(thursday, tuesday), 2 * HOUR);
        let without_holidays = business(&office_hours("Europe/Paris", vec![]));
        assert_eq!(
            without_holidays.business_duration(thursday, tuesday),
            2 * HOUR + 8 * HOUR + 8 * HOUR
        );
    }

    #[test]
    fn a_weekend_with_a_clock_change_in_new_york() {
        let hours = business(&office_hours("America/New_York", vec![]));
        // Clocks go forward on Sunday 10 March 2024.
        let friday = local("America/New_York", "2024-03-08T16:00");
        let monday = local("America/New_York", "2024-03-11T10:00");
        assert_eq!(Clock::WallClock.duration(friday, monday), 65 * HOUR);
        assert_eq!(hours.business_duration(friday, monday), 2 * HOUR);
    }

    #[test]
    fn intervals_around_a_clock_change_count_the_real_time() {
        let sunday_hours = |opens, closes| {
            business(&BusinessHoursSettings {
                time_zone: "Europe/Paris".to_owned(),
                opening_hours: vec![interval(Weekday::Sunday, opens, closes)],
                holidays: vec![],
            })
        };
        let weekend = |saturday: &str, monday: &str| {
            (
                local("Europe/Paris", &format!("{saturday}T12:00")),
                local("Europe/Paris", &format!("{monday}T12:00")),
            )
        };
        let (spring_saturday, spring_monday) = weekend("2024-03-30", "2024-04-01");
        let (autumn_saturday, autumn_monday) = weekend("2024-10-26", "2024-10-28");
        let (plain_saturday, plain_monday) = weekend("2024-03-23", "2024-03-25");

        let all_day = sunday_hours("00:00", "24:00");
        assert_eq!(
            all_day.business_duration(spring_saturday, spring_monday),
            23 * HOUR
        );
        assert_eq!(
            all_day.business_duration(autumn_saturday, autumn_monday),
            25 * HOUR
        );
        assert_eq!(
            all_day.business_duration(plain_saturday, plain_monday),
            24 * HOUR
        );

        let early = sunday_hours("01:00", "05:00");
        assert_eq!(
            early.business_duration(spring_saturday, spring_monday),
            3 * HOUR
        );
        assert_eq!(
            early.business_duration(autumn_saturday, autumn_monday),
            5 * HOUR
        );

        // 02:30 never happens on 31 March: the office opens when clocks jump to 03:00.
        let skipped_opening = sunday_hours("02:30", "04:00");
        assert_eq!(
            skipped_opening.business_duration(spring_saturday, spring_monday),
            HOUR
        );
        assert_eq!(
            skipped_opening.business_duration(plain_saturday, plain_monday),
            90 * MINUTE
        );
        // 02:30 happens twice on 27 October: the office closes the first time.
        let repeated_closing = sunday_hours("01:00", "02:30");
        assert_eq!(
            repeated_closing.business_duration(autumn_saturday, autumn_monday),
            90 * MINUTE
        );
    }

    #[test]
    fn a_year_long_wait_is_counted_a_day_at_a_time() {
        let hours = business(&office_hours("Europe/Paris", vec![]));
        let start = local("Europe/Paris", "2024-01-01T00:00");
        let end = local("Europe/Paris", "2025-01-01T00:00");
        // 2024 starts on a Monday and has 366 days: 52 weeks and a Monday and Tuesday.
        assert_eq!(hours.business_duration(start, end), 262 * 8 * HOUR);
        let decade_later = local("Europe/Paris", "2034-01-01T00:00");
        assert!(hours.business_duration(start, decade_later) > 2_000 * 8 * HOUR);
        // Timestamps beyond what any calendar holds do not panic.
        assert!(hours.business_duration(i64::MIN, i64::MIN + DAY_MS) >= 0);
        assert!(hours.business_duration(i64::MAX - DAY_MS, i64::MAX) >= 0);
    }

    /// A small deterministic generator, so the property tests need no dependency.
    struct XorShift(u64);

    impl XorShift {
        fn below(&mut self, bound: u64) -> u64 {
            self.0 ^= self.0 << 13;
            self.0 ^= self.0 >> 7;
            self.0 ^= self.0 << 17;
            self.0 % bound
        }
    }

    /// Counts open quarters of an hour by reading the local clock at each one, the slow way.
    fn open_quarters_by_hand(settings: &BusinessHoursSettings, start: i64, end: i64) -> i64 {
        let zone = TimeZone::get(&settings.time_zone).unwrap();
        let quarter = 15 * MINUTE;
        let mut open = 0;
        let mut at = start;
        while at < end {
            let local = zone.to_datetime(Timestamp::from_millisecond(at).unwrap());
            let date = to_time_date(local.date());
            let minute = local.hour() as u16 * 60 + local.minute() as u16;
            let is_open = !settings.holidays.contains(&date)
                && settings.opening_hours.iter().any(|interval| {
                    interval.weekday == date.weekday()
                        && interval.opens.minutes_after_midnight() <= minute
                        && minute < interval.closes.minutes_after_midnight()
                });
            if is_open {
                open += quarter;
            }
            at += quarter;
        }
        open
    }

    #[test]
    fn business_time_agrees_with_reading_the_clock_and_never_exceeds_wall_time() {
        let settings = BusinessHoursSettings {
            time_zone: "America/New_York".to_owned(),
            opening_hours: vec![
                interval(Weekday::Monday, "00:00", "24:00"),
                interval(Weekday::Tuesday, "13:00", "17:00"),
                interval(Weekday::Tuesday, "09:00", "12:30"),
                interval(Weekday::Thursday, "08:15", "20:45"),
                interval(Weekday::Saturday, "10:00", "14:00"),
                interval(Weekday::Sunday, "00:00", "24:00"),
            ],
            holidays: vec![date!(2024 - 03 - 12), date!(2024 - 11 - 04)],
        };
        let hours = business(&settings);
        let mut random = XorShift(0x5eed_1234_abcd_0042);
        // Spans starting near both clock changes of 2024, up to four days long, on quarters of
        // an hour (New York's offsets are whole hours, so local quarters are UTC quarters).
        let quarter = 15 * MINUTE;
        let windows = [
            local("America/New_York", "2024-03-07T00:00"),
            local("America/New_York", "2024-10-30T00:00"),
        ];
        for round in 0..300 {
            let base = windows[round % 2];
            let start = base + random.below(8 * 96) as i64 * quarter;
            let end = start + random.below(4 * 96) as i64 * quarter;
            let counted = hours.business_duration(start, end);
            assert_eq!(
                counted,
                open_quarters_by_hand(&settings, start, end),
                "from {start} to {end}"
            );
            assert!(0 <= counted && counted <= end - start);
            let middle = start + (end - start) / 2;
            assert_eq!(
                counted,
                hours.business_duration(start, middle) + hours.business_duration(middle, end)
            );
        }
    }

    #[test]
    fn bad_settings_are_refused_with_reasons() {
        let good = office_hours("Europe/Paris", vec![]);
        assert!(BusinessHours::new(&good).is_ok());

        let unknown_zone = BusinessHoursSettings {
            time_zone: "Europe/Pariss".to_owned(),
            ..good.clone()
        };
        let refused = BusinessHours::new(&unknown_zone).unwrap_err();
        assert_eq!(
            refused,
            ReportsError::UnknownTimeZone("Europe/Pariss".to_owned())
        );
        assert!(refused.to_string().starts_with(
            "“Europe/Pariss” is not a time zone Switchboard knows. Write a name from the IANA"
        ));

        let backwards = BusinessHoursSettings {
            opening_hours: vec![interval(Weekday::Monday, "17:00", "09:00")],
            ..good.clone()
        };
        let refused = BusinessHours::new(&backwards).unwrap_err();
        assert_eq!(
            refused.to_string(),
            "On Monday, the opening hours 17:00–09:00 do not end after they start. Hours past \
             midnight are written as two intervals, such as 22:00–24:00 and 00:00–02:00 on the \
             next day."
        );
        let empty = BusinessHoursSettings {
            opening_hours: vec![interval(Weekday::Monday, "09:00", "09:00")],
            ..good.clone()
        };
        assert!(matches!(
            BusinessHours::new(&empty),
            Err(ReportsError::EndsBeforeStart { .. })
        ));

        let overlapping = BusinessHoursSettings {
            opening_hours: vec![
                interval(Weekday::Wednesday, "12:00", "17:00"),
                interval(Weekday::Wednesday, "09:00", "13:00"),
                interval(Weekday::Thursday, "09:00", "13:00"),
            ],
            ..good.clone()
        };
        assert_eq!(
            BusinessHours::new(&overlapping).unwrap_err().to_string(),
            "On Wednesday, the opening hours 09:00–13:00 and 12:00–17:00 overlap. Join them into \
             one interval or make one end before the other starts."
        );
        let adjacent = BusinessHoursSettings {
            opening_hours: vec![
                interval(Weekday::Wednesday, "12:00", "17:00"),
                interval(Weekday::Wednesday, "09:00", "12:00"),
            ],
            ..good.clone()
        };
        assert!(BusinessHours::new(&adjacent).is_ok());

        let closed = BusinessHoursSettings {
            opening_hours: vec![],
            ..good
        };
        assert_eq!(
            BusinessHours::new(&closed),
            Err(ReportsError::NoOpeningHours)
        );
    }

    #[test]
    fn times_of_day_are_read_on_the_24_hour_clock() {
        assert_eq!(time_of_day("9:00"), TimeOfDay::new(9, 0).unwrap());
        assert_eq!(time_of_day(" 17:30 ").minutes_after_midnight(), 1050);
        assert_eq!(time_of_day("24:00"), TimeOfDay::END_OF_DAY);
        assert_eq!(time_of_day("00:00"), TimeOfDay::MIDNIGHT);
        assert_eq!(TimeOfDay::new(7, 5).unwrap().to_string(), "07:05");
        for text in [
            "24:01", "25:00", "9h", "09:60", "9:5x", "", ":30", "-1:00", "123:00",
        ] {
            assert_eq!(
                text.parse::<TimeOfDay>(),
                Err(ReportsError::NotATimeOfDay(text.to_owned())),
                "{text:?}"
            );
        }
        assert!(TimeOfDay::new(23, 60).is_err());
        assert!(TimeOfDay::new(24, 1).is_err());
    }

    #[test]
    fn settings_are_stored_in_words() {
        let json = r#"{
            "time_zone": "Europe/Paris",
            "opening_hours": [{ "weekday": "Monday", "opens": "09:00", "closes": "17:00" }],
            "holidays": ["2024-12-25"]
        }"#;
        let settings: BusinessHoursSettings = serde_json::from_str(json).unwrap();
        assert_eq!(
            settings,
            BusinessHoursSettings {
                time_zone: "Europe/Paris".to_owned(),
                opening_hours: vec![interval(Weekday::Monday, "09:00", "17:00")],
                holidays: vec![date!(2024 - 12 - 25)],
            }
        );
        let written = serde_json::to_value(&settings).unwrap();
        assert_eq!(written["opening_hours"][0]["weekday"], "Monday");
        assert_eq!(written["opening_hours"][0]["closes"], "17:00");
        assert_eq!(written["holidays"][0], "2024-12-25");
        let bad = r#"{ "time_zone": "UTC", "opening_hours": [
            { "weekday": "Monday", "opens": "9 o'clock", "closes": "17:00" }] }"#;
        assert!(serde_json::from_str::<BusinessHoursSettings>(bad).is_err());
    }

    #[test]
    fn the_settings_form_reads_one_interval_and_one_holiday_per_line() {
        let settings = BusinessHoursSettings::from_lines(
            " Europe/Paris ",
            "Monday 09:00-12:30\n\nMonday 13:30–17:00\nSaturday 10:00-12:00\n",
            "2026-12-25\n",
        )
        .unwrap();
        assert_eq!(settings.time_zone, "Europe/Paris");
        assert_eq!(settings.opening_hours.len(), 3);
        assert_eq!(settings.holidays, vec![time::macros::date!(2026 - 12 - 25)]);
        let (hours, holidays) = settings.to_lines();
        assert_eq!(
            hours,
            "Monday 09:00-12:30\nMonday 13:30-17:00\nSaturday 10:00-12:00"
        );
        assert_eq!(holidays, "2026-12-25");
        assert_eq!(
            BusinessHoursSettings::from_lines("UTC", "Monday 9-17", ""),
            Err(ReportsError::NotAnInterval {
                line: 1,
                text: "Monday 9-17".into()
            })
        );
        assert_eq!(
            BusinessHoursSettings::from_lines("UTC", "Funday 09:00-17:00", ""),
            Err(ReportsError::NotAnInterval {
                line: 1,
                text: "Funday 09:00-17:00".into()
            })
        );
        assert_eq!(
            BusinessHoursSettings::from_lines("UTC", "Monday 09:00-17:00", "\nChristmas"),
            Err(ReportsError::NotAHoliday {
                line: 2,
                text: "Christmas".into()
            })
        );
        assert!(matches!(
            BusinessHoursSettings::from_lines("UTC", "Monday 17:00-09:00", ""),
            Err(ReportsError::EndsBeforeStart { .. })
        ));
    }
}
