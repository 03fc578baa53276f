//! Costs of outbound messages: how many SMS segments a text takes, money counted without floats,
//! Meta's WhatsApp rate card and the market a phone number is billed in. Pure: the caller
//! supplies the text, the table and the date.
//!
//! Money is kept in millionths of a US dollar ([`MicroUsd`]): Meta quotes rates to the fourth
//! decimal, Twilio to the fifth, so sums of thousands of messages stay exact where floats would
//! drift by a cent.

use std::collections::HashMap;
use std::fmt;
use std::iter::Sum;
use std::ops::Add;
use std::str::FromStr;

use serde::{Deserialize, Serialize};
use time::Date;
use time::macros::{date, format_description};

/// Meta's rate card as Switchboard ships it (`server/rates/whatsapp_rates.csv`); an admin may
/// load a newer one in the same format.
pub const SHIPPED_WHATSAPP_RATES: &str = include_str!("../../rates/whatsapp_rates.csv");

/// Twilio's price for one SMS segment to a US number, before carrier fees (README of the rate
/// data). Used when Twilio's status callback carries no `Price`.
pub const TWILIO_US_SMS_PER_SEGMENT: MicroUsd = MicroUsd(8_300);

/// The columns a rate table must have, in the words of its first line.
const COLUMN_MARKET: &str = "country_or_region";
const COLUMN_COUNTRIES: &str = "iso_codes_if_known";
const COLUMN_MARKETING: &str = "marketing_usd";
const COLUMN_UTILITY: &str = "utility_usd";
const COLUMN_AUTHENTICATION: &str = "authentication_usd";
const COLUMN_AUTHENTICATION_INTERNATIONAL: &str = "authentication_international_usd";
const COLUMN_EFFECTIVE_DATE: &str = "effective_date";

/// The market Meta bills every country no other row names.
const OTHER_MARKET: &str = "Other";

/// The day from which several providers report that Meta bills service messages beyond the
/// 1,000 free per number and month at the utility rate (README: "keep the rules dated, not
/// hard-wired"). Only a message Meta itself reports as `regular` (billable) is charged, so
/// before this day, and for every service message Meta reports as free, service stays free.
pub const SERVICE_BILLED_AS_UTILITY_FROM: Date = date!(2026 - 10 - 01);

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CostError {
    #[error("“{text}” is not an amount in dollars: {reason}.")]
    NotAnAmount { text: String, reason: &'static str },
    #[error(
        "The rate table has no “{0}” column. Its first line must name the columns \
         country_or_region,iso_codes_if_known,marketing_usd,utility_usd,authentication_usd,\
         authentication_international_usd,effective_date."
    )]
    MissingColumn(&'static str),
    #[error(
        "The rate table has no rates: after the line naming the columns it needs one line per market."
    )]
    NoRows,
    #[error("Line {line} of the rate table cannot be read: {reason}.")]
    Unreadable { line: u64, reason: String },
    #[error("Line {line} of the rate table has no market name in country_or_region.")]
    NoMarketName { line: u64 },
    #[error(
        "Line {line} of the rate table: “{code}” in iso_codes_if_known is not a two-letter \
         country code (write codes such as KE;TZ;UG, separated by semicolons)."
    )]
    BadCountryCode { line: u64, code: String },
    #[error("Line {line} of the rate table: {column} “{text}” is not a rate: {reason}.")]
    BadRate {
        line: u64,
        column: &'static str,
        text: String,
        reason: &'static str,
    },
    #[error(
        "Line {line} of the rate table: effective_date “{text}” is not a date written \
         YYYY-MM-DD (optionally followed by “ (inferred)”)."
    )]
    BadDate { line: u64, text: String },
    #[error(
        "Line {line} of the rate table repeats the rates of {market} effective {date}, \
         already given on line {first_line}."
    )]
    RepeatedRow {
        line: u64,
        first_line: u64,
        market: String,
        date: Date,
    },
    #[error("No WhatsApp rate for {} on {date}: the rate table has none in force that day.", country_words(.country))]
    NoRateInForce { country: String, date: Date },
    #[error(
        "The rate table gives {market} no {category} rate on {date} (Meta does not offer it there)."
    )]
    NotOffered {
        market: String,
        category: &'static str,
        date: Date,
    },
    #[error("“{0}” is not a WhatsApp pricing category.")]
    UnknownCategory(String),
    #[error("“{0}” is not a WhatsApp pricing type.")]
    UnknownPricingType(String),
}

fn country_words(country: &str) -> String {
    if country.is_empty() {
        "a number of unknown country".to_owned()
    } else {
        country.to_owned()
    }
}

// ---------------------------------------------------------------------------------------------
// Money
// ---------------------------------------------------------------------------------------------

/// An amount in millionths of a US dollar: `MicroUsd(61_800)` is $0.0618.
#[derive(
    Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize,
)]
#[serde(transparent)]
pub struct MicroUsd(pub i64);

const MICROS_PER_DOLLAR: i64 = 1_000_000;
const MICROS_PER_CENT: i64 = 10_000;

impl MicroUsd {
    pub const ZERO: MicroUsd = MicroUsd(0);

    /// Reads a decimal number of dollars exactly: "0.0618" is 61_800, "-0.00830" is -8_300.
    /// A leading `$` is allowed (spreadsheets add it); exponents and decimal commas are not,
    /// and neither are digits finer than a millionth, which could only be rounded away.
    pub fn parse(text: &str) -> Result<MicroUsd, CostError> {
        let refuse = |reason| CostError::NotAnAmount {
            text: text.to_owned(),
            reason,
        };
        let trimmed = text.trim();
        let (negative, unsigned) = match trimmed.as_bytes().first() {
            Some(b'-') => (true, &trimmed[1..]),
            Some(b'+') => (false, &trimmed[1..]),
            _ => (false, trimmed),
        };
        let unsigned = unsigned.strip_prefix('$').unwrap_or(unsigned);
        let (whole, fraction) = unsigned.split_once('.').unwrap_or((unsigned, ""));
        let digits_only = |part: &str| part.bytes().all(|b| b.is_ascii_digit());
        if (whole.is_empty() && fraction.is_empty())
            || !digits_only(whole)
            || !digits_only(fraction)
        {
            return Err(refuse("write it as digits with a dot, like 0.0618"));
        }
        let (kept, dropped) = fraction.split_at(fraction.len().min(6));
        if dropped.bytes().any(|b| b != b'0') {
            return Err(refuse(
                "it has more than six decimal places, finer than a millionth of a dollar",
            ));
        }
        let too_large = || refuse("it is too large");
        let whole_micros = whole
            .bytes()
            .try_fold(0i64, |sum, digit| {
                sum.checked_mul(10)?.checked_add(i64::from(digit - b'0'))
            })
            .and_then(|dollars| dollars.checked_mul(MICROS_PER_DOLLAR))
            .ok_or_else(too_large)?;
        // "0618" in the fourth-decimal column is 061800 millionths.
        let fraction_micros = format!("{kept:0<6}")
            .parse::<i64>()
            .expect("six ASCII digits");
        let micros = whole_micros
            .checked_add(fraction_micros)
            .ok_or_else(too_large)?;
        Ok(MicroUsd(if negative { -micros } else { micros }))
    }

    /// The cost of `count` of something priced at `self` (segments of an SMS, messages).
    pub fn times(self, count: u32) -> MicroUsd {
        MicroUsd(self.0.saturating_mul(i64::from(count)))
    }

    /// Every digit there is, for a single message's cost on hover: "$0.0618", "$0.0083",
    /// "$2.00", "$1,234.56789".
    pub fn exact_text(self) -> String {
        let micros = self.0.unsigned_abs();
        let fraction = format!("{:06}", micros % MICROS_PER_DOLLAR as u64);
        let fraction = fraction.trim_end_matches('0');
        let fraction = format!("{fraction:0<2}");
        format!(
            "{}${}.{fraction}",
            sign(self.0),
            group_thousands(micros / MICROS_PER_DOLLAR as u64)
        )
    }

    /// Rounded to the cent (half a cent rounds up), for totals and budgets: "$0.06",
    /// "$1,234.57".
    pub fn cents_text(self) -> String {
        let cents = (self.0.unsigned_abs() + MICROS_PER_CENT as u64 / 2) / MICROS_PER_CENT as u64;
        format!(
            "{}${}.{:02}",
            sign(self.0),
            group_thousands(cents / 100),
            cents % 100
        )
    }

    /// An estimate in words, for the composer's "this will cost …": "about $0.02"; "less than
    /// $0.01" when it would round to nothing, since a charge shown as "$0.00" reads as free;
    /// "nothing" for a free message.
    pub fn about_text(self) -> String {
        if self.0 == 0 {
            "nothing".to_owned()
        } else if self.0.unsigned_abs() < MICROS_PER_CENT as u64 / 2 {
            "less than $0.01".to_owned()
        } else {
            format!("about {}", self.cents_text())
        }
    }
}

