//! Where provider credentials may be sent: a channel's API base URL must be https to a public
//! address, and media is fetched only from the provider's own media hosts. Without these, an
//! admin session (or whoever holds one) could point a stored token at any host, or make the
//! server reach addresses on its own network (cloud metadata at 169.254.169.254, say).
//!
//! Sandboxes and tests run their fake providers on loopback over plain http; they allow it
//! explicitly (`SWITCHBOARD_ALLOW_PRIVATE_PROVIDER_URLS`), which lifts the scheme and address
//! rules but not the media host rule.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

use app::model::ChannelKind;
use url::{Host, Url};

/// Why a provider URL was refused, on its text alone.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum UrlRefusal {
    #[error("use https")]
    NotHttps,
    #[error("it has no host")]
    NoHost,
    #[error("it points at a private, local or reserved address")]
    PrivateAddress,
    #[error("it points at a link-local, multicast or unspecified address")]
    NotForTranslation,
    #[error("use https for a service outside your own network")]
    PlainHttpToInternet,
}

/// Checks a provider URL's scheme and, when its host is an address, that address. A host
/// name's addresses (`localhost`'s too) are checked where it is resolved.
pub fn check_provider_url(url: &Url, allow_private: bool) -> Result<(), UrlRefusal> {
    if allow_private {
        return match url.scheme() {
            "http" | "https" if url.host().is_some() => Ok(()),
            "http" | "https" => Err(UrlRefusal::NoHost),
            _ => Err(UrlRefusal::NotHttps),
        };
    }
    if url.scheme() != "https" {
        return Err(UrlRefusal::NotHttps);
    }
    match url.host() {
        None => Err(UrlRefusal::NoHost),
        Some(Host::Ipv4(ip)) if !is_public(IpAddr::V4(ip)) => Err(UrlRefusal::PrivateAddress),
        Some(Host::Ipv6(ip)) if !is_public(IpAddr::V6(ip)) => Err(UrlRefusal::PrivateAddress),
        Some(_) => Ok(()),
    }
}

/// Where a translation service may be reached. Unlike a provider's API it may be on the
/// organisation's own network: a self-hosted LibreTranslate or Ollama on localhost or the LAN
/// is the privacy-friendly choice the README recommends, and only an admin sets the URL. Still
/// never a link-local address (cloud metadata answers at 169.254.169.254 and fe80::), nor an
/// unspecified or multicast one, which name no service.
pub fn translation_may_reach(ip: IpAddr) -> bool {
    match ip {
        IpAddr::V4(ip) => {
            let [a, b, ..] = ip.octets();
            !(ip.is_unspecified() || ip.is_broadcast() || a >= 224 || (a == 169 && b == 254))
        }
        IpAddr::V6(ip) => match ip.to_ipv4_mapped() {
            Some(v4) => translation_may_reach(IpAddr::V4(v4)),
            None => {
                let first = ip.segments()[0];
                !(ip.is_unspecified() || (first & 0xffc0) == 0xfe80 || (first & 0xff00) == 0xff00)
            }
        },
    }
}

/// Checks a translation service's URL on its text: http or https with a host, an address host
/// one translation may reach, and plain http only to a loopback or private address (over the
/// internet the messages and the key would travel readable). A host name's addresses are
/// checked where it is resolved.
pub fn check_translation_url(url: &Url) -> Result<(), UrlRefusal> {
    if !matches!(url.scheme(), "http" | "https") {
        return Err(UrlRefusal::NotHttps);
    }
    let ip = match url.host() {
        None => return Err(UrlRefusal::NoHost),
        Some(Host::Domain(_)) => return Ok(()),
        Some(Host::Ipv4(ip)) => IpAddr::V4(ip),
        Some(Host::Ipv6(ip)) => IpAddr::V6(ip),
    };
    if !translation_may_reach(ip) {
        return Err(UrlRefusal::NotForTranslation);
    }
    if url.scheme() == "http" && is_public(ip) {
        return Err(UrlRefusal::PlainHttpToInternet);
    }
    Ok(())
}

