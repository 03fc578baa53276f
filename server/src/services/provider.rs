//! Calls to a channel's provider API with the channel's credentials: a Bearer token for
//! WhatsApp and Messenger, HTTP Basic for Twilio. Credentials only ever travel in headers, never
//! in the URL: an HTTP client's error text carries the URL, and that text used to reach the
//! logs and the conversation. What a call means is for the `channels` crate to read from the
//! answer; this only carries it.

use axum::body::Bytes;
use channels::outbound::{MediaUpload, SendRequest};
use channels::templates::FileUpload;
use reqwest::Method;

use super::Services;
use crate::domain::channels::ChannelConfig;
use app::model::ChannelKind;

/// What the provider answered.
pub(crate) struct ProviderAnswer {
    pub status: u16,
    /// The `Retry-After` header, as sent.
    pub retry_after: Option<String>,
    pub body: Bytes,
}

#[derive(Debug)]
pub(crate) enum CallError {
    /// The request never reached the provider: safe to try again.
    NotSent(String),
    /// The request may have reached the provider.
    Unknown(String),
}

impl CallError {
    pub fn missing(what: &str) -> CallError {
        CallError::NotSent(format!("the channel's {what} is missing"))
    }
}

impl std::fmt::Display for CallError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            CallError::NotSent(reason) | CallError::Unknown(reason) => f.write_str(reason),
        }
    }
}

impl Services {
    /// Makes a `POST` the channels crate built.
    pub(crate) async fn call_provider(
        &self,
        config: &ChannelConfig,
        request: SendRequest,
    ) -> Result<ProviderAnswer, CallError> {
        let builder = match request {
            SendRequest::Json { path, body } => {
                let builder = self
                    .provider_request(Method::POST, config, &path)?
                    .json(&body);
                self.authorise(config, builder)?
            }
            SendRequest::Form { path, params } => self
                .provider_request(Method::POST, config, &path)?
                .basic_auth(
                    config.settings.account_sid.clone().unwrap_or_default(),
                    config.secrets.auth_token.clone(),
                )
                .form(&params),
        };
        answer_of(config.kind, builder).await
    }

    /// Uploads a file as the multipart `POST` the channels crate described.
    pub(crate) async fn upload_to_provider(
        &self,
        config: &ChannelConfig,
        upload: MediaUpload,
        bytes: Vec<u8>,
        filename: &str,
        mime_type: &str,
    ) -> Result<ProviderAnswer, CallError> {
        let file = reqwest::multipart::Part::bytes(bytes)
            .file_name(filename.to_string())
            .mime_str(mime_type)
            .map_err(|error| CallError::NotSent(format!("unusable MIME type: {error}")))?;
        let form = upload
            .fields
            .into_iter()
            .fold(reqwest::multipart::Form::new(), |form, (name, value)| {
                form.text(name, value)
            })
            .part("file", file);
        let builder = self
            .provider_request(Method::POST, config, &upload.path)?
            .multipart(form);
        answer_of(config.kind, self.authorise(config, builder)?).await
    }

    /// Sends a whole file into a WhatsApp resumable upload session. Meta wants the token as
    /// `OAuth`, not `Bearer`, on this call.
    pub(crate) async fn send_file_to_upload_session(
        &self,
        config: &ChannelConfig,
        upload: FileUpload,
        bytes: Vec<u8>,
    ) -> Result<ProviderAnswer, CallError> {
        let token = config
            .secrets
            .access_token
            .clone()
            .ok_or_else(|| CallError::missing("access token"))?;
        let builder = self
            .provider_request(Method::POST, config, &upload.path)?
            .header(reqwest::header::AUTHORIZATION, format!("OAuth {token}"))
            .header("file_offset", upload.file_offset.to_string())
            .body(bytes);
        answer_of(config.kind, builder).await
    }

    /// Makes a `GET` of a path (with its query) below the channel's API base URL.
    pub(crate) async fn get_from_provider(
        &self,
        config: &ChannelConfig,
        path: &str,
    ) -> Result<ProviderAnswer, CallError> {
        let builder = self.provider_request(Method::GET, config, path)?;
        answer_of(config.kind, self.authorise(config, builder)?).await
    }

