//! Webhook signature checks: Meta `X-Hub-Signature-256` and Twilio `X-Twilio-Signature`.
//!
//! Every comparison is constant-time. Callers pass the header value as received, or `None`
//! when the header is absent.

use std::fmt::Write;

use base64::Engine;
use base64::engine::general_purpose::STANDARD as BASE64;
use hmac::{Hmac, KeyInit, Mac};
use sha1::Sha1;
use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;

/// Header carrying Meta's signature (WhatsApp Cloud API and Messenger).
pub const META_HEADER: &str = "X-Hub-Signature-256";
/// Header carrying Twilio's signature.
pub const TWILIO_HEADER: &str = "X-Twilio-Signature";

/// Why a webhook's signature was not accepted.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SignatureError {
    /// The header is absent or empty.
    #[error("signature header is missing")]
    Missing,
    /// The header is not in the provider's format.
    #[error("signature header is malformed: {0}")]
    Malformed(&'static str),
    /// Well-formed, but not made with our secret over this request.
    #[error("signature does not match")]
    Mismatch,
    /// The URL given for a Twilio check cannot be the one Twilio requested.
    #[error("webhook URL is unusable for signature checks: {0}")]
    InvalidUrl(&'static str),
    /// A JSON-body Twilio request whose URL lacks `bodySHA256`.
    #[error("request URL has no bodySHA256 parameter")]
    MissingBodyHash,
    /// The signature is valid but the body is not the one it vouches for.
    #[error("body does not match the bodySHA256 in the URL")]
    BodyHashMismatch,
}

/// The `X-Hub-Signature-256` value Meta would send for `body`: `sha256=<lowercase hex>`.
pub fn meta_signature(app_secret: &str, body: &[u8]) -> String {
    format!(
        "sha256={}",
        hex::encode(meta_mac(app_secret, body).finalize().into_bytes())
    )
}

/// Checks `X-Hub-Signature-256` over the exact bytes received. Re-serialised JSON will not
/// match, because Meta signs its own escaped-unicode encoding.
pub fn verify_meta(
    app_secret: &str,
    body: &[u8],
    header: Option<&str>,
) -> Result<(), SignatureError> {
    let header = present(header)?;
    let hex_digest = header
        .strip_prefix("sha256=")
        .ok_or(SignatureError::Malformed("expected sha256=<hex>"))?;
    let expected = hex::decode(hex_digest)
        .ok()
        .filter(|bytes| bytes.len() == 32)
        .ok_or(SignatureError::Malformed(
            "expected 64 hex digits after sha256=",
        ))?;
    meta_mac(app_secret, body)
        .verify_slice(&expected)
        .map_err(|_| SignatureError::Mismatch)
}

fn meta_mac(app_secret: &str, body: &[u8]) -> Hmac<Sha256> {
    let mut mac = Hmac::<Sha256>::new_from_slice(app_secret.as_bytes())
        .expect("HMAC accepts keys of any length");
    mac.update(body);
    mac
}

/// The `X-Twilio-Signature` value for `url` exactly as given and the form `params`.
pub fn twilio_signature(auth_token: &str, url: &str, params: &[(String, String)]) -> String {
    BASE64.encode(twilio_mac(auth_token, url, params).finalize().into_bytes())
}

/// Checks `X-Twilio-Signature` for a form-encoded request.
///
/// `url` is the full public URL Twilio requested, query string included (rebuild scheme and
/// host when behind a proxy); `params` are the decoded POST parameters (empty for GET).
/// Like Twilio's own libraries, this accepts the URL with and without its port (`:443` or
/// `:80` added when absent, any port removed when present), each also with the query
/// re-encoded as WHATWG URL serialisation does, because Twilio's signing is inconsistent
/// about both.
pub fn verify_twilio(
    auth_token: &str,
    url: &str,
    params: &[(String, String)],
    header: Option<&str>,
) -> Result<(), SignatureError> {
    let expected = BASE64
        .decode(present(header)?)
        .map_err(|_| SignatureError::Malformed("expected base64"))?;
    let matched = url_variants(url)?.iter().any(|variant| {
        twilio_mac(auth_token, variant, params)
            .verify_slice(&expected)
            .is_ok()
    });
    if matched {
        Ok(())
    } else {
        Err(SignatureError::Mismatch)
    }
}

/// Checks a Twilio request with a JSON body: Twilio adds `bodySHA256=<hex SHA-256 of the
/// body>` to the URL and signs the URL alone, so both the signature and the hash must match.
pub fn verify_twilio_json(
    auth_token: &str,
    url: &str,
    body: &[u8],
    header: Option<&str>,
) -> Result<(), SignatureError> {
    let claimed = query_value(url, "bodySHA256").ok_or(SignatureError::MissingBodyHash)?;
    verify_twilio(auth_token, url, &[], header)?;
    let claimed = hex::decode(claimed).map_err(|_| SignatureError::BodyHashMismatch)?;
    if Sha256::digest(body).as_slice().ct_eq(&claimed).into() {
        Ok(())
    } else {
        Err(SignatureError::BodyHashMismatch)
    }
}

fn present(header: Option<&str>) -> Result<&str, SignatureError> {
    header
        .map(str::trim)
        .filter(|h| !h.is_empty())
        .ok_or(SignatureError::Missing)
}

/// Twilio signs the URL followed by each parameter name and value, names sorted, and for a
/// repeated name its distinct values sorted.
fn twilio_mac(auth_token: &str, url: &str, params: &[(String, String)]) -> Hmac<Sha1> {
    let mut pairs: Vec<(&str, &str)> = params
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect();
    pairs.sort_unstable();
    pairs.dedup();
    let mut mac = Hmac::<Sha1>::new_from_slice(auth_token.as_bytes())
        .expect("HMAC accepts keys of any length");
    mac.update(url.as_bytes());
    for (name, value) in pairs {
        mac.update(name.as_bytes());
        mac.update(value.as_bytes());
    }
    mac
}

fn query_value<'a>(url: &'a str, name: &str) -> Option<&'a str> {
    let query = url.split_once('?')?.1;
    let query = query.split_once('#').map_or(query, |(q, _)| q);
    query
        .split('&')
        .find_map(|pair| pair.strip_prefix(name)?.strip_prefix('='))
}