/// Whether an address is reachable on the public internet: not loopback, private, link-local,
/// shared (carrier NAT), documentation, benchmarking, multicast, reserved or unspecified.
pub fn is_public(ip: IpAddr) -> bool {
    match ip {
        IpAddr::V4(ip) => is_public_v4(ip),
        IpAddr::V6(ip) => is_public_v6(ip),
    }
}

fn is_public_v4(ip: Ipv4Addr) -> bool {
    let [a, b, c, _] = ip.octets();
    !(a == 0
        || a == 10
        || a == 127
        || (a == 100 && (64..128).contains(&b))
        || (a == 169 && b == 254)
        || (a == 172 && (16..32).contains(&b))
        || (a == 192 && b == 0 && c == 0)
        || (a == 192 && b == 0 && c == 2)
        || (a == 192 && b == 168)
        || (a == 198 && (18..20).contains(&b))
        || (a == 198 && b == 51 && c == 100)
        || (a == 203 && b == 0 && c == 113)
        || a >= 224)
}

fn is_public_v6(ip: Ipv6Addr) -> bool {
    // IPv4-mapped (::ffff:a.b.c.d) and NAT64 (64:ff9b::a.b.c.d) reach an IPv4 address.
    if let Some(v4) = ip.to_ipv4_mapped() {
        return is_public_v4(v4);
    }
    let segments = ip.segments();
    if segments[..6] == [0x64, 0xff9b, 0, 0, 0, 0] {
        let [a, b] = segments[6].to_be_bytes();
        let [c, d] = segments[7].to_be_bytes();
        return is_public_v4(Ipv4Addr::new(a, b, c, d));
    }
    let first = segments[0];
    !(ip.is_unspecified()
        || ip.is_loopback()
        // The deprecated IPv4-compatible range ::/96.
        || segments[..6] == [0; 6]
        || (first & 0xfe00) == 0xfc00
        || (first & 0xffc0) == 0xfe80
        || (first & 0xffc0) == 0xfec0
        || (first & 0xff00) == 0xff00
        || (first == 0x2001 && segments[1] == 0x0db8)
        || first == 0x0100)
}

/// Host name suffixes a provider serves media from. WhatsApp's media lookup answers with a
/// `lookaside.fbsbx.com` URL and Messenger attachments are pre-signed Facebook CDN URLs
/// (`*.fbcdn.net`); Twilio's media resource is on `api.twilio.com` and redirects to its CDN
/// (`*.twiliocdn.com`, stored on Amazon S3).
fn media_host_suffixes(kind: ChannelKind) -> &'static [&'static str] {
    match kind {
        ChannelKind::WhatsApp | ChannelKind::Messenger => &["fbsbx.com", "fbcdn.net"],
        ChannelKind::Twilio => &["api.twilio.com", "twiliocdn.com"],
    }
}

/// Where Twilio's media redirects may lead besides its media hosts: its CDN's S3 storage.
/// Credentials never follow a redirect to another host, so these only ever get a plain GET.
const TWILIO_REDIRECT_SUFFIXES: &[&str] = &["amazonaws.com"];

