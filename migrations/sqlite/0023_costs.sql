-- What each outbound message cost. Keyed the way the provider names the message, so a price
-- that arrives before the send call has returned still finds its message later. Rows stay when
-- retention deletes the message: they are the organisation's bill and hold nobody's words.
CREATE TABLE message_costs (
    channel_id BIGINT NOT NULL REFERENCES channels (id) ON DELETE CASCADE,
    provider_message_id TEXT NOT NULL,
    micro_usd BIGINT NOT NULL CHECK (micro_usd >= 0),
    -- provider: the provider said what it charged (Twilio's Price);
    -- rate_card: Meta's pricing category and type, times the rate table in force that day;
    -- segments: SMS segments times the per-segment rate, until the provider's price arrives;
    -- free: Messenger.
    source TEXT NOT NULL CHECK (source IN ('provider', 'rate_card', 'segments', 'free')),
    -- WhatsApp's pricing category, 'sms' or 'messenger'.
    category TEXT NOT NULL,
    -- WhatsApp's pricing type (regular, free_customer_service…), kept to price again when an
    -- admin loads a rate table that applies to past days.
    pricing_type TEXT,
    -- The recipient's market: ISO 3166 alpha-2, empty when unknown.
    country TEXT NOT NULL DEFAULT '',
    -- When the price applies (epoch ms) and its UTC month, YYYY-MM, as providers bill.
    priced_at BIGINT NOT NULL,
    month TEXT NOT NULL,
    PRIMARY KEY (channel_id, provider_message_id)
);
CREATE INDEX message_costs_by_month ON message_costs (month, channel_id);
CREATE INDEX message_costs_by_channel ON message_costs (channel_id, month);

-- Rate tables an admin loaded. The one with the latest effective_from on or before a day prices
-- that day's messages; before the first, the table that ships with Switchboard does.
CREATE TABLE rate_cards (
    id INTEGER PRIMARY KEY,
    -- YYYY-MM-DD
    effective_from TEXT NOT NULL,
    csv TEXT NOT NULL,
    uploaded_by BIGINT REFERENCES users (id) ON DELETE SET NULL,
    uploaded_at BIGINT NOT NULL
);

CREATE TABLE channel_budgets (
    channel_id BIGINT PRIMARY KEY REFERENCES channels (id) ON DELETE CASCADE,
    monthly_micro_usd BIGINT NOT NULL CHECK (monthly_micro_usd > 0),
    updated_at BIGINT NOT NULL
);

-- A channel's spending reached 80 % or 100 % of its budget in a month: raised once, shown to
-- admins until one of them dismisses it.
CREATE TABLE budget_alerts (
    channel_id BIGINT NOT NULL REFERENCES channels (id) ON DELETE CASCADE,
    month TEXT NOT NULL,
    threshold BIGINT NOT NULL CHECK (threshold IN (80, 100)),
    spent_micro_usd BIGINT NOT NULL,
    budget_micro_usd BIGINT NOT NULL,
    raised_at BIGINT NOT NULL,
    dismissed_at BIGINT,
    dismissed_by BIGINT REFERENCES users (id) ON DELETE SET NULL,
    PRIMARY KEY (channel_id, month, threshold)
);
