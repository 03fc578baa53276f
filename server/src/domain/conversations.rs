//! Rules about who does what in a conversation: who may reply when only assignees reply, and
//! whom a note mentions.

/// Why a person may not reply because of assignment, when the organisation lets only the
/// assignee reply.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum AssigneeOnly {
    #[error("Only the person assigned may reply here. Take the conversation to reply.")]
    Unassigned,
    #[error("Only the person assigned ({0}) may reply here.")]
    AssignedToOther(String),
}

pub fn assignee_may_reply(
    only_assignee_replies: bool,
    assignee: Option<(i64, &str)>,
    person: i64,
) -> Result<(), AssigneeOnly> {
    match assignee {
        _ if !only_assignee_replies => Ok(()),
        None => Err(AssigneeOnly::Unassigned),
        Some((id, _)) if id == person => Ok(()),
        Some((_, name)) => Err(AssigneeOnly::AssignedToOther(name.to_owned())),
    }
}

/// The people a note mentions: `@` followed by a person's full name, or by their first name
/// when no one else has it, case-insensitively and not as part of a longer word.
pub fn mentioned_people(body: &str, people: &[(i64, &str)]) -> Vec<i64> {
    let lower = body.to_lowercase();
    let first_name = |name: &str| name.split_whitespace().next().unwrap_or("").to_lowercase();
    people
        .iter()
        .filter(|(_, name)| {
            let full = name.trim().to_lowercase();
            let first = first_name(name);
            let first_is_unique = people
                .iter()
                .filter(|(_, other)| first_name(other) == first)
                .count()
                == 1;
            (!full.is_empty() && mentions(&lower, &full))
                || (first_is_unique && !first.is_empty() && mentions(&lower, &first))
        })
        .map(|(id, _)| *id)
        .collect()
}

fn mentions(text: &str, name: &str) -> bool {
    let needle = format!("@{name}");
    text.match_indices(&needle).any(|(at, _)| {
        text[at + needle.len()..]
            .chars()
            .next()
            .is_none_or(|next| !next.is_alphanumeric())
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    const PEOPLE: &[(i64, &str)] = &[(1, "Ana Lopez"), (2, "Ben Okafor"), (3, "Ana Silva")];

    #[test]
    fn a_full_name_mentions_its_person() {
        assert_eq!(mentioned_people("cc @ana lopez please", PEOPLE), vec![1]);
        assert_eq!(mentioned_people("@Ana Silva, see above", PEOPLE), vec![3]);
    }

    #[test]
    fn a_unique_first_name_is_enough_but_a_shared_one_is_not() {
        assert_eq!(mentioned_people("@ben can you call?", PEOPLE), vec![2]);
        assert!(mentioned_people("@ana can you call?", PEOPLE).is_empty());
    }

    #[test]
    fn a_name_inside_a_longer_word_or_without_at_is_no_mention() {
        assert!(mentioned_people("@benjamin will do it", PEOPLE).is_empty());
        assert!(mentioned_people("ben will do it", PEOPLE).is_empty());
        assert!(mentioned_people("mail ben@example.org", PEOPLE).is_empty());
    }

    #[test]
    fn everyone_mentioned_is_found_once() {
        assert_eq!(
            mentioned_people("@Ben @ben and @Ana Lopez", PEOPLE),
            vec![1, 2]
        );
    }

    #[test]
    fn only_the_assignee_replies_when_the_organisation_says_so() {
        assert_eq!(assignee_may_reply(false, None, 7), Ok(()));
        assert_eq!(assignee_may_reply(true, Some((7, "Ana")), 7), Ok(()));
        assert_eq!(
            assignee_may_reply(true, Some((8, "Ben")), 7),
            Err(AssigneeOnly::AssignedToOther("Ben".into()))
        );
        assert_eq!(
            assignee_may_reply(true, None, 7),
            Err(AssigneeOnly::Unassigned)
        );
    }
}
