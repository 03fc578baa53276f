//! Full-text search over message text, contact names and, for people who may see them, contacts'
//! phone numbers. SQLite answers from FTS5 tables, PostgreSQL from stored
//! `to_tsvector('simple', …)` columns and their GIN indexes (migrations 0004, 0005), and both
//! find digits in numbers through a trigram index (0022); the rest of the SQL is shared.

use super::{Backend, Store, StoreResult};

/// Whose conversations a search may return, applied in SQL.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SearchScope {
    Everyone,
    /// Conversations assigned to this person or to no one; with `resolved_since`, not those
    /// resolved before it (a volunteer's access to them has ended).
    AssignedToOrUnassigned {
        person: i64,
        resolved_since: Option<i64>,
    },
}

#[derive(Clone, Copy, Debug)]
pub struct SearchRequest<'a> {
    /// What the person typed.
    pub text: &'a str,
    pub scope: SearchScope,
    /// Whether a query that looks like a phone number also matches contacts' numbers. Off for
    /// people who see numbers masked: otherwise they could find a number out digit by digit.
    pub match_numbers: bool,
    pub limit: i64,
}

#[derive(Clone, Debug, PartialEq, Eq, sqlx::FromRow)]
pub struct SearchRow {
    pub conversation_id: i64,
    /// The message that matched; none when the contact's name or number did.
    pub message_id: Option<i64>,
    /// The matching message's text, or the conversation's newest message for a contact match.
    pub text: String,
    pub contact_id: i64,
    pub contact_name: String,
    pub contact_address: Option<String>,
    pub channel_kind: String,
    pub at: i64,
}

/// A query of fewer digits matches too many numbers to be of use.
const MIN_NUMBER_DIGITS: usize = 4;

const HIT_COLUMNS: &str = "c.contact_id, ct.name AS contact_name, \
       (SELECT i.address FROM contact_identities i \
         WHERE i.contact_id = c.contact_id AND i.channel_id = c.channel_id ORDER BY i.id LIMIT 1) AS contact_address, \
       ch.kind AS channel_kind";

const HIT_JOINS: &str =
    "JOIN contacts ct ON ct.id = c.contact_id JOIN channels ch ON ch.id = c.channel_id";

impl Store {
    /// Conversations whose contact's name (or number) matches, then messages whose text
    /// matches, each newest first, at most `limit` in all.
    pub async fn search(&self, request: SearchRequest<'_>) -> StoreResult<Vec<SearchRow>> {
        let words = words(request.text);
        if words.is_empty() {
            return Ok(Vec::new());
        }
        let digits = request
            .match_numbers
            .then(|| phone_digits(request.text))
            .flatten();
        let mut rows = self
            .search_contacts(&words, digits.as_deref(), request.scope, request.limit)
            .await?;
        let remaining = request.limit - rows.len() as i64;
        if remaining > 0 {
            rows.extend(
                self.search_messages(&words, request.scope, remaining)
                    .await?,
            );
        }
        Ok(rows)
    }

    async fn search_contacts(
        &self,
        words: &[&str],
        digits: Option<&str>,
        scope: SearchScope,
        limit: i64,
    ) -> StoreResult<Vec<SearchRow>> {
        // Names are short and few, so the last word may be the start of a name: results come
        // while the name is still being typed.
        let (by_name, query) = match self.backend {
            Backend::Sqlite => (
                "SELECT rowid AS contact_id FROM contacts_fts WHERE contacts_fts MATCH $1",
                fts5_query(words, Prefix::Last),
            ),
            Backend::Postgres => (
                "SELECT id AS contact_id FROM contacts WHERE name_search @@ to_tsquery('simple', $1)",
                tsquery(words, Prefix::Last),
            ),
        };
        let scoped =
            scope_condition(scope).map_or(String::new(), |condition| format!("AND {condition}"));
        // Both answer the LIKE from a trigram index of the addresses (migration 0022).
        let numbers = match self.backend {
            Backend::Sqlite => {
                "contact_identities_digits d JOIN contact_identities i ON i.id = d.rowid \
                 WHERE d.address"
            }
            Backend::Postgres => "contact_identities i WHERE i.address",
        };
        let by_number = match digits {
            Some(_) => format!(
                "UNION SELECT i.contact_id FROM {numbers} LIKE ${}",
                if scoped.is_empty() { 3 } else { 4 }
            ),
            None => String::new(),
        };
        // Both start from the matched contacts rather than walk every conversation in the scope:
        // SQLite does for a CROSS JOIN. PostgreSQL cannot tell how many contacts a name prefix
        // matches and guesses thousands, for which it would hash every conversation (330 ms at
        // a million); a LATERAL subquery with a LIMIT is looked up contact by contact, through
        // the index on `contact_id`. The limit there keeps the result: the newest `$2` of all
        // are among the newest `$2` of each contact. The newest message is looked up for the
        // conversations shown only, not for every match before the sort.
        let conversations = match self.backend {
            Backend::Sqlite => {
                format!(
                    "CROSS JOIN conversations c WHERE c.contact_id = matched.contact_id {scoped}"
                )
            }
            Backend::Postgres => format!(
                "CROSS JOIN LATERAL (SELECT c.id, c.last_message_at FROM conversations c \
                   WHERE c.contact_id = matched.contact_id {scoped} \
                   ORDER BY c.last_message_at DESC, c.id DESC LIMIT $2) c"
            ),
        };
        let sql = format!(
            "SELECT c.id AS conversation_id, CAST(NULL AS BIGINT) AS message_id, \
                    COALESCE((SELECT m.body FROM messages m WHERE m.conversation_id = c.id \
                              ORDER BY m.id DESC LIMIT 1), '') AS text, \
                    {HIT_COLUMNS}, c.last_message_at AS at \
             FROM (SELECT c.id FROM ({by_name} {by_number}) matched {conversations} \
                   ORDER BY c.last_message_at DESC, c.id DESC LIMIT $2) newest \
             JOIN conversations c ON c.id = newest.id {HIT_JOINS} \
             ORDER BY c.last_message_at DESC, c.id DESC"
        );
        let mut statement = sqlx::query_as(&sql).bind(query).bind(limit);
        if let SearchScope::AssignedToOrUnassigned { person, .. } = scope {
            statement = statement.bind(person);
        }
        if let Some(digits) = digits {
            // E.164 addresses are `+` and digits, so the typed digits appear in them as they are.
            statement = statement.bind(format!("+%{digits}%"));
        }
        Ok(statement.fetch_all(&self.pool).await?)
    }

