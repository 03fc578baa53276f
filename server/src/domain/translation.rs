//! Translation rules that know neither HTTP nor SQL: language codes, which language a reader
//! asked for, hiding phone numbers and e-mail addresses behind placeholders before a text
//! leaves Switchboard (and putting them back), and reading a chat model's answer.

use std::fmt;

use app::language::accepted_tags;
use serde::Deserialize;

/// A language as translation services name it: an ISO 639 code of two or three lowercase
/// letters (`es`, `ar`, `fil`). Region and script are dropped (`pt-BR` is `pt`): the thread
/// labels a language, and every service takes the bare code.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct LanguageCode(String);

impl LanguageCode {
    /// Reads `es`, `ES`, `es-ES`, `es_419`, `zh-Hant`; refuses anything else.
    pub fn parse(text: &str) -> Option<LanguageCode> {
        let primary = text.trim().split(['-', '_']).next()?;
        ((2..=3).contains(&primary.len()) && primary.chars().all(|c| c.is_ascii_alphabetic()))
            .then(|| LanguageCode(primary.to_ascii_lowercase()))
    }

    pub fn english() -> LanguageCode {
        LanguageCode("en".to_owned())
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for LanguageCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// The language a browser prefers, from an `Accept-Language` header: the heaviest tag that
/// names a language.
pub fn preferred_language(accept_language: &str) -> Option<LanguageCode> {
    accepted_tags(accept_language)
        .into_iter()
        .find_map(LanguageCode::parse)
}

/// What a placeholder stands for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum HiddenKind {
    Phone,
    Email,
}

impl HiddenKind {
    fn label(self) -> &'static str {
        match self {
            HiddenKind::Phone => "PHONE",
            HiddenKind::Email => "EMAIL",
        }
    }
}

/// One phone number or address taken out of a text, and the placeholder it left.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Hidden {
    pub kind: HiddenKind,
    /// `[PHONE 1]`, `[EMAIL 2]`.
    pub placeholder: String,
    pub original: String,
}

/// A text with its phone numbers and e-mail addresses replaced by placeholders.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Masked {
    pub text: String,
    pub hidden: Vec<Hidden>,
}

/// Digits a run needs to count as a phone number: fewer are prices, ages, house numbers.
const MIN_PHONE_DIGITS: usize = 7;
/// E.164 allows 15 digits; a longer run is an id or an account number, hidden all the same.
const MAX_PHONE_DIGITS: usize = 20;

/// Replaces every e-mail address and phone number in `text` with `[EMAIL n]` / `[PHONE n]`
/// (the same value twice gets the same placeholder), so that a translation service never
/// receives them. What counts as a phone number errs towards hiding: a run of 7 or more
/// digits with spaces, dots, dashes or brackets between them, except a date written
/// `2026-12-07` or `07.12.2026`.
pub fn mask_contact_details(text: &str) -> Masked {
    let mut hidden: Vec<Hidden> = Vec::new();
    let without_emails = replace_spans(text, email_spans(text), HiddenKind::Email, &mut hidden);
    let spans = phone_spans(&without_emails);
    let text = replace_spans(&without_emails, spans, HiddenKind::Phone, &mut hidden);
    Masked { text, hidden }
}

fn replace_spans(
    text: &str,
    spans: Vec<(usize, usize)>,
    kind: HiddenKind,
    hidden: &mut Vec<Hidden>,
) -> String {
    let mut out = String::with_capacity(text.len());
    let mut copied = 0;
    for (start, end) in spans {
        out.push_str(&text[copied..start]);
        let original = &text[start..end];
        let placeholder = match hidden
            .iter()
            .find(|known| known.kind == kind && known.original == original)
        {
            Some(known) => known.placeholder.clone(),
            None => {
                let number = hidden.iter().filter(|known| known.kind == kind).count() + 1;
                let placeholder = format!("[{} {number}]", kind.label());
                hidden.push(Hidden {
                    kind,
                    placeholder: placeholder.clone(),
                    original: original.to_owned(),
                });
                placeholder
            }
        };
        out.push_str(&placeholder);
        copied = end;
    }
    out.push_str(&text[copied..]);
    out
}

