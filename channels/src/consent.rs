//! SMS consent keywords, matched the way Twilio matches them.

/// What a keyword message asks for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ConsentKeyword {
    /// Stop all messages to this number.
    OptOut,
    /// Resume messages after an opt-out.
    OptIn,
    /// Asks who we are and how to stop; must be answered.
    Help,
}

/// Classifies an inbound SMS body. Only a body that is exactly one keyword (ignoring case
/// and surrounding whitespace) counts, as with Twilio: "Please stop by tomorrow" is not an
/// opt-out.
pub fn classify(body: &str) -> Option<ConsentKeyword> {
    const KEYWORDS: [(&str, ConsentKeyword); 11] = [
        ("STOP", ConsentKeyword::OptOut),
        ("STOPALL", ConsentKeyword::OptOut),
        ("UNSUBSCRIBE", ConsentKeyword::OptOut),
        ("CANCEL", ConsentKeyword::OptOut),
        ("END", ConsentKeyword::OptOut),
        ("QUIT", ConsentKeyword::OptOut),
        ("START", ConsentKeyword::OptIn),
        ("YES", ConsentKeyword::OptIn),
        ("UNSTOP", ConsentKeyword::OptIn),
        ("HELP", ConsentKeyword::Help),
        ("INFO", ConsentKeyword::Help),
    ];
    let word = body.trim();
    KEYWORDS
        .iter()
        .find(|(keyword, _)| keyword.eq_ignore_ascii_case(word))
        .map(|&(_, kind)| kind)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn recognises_every_keyword_in_any_case() {
        for word in ["STOP", "stopall", "Unsubscribe", "cancel", "END", "quit"] {
            assert_eq!(classify(word), Some(ConsentKeyword::OptOut), "{word}");
        }
        for word in ["START", "yes", "Unstop"] {
            assert_eq!(classify(word), Some(ConsentKeyword::OptIn), "{word}");
        }
        for word in ["HELP", "info"] {
            assert_eq!(classify(word), Some(ConsentKeyword::Help), "{word}");
        }
    }

    #[test]
    fn trims_whitespace() {
        assert_eq!(classify("  Stop \n"), Some(ConsentKeyword::OptOut));
    }

    #[test]
    fn only_whole_messages_count() {
        for body in [
            "Please stop by tomorrow",
            "stop please",
            "STOP!",
            "helpful",
            "",
            "s t o p",
        ] {
            assert_eq!(classify(body), None, "{body:?}");
        }
    }
}