fn sign(micros: i64) -> &'static str {
    if micros < 0 { "-" } else { "" }
}

/// "1234567" as "1,234,567".
fn group_thousands(value: u64) -> String {
    let digits = value.to_string();
    let mut grouped = String::with_capacity(digits.len() + digits.len() / 3);
    for (index, digit) in digits.chars().enumerate() {
        if index > 0 && (digits.len() - index).is_multiple_of(3) {
            grouped.push(',');
        }
        grouped.push(digit);
    }
    grouped
}

impl Add for MicroUsd {
    type Output = MicroUsd;

    fn add(self, other: MicroUsd) -> MicroUsd {
        MicroUsd(self.0.saturating_add(other.0))
    }
}

impl Sum for MicroUsd {
    fn sum<I: Iterator<Item = MicroUsd>>(costs: I) -> MicroUsd {
        costs.fold(MicroUsd::ZERO, Add::add)
    }
}

// ---------------------------------------------------------------------------------------------
// SMS
// ---------------------------------------------------------------------------------------------

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SmsEncoding {
    /// GSM 03.38 default alphabet, seven bits a character.
    Gsm7,
    /// UTF-16, which carriers still call UCS-2: 16 bits a code unit, two for an emoji.
    Ucs2,
}

/// How a text travels as SMS.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct SmsSegments {
    pub encoding: SmsEncoding,
    /// Septets for GSM-7 (an extension character takes two), UTF-16 code units for UCS-2.
    pub units: u32,
    /// Messages the network carries, each billed: 1 up to 160 septets or 70 units, else parts
    /// of at most 153 septets or 67 units (the rest of each part is the header that joins them).
    pub segments: u32,
}

/// The GSM 03.38 default alphabet, in table order; 0x1B (escape to the extension table) is
/// left out since it is no character of its own.
const GSM7_BASIC: &str = "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?\
                          ¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà";

/// The extension table: each is sent as escape plus a septet, so counts two.
const GSM7_EXTENSION: &str = "\u{000C}^{}\\[~]|€";

const GSM7_SINGLE: u32 = 160;
const GSM7_PER_PART: u32 = 153;
const UCS2_SINGLE: u32 = 70;
const UCS2_PER_PART: u32 = 67;

/// Septets `character` takes in GSM-7, or `None` when GSM-7 cannot carry it.
fn gsm7_septets(character: char) -> Option<u32> {
    if GSM7_BASIC.contains(character) {
        Some(1)
    } else if GSM7_EXTENSION.contains(character) {
        Some(2)
    } else {
        None
    }
}

/// The encoding and number of segments of `text` as an SMS. One character outside GSM-7 sends
/// the whole text as UCS-2. Twilio's optional "smart encoding" (curly quotes sent as straight
/// ones) is not assumed: without it this is what is billed.
///
/// An empty text counts as one segment: a message still travels, and is billed, as one.
pub fn sms_segments(text: &str) -> SmsSegments {
    let septets: Option<Vec<u32>> = text.chars().map(gsm7_septets).collect();
    let (encoding, widths, single, per_part) = match septets {
        Some(septets) => (SmsEncoding::Gsm7, septets, GSM7_SINGLE, GSM7_PER_PART),
        None => (
            SmsEncoding::Ucs2,
            text.chars().map(|c| c.len_utf16() as u32).collect(),
            UCS2_SINGLE,
            UCS2_PER_PART,
        ),
    };
    let units = widths.iter().sum();
    SmsSegments {
        encoding,
        units,
        segments: if units <= single {
            1
        } else {
            parts_needed(&widths, per_part)
        },
    }
}

/// Fills parts of `per_part` units in order, starting a new part when a character does not
/// fit whole. A GSM escape pair cut in two would reach the phone as a lone escape and a stray
/// letter (3GPP TS 23.038 forbids the cut), and an emoji's surrogate pair cut in two shows as
/// two broken characters, so encoders keep both whole; a part may then carry one unit less,
/// and the text one segment more, than `units / per_part` rounded up suggests.
fn parts_needed(widths: &[u32], per_part: u32) -> u32 {
    let mut parts = 1;
    let mut used = 0;
    for &width in widths {
        if used + width > per_part {
            parts += 1;
            used = 0;
        }
        used += width;
    }
    parts
}

/// What an SMS costs by counting: its segments at `per_segment`.
pub fn sms_cost(text: &str, per_segment: MicroUsd) -> MicroUsd {
    per_segment.times(sms_segments(text).segments)
}

/// What Twilio says it charged, from its status callback's `Price` and `PriceUnit`. Twilio
/// writes charges as negative numbers ("-0.00830"); the cost is their size. `None` when the
/// callback carries no price yet, or one in a currency other than US dollars, which this
/// module does not convert.
pub fn twilio_price(price: &str, price_unit: &str) -> Option<MicroUsd> {
    if !price_unit.trim().eq_ignore_ascii_case("USD") || price.trim().is_empty() {
        return None;
    }
    MicroUsd::parse(price)
        .ok()
        .map(|amount| MicroUsd(amount.0.abs()))
}

// ---------------------------------------------------------------------------------------------
// WhatsApp pricing
// ---------------------------------------------------------------------------------------------

/// `pricing.category` of Meta's status webhook.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum WhatsAppCategory {
    Marketing,
    Utility,
    Authentication,
    /// An authentication template to a number in another country than the business, in
    /// markets where Meta prices that separately.
    AuthenticationInternational,
    /// Marketing sent through Meta's Marketing Messages Lite API.
    MarketingLite,
    /// A message in a free entry-point window (click-to-WhatsApp ad, Page call-to-action).
    ReferralConversion,
    /// A free-form reply inside the 24-hour customer-service window.
    Service,
}

impl WhatsAppCategory {
    /// The word Meta uses.
    pub fn as_str(self) -> &'static str {
        match self {
            WhatsAppCategory::Marketing => "marketing",
            WhatsAppCategory::Utility => "utility",
            WhatsAppCategory::Authentication => "authentication",
            WhatsAppCategory::AuthenticationInternational => "authentication-international",
            WhatsAppCategory::MarketingLite => "marketing_lite",
            WhatsAppCategory::ReferralConversion => "referral_conversion",
            WhatsAppCategory::Service => "service",
        }
    }
}

impl FromStr for WhatsAppCategory {
    type Err = CostError;

    /// Meta's words, in any case and with `-` or `_` alike: the webhook writes `utility` and
    /// `authentication-international`, template and analytics APIs `UTILITY` and
    /// `AUTHENTICATION_INTERNATIONAL`.
    fn from_str(text: &str) -> Result<Self, CostError> {
        let category = [
            WhatsAppCategory::Marketing,
            WhatsAppCategory::Utility,
            WhatsAppCategory::Authentication,
            WhatsAppCategory::AuthenticationInternational,
            WhatsAppCategory::MarketingLite,
            WhatsAppCategory::ReferralConversion,
            WhatsAppCategory::Service,
        ]
        .into_iter()
        .find(|category| same_word(category.as_str(), text.trim()));
        category.ok_or_else(|| CostError::UnknownCategory(text.to_owned()))
    }
}

fn same_word(ours: &str, theirs: &str) -> bool {
    let normal = |byte: u8| match byte {
        b'_' => b'-',
        other => other.to_ascii_lowercase(),
    };
    ours.len() == theirs.len()
        && ours
            .bytes()
            .zip(theirs.bytes())
            .all(|(a, b)| normal(a) == normal(b))
}

impl fmt::Display for WhatsAppCategory {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// `pricing.type` of Meta's status webhook: whether Meta charged for the message.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum PricingType {
    /// Billable.
    Regular,
    /// A service reply, or a utility template, inside an open customer-service window.
    FreeCustomerService,
    /// Anything within 72 hours of a free entry point.
    FreeEntryPoint,
}

impl FromStr for PricingType {
    type Err = CostError;

    fn from_str(text: &str) -> Result<Self, CostError> {
        match text.trim().to_ascii_lowercase().as_str() {
            "regular" => Ok(PricingType::Regular),
            "free_customer_service" => Ok(PricingType::FreeCustomerService),
            "free_entry_point" => Ok(PricingType::FreeEntryPoint),
            _ => Err(CostError::UnknownPricingType(text.to_owned())),
        }
    }
}

/// One line of the rate card: a market's rates from a day on.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RateRow {
    /// `country_or_region` as written, e.g. "Rest of Africa".
    pub market: String,
    /// Upper-case ISO 3166-1 alpha-2 codes; empty when the table does not know them.
    pub countries: Vec<String>,
    /// `None`: not offered in this market.
    pub marketing: Option<MicroUsd>,
    pub utility: Option<MicroUsd>,
    pub authentication: Option<MicroUsd>,
    pub authentication_international: Option<MicroUsd>,
    pub effective: Date,
    /// The date was inferred from published changes rather than read on a rate card.
    pub inferred: bool,
    /// Where it stands in the file, for messages and to break ties (the later line wins).
    pub line: u64,
}