/// The URL spellings Twilio may have signed; see [`verify_twilio`].
fn url_variants(url: &str) -> Result<Vec<String>, SignatureError> {
    let (scheme, rest) = url.split_once("://").ok_or(SignatureError::InvalidUrl(
        "expected an absolute http(s) URL",
    ))?;
    let default_port = match scheme.to_ascii_lowercase().as_str() {
        "https" => "443",
        "http" => "80",
        _ => {
            return Err(SignatureError::InvalidUrl(
                "only http and https URLs are signed",
            ));
        }
    };
    let authority_end = rest.find(['/', '?', '#']).unwrap_or(rest.len());
    let (authority, tail) = rest.split_at(authority_end);
    let (userinfo, host_port) = match authority.rsplit_once('@') {
        Some((userinfo, host_port)) => (format!("{userinfo}@"), host_port),
        None => (String::new(), authority),
    };
    // An IPv6 literal's colons are inside the brackets; a port can only follow them.
    let port_search_start = host_port.rfind(']').map_or(0, |i| i + 1);
    let (host, port) = match host_port[port_search_start..].rfind(':') {
        Some(i) => host_port.split_at(port_search_start + i),
        None => (host_port, ""),
    };
    let port = port.trim_start_matches(':');
    if host.is_empty() {
        return Err(SignatureError::InvalidUrl("URL has no host"));
    }
    if !port.bytes().all(|b| b.is_ascii_digit()) {
        return Err(SignatureError::InvalidUrl("URL port is not a number"));
    }

    let with_port = format!(":{}", if port.is_empty() { default_port } else { port });
    let tails = [tail.to_owned(), whatwg_query(tail)];
    let mut variants = Vec::with_capacity(4);
    for port in [with_port.as_str(), ""] {
        for tail in &tails {
            let variant = format!("{scheme}://{userinfo}{host}{port}{tail}");
            if !variants.contains(&variant) {
                variants.push(variant);
            }
        }
    }
    Ok(variants)
}

