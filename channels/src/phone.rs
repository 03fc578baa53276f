//! Phone numbers and channel identities, normalised once at the edge.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

/// A phone number in E.164 form (`+` and 8–15 digits), e.g. `+15551234567`.
///
/// Validation is deliberately structural rather than per-country: test ranges such as 555
/// numbers must be accepted, and providers have already checked reachability.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct E164(String);

/// Why a string is not a usable phone number.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PhoneError {
    /// Nothing but separators or prefixes.
    #[error("phone number is empty")]
    Empty,
    /// A character that is neither a digit nor an accepted separator.
    #[error("phone number contains {0:?}, which is not a digit or separator")]
    InvalidCharacter(char),
    /// International numbers have between 8 and 15 digits.
    #[error("phone number has {0} digits; international numbers have 8 to 15")]
    Length(usize),
    /// Country codes never start with 0, so this is a national number.
    #[error("phone number starts with 0; write it with its country code")]
    NationalFormat,
}

impl E164 {
    /// Parses `+1 555 123 4567`, `15551234567`, `whatsapp:+15551234567`, `tel:+1-555-123-4567`,
    /// `(555)`-style punctuation and WhatsApp `wa_id`s (digits without `+`).
    pub fn parse(input: &str) -> Result<Self, PhoneError> {
        let trimmed = input.trim();
        let number = ["whatsapp:", "tel:"]
            .iter()
            .find_map(|prefix| strip_prefix_ignore_case(trimmed, prefix))
            .unwrap_or(trimmed);

        let mut digits = String::with_capacity(16);
        let mut seen_plus = false;
        for c in number.chars() {
            match c {
                '0'..='9' => digits.push(c),
                '+' if digits.is_empty() && !seen_plus => seen_plus = true,
                '-' | '.' | '(' | ')' => {}
                c if c.is_whitespace() => {}
                other => return Err(PhoneError::InvalidCharacter(other)),
            }
        }
        if digits.is_empty() {
            return Err(PhoneError::Empty);
        }
        if digits.starts_with('0') {
            return Err(PhoneError::NationalFormat);
        }
        if !(8..=15).contains(&digits.len()) {
            return Err(PhoneError::Length(digits.len()));
        }
        digits.insert(0, '+');
        Ok(Self(digits))
    }

    /// The number with its leading `+`, e.g. `+15551234567`.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The digits alone, as WhatsApp uses them for `wa_id` and the Cloud API `to` field.
    pub fn digits(&self) -> &str {
        &self.0[1..]
    }

    /// A privacy-preserving rendering that keeps the country code and at most the last four
    /// digits, e.g. `+1 ••• ••• 45 67`. Short numbers show fewer, so at least
    /// [`MIN_HIDDEN_DIGITS`] are always hidden: `+353 ••• ••` for a five-digit subscriber number.
    pub fn mask(&self) -> String {
        let digits = self.digits();
        let (country, subscriber) = digits.split_at(country_code_len(digits));
        let shown = shown_digits(subscriber.len());
        let hidden = subscriber.len() - shown;
        let last = &subscriber[hidden..];

        let mut out = format!("+{country}");
        for group in 0..hidden.div_ceil(3) {
            out.push(' ');
            let width = (hidden - group * 3).min(3);
            out.extend(std::iter::repeat_n('•', width));
        }
        match last.len() {
            0 => {}
            4 => out.push_str(&format!(" {} {}", &last[..2], &last[2..])),
            _ => out.push_str(&format!(" {last}")),
        }
        out
    }
}

/// Digits a masked number always hides: a million candidates is too many to try by hand.
pub const MIN_HIDDEN_DIGITS: usize = 6;

/// How many trailing digits of `len` a mask may show: up to four, never leaving fewer than
/// [`MIN_HIDDEN_DIGITS`] hidden.
fn shown_digits(len: usize) -> usize {
    len.saturating_sub(MIN_HIDDEN_DIGITS).min(4)
}

/// Masks an address that is not a valid international number (a short code, a national
/// number, an id a provider made up): every digit but the last few becomes `•`, under the same
/// rule as [`E164::mask`], so a number that failed to parse is not shown whole.
pub fn mask_unparsed(address: &str) -> String {
    let total = address.chars().filter(char::is_ascii_digit).count();
    let mut to_hide = total - shown_digits(total);
    address
        .chars()
        .map(|c| {
            if c.is_ascii_digit() && to_hide > 0 {
                to_hide -= 1;
                '•'
            } else {
                c
            }
        })
        .collect()
}

fn strip_prefix_ignore_case<'a>(s: &'a str, prefix: &str) -> Option<&'a str> {
    let head = s.get(..prefix.len())?;
    head.eq_ignore_ascii_case(prefix)
        .then(|| &s[prefix.len()..])
}

/// Length of the ITU country code: zones 1 (NANP) and 7 are one digit, the listed
/// codes are two, everything else is three.
fn country_code_len(digits: &str) -> usize {
    const TWO_DIGIT: [&str; 44] = [
        "20", "27", "30", "31", "32", "33", "34", "36", "39", "40", "41", "43", "44", "45", "46",
        "47", "48", "49", "51", "52", "53", "54", "55", "56", "57", "58", "60", "61", "62", "63",
        "64", "65", "66", "81", "82", "84", "86", "90", "91", "92", "93", "94", "95", "98",
    ];
    if digits.starts_with(['1', '7']) {
        1
    } else if TWO_DIGIT.contains(&&digits[..2]) {
        2
    } else {
        3
    }
}

impl fmt::Display for E164 {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl FromStr for E164 {
    type Err = PhoneError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::parse(s)
    }
}