    /// A path below the channel's API base URL, if the address rules allow it: the address is
    /// checked on every call, not only when it was saved (an address stored before the rules,
    /// or a setting turned off since). A host name's addresses are checked as it resolves.
    pub(crate) fn provider_url(
        &self,
        config: &ChannelConfig,
        path: &str,
    ) -> Result<reqwest::Url, CallError> {
        let url = format!("{}{path}", config.api_base_url);
        let allow_private = self.settings.allow_private_provider_urls
            || url::Url::parse(&url).is_ok_and(|url| self.is_sandbox_url(&url));
        super::egress::provider_url(&url, allow_private).map_err(|reason| {
            CallError::NotSent(format!(
                "The channel's API address is not allowed: {reason}"
            ))
        })
    }

    /// A request to a path below the channel's API base URL. Calls to this instance's own
    /// sandbox (demo mode) leave the provider client's address rules aside, for that origin
    /// only: it is this instance, not a provider.
    fn provider_request(
        &self,
        method: Method,
        config: &ChannelConfig,
        path: &str,
    ) -> Result<reqwest::RequestBuilder, CallError> {
        let url = self.provider_url(config, path)?;
        let client = if self.is_sandbox_url(&url) {
            &self.sandbox_http
        } else {
            &self.http
        };
        Ok(client.request(method, url))
    }

    fn authorise(
        &self,
        config: &ChannelConfig,
        builder: reqwest::RequestBuilder,
    ) -> Result<reqwest::RequestBuilder, CallError> {
        let secrets = &config.secrets;
        Ok(match config.kind {
            // The Graph API takes the Page token as a Bearer header as well as the documented
            // `access_token` query parameter; in the query it would leak with the URL.
            ChannelKind::Messenger => builder.bearer_auth(
                secrets
                    .page_access_token
                    .clone()
                    .ok_or_else(|| CallError::missing("page access token"))?,
            ),
            ChannelKind::WhatsApp => builder.bearer_auth(
                secrets
                    .access_token
                    .clone()
                    .ok_or_else(|| CallError::missing("access token"))?,
            ),
            ChannelKind::Twilio => builder.basic_auth(
                config.settings.account_sid.clone().unwrap_or_default(),
                secrets.auth_token.clone(),
            ),
        })
    }
}

/// The provider's name as the people reading a failed message know it.
pub(crate) fn provider_name(kind: ChannelKind) -> &'static str {
    match kind {
        ChannelKind::WhatsApp | ChannelKind::Messenger => "Facebook",
        ChannelKind::Twilio => "Twilio",
    }
}

/// A plain reason for a failed call, fit to store and show: reqwest's own text names the URL,
/// which carries ids and, with a careless caller, credentials. The detail, without the URL, goes
/// to the log.
pub(crate) fn failure_reason(provider: &str, error: reqwest::Error) -> String {
    let error = error.without_url();
    tracing::info!(provider, error = ?error, "provider call failed");
    if super::egress::refused_by_rules(&error) {
        format!("The channel's API address for {provider} resolves to a private address")
    } else if error.is_timeout() {
        format!("{provider} did not answer in time")
    } else if error.is_connect() {
        format!("Could not connect to {provider}")
    } else if error.is_redirect() {
        format!("{provider} redirected the request somewhere it may not go")
    } else if error.is_body() || error.is_decode() {
        format!("The answer from {provider} was cut off")
    } else if error.is_request() {
        format!("The connection to {provider} was closed before it answered")
    } else {
        format!("The call to {provider} failed")
    }
}

async fn answer_of(
    kind: ChannelKind,
    builder: reqwest::RequestBuilder,
) -> Result<ProviderAnswer, CallError> {
    let provider = provider_name(kind);
    let response = builder.send().await.map_err(|error| {
        // Only a failure to connect proves the request never left.
        if error.is_connect() {
            CallError::NotSent(failure_reason(provider, error))
        } else {
            CallError::Unknown(failure_reason(provider, error))
        }
    })?;
    let status = response.status().as_u16();
    let retry_after = response
        .headers()
        .get(reqwest::header::RETRY_AFTER)
        .and_then(|value| value.to_str().ok())
        .map(str::to_string);
    let body = response
        .bytes()
        .await
        .map_err(|error| CallError::Unknown(failure_reason(provider, error)))?;
    Ok(ProviderAnswer {
        status,
        retry_after,
        body,
    })
}