fn is_local_part(c: char) -> bool {
    c.is_ascii_alphanumeric() || "._%+-".contains(c)
}

fn is_domain_part(c: char) -> bool {
    c.is_ascii_alphanumeric() || c == '.' || c == '-'
}

/// Byte ranges of `local@domain.tld` addresses.
fn email_spans(text: &str) -> Vec<(usize, usize)> {
    let mut spans = Vec::new();
    let mut searched = 0;
    while let Some(found) = text[searched..].find('@') {
        let at = searched + found;
        let start = text[..at]
            .char_indices()
            .rev()
            .take_while(|(_, c)| is_local_part(*c))
            .last()
            .map_or(at, |(index, _)| index);
        let domain_len: usize = text[at + 1..]
            .chars()
            .take_while(|c| is_domain_part(*c))
            .map(char::len_utf8)
            .sum();
        // A sentence's full stop after the address is not part of it.
        let domain = text[at + 1..at + 1 + domain_len].trim_end_matches(['.', '-']);
        let end = at + 1 + domain.len();
        let tld_ok = domain.rsplit_once('.').is_some_and(|(name, tld)| {
            !name.is_empty() && tld.len() >= 2 && tld.chars().all(|c| c.is_ascii_alphabetic())
        });
        let overlaps = spans.last().is_some_and(|(_, last_end)| start < *last_end);
        if start < at && tld_ok && !domain.starts_with('.') && !overlaps {
            spans.push((start, end));
            searched = end;
        } else {
            searched = at + 1;
        }
    }
    spans
}

fn is_phone_separator(c: char) -> bool {
    matches!(c, ' ' | '-' | '.' | '(' | ')' | '\u{a0}')
}

/// Byte ranges of digit runs that look like phone numbers (see [`mask_contact_details`]).
fn phone_spans(text: &str) -> Vec<(usize, usize)> {
    let chars: Vec<(usize, char)> = text.char_indices().collect();
    let mut spans = Vec::new();
    let mut index = 0;
    while index < chars.len() {
        let (start, c) = chars[index];
        let next_is_digit = chars
            .get(index + 1)
            .is_some_and(|(_, next)| next.is_ascii_digit());
        let after_word = index > 0 && chars[index - 1].1.is_alphanumeric();
        let begins =
            !after_word && (c.is_ascii_digit() || (matches!(c, '+' | '(') && next_is_digit));
        if !begins {
            index += 1;
            continue;
        }
        // Extend over digits and separators; the run ends after its last digit.
        let mut last_digit = None;
        let mut digits = 0;
        let mut cursor = index;
        while let Some(&(_, c)) = chars.get(cursor) {
            if c.is_ascii_digit() {
                digits += 1;
                last_digit = Some(cursor);
            } else if !(is_phone_separator(c) || (cursor == index && c == '+')) {
                break;
            }
            cursor += 1;
        }
        let Some(last) = last_digit else {
            index += 1;
            continue;
        };
        let end = chars.get(last + 1).map_or(text.len(), |(at, _)| *at);
        if (MIN_PHONE_DIGITS..=MAX_PHONE_DIGITS).contains(&digits) && !is_date(&text[start..end]) {
            spans.push((start, end));
        }
        index = last + 1;
    }
    spans
}

/// `2026-12-07`, `07.12.2026`, `07-12-2026`: dates, which a translation needs.
fn is_date(run: &str) -> bool {
    let groups: Vec<&str> = run.split(['-', '.']).collect();
    let lengths: Vec<usize> = groups.iter().map(|group| group.len()).collect();
    groups
        .iter()
        .all(|group| !group.is_empty() && group.chars().all(|c| c.is_ascii_digit()))
        && (lengths == [4, 2, 2] || lengths == [2, 2, 4])
}

