//! Erasure is final, so it asks for the contact's name or number typed out. Pure rules.

/// What is compared: letters lowercased, spaces, dashes, dots and brackets dropped, and a
/// leading `+` (or `00`) ignored, so `+44 7700-900111` and `447700900111` are the same.
fn comparable(text: &str) -> String {
    let kept: String = text
        .chars()
        .filter(|c| !c.is_whitespace() && !matches!(c, '-' | '.' | '(' | ')'))
        .flat_map(char::to_lowercase)
        .collect();
    let kept = kept.strip_prefix('+').unwrap_or(&kept);
    kept.strip_prefix("00").unwrap_or(kept).to_string()
}

/// Whether `typed` names this contact: their name, or one of their numbers or ids.
pub fn confirmed(typed: &str, name: &str, addresses: &[String]) -> bool {
    let typed = comparable(typed);
    !typed.is_empty()
        && std::iter::once(name)
            .chain(addresses.iter().map(String::as_str))
            .any(|known| comparable(known) == typed)
}

#[cfg(test)]
mod tests {
    use super::confirmed;

    #[test]
    fn the_name_or_a_number_in_any_usual_form_confirms() {
        let numbers = ["+447700900111".to_string()];
        for typed in [
            "Dana Okafor",
            " dana okafor ",
            "+447700900111",
            "+44 7700 900111",
            "0044-7700-900111",
            "447700900111",
        ] {
            assert!(confirmed(typed, "Dana Okafor", &numbers), "{typed}");
        }
    }

    #[test]
    fn anything_else_does_not() {
        let numbers = ["+447700900111".to_string()];
        for typed in [
            "",
            "  ",
            "Dana",
            "+447700900112",
            "7700900111",
            "Dana Okafor!",
        ] {
            assert!(!confirmed(typed, "Dana Okafor", &numbers), "{typed:?}");
        }
        assert!(
            !confirmed("", "", &[]),
            "a contact with no name is not confirmed by nothing"
        );
    }
}
