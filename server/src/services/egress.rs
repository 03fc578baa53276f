//! The HTTP client provider calls go through, and the address rules it applies where a URL's
//! host becomes an address: a host name's addresses are filtered as it is resolved, so a name
//! that resolves (or is re-pointed, after it was saved) to a private address is not reached;
//! a URL with an address for its host is checked before the call, as it is not resolved.

use std::net::SocketAddr;
use std::sync::Arc;

use reqwest::dns::{Addrs, Name, Resolve, Resolving};
use url::Url;

use crate::domain::addresses::{
    UrlRefusal, check_provider_url, check_translation_url, is_public, translation_may_reach,
};

/// A resolver that drops the addresses provider calls may not reach.
struct PublicOnly {
    allow_private: bool,
}

/// A host name that resolves to no address provider calls may reach.
#[derive(Debug, thiserror::Error)]
#[error("{0} resolves only to private, local or reserved addresses")]
pub(crate) struct PrivateOnly(String);

impl Resolve for PublicOnly {
    fn resolve(&self, name: Name) -> Resolving {
        let allow_private = self.allow_private;
        let host = name.as_str().to_string();
        Box::pin(async move {
            let addresses = allowed_addresses(&host, 0, allow_private).await?;
            Ok(Box::new(addresses.into_iter()) as Addrs)
        })
    }
}

async fn allowed_addresses(
    host: &str,
    port: u16,
    allow_private: bool,
) -> Result<Vec<SocketAddr>, Box<dyn std::error::Error + Send + Sync>> {
    let addresses: Vec<SocketAddr> = tokio::net::lookup_host((host, port))
        .await?
        .filter(|address| allow_private || is_public(address.ip()))
        .collect();
    if addresses.is_empty() {
        return Err(Box::new(PrivateOnly(host.to_string())));
    }
    Ok(addresses)
}

/// The client for provider calls. Redirects are not followed: provider APIs answer directly,
/// and media downloads follow theirs one by one, checking each address
/// (see `services::media`).
pub(crate) fn provider_client(allow_private: bool) -> reqwest::Client {
    reqwest::Client::builder()
        .timeout(std::time::Duration::from_secs(30))
        .dns_resolver(Arc::new(PublicOnly { allow_private }))
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .expect("the HTTP client builds")
}

/// The client for calls to this instance's own sandbox provider (demo mode): the same limits,
/// without the address rules, which would refuse this instance on loopback.
pub(crate) fn sandbox_client() -> reqwest::Client {
    reqwest::Client::builder()
        .timeout(std::time::Duration::from_secs(30))
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .expect("the HTTP client builds")
}

/// Parses a provider URL and applies the address rules to its text.
pub(crate) fn provider_url(url: &str, allow_private: bool) -> Result<Url, String> {
    let parsed = Url::parse(url).map_err(|error| format!("it is not a URL: {error}"))?;
    check_provider_url(&parsed, allow_private).map_err(|refusal| refusal.to_string())?;
    Ok(parsed)
}

/// Why an API base URL may not be saved: its text, and then what its host resolves to now.
/// With private addresses allowed nothing is resolved, so a sandbox works offline.
pub(crate) async fn api_base_url_refusal(url: &str, allow_private: bool) -> Option<String> {
    let parsed = match provider_url(url, allow_private) {
        Ok(parsed) => parsed,
        Err(reason) => return Some(reason),
    };
    if allow_private {
        return None;
    }
    let Some(url::Host::Domain(host)) = parsed.host() else {
        // An address was checked with the text.
        return None;
    };
    match allowed_addresses(host, parsed.port_or_known_default().unwrap_or(443), false).await {
        Ok(_) => None,
        Err(error) if error.is::<PrivateOnly>() => Some(UrlRefusal::PrivateAddress.to_string()),
        Err(_) => Some(format!("{host} could not be found")),
    }
}

/// A resolver for translation calls, which keeps only the addresses a translation service may
/// be at (see `domain::addresses::translation_may_reach`): a self-hosted service on this
/// machine or the organisation's network is allowed, link-local addresses are not.
struct TranslationAddresses;

impl Resolve for TranslationAddresses {
    fn resolve(&self, name: Name) -> Resolving {
        let host = name.as_str().to_string();
        Box::pin(async move {
            let addresses = translation_addresses(&host, 0).await?;
            Ok(Box::new(addresses.into_iter()) as Addrs)
        })
    }
}