/// Percent-encodes the query the way WHATWG URL serialisation does for http(s) URLs, which
/// is what twilio-node compares against (e.g. `'` becomes `%27`).
fn whatwg_query(tail: &str) -> String {
    let Some(start) = tail.find('?') else {
        return tail.to_owned();
    };
    let end = tail[start..].find('#').map_or(tail.len(), |i| start + i);
    let mut out = String::with_capacity(tail.len() + 8);
    out.push_str(&tail[..=start]);
    for &b in &tail.as_bytes()[start + 1..end] {
        if b <= b' ' || b > b'~' || matches!(b, b'"' | b'#' | b'<' | b'>' | b'\'') {
            write!(out, "%{b:02X}").expect("writing to a String cannot fail");
        } else {
            out.push(char::from(b));
        }
    }
    out.push_str(&tail[end..]);
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::Value;

    fn vectors() -> Value {
        let path = concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/tests/fixtures/signature_vectors.json"
        );
        serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
    }

    fn str_field<'a>(vector: &'a Value, field: &str) -> &'a str {
        vector[field]
            .as_str()
            .unwrap_or_else(|| panic!("{} lacks {field}", vector["id"]))
    }

    /// Flattens `{"Name": "v"}` / `{"Name": ["v1", "v2"]}` into form pairs.
    fn params(vector: &Value) -> Vec<(String, String)> {
        let mut pairs = Vec::new();
        for (name, value) in vector["params"].as_object().unwrap() {
            match value {
                Value::Array(values) => {
                    for v in values {
                        pairs.push((name.clone(), v.as_str().unwrap().to_owned()));
                    }
                }
                v => pairs.push((name.clone(), v.as_str().unwrap().to_owned())),
            }
        }
        pairs
    }

    /// Changes the first base64 character, which keeps the value decodable.
    fn tamper(sig: &str) -> String {
        let replacement = if sig.starts_with('A') { "B" } else { "A" };
        format!("{replacement}{}", &sig[1..])
    }

    fn check_twilio_form(vector: &Value) {
        let id = str_field(vector, "id");
        let (secret, expected) = (
            str_field(vector, "secret"),
            str_field(vector, "expected_signature"),
        );
        let params = params(vector);
        assert_eq!(
            twilio_signature(secret, str_field(vector, "signed_url"), &params),
            expected,
            "{id}"
        );

        let request_url = str_field(vector, "request_url");
        assert_eq!(
            verify_twilio(secret, request_url, &params, Some(expected)),
            Ok(()),
            "{id}"
        );
        assert_eq!(
            verify_twilio(secret, request_url, &params, Some(&tamper(expected))),
            Err(SignatureError::Mismatch),
            "{id}"
        );
        assert_eq!(
            verify_twilio("wrong-token", request_url, &params, Some(expected)),
            Err(SignatureError::Mismatch),
            "{id}"
        );
        if let Some((name, _)) = params.first() {
            let mut altered = params.clone();
            altered[0].1.push('9');
            assert_eq!(
                verify_twilio(secret, request_url, &altered, Some(expected)),
                Err(SignatureError::Mismatch),
                "{id}: changing {name} must break the signature"
            );
        }
    }

    fn check_twilio_json(vector: &Value) {
        let id = str_field(vector, "id");
        let (secret, expected) = (
            str_field(vector, "secret"),
            str_field(vector, "expected_signature"),
        );
        let (request_url, body) = (str_field(vector, "request_url"), str_field(vector, "body"));
        assert_eq!(
            hex::encode(Sha256::digest(body.as_bytes())),
            str_field(vector, "expected_body_sha256"),
            "{id}"
        );
        assert_eq!(
            twilio_signature(secret, str_field(vector, "signed_url"), &[]),
            expected,
            "{id}"
        );
        assert_eq!(
            verify_twilio_json(secret, request_url, body.as_bytes(), Some(expected)),
            Ok(()),
            "{id}"
        );
        assert_eq!(
            verify_twilio_json(
                secret,
                request_url,
                b"{\"property\": \"forged\"}",
                Some(expected)
            ),
            Err(SignatureError::BodyHashMismatch),
            "{id}"
        );
        assert_eq!(
            verify_twilio_json(
                secret,
                request_url,
                body.as_bytes(),
                Some(&tamper(expected))
            ),
            Err(SignatureError::Mismatch),
            "{id}"
        );
    }

    fn check_meta(vector: &Value, body: &[u8]) {
        let id = str_field(vector, "id");
        let (secret, expected) = (
            str_field(vector, "secret"),
            str_field(vector, "expected_signature"),
        );
        assert_eq!(meta_signature(secret, body), expected, "{id}");
        assert_eq!(verify_meta(secret, body, Some(expected)), Ok(()), "{id}");
        assert_eq!(
            verify_meta(
                secret,
                body,
                Some(&expected.to_uppercase().replace("SHA256=", "sha256="))
            ),
            Ok(()),
            "{id}: hex case does not matter"
        );
        assert_eq!(
            verify_meta(secret, &[body, b" "].concat(), Some(expected)),
            Err(SignatureError::Mismatch),
            "{id}"
        );
        assert_eq!(
            verify_meta("other", body, Some(expected)),
            Err(SignatureError::Mismatch),
            "{id}"
        );
    }

    #[test]
    fn every_official_and_derived_vector_verifies() {
        let vectors = vectors();
        let mut checked = 0;
        for vector in vectors["vectors"].as_array().unwrap() {
            match str_field(vector, "scheme") {
                "X-Twilio-Signature" => check_twilio_form(vector),
                "X-Twilio-Signature + bodySHA256" => check_twilio_json(vector),
                "X-Hub-Signature-256" => check_meta(vector, str_field(vector, "body").as_bytes()),
                other => panic!("unknown scheme {other}"),
            }
            checked += 1;
        }
        for vector in vectors["derived_not_official"].as_array().unwrap() {
            assert_eq!(str_field(vector, "scheme"), "X-Hub-Signature-256");
            let file = str_field(vector, "body_file").split(' ').next().unwrap();
            let path = format!("{}/tests/fixtures/{file}", env!("CARGO_MANIFEST_DIR"));
            check_meta(vector, &std::fs::read(path).unwrap());
            checked += 1;
        }
        assert_eq!(checked, 16);
    }

    #[test]
    fn meta_header_problems_are_typed() {
        let body = b"test";
        assert_eq!(verify_meta("s", body, None), Err(SignatureError::Missing));
        assert_eq!(
            verify_meta("s", body, Some("  ")),
            Err(SignatureError::Missing)
        );
        let sha1_style = "sha1=0c61947b610d4f45e65f3d680e26027121ec2413";
        assert!(matches!(
            verify_meta("s", body, Some(sha1_style)),
            Err(SignatureError::Malformed(_))
        ));
        assert!(matches!(
            verify_meta("s", body, Some("sha256=abc")),
            Err(SignatureError::Malformed(_))
        ));
        let not_hex = format!("sha256={}", "zz".repeat(32));
        assert!(matches!(
            verify_meta("s", body, Some(&not_hex)),
            Err(SignatureError::Malformed(_))
        ));
    }

    #[test]
    fn twilio_header_and_url_problems_are_typed() {
        let url = "https://example.org/hook";
        assert_eq!(
            verify_twilio("t", url, &[], None),
            Err(SignatureError::Missing)
        );
        assert!(matches!(
            verify_twilio("t", url, &[], Some("%%%")),
            Err(SignatureError::Malformed(_))
        ));
        let sig = twilio_signature("t", url, &[]);
        assert!(matches!(
            verify_twilio("t", "/hook", &[], Some(&sig)),
            Err(SignatureError::InvalidUrl(_))
        ));
        assert!(matches!(
            verify_twilio("t", "ftp://example.org/hook", &[], Some(&sig)),
            Err(SignatureError::InvalidUrl(_))
        ));
        assert!(matches!(
            verify_twilio("t", "https://example.org:http/hook", &[], Some(&sig)),
            Err(SignatureError::InvalidUrl(_))
        ));
        assert_eq!(
            verify_twilio_json("t", url, b"{}", Some(&sig)),
            Err(SignatureError::MissingBodyHash)
        );
    }

    #[test]
    fn url_variants_cover_ports_and_query_encoding() {
        assert_eq!(
            url_variants("https://h.example/p?q=It's").unwrap(),
            [
                "https://h.example:443/p?q=It's",
                "https://h.example:443/p?q=It%27s",
                "https://h.example/p?q=It's",
                "https://h.example/p?q=It%27s",
            ]
        );
        assert_eq!(
            url_variants("http://[::1]:8080/p").unwrap(),
            ["http://[::1]:8080/p", "http://[::1]/p"]
        );
    }
}
