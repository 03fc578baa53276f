//! Search across message text and contacts' names and numbers, within what the person may see.

use app::error::AppError;
use app::model::{ChannelKind, Permission, SearchHit};
use app::ports::Actor;

use super::settings::NumberView;
use super::{Services, rfc3339};
use crate::store::{SearchRequest, SearchRow, SearchScope};

const MIN_QUERY_CHARS: usize = 2;
const MAX_QUERY_CHARS: usize = 200;
const HIT_LIMIT: i64 = 50;
/// Words of a snippet, and how many of them come before the matching word.
const SNIPPET_WORDS: usize = 24;
const SNIPPET_WORDS_BEFORE: usize = 6;
/// A snippet never grows past this, whatever the length of its words (links, say).
const SNIPPET_MAX_CHARS: usize = 200;

impl Services {
    /// Hits newest first: conversations whose contact matched, then messages. Volunteers find
    /// only conversations assigned to them or to no one, as in the inbox.
    pub async fn search(&self, actor: &Actor, query: &str) -> Result<Vec<SearchHit>, AppError> {
        actor.require(Permission::AnswerConversations)?;
        let query = query.trim();
        let length = query.chars().count();
        if length < MIN_QUERY_CHARS {
            return Err(AppError::unprocessable(format!(
                "Type at least {MIN_QUERY_CHARS} characters to search."
            )));
        }
        if length > MAX_QUERY_CHARS {
            return Err(AppError::unprocessable(format!(
                "A search can be at most {MAX_QUERY_CHARS} characters long."
            )));
        }
        // SQLite's full-text search fails on a NUL and PostgreSQL cannot take one as text;
        // no stored text holds one, so nothing would be found.
        if query.contains('\0') {
            return Err(AppError::nul_in_text());
        }
        let scope = if actor.role.can(Permission::SeeAllConversations) {
            SearchScope::Everyone
        } else {
            SearchScope::AssignedToOrUnassigned {
                person: actor.id,
                resolved_since: self.access_cutoff(actor).await?,
            }
        };
        let numbers = self.number_view(actor).await?;
        let rows = self
            .store
            .search(SearchRequest {
                text: query,
                scope,
                match_numbers: numbers != NumberView::Masked,
                limit: HIT_LIMIT,
            })
            .await?;
        let contact_ids: Vec<i64> = rows.iter().map(|row| row.contact_id).collect();
        self.record_reveal(actor, numbers, &contact_ids).await?;
        Ok(rows
            .into_iter()
            .map(|row| hit_of(row, query, numbers))
            .collect())
    }
}

fn hit_of(row: SearchRow, query: &str, numbers: NumberView) -> SearchHit {
    SearchHit {
        conversation_id: row.conversation_id,
        message_id: row.message_id,
        snippet: snippet(&row.text, query),
        contact_name: row.contact_name,
        contact_address: row
            .contact_address
            .map(|address| numbers.show(&address))
            .unwrap_or_default(),
        channel_kind: ChannelKind::parse(&row.channel_kind).unwrap_or(ChannelKind::Twilio),
        at: rfc3339(row.at),
    }
}

/// The words of `text` around the first one containing a word of the query, on one line, with
/// `…` where text was left out. The database's own match may differ (diacritics folded, a
/// word split at a hyphen); the snippet then starts at the beginning, which still reads well.
fn snippet(text: &str, query: &str) -> String {
    let needles: Vec<String> = query
        .split_whitespace()
        .map(|word| {
            word.trim_matches(|c: char| !c.is_alphanumeric())
                .to_lowercase()
        })
        .filter(|needle| !needle.is_empty())
        .collect();
    let words: Vec<&str> = text.split_whitespace().collect();
    let first_match = words
        .iter()
        .position(|word| {
            let word = word.to_lowercase();
            needles.iter().any(|needle| word.contains(needle.as_str()))
        })
        .unwrap_or(0);
    // Words before the match, but never fewer words in all than a snippet can hold.
    let start = first_match
        .saturating_sub(SNIPPET_WORDS_BEFORE)
        .min(words.len().saturating_sub(SNIPPET_WORDS));
    let end = words.len().min(start + SNIPPET_WORDS);
    let mut snippet = words[start..end].join(" ");
    if snippet.chars().count() > SNIPPET_MAX_CHARS {
        snippet = snippet.chars().take(SNIPPET_MAX_CHARS).collect();
        snippet.push('…');
    } else if end < words.len() {
        snippet.push_str(" …");
    }
    if start > 0 {
        snippet.insert_str(0, "… ");
    }
    snippet
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_short_text_is_shown_whole_on_one_line() {
        assert_eq!(
            snippet("Is the food bank\nopen on Saturday?", "food"),
            "Is the food bank open on Saturday?"
        );
    }

    #[test]
    fn a_long_text_is_cut_around_the_first_match() {
        let text = (1..=100)
            .map(|n| {
                if n == 50 {
                    "Rent".to_string()
                } else {
                    format!("w{n}")
                }
            })
            .collect::<Vec<_>>()
            .join(" ");
        let cut = snippet(&text, "\"rent*");
        assert!(cut.starts_with("… w44 "), "{cut}");
        assert!(cut.contains(" Rent "), "{cut}");
        assert!(cut.ends_with(" w67 …"), "{cut}");
    }

    #[test]
    fn a_match_near_the_end_keeps_the_words_before_it() {
        let text = "My landlord wants the rent by Friday, where can I find a shelter?";
        assert_eq!(snippet(text, "shelter"), text);
    }

    #[test]
    fn without_a_visible_match_the_snippet_starts_at_the_beginning() {
        assert_eq!(snippet("Un café, por favor", "cafe"), "Un café, por favor");
    }

    #[test]
    fn very_long_words_are_cut_to_the_limit() {
        let cut = snippet(&"x".repeat(1000), "xx");
        assert_eq!(cut.chars().count(), SNIPPET_MAX_CHARS + 1);
        assert!(cut.ends_with('…'));
    }
}