impl RateRow {
    fn names_only(&self, country: &str) -> bool {
        matches!(self.countries.as_slice(), [only] if only == country)
    }

    fn lists(&self, country: &str) -> bool {
        self.countries.iter().any(|listed| listed == country)
    }

    fn is_other(&self) -> bool {
        self.market.eq_ignore_ascii_case(OTHER_MARKET)
    }
}

/// Meta's WhatsApp rates by market, each from its effective date on.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RateCard {
    rows: Vec<RateRow>,
}

impl RateCard {
    /// Reads a rate table in the format of [`SHIPPED_WHATSAPP_RATES`]. Columns are found by
    /// their names (extra ones are ignored); an empty rate means Meta does not offer that
    /// category there; `effective_date` is `YYYY-MM-DD`, possibly followed by ` (inferred)`.
    /// Anything else is refused with the line it is on, since an admin uploads this file.
    pub fn parse_csv(bytes: &[u8]) -> Result<RateCard, CostError> {
        let mut reader = csv::ReaderBuilder::new()
            .trim(csv::Trim::All)
            .from_reader(bytes);
        let mut lines = LineCounter::new(bytes);
        let headers = reader
            .headers()
            .map_err(|error| unreadable(error, &mut lines))?
            .clone();
        let column = |name: &'static str| {
            headers
                .iter()
                .position(|header| header.eq_ignore_ascii_case(name))
                .ok_or(CostError::MissingColumn(name))
        };
        let columns = Columns {
            market: column(COLUMN_MARKET)?,
            countries: column(COLUMN_COUNTRIES)?,
            marketing: column(COLUMN_MARKETING)?,
            utility: column(COLUMN_UTILITY)?,
            authentication: column(COLUMN_AUTHENTICATION)?,
            authentication_international: column(COLUMN_AUTHENTICATION_INTERNATIONAL)?,
            effective_date: column(COLUMN_EFFECTIVE_DATE)?,
        };

        let mut rows = Vec::new();
        let mut first_lines: HashMap<(String, Date), u64> = HashMap::new();
        for record in reader.records() {
            let record = record.map_err(|error| unreadable(error, &mut lines))?;
            let line = lines.line_at(record.position());
            let row = columns.row(&record, line)?;
            let key = (row.market.to_lowercase(), row.effective);
            if let Some(&first_line) = first_lines.get(&key) {
                return Err(CostError::RepeatedRow {
                    line,
                    first_line,
                    market: row.market,
                    date: row.effective,
                });
            }
            first_lines.insert(key, line);
            rows.push(row);
        }
        if rows.is_empty() {
            return Err(CostError::NoRows);
        }
        Ok(RateCard { rows })
    }

    /// The card that ships with Switchboard.
    pub fn shipped() -> RateCard {
        RateCard::parse_csv(SHIPPED_WHATSAPP_RATES.as_bytes())
            .expect("the shipped rate table is checked by a test")
    }

    pub fn rows(&self) -> &[RateRow] {
        &self.rows
    }

    /// The row that prices a message to `country` (ISO alpha-2, any case; empty when unknown)
    /// on `date`. Each market (a `country_or_region` name) is priced by its latest row effective
    /// on or before `date`; of the markets so in force, one naming `country` alone wins over a
    /// region listing it (the "Kenya (billed as Rest of Africa)" row over "Rest of Africa"),
    /// and a region over "Other", which prices every country no row names.
    pub fn row_for(&self, country: &str, date: Date) -> Result<&RateRow, CostError> {
        let country = country.trim().to_ascii_uppercase();
        let in_force = self.in_force(date);
        latest_where(&in_force, |row| row.names_only(&country))
            .or_else(|| latest_where(&in_force, |row| row.lists(&country)))
            .or_else(|| latest_where(&in_force, RateRow::is_other))
            .ok_or(CostError::NoRateInForce { country, date })
    }

    /// Each market's latest row effective on or before `date`.
    fn in_force(&self, date: Date) -> Vec<&RateRow> {
        let mut by_market: HashMap<String, &RateRow> = HashMap::new();
        for row in self.rows.iter().filter(|row| row.effective <= date) {
            let current = by_market.entry(row.market.to_lowercase()).or_insert(row);
            if (row.effective, row.line) > (current.effective, current.line) {
                *current = row;
            }
        }
        by_market.into_values().collect()
    }
}

/// Of `rows`, the one passing `test` that took effect last (the later line on the same day).
fn latest_where<'card>(
    rows: &[&'card RateRow],
    test: impl Fn(&RateRow) -> bool,
) -> Option<&'card RateRow> {
    rows.iter()
        .copied()
        .filter(|row| test(row))
        .max_by_key(|row| (row.effective, row.line))
}

/// Where each needed column is in the file.
struct Columns {
    market: usize,
    countries: usize,
    marketing: usize,
    utility: usize,
    authentication: usize,
    authentication_international: usize,
    effective_date: usize,
}

impl Columns {
    fn row(&self, record: &csv::StringRecord, line: u64) -> Result<RateRow, CostError> {
        let field = |index: usize| record.get(index).unwrap_or("");
        let market = field(self.market).to_owned();
        if market.is_empty() {
            return Err(CostError::NoMarketName { line });
        }
        let countries = field(self.countries)
            .split(';')
            .map(str::trim)
            .filter(|code| !code.is_empty())
            .map(|code| {
                if code.len() == 2 && code.bytes().all(|b| b.is_ascii_alphabetic()) {
                    Ok(code.to_ascii_uppercase())
                } else {
                    Err(CostError::BadCountryCode {
                        line,
                        code: code.to_owned(),
                    })
                }
            })
            .collect::<Result<Vec<_>, _>>()?;
        let rate = |index: usize, column: &'static str| -> Result<Option<MicroUsd>, CostError> {
            let text = field(index);
            if text.is_empty() {
                return Ok(None);
            }
            let bad_rate = |reason| CostError::BadRate {
                line,
                column,
                text: text.to_owned(),
                reason,
            };
            match MicroUsd::parse(text) {
                Ok(amount) if amount.0 < 0 => Err(bad_rate("a rate cannot be negative")),
                Ok(amount) => Ok(Some(amount)),
                Err(CostError::NotAnAmount { reason, .. }) => Err(bad_rate(reason)),
                Err(other) => Err(other),
            }
        };
        let (effective, inferred) = effective_date(field(self.effective_date), line)?;
        Ok(RateRow {
            market,
            countries,
            marketing: rate(self.marketing, COLUMN_MARKETING)?,
            utility: rate(self.utility, COLUMN_UTILITY)?,
            authentication: rate(self.authentication, COLUMN_AUTHENTICATION)?,
            authentication_international: rate(
                self.authentication_international,
                COLUMN_AUTHENTICATION_INTERNATIONAL,
            )?,
            effective,
            inferred,
            line,
        })
    }
}

/// The line a record starts on, counted from its byte offset. The csv crate counts lines too,
/// but in a file with CRLF endings (the shipped one, and what spreadsheets save) it places each
/// record at the `\n` ending the line before (or before a blank line), and so numbers it too
/// low. Records come in order, so the count goes on from the previous one.
struct LineCounter<'file> {
    bytes: &'file [u8],
    scanned: usize,
    newlines: u64,
}

impl<'file> LineCounter<'file> {
    fn new(bytes: &'file [u8]) -> Self {
        LineCounter {
            bytes,
            scanned: 0,
            newlines: 0,
        }
    }

    fn line_at(&mut self, position: Option<&csv::Position>) -> u64 {
        let Some(position) = position else {
            return 1 + self.newlines;
        };
        let mut start = usize::try_from(position.byte())
            .unwrap_or(usize::MAX)
            .min(self.bytes.len());
        // Blank lines are skipped, and no record starts with a line ending.
        while matches!(self.bytes.get(start), Some(b'\r' | b'\n')) {
            start += 1;
        }
        if start > self.scanned {
            let newly = &self.bytes[self.scanned..start];
            self.newlines += newly.iter().filter(|&&byte| byte == b'\n').count() as u64;
            self.scanned = start;
        }
        1 + self.newlines
    }
}

/// "2026-01-01" or "2025-10-01 (inferred)".
fn effective_date(text: &str, line: u64) -> Result<(Date, bool), CostError> {
    const INFERRED: &str = "(inferred)";
    let suffix_at = text.len().saturating_sub(INFERRED.len());
    let (day, inferred) = match text.get(suffix_at..) {
        Some(suffix) if suffix.eq_ignore_ascii_case(INFERRED) => {
            (text[..suffix_at].trim_end(), true)
        }
        _ => (text, false),
    };
    Date::parse(day, format_description!("[year]-[month]-[day]"))
        .map(|date| (date, inferred))
        .map_err(|_| CostError::BadDate {
            line,
            text: text.to_owned(),
        })
}

