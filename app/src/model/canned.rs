//! Canned responses as the composer offers them.

use serde::{Deserialize, Serialize};

/// A snippet the composer inserts: `shortcut` names it, `body` is the text.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CannedResponse {
    pub id: i64,
    pub shortcut: String,
    pub body: String,
}

/// What a coordinator gives to add one.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CannedResponseInput {
    pub shortcut: String,
    pub body: String,
}
