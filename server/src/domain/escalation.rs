//! Escalation: the risk words and phrases admins list, and whether a message's text holds one.
//!
//! Matching is by whole words, ignoring case and accents, in any language: text is folded
//! (compatibility-decomposed, combining marks dropped, lower-cased) and cut into words at
//! everything that is not a letter or digit, so "SUICIDE," holds "suicide" and "Suicídio"
//! matches "suicidio", while "skill" does not hold "kill". A phrase matches its words in order
//! with any spaces or punctuation between them. Scripts written without spaces (Chinese,
//! Japanese, Thai) have no word boundaries to find, so there each character counts as a word:
//! an entry matches wherever its characters appear in a row.

use unicode_normalization::UnicodeNormalization;
use unicode_normalization::char::is_combining_mark;

/// The most entries the list holds.
pub const MAX_RISK_WORDS: usize = 500;
/// The longest entry, in characters.
pub const MAX_RISK_WORD_CHARS: usize = 100;

/// Why a list of risk words was refused, in words an admin can act on.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum RiskWordsRefused {
    #[error("List at most {MAX_RISK_WORDS} risk words or phrases (this list has {0}).")]
    TooMany(usize),
    #[error(
        "A risk word or phrase has at most {MAX_RISK_WORD_CHARS} characters: “{0}…” is longer."
    )]
    TooLong(String),
    #[error("“{0}” has no letters or digits to match.")]
    NothingToMatch(String),
}

/// Scripts written without spaces between words: each of their characters is a word.
fn written_without_spaces(c: char) -> bool {
    matches!(c,
        '\u{0E00}'..='\u{0E7F}'   // Thai
        | '\u{0E80}'..='\u{0EFF}' // Lao
        | '\u{1000}'..='\u{109F}' // Myanmar
        | '\u{1780}'..='\u{17FF}' // Khmer
        | '\u{3040}'..='\u{30FF}' // Hiragana, Katakana
        | '\u{3400}'..='\u{4DBF}' // CJK extension A
        | '\u{4E00}'..='\u{9FFF}' // CJK unified ideographs
        | '\u{F900}'..='\u{FAFF}' // CJK compatibility ideographs
        | '\u{20000}'..='\u{2FA1F}')
}

/// The words of `text`, folded: no case, no accents, compatibility forms made plain
/// (full-width letters, ligatures).
pub fn words(text: &str) -> Vec<String> {
    let mut words = Vec::new();
    let mut word = String::new();
    for c in text.nfkd().filter(|c| !is_combining_mark(*c)) {
        if written_without_spaces(c) {
            if !word.is_empty() {
                words.push(std::mem::take(&mut word));
            }
            words.push(c.to_string());
        } else if c.is_alphanumeric() {
            // Lower-casing may itself leave a combining mark (the dot of Turkish İ).
            word.extend(c.to_lowercase().filter(|c| !is_combining_mark(*c)));
        } else if !word.is_empty() {
            words.push(std::mem::take(&mut word));
        }
    }
    if !word.is_empty() {
        words.push(word);
    }
    words
}

/// A list ready to match messages against: each entry with its folded words.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct RiskWords {
    entries: Vec<(String, Vec<String>)>,
}

impl RiskWords {
    /// The list as stored (already checked by [`clean_list`]); an entry with nothing to match
    /// is skipped.
    pub fn new(list: &[String]) -> RiskWords {
        RiskWords {
            entries: list
                .iter()
                .map(|entry| (entry.clone(), words(entry)))
                .filter(|(_, words)| !words.is_empty())
                .collect(),
        }
    }

    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// The first entry of the list (in the list's order) that `text` holds, as the admin wrote
    /// it.
    pub fn first_match(&self, text: &str) -> Option<&str> {
        if self.entries.is_empty() {
            return None;
        }
        let text = words(text);
        self.entries
            .iter()
            .find(|(_, phrase)| {
                text.windows(phrase.len())
                    .any(|run| run == phrase.as_slice())
            })
            .map(|(entry, _)| entry.as_str())
    }
}