    async fn search_messages(
        &self,
        words: &[&str],
        scope: SearchScope,
        limit: i64,
    ) -> StoreResult<Vec<SearchRow>> {
        // Whole words only: PostgreSQL cannot estimate how many messages a prefix matches.
        match self.backend {
            // Message ids grow with arrival, so FTS5 walks its index backwards from the newest
            // match and stops at the limit, however common or rare the words.
            Backend::Sqlite => {
                let source = MessageSource {
                    with: String::new(),
                    from: "messages_fts JOIN messages m ON m.id = messages_fts.rowid",
                    matches: "AND messages_fts MATCH $1",
                    newest_first: "messages_fts.rowid DESC",
                };
                let query = fts5_query(words, Prefix::None);
                self.matching_messages(source, &query, scope, limit).await
            }
            // PostgreSQL has no index that yields matches newest first, and its planner guesses
            // badly how often a word it has no statistics for occurs: it may check every
            // message for a rare word, or fetch every match of a common one. So look through
            // the newest messages first, which finds common words at once; a rarer word then
            // has few matches, which the index gives quickly.
            Backend::Postgres => {
                let query = tsquery(words, Prefix::None);
                let recent = MessageSource {
                    with: String::new(),
                    from: RECENT_MESSAGES,
                    matches: "AND m.body_search @@ to_tsquery('simple', $1)",
                    newest_first: "m.id DESC",
                };
                let found = self.matching_messages(recent, &query, scope, limit).await?;
                if found.len() as i64 == limit {
                    return Ok(found);
                }
                // Materialized, so the planner cannot turn this back into a walk over every
                // message. The scope is a subquery per match rather than a join, which would
                // read every conversation in it.
                let in_scope = scope_condition(scope).map_or(String::new(), |condition| {
                    format!(
                        "AND (SELECT {condition} FROM conversations c \
                              WHERE c.id = matched.conversation_id)"
                    )
                });
                let every = MessageSource {
                    with: format!(
                        "WITH matched AS MATERIALIZED (\
                           SELECT id, conversation_id FROM messages \
                           WHERE body_search @@ to_tsquery('simple', $1)), \
                         newest AS MATERIALIZED (\
                           SELECT id FROM matched WHERE TRUE {in_scope} ORDER BY id DESC LIMIT $2)"
                    ),
                    from: "newest JOIN messages m ON m.id = newest.id",
                    matches: "",
                    newest_first: "m.id DESC",
                };
                self.matching_messages(every, &query, scope, limit).await
            }
        }
    }

    async fn matching_messages(
        &self,
        source: MessageSource,
        query: &str,
        scope: SearchScope,
        limit: i64,
    ) -> StoreResult<Vec<SearchRow>> {
        let MessageSource {
            with,
            from,
            matches,
            newest_first,
        } = source;
        let scoped =
            scope_condition(scope).map_or(String::new(), |condition| format!("AND {condition}"));
        let sql = format!(
            "{with} SELECT m.conversation_id, m.id AS message_id, m.body AS text, {HIT_COLUMNS}, \
                    COALESCE(m.provider_timestamp, m.created_at) AS at \
             FROM {from} JOIN conversations c ON c.id = m.conversation_id {HIT_JOINS} \
             WHERE TRUE {matches} {scoped} \
             ORDER BY {newest_first} LIMIT $2"
        );
        let mut statement = sqlx::query_as(&sql).bind(query).bind(limit);
        if let SearchScope::AssignedToOrUnassigned { person, .. } = scope {
            statement = statement.bind(person);
        }
        Ok(statement.fetch_all(&self.pool).await?)
    }
}

