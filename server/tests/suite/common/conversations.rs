//! Conversations as tests set them up: channels connected, contacts writing in through the
//! signed webhooks, and the thread as the API shows it. Each step is written here once.

use app::model::ChannelInput;
use serde_json::Value;

use super::TestApp;
use super::provider::FakeProvider;

/// The WhatsApp number most tests talk on: its phone number id, its account (WABA) id, and
/// the Meta app secret that signs its webhooks.
pub const WA_NUMBER_ID: &str = "1000";
pub const WA_ACCOUNT_ID: &str = "2000";
pub const WA_SECRET: &str = "whatsapp-app-secret";

/// The Twilio number most tests talk on, its Account SID and the auth token that signs its
/// webhooks.
pub const TWILIO_NUMBER: &str = "+15550001111";
pub const TWILIO_SID: &str = "AC0123456789abcdef0123456789abcdef";
pub const TWILIO_TOKEN: &str = "twilio-token";

/// The contact of [`TestApp::dana_writes`].
pub const DANA: &str = "+15551234567";

/// The settings of the WhatsApp number most tests talk on.
pub fn whatsapp_number() -> ChannelInput {
    super::whatsapp(WA_NUMBER_ID, WA_ACCOUNT_ID, WA_SECRET)
}

/// The settings of the Twilio number most tests talk on.
pub fn twilio_number() -> ChannelInput {
    super::twilio(TWILIO_SID, TWILIO_TOKEN, TWILIO_NUMBER)
}

impl TestApp {
    /// Connects a channel as the demo data does; returns its id.
    pub async fn connect(&self, input: ChannelInput) -> i64 {
        self.services
            .create_channel(None, &input)
            .await
            .expect("channel connects")
            .id
    }

    /// Connects [`whatsapp_number`] (with no provider behind it: nothing is sent); returns its id.
    pub async fn whatsapp_channel(&self) -> i64 {
        self.connect(whatsapp_number()).await
    }

    /// A WhatsApp text from `from`, whose profile name is `name`, reaches [`whatsapp_number`]
    /// through the signed webhook, dated `sent_at_secs`.
    pub async fn whatsapp_text_from(
        &self,
        from: &str,
        name: &str,
        message_id: &str,
        sent_at_secs: i64,
        text: &str,
    ) {
        let number = (WA_SECRET, WA_ACCOUNT_ID, WA_NUMBER_ID);
        self.deliver_whatsapp_text(number, from, name, message_id, sent_at_secs, text)
            .await;
    }

    /// [`whatsapp_number`] connected through `fake`, and Dana's conversation on it, who wrote
    /// at `sent_at_secs` (see [`TestApp::dana_writes`]); returns the conversation.
    pub async fn whatsapp_conversation(&self, fake: &FakeProvider, sent_at_secs: i64) -> i64 {
        self.connect(fake.channel(whatsapp_number())).await;
        self.dana_writes(fake, sent_at_secs).await
    }

    /// [`twilio_number`] connected through `fake`, and an SMS conversation on it: +15552223333
    /// wrote "hi"; returns the conversation.
    pub async fn sms_conversation(&self, fake: &FakeProvider) -> i64 {
        self.connect(fake.channel(twilio_number())).await;
        self.twilio_text_from(
            "+15552223333",
            "SM00000000000000000000000000000001",
            "hi",
            false,
        )
        .await
    }

    /// Dana ([`DANA`]) writes "Hello" to [`whatsapp_number`] at `sent_at_secs`, and `fake` is
    /// told so for its 24-hour rules; returns the conversation.
    pub async fn dana_writes(&self, fake: &FakeProvider, sent_at_secs: i64) -> i64 {
        fake.contact_wrote(DANA, sent_at_secs * 1000);
        self.whatsapp_text_from(DANA, "Dana", "wamid.in1", sent_at_secs, "Hello")
            .await;
        self.conversation_with(DANA).await
    }

    /// A WhatsApp text from `from` (Dana) reaches business number `phone_number_id` (account
    /// `waba_id`) through the signed webhook, dated `sent_at_secs`; returns its conversation.
    #[allow(clippy::too_many_arguments)]
    pub async fn whatsapp_text_arrives(
        &self,
        app_secret: &str,
        waba_id: &str,
        phone_number_id: &str,
        from: &str,
        message_id: &str,
        sent_at_secs: i64,
        text: &str,
    ) -> i64 {
        let number = (app_secret, waba_id, phone_number_id);
        self.deliver_whatsapp_text(number, from, "Dana", message_id, sent_at_secs, text)
            .await;
        self.conversation_with(&normalised(from)).await
    }

