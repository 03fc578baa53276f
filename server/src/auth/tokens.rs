//! API tokens and other random secrets. Only a SHA-256 of a token is stored: tokens are long and
//! random, so a fast hash is enough and lookups stay a single indexed query.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use rand::RngCore;
use sha2::{Digest, Sha256};

pub const TOKEN_PREFIX: &str = "sb_";

/// 256 random bits, URL-safe.
pub fn random_secret() -> String {
    let mut bytes = [0u8; 32];
    rand::rngs::OsRng.fill_bytes(&mut bytes);
    URL_SAFE_NO_PAD.encode(bytes)
}

pub fn new_api_token() -> String {
    format!("{TOKEN_PREFIX}{}", random_secret())
}

pub fn hash_token(token: &str) -> String {
    hex::encode(Sha256::digest(token.as_bytes()))
}

/// A password for a newly added person to use once: readable groups, about 80 random bits.
pub fn one_time_password() -> String {
    const ALPHABET: &[u8] = b"abcdefghjkmnpqrstuvwxyz23456789";
    let mut bytes = [0u8; 16];
    rand::rngs::OsRng.fill_bytes(&mut bytes);
    let chars: Vec<char> = bytes
        .iter()
        .map(|b| ALPHABET[usize::from(*b) % ALPHABET.len()] as char)
        .collect();
    chars
        .chunks(4)
        .map(|group| group.iter().collect::<String>())
        .collect::<Vec<_>>()
        .join("-")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_are_prefixed_random_and_hash_stably() {
        let first = new_api_token();
        let second = new_api_token();
        assert!(first.starts_with(TOKEN_PREFIX));
        assert_ne!(first, second);
        assert_ne!(hash_token(&first), hash_token(&second));
        // SHA-256 in hex: the stored hash of a token never changes between releases.
        assert_eq!(
            hash_token("sb_example"),
            "7ff0166bcf1304a39aad57815f5632732b7ef8a32cc364e38276515a472f2bfb"
        );
    }

    #[test]
    fn one_time_passwords_pass_the_policy() {
        let password = one_time_password();
        assert_eq!(password.len(), 19);
        assert_eq!(
            crate::domain::password_policy::check(&password, &[]),
            Ok(())
        );
    }
}