/// Where matching messages come from, as SQL fragments: `matches` (an `AND …` condition on
/// `$1`, or nothing when `with` already matched) and the order newest first.
struct MessageSource {
    with: String,
    from: &'static str,
    matches: &'static str,
    newest_first: &'static str,
}

/// The newest messages, which a PostgreSQL search looks through first. A LIMIT subquery is
/// planned on its own, so this is always a short walk back along the primary key; checking a
/// stored tsvector costs well under a microsecond a message.
const RECENT_MESSAGES: &str = "(SELECT id, conversation_id, body, body_search, provider_timestamp, \
     created_at FROM messages ORDER BY id DESC LIMIT 20000) m";

/// Whether the last word of a query also matches the start of longer words.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Prefix {
    None,
    Last,
}

/// The condition `scope` puts on a conversation `c`, if any. Its placeholder is always `$3`,
/// bound after the query text and the limit.
fn scope_condition(scope: SearchScope) -> Option<String> {
    match scope {
        SearchScope::Everyone => None,
        SearchScope::AssignedToOrUnassigned {
            resolved_since: None,
            ..
        } => Some("(c.assignee_id = $3 OR c.assignee_id IS NULL)".to_owned()),
        // The moment is a number the server computed, written into the SQL so the numbered
        // parameters after $3 stay where they are.
        SearchScope::AssignedToOrUnassigned {
            resolved_since: Some(since),
            ..
        } => Some(format!(
            "((c.assignee_id = $3 OR c.assignee_id IS NULL) \
              AND (c.status <> 'resolved' OR c.resolved_at IS NULL OR c.resolved_at >= {since}))"
        )),
    }
}

/// The words of a query, split on white space. Words without a letter or digit are dropped:
/// the tokenizers would find nothing in them.
fn words(text: &str) -> Vec<&str> {
    text.split_whitespace()
        .filter(|word| word.chars().any(char::is_alphanumeric))
        .collect()
}

/// An FTS5 query matching every word. Each word is a quoted string, so nothing typed (`"`,
/// `*`, `-`, `:`, `NEAR`, `OR`) is read as FTS5 syntax; the tokenizer splits a word like
/// `e-mail` into a phrase.
fn fts5_query(words: &[&str], prefix: Prefix) -> String {
    let quoted: Vec<String> = words
        .iter()
        .map(|word| format!("\"{}\"", word.replace('"', "\"\"")))
        .collect();
    let star = if prefix == Prefix::Last { "*" } else { "" };
    format!("{}{star}", quoted.join(" "))
}

/// The PostgreSQL `to_tsquery` text for the same: each word a quoted lexeme (quotes doubled,
/// backslashes escaped, so no operator typed is read as one), joined by `&`.
fn tsquery(words: &[&str], prefix: Prefix) -> String {
    let quoted: Vec<String> = words
        .iter()
        .map(|word| format!("'{}'", word.replace('\\', "\\\\").replace('\'', "''")))
        .collect();
    let star = if prefix == Prefix::Last { ":*" } else { "" };
    format!("{}{star}", quoted.join(" & "))
}

/// The digits of a query that looks like a phone number (digits and the usual separators,
/// enough digits to narrow the search), as contact addresses hold them after the `+`.
fn phone_digits(text: &str) -> Option<String> {
    let looks_like_number = text
        .chars()
        .all(|c| c.is_ascii_digit() || " +-().".contains(c));
    let digits: String = text.chars().filter(char::is_ascii_digit).collect();
    (looks_like_number && digits.len() >= MIN_NUMBER_DIGITS).then_some(digits)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn words_without_letters_or_digits_are_dropped() {
        assert_eq!(words("  a* -  \"foo  ( NEAR( "), ["a*", "\"foo", "NEAR("]);
        assert!(words(" - * \" ").is_empty());
    }

    #[test]
    fn fts5_queries_quote_every_word() {
        assert_eq!(fts5_query(&["rent"], Prefix::Last), "\"rent\"*");
        assert_eq!(
            fts5_query(&["\"foo", "a*", "OR", "NEAR("], Prefix::None),
            "\"\"\"foo\" \"a*\" \"OR\" \"NEAR(\""
        );
    }

    #[test]
    fn tsqueries_quote_every_word() {
        assert_eq!(
            tsquery(&["food", "bank"], Prefix::Last),
            "'food' & 'bank':*"
        );
        assert_eq!(
            tsquery(&["it's", "a\\b", "x|!"], Prefix::None),
            "'it''s' & 'a\\\\b' & 'x|!'"
        );
    }

    #[test]
    fn only_number_like_queries_match_numbers() {
        assert_eq!(
            phone_digits("+1 (555) 123-4567"),
            Some("15551234567".into())
        );
        assert_eq!(phone_digits("4567"), Some("4567".into()));
        assert_eq!(phone_digits("456"), None);
        assert_eq!(phone_digits("flat 4567"), None);
    }
}