/// Puts the originals back in a translation where its placeholders are. Services may change
/// a placeholder's case or spacing (`[phone 1]`, `[ PHONE 1 ]`); those are recognised too.
/// A placeholder the service translated stays as it wrote it.
pub fn unmask(translated: &str, hidden: &[Hidden]) -> String {
    if hidden.is_empty() {
        return translated.to_owned();
    }
    let mut out = String::with_capacity(translated.len());
    let mut rest = translated;
    while let Some(open) = rest.find('[') {
        out.push_str(&rest[..open]);
        let after = &rest[open..];
        let Some(close) = after.find(']') else {
            out.push_str(after);
            return out;
        };
        let inside = &after[1..close];
        let normalised = inside
            .split_whitespace()
            .collect::<Vec<_>>()
            .join(" ")
            .to_uppercase();
        match hidden
            .iter()
            .find(|item| item.placeholder[1..item.placeholder.len() - 1] == normalised)
        {
            Some(item) => out.push_str(&item.original),
            None => out.push_str(&after[..=close]),
        }
        rest = &after[close + 1..];
    }
    out.push_str(rest);
    out
}

/// What a chat model is told: translate, keep placeholders, answer as JSON.
pub fn chat_instructions(target: &LanguageCode, target_name: Option<&str>) -> String {
    let target = match target_name {
        Some(name) => format!("{name} (ISO 639-1 code \"{target}\")"),
        None => format!("the language with ISO 639-1 code \"{target}\""),
    };
    format!(
        "You translate messages for a helpline's shared inbox. Translate the user's message \
         into {target}. Do not answer it, add to it or leave anything out. Keep placeholders in \
         square brackets, such as [PHONE 1] or [EMAIL 1], exactly as they are. Reply with only \
         a JSON object: {{\"language\": \"<ISO 639-1 code of the language the message was \
         written in>\", \"translation\": \"<the translated message>\"}}"
    )
}

/// A chat model's translation, read from its answer.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ChatTranslation {
    pub text: String,
    pub detected: Option<LanguageCode>,
}

/// Why a chat model's answer is not a translation.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum ChatAnswerRefused {
    #[error("the answer holds no JSON object")]
    NoJson,
    #[error("the answer's JSON has no \"translation\" text")]
    NoTranslation,
}

#[derive(Deserialize)]
struct ChatAnswer {
    translation: Option<String>,
    language: Option<String>,
}