/// A CSV the reader cannot split into fields, told as the line it is on.
fn unreadable(error: csv::Error, lines: &mut LineCounter) -> CostError {
    let line = lines.line_at(error.position());
    let reason = match error.kind() {
        csv::ErrorKind::UnequalLengths {
            expected_len, len, ..
        } => format!("it has {len} fields where the first line names {expected_len} columns"),
        csv::ErrorKind::Utf8 { .. } => {
            "it is not UTF-8 text (save the file as “CSV UTF-8”)".to_owned()
        }
        _ => error.to_string(),
    };
    CostError::Unreadable { line, reason }
}

/// What a WhatsApp message cost, from its status webhook's `pricing` (`category`, `type`), the
/// recipient's country and the day it was sent, by the rules of Meta's pricing page:
/// - "free_customer_service" and "free_entry_point" types cost nothing, whatever the category.
/// - `service` costs nothing: "free-form (service) replies inside the 24-hour window are free".
///   From [`SERVICE_BILLED_AS_UTILITY_FROM`], a service message Meta reports as `regular` is
///   charged at the utility rate.
/// - `referral_conversion` costs nothing: it marks messages in a free-entry-point window, where
///   "everything is free for 72 h".
/// - `marketing_lite` is charged at the marketing rate (Meta prices it per delivered marketing
///   message; the card has no column of its own).
/// - `authentication-international` uses its own rate where the card gives one, else the
///   authentication rate.
///
/// Volume-tier discounts on utility and authentication are not applied: this is the list price.
pub fn whatsapp_cost(
    card: &RateCard,
    country: &str,
    category: WhatsAppCategory,
    pricing_type: PricingType,
    date: Date,
) -> Result<MicroUsd, CostError> {
    if pricing_type != PricingType::Regular {
        return Ok(MicroUsd::ZERO);
    }
    let priced_as = match category {
        WhatsAppCategory::Service if date >= SERVICE_BILLED_AS_UTILITY_FROM => {
            WhatsAppCategory::Utility
        }
        WhatsAppCategory::Service | WhatsAppCategory::ReferralConversion => {
            return Ok(MicroUsd::ZERO);
        }
        WhatsAppCategory::MarketingLite => WhatsAppCategory::Marketing,
        other => other,
    };
    let row = card.row_for(country, date)?;
    let rate = match priced_as {
        WhatsAppCategory::Utility => row.utility,
        WhatsAppCategory::Authentication => row.authentication,
        WhatsAppCategory::AuthenticationInternational => {
            row.authentication_international.or(row.authentication)
        }
        _ => row.marketing,
    };
    rate.ok_or_else(|| CostError::NotOffered {
        market: row.market.clone(),
        category: priced_as.as_str(),
        date,
    })
}

/// What sending a template will cost, before it is sent: the list price of its category in the
/// recipient's market today. A utility template inside an open customer-service window is free.
/// Whether Meta will count an authentication template as international is not known before
/// sending, so it is estimated at the authentication rate.
pub fn estimate_template_cost(
    card: &RateCard,
    country: &str,
    category: WhatsAppCategory,
    today: Date,
    customer_service_window_open: bool,
) -> Result<MicroUsd, CostError> {
    let pricing_type = if customer_service_window_open && category == WhatsAppCategory::Utility {
        PricingType::FreeCustomerService
    } else {
        PricingType::Regular
    };
    let category = match category {
        WhatsAppCategory::AuthenticationInternational => WhatsAppCategory::Authentication,
        other => other,
    };
    whatsapp_cost(card, country, category, pricing_type, today)
}

// ---------------------------------------------------------------------------------------------
// Phone numbers
// ---------------------------------------------------------------------------------------------

/// The ISO 3166-1 alpha-2 country of an international number ("+5511…" is "BR"; a WhatsApp
/// `wa_id` without the `+` is read the same), by Google's libphonenumber data. Numbers sharing
/// a calling code are told apart by their prefixes: +1 212 is "US", +1 416 "CA", +1 787 "PR",
/// +1 809 "DO". A number whose prefix matches none of them (a range opened after the data, a
/// test number, an Italian fixed line: the Rust port drops the 0 of +39 0… before matching) is
/// given the code's main country ("US" for +1, "IT" for +39). `None` when the calling code is
/// unknown or belongs to no country (+800).
pub fn country_of_phone(number: &str) -> Option<String> {
    let number = number.trim();
    let number = if number.starts_with(|c: char| c.is_ascii_digit()) {
        format!("+{number}")
    } else {
        number.to_owned()
    };
    let parsed = phonenumber::parse(None, &number).ok()?;
    if let Some(country) = parsed.country().id() {
        return Some(country.as_ref().to_owned());
    }
    let sharing = phonenumber::metadata::DATABASE.by_code(&parsed.country().code())?;
    let main = match sharing.as_slice() {
        [only] => *only,
        several => several
            .iter()
            .copied()
            .find(|country| country.is_main_country_for_code())?,
    };
    main.id()
        .parse::<phonenumber::country::Id>()
        .ok()
        .map(|country| country.as_ref().to_owned())
}

// ---------------------------------------------------------------------------------------------
// Prices in force
// ---------------------------------------------------------------------------------------------

/// Everything that prices a message: the rate table that ships with Switchboard, the tables an
/// admin loaded (each from its effective day on) and the price of one SMS segment.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Prices {
    shipped: RateCard,
    /// By effective day; of two loaded for the same day, the later-loaded one comes last.
    loaded: Vec<(Date, RateCard)>,
    pub sms_per_segment: MicroUsd,
}

impl Default for Prices {
    fn default() -> Prices {
        Prices::new(Vec::new(), TWILIO_US_SMS_PER_SEGMENT)
    }
}

impl Prices {
    /// `loaded`: the admin's tables in the order they were loaded, each with its effective day.
    pub fn new(mut loaded: Vec<(Date, RateCard)>, sms_per_segment: MicroUsd) -> Prices {
        loaded.sort_by_key(|(effective, _)| *effective);
        Prices {
            shipped: RateCard::shipped(),
            loaded,
            sms_per_segment,
        }
    }

    /// The table that prices `date`: the last one loaded to take effect on or before it, else
    /// the shipped one. A newer table replaces the older one whole from its day on; days before
    /// keep the rates they had.
    pub fn card_on(&self, date: Date) -> &RateCard {
        self.loaded
            .iter()
            .rev()
            .find(|(effective, _)| *effective <= date)
            .map_or(&self.shipped, |(_, card)| card)
    }

    pub fn whatsapp(
        &self,
        country: &str,
        category: WhatsAppCategory,
        pricing_type: PricingType,
        date: Date,
    ) -> Result<MicroUsd, CostError> {
        whatsapp_cost(self.card_on(date), country, category, pricing_type, date)
    }

    pub fn estimate_template(
        &self,
        country: &str,
        category: WhatsAppCategory,
        today: Date,
        customer_service_window_open: bool,
    ) -> Result<MicroUsd, CostError> {
        estimate_template_cost(
            self.card_on(today),
            country,
            category,
            today,
            customer_service_window_open,
        )
    }
}

/// How a message's cost was found, best first: a later, better source replaces an earlier one
/// (Twilio's own price replaces the segment count made when the SMS was sent).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CostSource {
    /// The provider said what it charged.
    Provider,
    /// The provider's pricing category and type, times the rate table in force.
    RateCard,
    /// The SMS's segments times the price of a segment.
    Segments,
    /// A channel that charges nothing (Messenger).
    Free,
}

impl CostSource {
    pub fn as_str(self) -> &'static str {
        match self {
            CostSource::Provider => "provider",
            CostSource::RateCard => "rate_card",
            CostSource::Segments => "segments",
            CostSource::Free => "free",
        }
    }

    /// In words, after a message's cost: "$0.0618 (from Meta's pricing and the rate table)".
    pub fn explained(source: &str) -> &'static str {
        match source {
            "provider" => "as the provider charged it",
            "rate_card" => "Meta's pricing category times the rate table",
            "segments" => "SMS segments times the price of a segment",
            _ => "this channel charges nothing",
        }
    }
}

/// A message's priced cost, with what it is priced as.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MessageCost {
    pub amount: MicroUsd,
    pub source: CostSource,
    /// WhatsApp's pricing category, `sms` or `messenger`.
    pub category: String,
    pub pricing_type: Option<PricingType>,
    /// ISO alpha-2; empty when unknown.
    pub country: String,
}

impl PricingType {
    pub fn as_str(self) -> &'static str {
        match self {
            PricingType::Regular => "regular",
            PricingType::FreeCustomerService => "free_customer_service",
            PricingType::FreeEntryPoint => "free_entry_point",
        }
    }

    /// The type of a status that names none: older, conversation-based payloads say only
    /// whether the message was `billable`; without either, Meta charged it.
    pub fn from_status(
        pricing_type: Option<&str>,
        billable: Option<bool>,
    ) -> Result<Self, CostError> {
        match (pricing_type, billable) {
            (Some(text), _) => text.parse(),
            (None, Some(false)) => Ok(PricingType::FreeCustomerService),
            (None, _) => Ok(PricingType::Regular),
        }
    }
}

