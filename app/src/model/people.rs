//! People and tokens as they travel between server and browser, and which role may do what.

use serde::{Deserialize, Serialize};

/// What a person may do in Switchboard. Checked on the server for every action; the UI only uses it
/// to hide what would be refused anyway.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Role {
    Admin,
    Coordinator,
    Volunteer,
}

/// One thing a role may or may not do.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Permission {
    ManagePeople,
    ManageChannels,
    ManageTemplates,
    ManageSettings,
    SeeAllConversations,
    AssignConversations,
    ManageTags,
    ManageCannedResponses,
    AnswerConversations,
    ReadAuditLog,
    /// Erase or export everything held about a contact, on their request.
    HandleDataRequests,
    /// Flag conversations urgent by hand and clear the flag; read the risk words.
    EscalateConversations,
    /// See who is online, join or take over conversations, approve trainees' replies.
    Supervise,
}

impl Role {
    pub const ALL: [Role; 3] = [Role::Admin, Role::Coordinator, Role::Volunteer];

    pub fn as_str(self) -> &'static str {
        match self {
            Role::Admin => "admin",
            Role::Coordinator => "coordinator",
            Role::Volunteer => "volunteer",
        }
    }

    pub fn parse(value: &str) -> Option<Role> {
        Role::ALL.into_iter().find(|role| role.as_str() == value)
    }

    /// Admins run the organisation's setup, coordinators run the queue, volunteers answer.
    /// Each role includes everything of the roles below it.
    pub fn can(self, permission: Permission) -> bool {
        use Permission::*;
        match permission {
            ManagePeople | ManageChannels | ManageTemplates | ManageSettings | ReadAuditLog
            | HandleDataRequests => self == Role::Admin,
            SeeAllConversations
            | AssignConversations
            | ManageTags
            | ManageCannedResponses
            | EscalateConversations
            | Supervise => {
                matches!(self, Role::Admin | Role::Coordinator)
            }
            AnswerConversations => true,
        }
    }
}

/// The signed-in person, as the UI needs to know them.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Me {
    pub id: i64,
    pub email: String,
    pub name: String,
    pub role: Role,
    pub must_change_password: bool,
    /// Their interface language's code, if they chose one; otherwise their browser's is used.
    #[serde(default)]
    pub language: Option<String>,
}

/// A person with access to Switchboard.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Person {
    pub id: i64,
    pub email: String,
    pub name: String,
    pub role: Role,
    pub active: bool,
    pub must_change_password: bool,
    /// RFC 3339.
    pub created_at: String,
    /// Their replies wait for a coordinator's approval before they are sent.
    #[serde(default)]
    pub trainee: bool,
}

/// What an admin gives to add a person.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct NewPerson {
    pub email: String,
    pub name: String,
    pub role: Role,
}

/// A person just added, with the one-time password to hand over; it is shown only this once.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct AddedPerson {
    pub person: Person,
    pub one_time_password: String,
}

/// Changes to a person; absent fields stay as they are.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct PersonChanges {
    pub name: Option<String>,
    pub role: Option<Role>,
    pub active: Option<bool>,
    /// Whether their replies wait for a coordinator's approval.
    #[serde(default)]
    pub trainee: Option<bool>,
}

/// An API token, without its secret.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ApiToken {
    pub id: i64,
    pub name: String,
    /// RFC 3339.
    pub created_at: String,
    /// RFC 3339.
    pub last_used_at: Option<String>,
    /// RFC 3339; after it the token is refused. None: until revoked.
    #[serde(default)]
    pub expires_at: Option<String>,
}

/// A token just created, with its secret; the secret is shown only this once.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CreatedToken {
    pub token: ApiToken,
    pub secret: String,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_admins_manage_the_organisation() {
        for permission in [
            Permission::ManagePeople,
            Permission::ManageChannels,
            Permission::ManageTemplates,
            Permission::ManageSettings,
        ] {
            assert!(Role::Admin.can(permission));
            assert!(!Role::Coordinator.can(permission));
            assert!(!Role::Volunteer.can(permission));
        }
    }

    #[test]
    fn coordinators_run_the_queue_and_volunteers_answer() {
        assert!(Role::Coordinator.can(Permission::AssignConversations));
        assert!(!Role::Volunteer.can(Permission::AssignConversations));
        assert!(!Role::Volunteer.can(Permission::SeeAllConversations));
        assert!(Role::Volunteer.can(Permission::AnswerConversations));
        assert!(Role::Coordinator.can(Permission::EscalateConversations));
        assert!(Role::Admin.can(Permission::EscalateConversations));
        assert!(!Role::Volunteer.can(Permission::EscalateConversations));
    }

    #[test]
    fn roles_round_trip_through_their_names() {
        for role in Role::ALL {
            assert_eq!(Role::parse(role.as_str()), Some(role));
        }
        assert_eq!(Role::parse("owner"), None);
    }
}
