-- The next moment (epoch microseconds) each channel may send, shared by every instance, so a
-- channel's send rate holds however many instances deliver.
CREATE TABLE channel_send_slots (
    channel_id BIGINT PRIMARY KEY REFERENCES channels (id) ON DELETE CASCADE,
    next_slot_at BIGINT NOT NULL
);
