//! Rules of the product that know neither HTTP nor SQL.

pub mod password_policy;
pub mod people;