/// Whether `url` is on one of the provider's media hosts, or `redirect` is a hop the provider
/// sends a media download through. The channel's own API origin (where its credentials go
/// anyway) always counts.
pub fn is_media_url(kind: ChannelKind, url: &Url, api_base_url: &Url, redirect: bool) -> bool {
    if url.origin() == api_base_url.origin() {
        return true;
    }
    let Some(Host::Domain(host)) = url.host() else {
        return false;
    };
    let host = host.trim_end_matches('.').to_ascii_lowercase();
    let under = |suffix: &&str| host == *suffix || host.ends_with(&format!(".{suffix}"));
    media_host_suffixes(kind).iter().any(under)
        || (redirect && kind == ChannelKind::Twilio && TWILIO_REDIRECT_SUFFIXES.iter().any(under))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn translation_may_be_on_the_own_network_but_not_link_local() {
        let check = |url: &str| check_translation_url(&Url::parse(url).unwrap());
        for allowed in [
            "http://127.0.0.1:5000",
            "http://10.0.0.8:11434/v1",
            "http://[::1]:5000",
            "http://libretranslate.internal:5000",
            "https://api.example.org/v1",
            "https://203.0.114.9/",
        ] {
            assert_eq!(check(allowed), Ok(()), "{allowed}");
        }
        assert_eq!(
            check("http://169.254.169.254/"),
            Err(UrlRefusal::NotForTranslation)
        );
        assert_eq!(
            check("http://[fe80::1]/"),
            Err(UrlRefusal::NotForTranslation)
        );
        assert_eq!(
            check("http://0.0.0.0:5000/"),
            Err(UrlRefusal::NotForTranslation)
        );
        assert_eq!(
            check("http://8.8.8.8/"),
            Err(UrlRefusal::PlainHttpToInternet)
        );
        assert_eq!(check("ftp://127.0.0.1/"), Err(UrlRefusal::NotHttps));
    }

    fn check(url: &str) -> Result<(), UrlRefusal> {
        check_provider_url(&Url::parse(url).unwrap(), false)
    }

    #[test]
    fn only_https_to_public_addresses_passes() {
        assert_eq!(check("https://graph.facebook.com/v23.0"), Ok(()));
        assert_eq!(check("https://93.184.216.34/"), Ok(()));
        assert_eq!(check("https://[2a03:2880::1]/"), Ok(()));
        assert_eq!(
            check("http://graph.facebook.com/v23.0"),
            Err(UrlRefusal::NotHttps)
        );
        for private in [
            "https://127.0.0.1/",
            "https://169.254.169.254/latest/meta-data",
            "https://10.1.2.3/",
            "https://172.16.0.1/",
            "https://192.168.1.1/",
            "https://100.64.0.1/",
            "https://0.0.0.0/",
            "https://[::1]/",
            "https://[fd00::1]/",
            "https://[fe80::1]/",
            "https://[::ffff:127.0.0.1]/",
            "https://[64:ff9b::a9fe:a9fe]/",
        ] {
            assert_eq!(check(private), Err(UrlRefusal::PrivateAddress), "{private}");
        }
    }

    #[test]
    fn the_sandbox_setting_allows_loopback_over_http() {
        let url = Url::parse("http://127.0.0.1:9000/v23.0").unwrap();
        assert_eq!(check_provider_url(&url, true), Ok(()));
        let ftp = Url::parse("ftp://127.0.0.1/").unwrap();
        assert_eq!(check_provider_url(&ftp, true), Err(UrlRefusal::NotHttps));
    }

    #[test]
    fn media_comes_only_from_the_providers_media_hosts() {
        let graph = Url::parse("https://graph.facebook.com/v23.0").unwrap();
        let twilio = Url::parse("https://api.twilio.com").unwrap();
        let url = |u: &str| Url::parse(u).unwrap();
        let whatsapp = ChannelKind::WhatsApp;
        assert!(is_media_url(
            whatsapp,
            &url("https://lookaside.fbsbx.com/whatsapp_business/attachments/?mid=1"),
            &graph,
            false
        ));
        assert!(is_media_url(
            ChannelKind::Messenger,
            &url("https://scontent.xx.fbcdn.net/v/t1/photo.jpg"),
            &graph,
            false
        ));
        assert!(is_media_url(
            whatsapp,
            &url("https://graph.facebook.com/v23.0/x"),
            &graph,
            false
        ));
        for elsewhere in [
            "https://evil.example/steal",
            "https://fbsbx.com.evil.example/",
            "https://notfbcdn.net/",
            "http://169.254.169.254/",
        ] {
            assert!(
                !is_media_url(whatsapp, &url(elsewhere), &graph, false),
                "{elsewhere}"
            );
        }
        let media = url("https://api.twilio.com/2010-04-01/Accounts/AC1/Messages/MM1/Media/ME1");
        assert!(is_media_url(ChannelKind::Twilio, &media, &twilio, false));
        let s3 = url("https://s3-external-1.amazonaws.com/media.twiliocdn.com/AC1/x");
        assert!(!is_media_url(ChannelKind::Twilio, &s3, &twilio, false));
        assert!(is_media_url(ChannelKind::Twilio, &s3, &twilio, true));
        assert!(!is_media_url(whatsapp, &s3, &graph, true));
    }
}