/// The list as an admin saves it: entries trimmed, inner whitespace made single spaces, empty
/// lines and repeats (by their folded words, so "Suicide" repeats "suicide") dropped, the
/// first spelling kept. Refused when too long, or when an entry is too long or has nothing to
/// match.
pub fn clean_list(list: &[String]) -> Result<Vec<String>, RiskWordsRefused> {
    let mut kept: Vec<String> = Vec::new();
    let mut seen: Vec<Vec<String>> = Vec::new();
    for entry in list {
        let entry = entry.split_whitespace().collect::<Vec<_>>().join(" ");
        if entry.is_empty() {
            continue;
        }
        if entry.chars().count() > MAX_RISK_WORD_CHARS {
            let start: String = entry.chars().take(20).collect();
            return Err(RiskWordsRefused::TooLong(start));
        }
        let folded = words(&entry);
        if folded.is_empty() {
            return Err(RiskWordsRefused::NothingToMatch(entry));
        }
        if !seen.contains(&folded) {
            seen.push(folded);
            kept.push(entry);
        }
    }
    if kept.len() > MAX_RISK_WORDS {
        return Err(RiskWordsRefused::TooMany(kept.len()));
    }
    Ok(kept)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn list(entries: &[&str]) -> Vec<String> {
        entries.iter().map(|entry| (*entry).to_owned()).collect()
    }

    fn first_match<'a>(risk: &'a RiskWords, text: &str) -> Option<&'a str> {
        risk.first_match(text)
    }

    #[test]
    fn whole_words_match_whatever_their_case_and_punctuation() {
        let risk = RiskWords::new(&list(&["suicide", "kill"]));
        assert_eq!(
            first_match(&risk, "I think about SUICIDE, often"),
            Some("suicide")
        );
        assert_eq!(first_match(&risk, "kill."), Some("kill"));
        assert_eq!(first_match(&risk, "(Kill)"), Some("kill"));
        assert_eq!(first_match(&risk, "a new skill"), None);
        assert_eq!(first_match(&risk, "killing time"), None);
        assert_eq!(first_match(&risk, "suicides"), None);
        assert_eq!(first_match(&risk, ""), None);
    }

    #[test]
    fn accents_are_ignored_on_either_side() {
        let risk = RiskWords::new(&list(&["Suicídio"]));
        assert_eq!(first_match(&risk, "penso em suicidio"), Some("Suicídio"));
        assert_eq!(first_match(&risk, "PENSO EM SUICÍDIO!"), Some("Suicídio"));
        let risk = RiskWords::new(&list(&["me matar"]));
        assert_eq!(first_match(&risk, "Quero me matár"), Some("me matar"));
        // The same letter written precomposed or with a combining accent.
        let risk = RiskWords::new(&list(&["se\u{301}curite\u{301}"]));
        assert_eq!(
            first_match(&risk, "SÉCURITÉ"),
            Some("se\u{301}curite\u{301}")
        );
    }

    #[test]
    fn phrases_match_across_any_whitespace_and_punctuation_but_in_order() {
        let risk = RiskWords::new(&list(&["kill myself"]));
        assert_eq!(
            first_match(&risk, "I want to kill   myself"),
            Some("kill myself")
        );
        assert_eq!(first_match(&risk, "kill\nmyself"), Some("kill myself"));
        assert_eq!(first_match(&risk, "kill, myself"), Some("kill myself"));
        assert_eq!(first_match(&risk, "myself kill"), None);
        assert_eq!(first_match(&risk, "kill"), None);
        assert_eq!(first_match(&risk, "skill myself"), None);
    }

    #[test]
    fn the_first_entry_in_the_list_wins() {
        let risk = RiskWords::new(&list(&["overdose", "hurt"]));
        assert_eq!(
            first_match(&risk, "hurt, maybe an overdose"),
            Some("overdose")
        );
    }

    #[test]
    fn other_scripts_fold_too() {
        let risk = RiskWords::new(&list(&["УБИТЬ СЕБЯ", "自杀", "ＨＥＬＰ"]));
        assert_eq!(first_match(&risk, "хочу убить себя"), Some("УБИТЬ СЕБЯ"));
        assert_eq!(first_match(&risk, "我想自杀。"), Some("自杀"));
        assert_eq!(first_match(&risk, "help me"), Some("ＨＥＬＰ"));
        assert_eq!(first_match(&risk, "我想自己"), None);
        let risk = RiskWords::new(&list(&["İntihar"]));
        assert_eq!(first_match(&risk, "intihar"), Some("İntihar"));
    }

    #[test]
    fn an_empty_list_matches_nothing() {
        let risk = RiskWords::new(&[]);
        assert!(risk.is_empty());
        assert_eq!(first_match(&risk, "suicide"), None);
    }

    #[test]
    fn a_saved_list_is_trimmed_and_without_repeats() {
        assert_eq!(
            clean_list(&list(&[
                "  suicide ",
                "",
                "   ",
                "SUICIDE",
                "kill \t myself",
                "Kill Myself",
                "Suicídio",
                "suicidio"
            ])),
            Ok(list(&["suicide", "kill myself", "Suicídio"]))
        );
        assert_eq!(clean_list(&[]), Ok(Vec::new()));
    }

    #[test]
    fn a_list_too_long_or_with_unmatchable_entries_is_refused() {
        let too_many: Vec<String> = (0..=MAX_RISK_WORDS).map(|n| format!("word{n}")).collect();
        assert_eq!(
            clean_list(&too_many),
            Err(RiskWordsRefused::TooMany(MAX_RISK_WORDS + 1))
        );
        let enough: Vec<String> = (0..MAX_RISK_WORDS).map(|n| format!("word{n}")).collect();
        assert_eq!(
            clean_list(&enough).map(|kept| kept.len()),
            Ok(MAX_RISK_WORDS)
        );
        assert_eq!(
            clean_list(&["a".repeat(MAX_RISK_WORD_CHARS + 1)]),
            Err(RiskWordsRefused::TooLong("a".repeat(20)))
        );
        assert_eq!(
            clean_list(&["a".repeat(MAX_RISK_WORD_CHARS)]),
            Ok(vec!["a".repeat(MAX_RISK_WORD_CHARS)])
        );
        assert_eq!(
            clean_list(&list(&["?!"])),
            Err(RiskWordsRefused::NothingToMatch("?!".into()))
        );
    }
}
