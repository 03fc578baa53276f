//! Supervision's rules: how long someone counts as online, how long a contact has waited, and
//! what a coordinator may write when approving or rejecting a trainee's reply.

/// Browsers say a conversation is open every 8 seconds and a live stream checks in every 10:
/// someone not heard of for this long has closed Switchboard.
pub const ONLINE_FOR_MS: i64 = 30_000;

const MAX_REPLY_CHARS: usize = 4096;
const MAX_NOTE_CHARS: usize = 1000;

/// Whole seconds a contact has waited since `waiting_since`, never negative (clocks differ).
pub fn waited_seconds(waiting_since: i64, now_ms: i64) -> i64 {
    (now_ms - waiting_since).max(0) / 1000
}

#[derive(Debug, PartialEq, Eq, thiserror::Error)]
pub enum ReviewRefused {
    #[error("Write the reply to send: 1 to {MAX_REPLY_CHARS} characters.")]
    BadReply,
    #[error("Only a text reply can be edited; approve it as it is, or reject it.")]
    NotEditable,
    #[error("Say why the reply is rejected: 1 to {MAX_NOTE_CHARS} characters.")]
    BadNote,
}

#[derive(Debug, PartialEq, Eq, thiserror::Error)]
#[error("You joined this conversation to read along: write a note, or take it over to reply.")]
pub struct ReadingAlong;

/// Someone who joined a conversation to read along writes notes only, until it is theirs.
pub fn reader_may_reply(joined: bool, is_assignee: bool) -> Result<(), ReadingAlong> {
    match joined && !is_assignee {
        true => Err(ReadingAlong),
        false => Ok(()),
    }
}

/// The text to send instead of the trainee's, trimmed. Only a plain text reply can be edited:
/// a template's or a file's text is not what the provider sends.
pub fn edited_reply(kind: &str, body: &str) -> Result<String, ReviewRefused> {
    if kind != "text" {
        return Err(ReviewRefused::NotEditable);
    }
    let body = body.trim();
    if body.is_empty() || body.chars().count() > MAX_REPLY_CHARS {
        return Err(ReviewRefused::BadReply);
    }
    Ok(body.to_owned())
}

/// The coordinator's note on a rejected reply, trimmed.
pub fn rejection_note(note: &str) -> Result<String, ReviewRefused> {
    let note = note.trim();
    if note.is_empty() || note.chars().count() > MAX_NOTE_CHARS {
        return Err(ReviewRefused::BadNote);
    }
    Ok(note.to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn waiting_is_counted_in_whole_seconds_and_never_below_zero() {
        assert_eq!(waited_seconds(1_000, 62_999), 61);
        assert_eq!(waited_seconds(5_000, 4_000), 0);
    }

    #[test]
    fn only_text_replies_are_edited_and_never_to_nothing() {
        assert_eq!(
            edited_reply("text", "  Hello Dana \n"),
            Ok("Hello Dana".into())
        );
        assert_eq!(edited_reply("text", "   "), Err(ReviewRefused::BadReply));
        assert_eq!(
            edited_reply("text", &"a".repeat(4097)),
            Err(ReviewRefused::BadReply)
        );
        assert_eq!(
            edited_reply("template", "Hi"),
            Err(ReviewRefused::NotEditable)
        );
    }

    #[test]
    fn joining_to_read_along_allows_notes_only_until_taking_over() {
        assert_eq!(reader_may_reply(true, false), Err(ReadingAlong));
        assert_eq!(reader_may_reply(true, true), Ok(()));
        assert_eq!(reader_may_reply(false, false), Ok(()));
    }

    #[test]
    fn a_rejection_says_why() {
        assert_eq!(rejection_note(" Too informal "), Ok("Too informal".into()));
        assert_eq!(rejection_note(""), Err(ReviewRefused::BadNote));
        assert_eq!(
            rejection_note(&"x".repeat(1001)),
            Err(ReviewRefused::BadNote)
        );
    }
}