/// What a WhatsApp message cost by its status's `pricing`: `category` and `type` (or the older
/// `billable`), the recipient's number and the day of the status.
pub fn price_whatsapp_status(
    prices: &Prices,
    category: &str,
    pricing_type: Option<&str>,
    billable: Option<bool>,
    recipient: &str,
    date: Date,
) -> Result<MessageCost, CostError> {
    let category: WhatsAppCategory = category.parse()?;
    let pricing_type = PricingType::from_status(pricing_type, billable)?;
    let country = country_of_phone(recipient).unwrap_or_default();
    let amount = prices.whatsapp(&country, category, pricing_type, date)?;
    Ok(MessageCost {
        amount,
        source: CostSource::RateCard,
        category: category.as_str().to_owned(),
        pricing_type: Some(pricing_type),
        country,
    })
}

/// What a message sent through Twilio cost by Twilio's own `Price`, when its callback carries
/// one in dollars: an SMS, or a WhatsApp message to a `whatsapp:` address (`category`
/// "whatsapp": Twilio's price includes Meta's).
pub fn price_twilio_status(price: &str, price_unit: &str, recipient: &str) -> Option<MessageCost> {
    let category = if recipient.starts_with("whatsapp:") {
        "whatsapp"
    } else {
        "sms"
    };
    Some(MessageCost {
        amount: twilio_price(price, price_unit)?,
        source: CostSource::Provider,
        category: category.to_owned(),
        pricing_type: None,
        country: recipient_country(recipient),
    })
}

/// What an SMS will cost by its segments, until Twilio says what it charged.
pub fn price_sms_by_segments(prices: &Prices, text: &str, recipient: &str) -> MessageCost {
    MessageCost {
        amount: sms_cost(text, prices.sms_per_segment),
        source: CostSource::Segments,
        category: "sms".to_owned(),
        pricing_type: None,
        country: recipient_country(recipient),
    }
}

/// A Messenger message: Meta charges nothing for it.
pub fn messenger_is_free() -> MessageCost {
    MessageCost {
        amount: MicroUsd::ZERO,
        source: CostSource::Free,
        category: "messenger".to_owned(),
        pricing_type: None,
        country: String::new(),
    }
}

fn recipient_country(recipient: &str) -> String {
    country_of_phone(recipient.trim_start_matches("whatsapp:")).unwrap_or_default()
}

/// A month's spending against a budget: which alert thresholds (percent) it has reached.
pub const BUDGET_ALERTS_AT: [u8; 2] = [80, 100];

pub fn budget_thresholds_reached(spent: MicroUsd, budget: MicroUsd) -> Vec<u8> {
    if budget.0 <= 0 {
        return Vec::new();
    }
    BUDGET_ALERTS_AT
        .into_iter()
        .filter(|percent| i128::from(spent.0) * 100 >= i128::from(budget.0) * i128::from(*percent))
        .collect()
}

