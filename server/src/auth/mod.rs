//! Who is making a request: passwords, API tokens, sessions and the throttle on failed sign-ins.

pub mod layer;
pub mod password;
pub mod throttle;
pub mod tokens;

use serde::{Deserialize, Serialize};

/// What a session remembers about its signed-in person.
#[derive(Clone, Copy, Debug, Serialize, Deserialize)]
pub struct SessionAuth {
    pub user_id: i64,
    /// Epoch milliseconds; the absolute session lifetime runs from it.
    pub signed_in_at: i64,
}