impl TryFrom<String> for E164 {
    type Error = PhoneError;

    fn try_from(value: String) -> Result<Self, Self::Error> {
        Self::parse(&value)
    }
}

impl From<E164> for String {
    fn from(value: E164) -> Self {
        value.0
    }
}

/// Who a contact is on one channel, written as the provider addresses them (so a reply can use
/// it as its recipient).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum ChannelAddress {
    /// SMS, and WhatsApp (Cloud API) users whose phone number is shared.
    Phone(E164),
    /// A WhatsApp user reached through Twilio, written `whatsapp:+E164` as Twilio does. One Twilio
    /// number carries both SMS and WhatsApp, so the address keeps the network: replies go back on
    /// it, and only WhatsApp has the 24-hour window. The number is the same person as on SMS.
    TwilioWhatsApp(E164),
    /// An id the provider scopes to our page or business: a Messenger PSID, or a WhatsApp
    /// business-scoped user id when no phone number is given (through Twilio, kept in its
    /// `whatsapp:<id>` form).
    ScopedId(String),
}

impl ChannelAddress {
    /// A phone number when `raw` parses as one, otherwise a scoped id kept verbatim.
    /// Meant for WhatsApp and Twilio identities; Messenger PSIDs are always scoped ids.
    pub fn from_provider(raw: &str) -> Self {
        E164::parse(raw).map_or_else(|_| Self::ScopedId(raw.to_owned()), Self::Phone)
    }
}

impl fmt::Display for ChannelAddress {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Phone(phone) => phone.fmt(f),
            Self::TwilioWhatsApp(phone) => write!(f, "whatsapp:{phone}"),
            Self::ScopedId(id) => f.write_str(id),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_common_spellings_of_one_number() {
        for input in [
            "+1 555 123 4567",
            "15551234567",
            "whatsapp:+15551234567",
            "WhatsApp:+15551234567",
            "tel:+1-555-123-4567",
            "+1 (555) 123-4567",
            "1.555.123.4567",
            "  +15551234567\n",
        ] {
            let phone = E164::parse(input).unwrap_or_else(|e| panic!("{input:?}: {e}"));
            assert_eq!(phone.to_string(), "+15551234567", "{input:?}");
            assert_eq!(phone.digits(), "15551234567");
        }
    }

    #[test]
    fn accepts_whatsapp_wa_id() {
        assert_eq!(
            E164::parse("972987654321").unwrap().as_str(),
            "+972987654321"
        );
    }

    #[test]
    fn rejects_what_is_not_an_international_number() {
        assert_eq!(E164::parse(""), Err(PhoneError::Empty));
        assert_eq!(E164::parse("whatsapp:"), Err(PhoneError::Empty));
        assert_eq!(E164::parse("+1234567"), Err(PhoneError::Length(7)));
        assert_eq!(
            E164::parse("+1234567890123456"),
            Err(PhoneError::Length(16))
        );
        assert_eq!(E164::parse("0555 123 456"), Err(PhoneError::NationalFormat));
        assert_eq!(
            E164::parse("+1 555 CALL NOW"),
            Err(PhoneError::InvalidCharacter('C'))
        );
        assert_eq!(
            E164::parse("1+5551234567"),
            Err(PhoneError::InvalidCharacter('+'))
        );
        assert_eq!(
            E164::parse("US.13491208655302741918"),
            Err(PhoneError::InvalidCharacter('U'))
        );
    }

    #[test]
    fn accepts_length_bounds() {
        assert!(E164::parse("+12345678").is_ok());
        assert!(E164::parse("+123456789012345").is_ok());
    }

    #[test]
    fn mask_keeps_country_code_and_last_four_digits() {
        assert_eq!(
            E164::parse("+15551234567").unwrap().mask(),
            "+1 ••• ••• 45 67"
        );
        assert_eq!(
            E164::parse("+447700900123").unwrap().mask(),
            "+44 ••• ••• 01 23"
        );
        assert_eq!(
            E164::parse("+972987654321").unwrap().mask(),
            "+972 ••• ••• 321"
        );
        assert_eq!(E164::parse("+35312345").unwrap().mask(), "+353 ••• ••");
        assert_eq!(E164::parse("+4930123456").unwrap().mask(), "+49 ••• ••• 56");
    }

    #[test]
    fn numbers_that_do_not_parse_are_masked_too() {
        assert_eq!(mask_unparsed("+1234567"), "+••••••7");
        assert_eq!(mask_unparsed("12345"), "•••••");
        assert_eq!(mask_unparsed("whatsapp:0612345678"), "whatsapp:••••••5678");
        assert_eq!(mask_unparsed("12345678901234567"), "•••••••••••••4567");
        assert_eq!(mask_unparsed("US.98765432"), "US.••••••32");
    }

    #[test]
    fn serde_round_trips_and_validates() {
        let phone: E164 = serde_json::from_str("\"whatsapp:+15551234567\"").unwrap();
        assert_eq!(serde_json::to_string(&phone).unwrap(), "\"+15551234567\"");
        assert!(serde_json::from_str::<E164>("\"12\"").is_err());
    }

    #[test]
    fn channel_address_falls_back_to_scoped_id() {
        assert_eq!(
            ChannelAddress::from_provider("16505551234"),
            ChannelAddress::Phone(E164::parse("+16505551234").unwrap())
        );
        let psid = ChannelAddress::from_provider("US.13491208655302741918");
        assert_eq!(
            psid,
            ChannelAddress::ScopedId("US.13491208655302741918".into())
        );
        assert_eq!(psid.to_string(), "US.13491208655302741918");
    }
}