/// The month a cost counts in, as providers bill: "2026-12" in UTC.
pub fn billing_month(date: Date) -> String {
    format!("{:04}-{:02}", date.year(), u8::from(date.month()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn card(csv: &str) -> RateCard {
        RateCard::parse_csv(csv.as_bytes()).expect("a valid table")
    }

    const HEADER: &str = "country_or_region,iso_codes_if_known,marketing_usd,utility_usd,\
                          authentication_usd,authentication_international_usd,effective_date\n";

    fn units_and_segments(text: &str) -> (SmsEncoding, u32, u32) {
        let counted = sms_segments(text);
        (counted.encoding, counted.units, counted.segments)
    }

    #[test]
    fn the_gsm_tables_hold_the_characters_of_the_standard() {
        assert_eq!(GSM7_BASIC.chars().count(), 127);
        assert_eq!(GSM7_EXTENSION.chars().count(), 10);
        let mut all: Vec<char> = GSM7_BASIC.chars().chain(GSM7_EXTENSION.chars()).collect();
        all.sort();
        all.dedup();
        assert_eq!(all.len(), 137, "no character is in both tables");
    }

    #[test]
    fn gsm_text_is_one_segment_up_to_160_septets_then_parts_of_153() {
        use SmsEncoding::Gsm7;
        let a = |n: usize| "a".repeat(n);
        assert_eq!(units_and_segments(&a(160)), (Gsm7, 160, 1));
        assert_eq!(units_and_segments(&a(161)), (Gsm7, 161, 2));
        assert_eq!(units_and_segments(&a(306)), (Gsm7, 306, 2));
        assert_eq!(units_and_segments(&a(307)), (Gsm7, 307, 3));
        let accented = "Hi Mario, the pantry opens at 9 @ Hall B. Ça va? ¿Qué? £5 ü";
        assert_eq!(
            units_and_segments(accented),
            (Gsm7, accented.chars().count() as u32, 1)
        );
        // í is not in the table (ì is): "María" goes as UCS-2.
        assert_eq!(sms_segments("Hola María").encoding, SmsEncoding::Ucs2);
    }

    #[test]
    fn an_extension_character_counts_two_septets_and_is_never_split() {
        use SmsEncoding::Gsm7;
        let a = |n: usize| "a".repeat(n);
        assert_eq!(units_and_segments(&format!("{}€", a(158))), (Gsm7, 160, 1));
        assert_eq!(units_and_segments(&format!("{}€", a(159))), (Gsm7, 161, 2));
        assert_eq!(units_and_segments("[]{}^~\\|\u{000C}€"), (Gsm7, 20, 1));
        // 306 septets would fill two parts exactly, but the € cannot straddle the first
        // part's last septet: it opens the second part, which then overflows.
        let straddling = format!("{}€{}", a(152), a(152));
        assert_eq!(units_and_segments(&straddling), (Gsm7, 306, 3));
        let fitting = format!("{}€{}", a(151), a(153));
        assert_eq!(units_and_segments(&fitting), (Gsm7, 306, 2));
    }

    #[test]
    fn one_character_outside_gsm_sends_everything_as_ucs2() {
        use SmsEncoding::Ucs2;
        let zhe = |n: usize| "ж".repeat(n);
        assert_eq!(units_and_segments(&zhe(70)), (Ucs2, 70, 1));
        assert_eq!(units_and_segments(&zhe(71)), (Ucs2, 71, 2));
        assert_eq!(units_and_segments(&zhe(134)), (Ucs2, 134, 2));
        assert_eq!(units_and_segments(&zhe(135)), (Ucs2, 135, 3));
        // 159 GSM characters and one that is not: 160 units of UCS-2, three parts of 67.
        assert_eq!(
            units_and_segments(&format!("{}ж", "a".repeat(159))),
            (Ucs2, 160, 3)
        );
        // ç (lower case) is not in the GSM table; Ç is.
        assert_eq!(sms_segments("ça").encoding, Ucs2);
        assert_eq!(sms_segments("Ça").encoding, SmsEncoding::Gsm7);
    }

    #[test]
    fn an_emoji_is_two_units_and_its_pair_is_never_split() {
        use SmsEncoding::Ucs2;
        let zhe = |n: usize| "ж".repeat(n);
        assert_eq!(units_and_segments("😀"), (Ucs2, 2, 1));
        assert_eq!(units_and_segments(&format!("{}😀", zhe(68))), (Ucs2, 70, 1));
        assert_eq!(units_and_segments(&format!("{}😀", zhe(69))), (Ucs2, 71, 2));
        let straddling = format!("{}😀{}", zhe(66), zhe(66));
        assert_eq!(units_and_segments(&straddling), (Ucs2, 134, 3));
        let fitting = format!("{}😀{}", zhe(65), zhe(67));
        assert_eq!(units_and_segments(&fitting), (Ucs2, 134, 2));
    }

    #[test]
    fn an_empty_text_is_one_segment() {
        assert_eq!(units_and_segments(""), (SmsEncoding::Gsm7, 0, 1));
    }

    #[test]
    fn sms_costs_its_segments_or_what_twilio_says() {
        assert_eq!(
            sms_cost("hello", TWILIO_US_SMS_PER_SEGMENT),
            MicroUsd(8_300)
        );
        assert_eq!(
            sms_cost(&"a".repeat(161), TWILIO_US_SMS_PER_SEGMENT),
            MicroUsd(16_600)
        );
        assert_eq!(twilio_price("-0.00830", "USD"), Some(MicroUsd(8_300)));
        assert_eq!(twilio_price("0.0166", "usd"), Some(MicroUsd(16_600)));
        assert_eq!(twilio_price("", "USD"), None);
        assert_eq!(twilio_price("-0.0700", "EUR"), None);
        assert_eq!(twilio_price("n/a", "USD"), None);
    }

    #[test]
    fn amounts_are_read_exactly() {
        let parse = |text| MicroUsd::parse(text).map(|amount| amount.0);
        assert_eq!(parse("0.0618"), Ok(61_800));
        assert_eq!(parse("0.0008"), Ok(800));
        assert_eq!(parse("0.1365"), Ok(136_500));
        assert_eq!(parse("1"), Ok(1_000_000));
        assert_eq!(parse("12.5"), Ok(12_500_000));
        assert_eq!(parse(".5"), Ok(500_000));
        assert_eq!(parse("$0.0083"), Ok(8_300));
        assert_eq!(parse("-0.00830"), Ok(-8_300));
        assert_eq!(parse("0.000001"), Ok(1));
        assert_eq!(parse("0.0618000"), Ok(61_800));
        // 0.0618 is no exact binary fraction; through f64, 0.0618 * 1e6 is 61799.99999999999.
        assert_eq!(parse("0.0618").map(|micros| micros % 100), Ok(0));
        for refused in [
            "",
            ".",
            "abc",
            "0,0618",
            "6.18e-2",
            "1.2.3",
            "--1",
            " - 1",
            "0.0000001",
        ] {
            assert!(
                matches!(MicroUsd::parse(refused), Err(CostError::NotAnAmount { .. })),
                "{refused:?} should be refused"
            );
        }
        assert!(MicroUsd::parse("99999999999999999999").is_err());
    }

    #[test]
    fn amounts_are_shown_exactly_rounded_or_in_words() {
        assert_eq!(MicroUsd(61_800).exact_text(), "$0.0618");
        assert_eq!(MicroUsd(8_300).exact_text(), "$0.0083");
        assert_eq!(MicroUsd(2_000_000).exact_text(), "$2.00");
        assert_eq!(MicroUsd(0).exact_text(), "$0.00");
        assert_eq!(MicroUsd(1_234_567_890).exact_text(), "$1,234.56789");
        assert_eq!(MicroUsd(-8_300).exact_text(), "-$0.0083");

        assert_eq!(MicroUsd(61_800).cents_text(), "$0.06");
        assert_eq!(MicroUsd(25_000).cents_text(), "$0.03");
        assert_eq!(MicroUsd(24_999).cents_text(), "$0.02");
        assert_eq!(MicroUsd(1_234_565_000).cents_text(), "$1,234.57");
        assert_eq!(MicroUsd(999_995_000).cents_text(), "$1,000.00");

        assert_eq!(MicroUsd(22_000).about_text(), "about $0.02");
        assert_eq!(MicroUsd(3_400).about_text(), "less than $0.01");
        assert_eq!(MicroUsd(5_000).about_text(), "about $0.01");
        assert_eq!(MicroUsd::ZERO.about_text(), "nothing");
        assert_eq!(
            [MicroUsd(61_800), MicroUsd(8_300)]
                .into_iter()
                .sum::<MicroUsd>(),
            MicroUsd(70_100)
        );
    }

    #[test]
    fn the_shipped_table_reads() {
        let shipped = RateCard::shipped();
        assert_eq!(shipped.rows().len(), 43);
        let argentina = &shipped.rows()[0];
        assert_eq!(argentina.market, "Argentina");
        assert_eq!(argentina.countries, ["AR"]);
        assert_eq!(argentina.marketing, Some(MicroUsd(61_800)));
        assert_eq!(argentina.authentication_international, None);
        assert_eq!(argentina.effective, date!(2026 - 01 - 01));
        assert!(!argentina.inferred);
        assert_eq!(argentina.line, 2);
        let inferred = shipped
            .rows()
            .iter()
            .find(|row| row.market == "North America" && row.inferred)
            .expect("the inferred North America row");
        assert_eq!(inferred.effective, date!(2025 - 10 - 01));
        assert!(
            shipped
                .rows()
                .iter()
                .any(|row| row.is_other() && row.countries.is_empty())
        );
    }

    #[test]
    fn kenya_is_priced_by_its_own_row_rather_than_rest_of_africa() {
        let shipped = RateCard::shipped();
        let kenya = shipped.row_for("KE", date!(2026 - 03 - 01)).unwrap();
        assert_eq!(kenya.market, "Kenya (billed as Rest of Africa)");
        // Still so once a newer Rest of Africa row (2026-07-01) lists Kenya too.
        let kenya = shipped.row_for("ke", date!(2026 - 08 - 01)).unwrap();
        assert_eq!(kenya.market, "Kenya (billed as Rest of Africa)");
        let tanzania = shipped.row_for("TZ", date!(2026 - 08 - 01)).unwrap();
        assert_eq!(tanzania.market, "Rest of Africa");
        assert_eq!(tanzania.effective, date!(2026 - 07 - 01));

        // With rates that differ, the amount shows which row priced it.
        let table = card(&format!(
            "{HEADER}Rest of Africa,KE;TZ,0.0225,0.0040,0.0040,,2026-01-01\n\
             Kenya,KE,0.0300,0.0050,0.0050,,2026-01-01\n"
        ));
        let cost = |country| {
            whatsapp_cost(
                &table,
                country,
                WhatsAppCategory::Marketing,
                PricingType::Regular,
                date!(2026 - 02 - 01),
            )
        };
        assert_eq!(cost("KE"), Ok(MicroUsd(30_000)));
        assert_eq!(cost("TZ"), Ok(MicroUsd(22_500)));
    }

    #[test]
    fn the_rate_in_force_is_the_latest_on_or_before_the_day() {
        let shipped = RateCard::shipped();
        let utility_in_us = |day| {
            whatsapp_cost(
                &shipped,
                "US",
                WhatsAppCategory::Utility,
                PricingType::Regular,
                day,
            )
        };
        assert_eq!(utility_in_us(date!(2025 - 10 - 01)), Ok(MicroUsd(4_000)));
        assert_eq!(utility_in_us(date!(2025 - 12 - 31)), Ok(MicroUsd(4_000)));
        assert_eq!(utility_in_us(date!(2026 - 01 - 01)), Ok(MicroUsd(3_400)));
        assert_eq!(utility_in_us(date!(2027 - 05 - 01)), Ok(MicroUsd(3_400)));
        assert_eq!(
            utility_in_us(date!(2025 - 09 - 30)),
            Err(CostError::NoRateInForce {
                country: "US".to_owned(),
                date: date!(2025 - 09 - 30),
            })
        );
        // Before 2026 only a few markets have (inferred) rows, and "Other" has none yet.
        assert!(matches!(
            shipped.row_for("DE", date!(2025 - 12 - 01)),
            Err(CostError::NoRateInForce { .. })
        ));
        let message = CostError::NoRateInForce {
            country: "US".to_owned(),
            date: date!(2025 - 09 - 30),
        }
        .to_string();
        assert_eq!(
            message,
            "No WhatsApp rate for US on 2025-09-30: the rate table has none in force that day."
        );
    }

    #[test]
    fn a_market_leaves_a_region_when_the_region_s_newer_row_drops_it() {
        let shipped = RateCard::shipped();
        // Qatar is in Rest of Middle East in January's card and has its own row in July's.
        let qatar = |day| shipped.row_for("QA", day).unwrap();
        assert_eq!(qatar(date!(2026 - 03 - 01)).market, "Rest of Middle East");
        assert_eq!(qatar(date!(2026 - 07 - 01)).market, "Qatar");

        // A country a region's newer row no longer lists, with no row of its own, is "Other".
        let table = card(&format!(
            "{HEADER}Rest of Somewhere,AA;BB,0.0500,0.0100,0.0100,,2026-01-01\n\
             Rest of Somewhere,AA,0.0500,0.0100,0.0100,,2026-07-01\n\
             Other,,0.0604,0.0077,0.0077,,2026-01-01\n"
        ));
        assert_eq!(
            table.row_for("BB", date!(2026 - 06 - 30)).unwrap().market,
            "Rest of Somewhere"
        );
        assert_eq!(
            table.row_for("BB", date!(2026 - 07 - 01)).unwrap().market,
            "Other"
        );
    }

    #[test]
    fn a_country_falls_back_to_its_region_then_to_other() {
        let shipped = RateCard::shipped();
        let marketing = |country| {
            whatsapp_cost(
                &shipped,
                country,
                WhatsAppCategory::Marketing,
                PricingType::Regular,
                date!(2026 - 02 - 01),
            )
        };
        assert_eq!(marketing("BR"), Ok(MicroUsd(62_500)));
        assert_eq!(marketing("US"), Ok(MicroUsd(25_000)));
        assert_eq!(marketing("AT"), Ok(MicroUsd(59_200)));
        assert_eq!(marketing("JM"), Ok(MicroUsd(74_000)));
        assert_eq!(marketing("KZ"), Ok(MicroUsd(60_400)));
        assert_eq!(marketing(""), Ok(MicroUsd(60_400)));
        assert_eq!(
            shipped.row_for("AT", date!(2026 - 02 - 01)).unwrap().market,
            "Rest of Western Europe"
        );
        assert_eq!(
            shipped.row_for("KZ", date!(2026 - 02 - 01)).unwrap().market,
            "Other"
        );
    }

    #[test]
    fn free_types_service_and_referrals_cost_nothing() {
        let shipped = RateCard::shipped();
        let day = date!(2026 - 02 - 01);
        let cost =
            |category, pricing_type| whatsapp_cost(&shipped, "DE", category, pricing_type, day);
        for category in [WhatsAppCategory::Marketing, WhatsAppCategory::Utility] {
            assert_eq!(
                cost(category, PricingType::FreeCustomerService),
                Ok(MicroUsd::ZERO)
            );
            assert_eq!(
                cost(category, PricingType::FreeEntryPoint),
                Ok(MicroUsd::ZERO)
            );
        }
        assert_eq!(
            cost(WhatsAppCategory::Service, PricingType::Regular),
            Ok(MicroUsd::ZERO)
        );
        assert_eq!(
            cost(WhatsAppCategory::ReferralConversion, PricingType::Regular),
            Ok(MicroUsd::ZERO)
        );
        assert_eq!(
            cost(WhatsAppCategory::Marketing, PricingType::Regular),
            Ok(MicroUsd(136_500))
        );
        assert_eq!(
            cost(WhatsAppCategory::MarketingLite, PricingType::Regular),
            Ok(MicroUsd(136_500))
        );
        assert_eq!(
            cost(WhatsAppCategory::Utility, PricingType::Regular),
            Ok(MicroUsd(55_000))
        );
        // Free even where the table has no rate in force.
        assert_eq!(
            whatsapp_cost(
                &shipped,
                "DE",
                WhatsAppCategory::Marketing,
                PricingType::FreeEntryPoint,
                date!(2020 - 01 - 01)
            ),
            Ok(MicroUsd::ZERO)
        );
        // A service message Meta bills from October 2026 is charged at the utility rate.
        assert_eq!(
            whatsapp_cost(
                &shipped,
                "DE",
                WhatsAppCategory::Service,
                PricingType::Regular,
                date!(2026 - 10 - 01)
            ),
            Ok(MicroUsd(55_000))
        );
        assert_eq!(
            whatsapp_cost(
                &shipped,
                "DE",
                WhatsAppCategory::Service,
                PricingType::FreeCustomerService,
                date!(2026 - 10 - 01)
            ),
            Ok(MicroUsd::ZERO)
        );
    }

    #[test]
    fn international_authentication_falls_back_to_authentication() {
        let shipped = RateCard::shipped();
        let day = date!(2026 - 02 - 01);
        let international = |country| {
            whatsapp_cost(
                &shipped,
                country,
                WhatsAppCategory::AuthenticationInternational,
                PricingType::Regular,
                day,
            )
        };
        assert_eq!(international("IN"), Ok(MicroUsd(28_000)));
        assert_eq!(international("BR"), Ok(MicroUsd(6_800)));
    }

    #[test]
    fn an_empty_rate_is_not_offered() {
        let table = card(&format!(
            "{HEADER}Somewhere,SW,,0.0100,0.0100,,2026-01-01\n"
        ));
        assert_eq!(
            whatsapp_cost(
                &table,
                "SW",
                WhatsAppCategory::Marketing,
                PricingType::Regular,
                date!(2026 - 02 - 01)
            ),
            Err(CostError::NotOffered {
                market: "Somewhere".to_owned(),
                category: "marketing",
                date: date!(2026 - 02 - 01),
            })
        );
    }

    #[test]
    fn a_template_is_estimated_at_today_s_list_price() {
        let shipped = RateCard::shipped();
        let today = date!(2026 - 02 - 01);
        let estimate = |country, category, window_open| {
            estimate_template_cost(&shipped, country, category, today, window_open)
        };
        assert_eq!(
            estimate("GB", WhatsAppCategory::Utility, false),
            Ok(MicroUsd(22_000))
        );
        assert_eq!(
            estimate("GB", WhatsAppCategory::Utility, false)
                .unwrap()
                .about_text(),
            "about $0.02"
        );
        assert_eq!(
            estimate("GB", WhatsAppCategory::Utility, true),
            Ok(MicroUsd::ZERO)
        );
        assert_eq!(
            estimate("GB", WhatsAppCategory::Marketing, true),
            Ok(MicroUsd(52_900))
        );
        assert_eq!(
            estimate("IN", WhatsAppCategory::AuthenticationInternational, false),
            Ok(MicroUsd(1_400))
        );
    }

    #[test]
    fn categories_and_types_read_meta_s_words() {
        for word in [
            "marketing",
            "utility",
            "authentication",
            "authentication-international",
            "marketing_lite",
            "referral_conversion",
            "service",
        ] {
            assert_eq!(word.parse::<WhatsAppCategory>().unwrap().as_str(), word);
        }
        assert_eq!("UTILITY".parse(), Ok(WhatsAppCategory::Utility));
        assert_eq!(
            "AUTHENTICATION_INTERNATIONAL".parse(),
            Ok(WhatsAppCategory::AuthenticationInternational)
        );
        assert_eq!(
            "marketing-lite".parse(),
            Ok(WhatsAppCategory::MarketingLite)
        );
        assert_eq!(
            "promotional".parse::<WhatsAppCategory>(),
            Err(CostError::UnknownCategory("promotional".to_owned()))
        );
        assert_eq!("free_entry_point".parse(), Ok(PricingType::FreeEntryPoint));
        assert_eq!(
            "free_customer_service".parse(),
            Ok(PricingType::FreeCustomerService)
        );
        assert_eq!("regular".parse(), Ok(PricingType::Regular));
        assert!("billable".parse::<PricingType>().is_err());
    }

    #[test]
    fn a_bad_line_is_refused_with_its_number_and_reason() {
        let refused =
            |body: &str| RateCard::parse_csv(format!("{HEADER}{body}").as_bytes()).unwrap_err();
        let good = "Brazil,BR,0.0625,0.0068,0.0068,,2026-01-01\n\
                    Chile,CL,0.0889,0.0200,0.0200,,2026-01-01\n";

        let negative = refused(&format!(
            "{good}Peru,PE,-0.0703,0.0200,0.0200,,2026-01-01\n"
        ));
        assert_eq!(
            negative,
            CostError::BadRate {
                line: 4,
                column: "marketing_usd",
                text: "-0.0703".to_owned(),
                reason: "a rate cannot be negative",
            }
        );
        assert_eq!(
            negative.to_string(),
            "Line 4 of the rate table: marketing_usd “-0.0703” is not a rate: a rate cannot be negative."
        );
        assert_eq!(
            refused(&format!("{good}Peru,PE,0.0703,free,0.0200,,2026-01-01\n")),
            CostError::BadRate {
                line: 4,
                column: "utility_usd",
                text: "free".to_owned(),
                reason: "write it as digits with a dot, like 0.0618",
            }
        );
        assert_eq!(
            refused(&format!("{good}Peru,PE,0.0703,0.0200,0.0200,,01/07/2026\n")),
            CostError::BadDate {
                line: 4,
                text: "01/07/2026".to_owned()
            }
        );
        assert_eq!(
            refused(&format!(
                "{good}Peru,PE,0.0703,0.0200,0.0200,,2026-01-01 (guessed)\n"
            )),
            CostError::BadDate {
                line: 4,
                text: "2026-01-01 (guessed)".to_owned()
            }
        );
        assert_eq!(
            refused(&format!(
                "{good}Peru,Peru,0.0703,0.0200,0.0200,,2026-01-01\n"
            )),
            CostError::BadCountryCode {
                line: 4,
                code: "Peru".to_owned()
            }
        );
        assert_eq!(
            refused(&format!("{good},PE,0.0703,0.0200,0.0200,,2026-01-01\n")),
            CostError::NoMarketName { line: 4 }
        );
        assert_eq!(
            refused(&format!("{good}Peru,PE,0.0703,0.0200\n")),
            CostError::Unreadable {
                line: 4,
                reason: "it has 4 fields where the first line names 7 columns".to_owned()
            }
        );
        assert_eq!(
            refused(&format!(
                "{good}brazil,BR,0.0700,0.0068,0.0068,,2026-01-01\n"
            )),
            CostError::RepeatedRow {
                line: 4,
                first_line: 2,
                market: "brazil".to_owned(),
                date: date!(2026 - 01 - 01),
            }
        );
        // A quoted field spanning lines: the line is where the record starts.
        assert!(matches!(
            refused(&format!(
                "{good}\"Peru\nand more\",PE,x,0.0200,0.0200,,2026-01-01\n"
            )),
            CostError::BadRate { line: 4, .. }
        ));
    }

    #[test]
    fn lines_are_counted_alike_whatever_ends_them() {
        // Line 3 is blank and Chile's quoted name spans lines 4 and 5.
        let body = |peru_date| {
            format!(
                "{HEADER}Brazil,BR,0.0625,0.0068,0.0068,,2026-01-01\n\
                 \n\
                 \"Chile\nwith a note\",CL,0.0889,0.0200,0.0200,,2026-01-01\n\
                 Peru,PE,0.0703,0.0200,0.0200,,{peru_date}\n"
            )
        };
        for ending in ["\n", "\r\n"] {
            let file = body("2026-01-01").replace('\n', ending);
            let lines: Vec<u64> = card(&file).rows().iter().map(|row| row.line).collect();
            assert_eq!(lines, [2, 4, 6], "{ending:?}");
            let file = body("July").replace('\n', ending);
            assert_eq!(
                RateCard::parse_csv(file.as_bytes()),
                Err(CostError::BadDate {
                    line: 6,
                    text: "July".to_owned()
                }),
                "{ending:?}"
            );
            let file = body("2026-01-01,extra").replace('\n', ending);
            assert_eq!(
                RateCard::parse_csv(file.as_bytes()),
                Err(CostError::Unreadable {
                    line: 6,
                    reason: "it has 8 fields where the first line names 7 columns".to_owned()
                }),
                "{ending:?}"
            );
        }
    }

    #[test]
    fn a_table_without_its_columns_or_rows_is_refused() {
        assert_eq!(
            RateCard::parse_csv(HEADER.as_bytes()),
            Err(CostError::NoRows)
        );
        assert_eq!(
            RateCard::parse_csv(b""),
            Err(CostError::MissingColumn("country_or_region"))
        );
        let without_utility = "country_or_region,iso_codes_if_known,marketing_usd,\
                               authentication_usd,authentication_international_usd,effective_date\n\
                               Brazil,BR,0.0625,0.0068,,2026-01-01\n";
        let refused = RateCard::parse_csv(without_utility.as_bytes()).unwrap_err();
        assert_eq!(refused, CostError::MissingColumn("utility_usd"));
        assert!(
            refused
                .to_string()
                .starts_with("The rate table has no “utility_usd” column.")
        );
        // Not UTF-8 (a spreadsheet's Latin-1 export).
        let latin1 = [
            HEADER.as_bytes(),
            b"Cura\xe7ao,CW,0.07,0.01,0.01,,2026-01-01\n",
        ]
        .concat();
        assert!(matches!(
            RateCard::parse_csv(&latin1),
            Err(CostError::Unreadable { line: 2, .. })
        ));
    }

    #[test]
    fn a_spreadsheet_s_export_reads_like_the_shipped_file() {
        // A byte-order mark, columns in another order and case, an extra column, spaces, CRLF.
        let exported = "\u{FEFF}Effective_Date,country_or_region,notes,iso_codes_if_known,\
                        marketing_usd,utility_usd,authentication_usd,authentication_international_usd\r\n\
                        2026-01-01 (Inferred), Rest of Africa ,x, ke ; tz ,0.0225,0.0040,0.0040,\r\n";
        let table = card(exported);
        let row = &table.rows()[0];
        assert_eq!(row.market, "Rest of Africa");
        assert_eq!(row.countries, ["KE", "TZ"]);
        assert_eq!(row.marketing, Some(MicroUsd(22_500)));
        assert_eq!(row.authentication_international, None);
        assert_eq!((row.effective, row.inferred), (date!(2026 - 01 - 01), true));
    }

    #[test]
    fn a_phone_number_s_country_tells_north_american_numbers_apart() {
        let country = |number| country_of_phone(number);
        assert_eq!(country("+12125550100").as_deref(), Some("US"));
        assert_eq!(country("+14165550123").as_deref(), Some("CA"));
        assert_eq!(country("+17875550123").as_deref(), Some("PR"));
        assert_eq!(country("+18095550123").as_deref(), Some("DO"));
        assert_eq!(country("+18765550123").as_deref(), Some("JM"));
        assert_eq!(country("+5511987654321").as_deref(), Some("BR"));
        assert_eq!(country("5511987654321").as_deref(), Some("BR"));
        assert_eq!(country("+254712345678").as_deref(), Some("KE"));
        assert_eq!(country("+447700900123").as_deref(), Some("GB"));
        assert_eq!(country("+79123456789").as_deref(), Some("RU"));
        assert_eq!(country("+77012345678").as_deref(), Some("KZ"));
        // No known area code: the calling code's main country.
        assert_eq!(country("+15551234567").as_deref(), Some("US"));
        // The library cannot place Italian fixed lines (it drops the 0 after +39): main country.
        assert_eq!(country("+390612345678").as_deref(), Some("IT"));
        assert_eq!(country("+80012345678"), None);
        assert_eq!(country("+999123456"), None);
        assert_eq!(country("not a number"), None);
        assert_eq!(country(""), None);
    }

    #[test]
    fn a_north_american_number_is_priced_in_its_own_market() {
        let shipped = RateCard::shipped();
        let marketing = |number| {
            let country = country_of_phone(number).unwrap();
            whatsapp_cost(
                &shipped,
                &country,
                WhatsAppCategory::Marketing,
                PricingType::Regular,
                date!(2026 - 02 - 01),
            )
        };
        assert_eq!(marketing("+12125550100"), Ok(MicroUsd(25_000)));
        assert_eq!(marketing("+14165550123"), Ok(MicroUsd(25_000)));
        assert_eq!(marketing("+17875550123"), Ok(MicroUsd(74_000)));
        assert_eq!(marketing("+18095550123"), Ok(MicroUsd(74_000)));
    }

    #[test]
    fn a_loaded_table_prices_from_its_day_and_earlier_days_keep_theirs() {
        let newer = card(
            "country_or_region,iso_codes_if_known,marketing_usd,utility_usd,authentication_usd,authentication_international_usd,effective_date\n\
             Brazil,BR,0.0700,0.0070,0.0070,,2026-01-01\n\
             Other,,0.0600,0.0060,0.0060,,2026-01-01\n",
        );
        let prices = Prices::new(vec![(date!(2026 - 12 - 01), newer)], MicroUsd(9_000));
        let marketing = |date| {
            prices.whatsapp(
                "BR",
                WhatsAppCategory::Marketing,
                PricingType::Regular,
                date,
            )
        };
        assert_eq!(marketing(date!(2026 - 11 - 30)), Ok(MicroUsd(62_500)));
        assert_eq!(marketing(date!(2026 - 12 - 01)), Ok(MicroUsd(70_000)));
        assert_eq!(Prices::default().sms_per_segment, TWILIO_US_SMS_PER_SEGMENT);
    }

    #[test]
    fn a_status_is_priced_by_its_category_type_and_recipient() {
        let prices = Prices::default();
        let brazil = price_whatsapp_status(
            &prices,
            "marketing",
            Some("regular"),
            None,
            "5511987654321",
            date!(2026 - 02 - 01),
        )
        .unwrap();
        assert_eq!(brazil.amount, MicroUsd(62_500));
        assert_eq!(
            (
                brazil.country.as_str(),
                brazil.category.as_str(),
                brazil.source
            ),
            ("BR", "marketing", CostSource::RateCard)
        );
        let free = price_whatsapp_status(
            &prices,
            "utility",
            Some("free_customer_service"),
            None,
            "5511987654321",
            date!(2026 - 02 - 01),
        )
        .unwrap();
        assert_eq!(free.amount, MicroUsd::ZERO);
        // Older payloads say only whether the message was billable.
        let not_billable = price_whatsapp_status(
            &prices,
            "marketing",
            None,
            Some(false),
            "5511987654321",
            date!(2026 - 02 - 01),
        )
        .unwrap();
        assert_eq!(not_billable.amount, MicroUsd::ZERO);
        assert!(matches!(
            price_whatsapp_status(
                &prices,
                "gift",
                Some("regular"),
                None,
                "5511987654321",
                date!(2026 - 02 - 01)
            ),
            Err(CostError::UnknownCategory(_))
        ));
    }

    #[test]
    fn an_sms_is_priced_by_twilio_or_by_its_segments() {
        let prices = Prices::default();
        let estimate = price_sms_by_segments(&prices, &"a".repeat(161), "+12125550100");
        assert_eq!(
            (estimate.amount, estimate.source, estimate.country.as_str()),
            (MicroUsd(16_600), CostSource::Segments, "US")
        );
        let charged = price_twilio_status("-0.00790", "USD", "+12125550100").unwrap();
        assert_eq!(
            (charged.amount, charged.source),
            (MicroUsd(7_900), CostSource::Provider)
        );
        assert_eq!(price_twilio_status("-0.0079", "EUR", "+12125550100"), None);
        assert_eq!(messenger_is_free().amount, MicroUsd::ZERO);
    }

    #[test]
    fn budgets_alert_at_eighty_and_a_hundred_percent() {
        let budget = MicroUsd(10_000_000);
        assert!(budget_thresholds_reached(MicroUsd(7_999_999), budget).is_empty());
        assert_eq!(
            budget_thresholds_reached(MicroUsd(8_000_000), budget),
            vec![80]
        );
        assert_eq!(
            budget_thresholds_reached(MicroUsd(10_000_000), budget),
            vec![80, 100]
        );
        assert!(budget_thresholds_reached(MicroUsd(5), MicroUsd::ZERO).is_empty());
        assert_eq!(billing_month(date!(2026 - 03 - 09)), "2026-03");
    }
}