/// Reads `{"language": "es", "translation": "…"}` from a model's answer, also when it is
/// wrapped in a Markdown code fence or has words around it (small local models do both). A
/// language that is not a code is left out rather than refusing the translation.
pub fn parse_chat_answer(content: &str) -> Result<ChatTranslation, ChatAnswerRefused> {
    let start = content.find('{').ok_or(ChatAnswerRefused::NoJson)?;
    let end = content.rfind('}').ok_or(ChatAnswerRefused::NoJson)?;
    if end < start {
        return Err(ChatAnswerRefused::NoJson);
    }
    let answer: ChatAnswer =
        serde_json::from_str(&content[start..=end]).map_err(|_| ChatAnswerRefused::NoJson)?;
    let text = answer
        .translation
        .filter(|text| !text.trim().is_empty())
        .ok_or(ChatAnswerRefused::NoTranslation)?;
    Ok(ChatTranslation {
        text,
        detected: answer.language.as_deref().and_then(LanguageCode::parse),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn code(text: &str) -> LanguageCode {
        LanguageCode::parse(text).unwrap()
    }

    #[test]
    fn language_codes_keep_the_primary_subtag() {
        assert_eq!(code("ES").as_str(), "es");
        assert_eq!(code("pt-BR").as_str(), "pt");
        assert_eq!(code("es_419").as_str(), "es");
        assert_eq!(code("fil").as_str(), "fil");
        for refused in ["", "e", "espanol", "1a", "*"] {
            assert_eq!(LanguageCode::parse(refused), None, "{refused}");
        }
    }

    #[test]
    fn the_preferred_language_is_the_heaviest_tag() {
        assert_eq!(
            preferred_language("fr-CH, fr;q=0.9, en;q=0.8"),
            Some(code("fr"))
        );
        assert_eq!(preferred_language("en;q=0.5, ar"), Some(code("ar")));
        assert_eq!(preferred_language("*, de;q=0"), None);
        assert_eq!(preferred_language(""), None);
    }

    #[test]
    fn phone_numbers_and_addresses_become_placeholders() {
        let masked = mask_contact_details(
            "Llámame al +34 612 345 678 o escribe a ana.perez@example.org. Otra vez: +34 612 345 678, (555) 123-4567.",
        );
        assert_eq!(
            masked.text,
            "Llámame al [PHONE 1] o escribe a [EMAIL 1]. Otra vez: [PHONE 1], [PHONE 2]."
        );
        assert_eq!(masked.hidden.len(), 3);
        assert_eq!(masked.hidden[0].original, "ana.perez@example.org");
        assert_eq!(masked.hidden[1].original, "+34 612 345 678");
        assert_eq!(masked.hidden[2].original, "(555) 123-4567");
        assert!(
            !masked
                .text
                .contains(|c: char| c.is_ascii_digit() && c != '1' && c != '2')
        );
    }

    #[test]
    fn short_numbers_and_dates_stay() {
        for text in [
            "I have 3 children and 2 cats",
            "It costs 25.50 euros",
            "Come on 2026-12-07 or 07.12.2026",
            "Room 12345",
            "user@localhost has no domain",
        ] {
            let masked = mask_contact_details(text);
            assert_eq!(masked.text, text);
            assert!(masked.hidden.is_empty(), "{text}");
        }
    }

    #[test]
    fn numbers_inside_words_are_not_started_there() {
        let masked = mask_contact_details("Code AB1234567 and 0612345678");
        assert_eq!(masked.text, "Code AB1234567 and [PHONE 1]");
    }

    #[test]
    fn originals_go_back_where_the_placeholders_are() {
        let masked = mask_contact_details("Call 0612 345 678 or mail me@example.org");
        let translated = "Llama al [phone 1] o escribe a [ EMAIL  1 ] [PHONE 9] [unrelated]";
        assert_eq!(
            unmask(translated, &masked.hidden),
            "Llama al 0612 345 678 o escribe a me@example.org [PHONE 9] [unrelated]"
        );
        assert_eq!(unmask("no brackets [", &masked.hidden), "no brackets [");
        assert_eq!(unmask("[PHONE 1]", &[]), "[PHONE 1]");
    }

    #[test]
    fn a_chat_answer_is_read_from_json_anywhere_in_it() {
        let plain = parse_chat_answer(r#"{"language": "es", "translation": "Hello"}"#).unwrap();
        assert_eq!(plain.text, "Hello");
        assert_eq!(plain.detected, Some(code("es")));
        let fenced = parse_chat_answer(
            "Sure!\n```json\n{\"translation\": \"Hi [PHONE 1]\", \"language\": \"Spanish\"}\n```",
        )
        .unwrap();
        assert_eq!(fenced.text, "Hi [PHONE 1]");
        assert_eq!(fenced.detected, None, "a name is not a code");
    }

    #[test]
    fn garbage_is_not_a_translation() {
        assert_eq!(
            parse_chat_answer("I cannot help with that."),
            Err(ChatAnswerRefused::NoJson)
        );
        assert_eq!(parse_chat_answer("} {"), Err(ChatAnswerRefused::NoJson));
        assert_eq!(
            parse_chat_answer(r#"{"language": "es"}"#),
            Err(ChatAnswerRefused::NoTranslation)
        );
        assert_eq!(
            parse_chat_answer(r#"{"translation": "  "}"#),
            Err(ChatAnswerRefused::NoTranslation)
        );
    }

    #[test]
    fn the_instructions_name_the_target_and_the_placeholders() {
        let text = chat_instructions(&code("es"), Some("Spanish"));
        assert!(text.contains("Spanish (ISO 639-1 code \"es\")"));
        assert!(text.contains("[PHONE 1]"));
        assert!(text.contains("\"translation\""));
    }
}