    /// Posts a signed WhatsApp text webhook to the number `(app secret, WABA id, phone number
    /// id)` and checks it was taken.
    async fn deliver_whatsapp_text(
        &self,
        (app_secret, waba_id, phone_number_id): (&str, &str, &str),
        from: &str,
        name: &str,
        message_id: &str,
        sent_at_secs: i64,
        text: &str,
    ) {
        let from = channels::phone::E164::parse(from).expect("a phone number");
        let webhook = channels::simulate::whatsapp_text(
            app_secret,
            waba_id,
            phone_number_id,
            "+1 555 0000",
            &from,
            name,
            message_id,
            sent_at_secs,
            text,
        );
        let response = self.post_signed("/webhooks/whatsapp", webhook).await;
        assert_eq!(response.status(), 200, "the WhatsApp webhook is taken");
    }

    /// An SMS from `from` reaches Twilio number `to` through the signed webhook; returns its
    /// conversation.
    pub async fn sms_arrives(
        &self,
        auth_token: &str,
        account_sid: &str,
        to: &str,
        from: &str,
        text: &str,
    ) -> i64 {
        let message_sid = "SM00000000000000000000000000000001";
        self.deliver_twilio_text(
            (auth_token, account_sid, to),
            from,
            message_sid,
            text,
            false,
        )
        .await;
        self.conversation_with(&normalised(from)).await
    }

    /// `from` (Dana) writes `text` to [`twilio_number`], on WhatsApp or by SMS, in the message
    /// `message_sid`; returns the conversation.
    pub async fn twilio_text_from(
        &self,
        from: &str,
        message_sid: &str,
        text: &str,
        whatsapp: bool,
    ) -> i64 {
        let number = (TWILIO_TOKEN, TWILIO_SID, TWILIO_NUMBER);
        self.deliver_twilio_text(number, from, message_sid, text, whatsapp)
            .await;
        let address = normalised(from);
        let address = if whatsapp {
            format!("whatsapp:{address}")
        } else {
            address
        };
        self.conversation_with(&address).await
    }

    /// Posts a signed Twilio message webhook to the number `(auth token, Account SID, number)`
    /// and checks it was taken.
    async fn deliver_twilio_text(
        &self,
        (auth_token, account_sid, to): (&str, &str, &str),
        from: &str,
        message_sid: &str,
        text: &str,
        whatsapp: bool,
    ) {
        let from = channels::phone::E164::parse(from).expect("a phone number");
        let webhook = channels::simulate::twilio_message(
            auth_token,
            &self.url("/webhooks/twilio"),
            account_sid,
            to,
            &from,
            "Dana",
            message_sid,
            text,
            whatsapp,
        );
        let response = self.post_signed("/webhooks/twilio", webhook).await;
        assert_eq!(response.status(), 200, "the Twilio webhook is taken");
    }

    /// The conversation with the contact at `address` on its channel.
    pub async fn conversation_with(&self, address: &str) -> i64 {
        sqlx::query_scalar(
            "SELECT c.id FROM conversations c JOIN contact_identities i \
             ON i.contact_id = c.contact_id AND i.channel_id = c.channel_id WHERE i.address = $1",
        )
        .bind(address)
        .fetch_one(&self.sql().await)
        .await
        .expect("a conversation with that address")
    }

    /// The conversation as the API shows it to the holder of `token`, who may see it.
    pub async fn conversation_detail(&self, token: &str, conversation: i64) -> Value {
        let response = reqwest::Client::new()
            .get(self.url(&format!("/api/v1/conversations/{conversation}")))
            .bearer_auth(token)
            .send()
            .await
            .expect("conversation request");
        assert_eq!(response.status(), 200, "conversation {conversation}");
        response.json().await.expect("a conversation")
    }
}

/// A phone number as the store keeps it, whichever way a test spelled it.
fn normalised(number: &str) -> String {
    channels::phone::E164::parse(number)
        .expect("a phone number")
        .to_string()
}