async fn translation_addresses(
    host: &str,
    port: u16,
) -> Result<Vec<SocketAddr>, Box<dyn std::error::Error + Send + Sync>> {
    let addresses: Vec<SocketAddr> = tokio::net::lookup_host((host, port))
        .await?
        .filter(|address| translation_may_reach(address.ip()))
        .collect();
    if addresses.is_empty() {
        return Err(Box::new(PrivateOnly(host.to_string())));
    }
    Ok(addresses)
}

/// How long a translation may take: a local model on a small server answers a message in
/// seconds, and a person is waiting for it.
const TRANSLATION_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(30);

/// The client for translation calls: the address rules above, no redirects (a service answers
/// directly; a redirect could carry the text and the key elsewhere), and a time limit.
pub(crate) fn translation_client() -> reqwest::Client {
    reqwest::Client::builder()
        .timeout(TRANSLATION_TIMEOUT)
        .connect_timeout(std::time::Duration::from_secs(5))
        .dns_resolver(Arc::new(TranslationAddresses))
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .expect("the HTTP client builds")
}

/// Parses a translation service's URL as an admin saves it: its text, then what its host
/// resolves to now (a name for a link-local address is refused; one for a public address
/// needs https). The message says why not.
pub(crate) async fn translation_url(url: &str) -> Result<Url, String> {
    let parsed = Url::parse(url.trim()).map_err(|error| format!("it is not a URL: {error}"))?;
    check_translation_url(&parsed).map_err(|refusal| refusal.to_string())?;
    let Some(url::Host::Domain(host)) = parsed.host() else {
        return Ok(parsed);
    };
    let port = parsed.port_or_known_default().unwrap_or(443);
    let addresses = translation_addresses(host, port).await.map_err(|error| {
        if error.is::<PrivateOnly>() {
            UrlRefusal::NotForTranslation.to_string()
        } else {
            format!("{host} could not be found")
        }
    })?;
    if parsed.scheme() == "http" && addresses.iter().any(|address| is_public(address.ip())) {
        return Err(UrlRefusal::PlainHttpToInternet.to_string());
    }
    Ok(parsed)
}

/// Whether a failed call was refused by the address rules rather than by the network.
pub(crate) fn refused_by_rules(error: &reqwest::Error) -> bool {
    let mut source: Option<&(dyn std::error::Error + 'static)> = Some(error);
    while let Some(error) = source {
        if error.is::<PrivateOnly>() {
            return true;
        }
        source = error.source();
    }
    false
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_name_for_loopback_is_not_resolved_for_provider_calls() {
        let refused = allowed_addresses("localhost", 443, false)
            .await
            .unwrap_err();
        assert!(refused.is::<PrivateOnly>());
        assert!(
            !allowed_addresses("localhost", 443, true)
                .await
                .unwrap()
                .is_empty()
        );
    }

    #[tokio::test]
    async fn the_client_does_not_connect_to_a_name_for_loopback() {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let port = listener.local_addr().unwrap().port();
        let error = provider_client(false)
            .get(format!("http://localhost:{port}/"))
            .send()
            .await
            .unwrap_err();
        assert!(refused_by_rules(&error), "{error:?}");
        let accepted =
            tokio::time::timeout(std::time::Duration::from_millis(200), listener.accept()).await;
        assert!(accepted.is_err(), "no connection was made");
    }

    #[tokio::test]
    async fn a_translation_service_may_be_local_but_not_link_local() {
        assert!(translation_url("http://localhost:5000/").await.is_ok());
        assert!(translation_url("http://127.0.0.1:11434/v1").await.is_ok());
        assert!(translation_url("http://169.254.169.254/").await.is_err());
        assert!(translation_url("not a url").await.is_err());
    }

    #[tokio::test]
    async fn saving_refuses_private_addresses_and_local_names() {
        for url in [
            "http://graph.facebook.com/v23.0",
            "https://127.0.0.1/v23.0",
            "https://169.254.169.254/",
            "https://10.0.0.8/",
            "https://localhost:8443/",
        ] {
            assert!(api_base_url_refusal(url, false).await.is_some(), "{url}");
        }
        assert_eq!(
            api_base_url_refusal("http://127.0.0.1:9/v23.0", true).await,
            None
        );
    }
}
