-- duban schema, version 20: where messages travel besides the bell, and the outbox that
-- carries them there.
--
-- `channels` are the office's: an SMTP server, a 企业微信 or 钉钉 group robot (belonging to
-- one unit's work group when `unit_id` is set), a signed webhook, an SMS provider. The
-- settings, credentials included, are stored sealed (ChaCha20-Poly1305 under a key kept
-- outside the database). `events` lists the events the channel carries ('' for all).
CREATE TABLE channels (
    id {id},
    kind TEXT NOT NULL,
    name TEXT NOT NULL,
    unit_id BIGINT REFERENCES units(id),
    sealed TEXT NOT NULL,
    per_minute BIGINT NOT NULL,
    enabled BIGINT NOT NULL,
    events TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);

-- Each person's choices: where they can be reached, which channels they want besides the
-- bell (within what the office has), their quiet hours (minutes of the day, office time;
-- equal ends: none) and the language of their messages.
CREATE TABLE notify_prefs (
    user_id BIGINT PRIMARY KEY REFERENCES users(id),
    email TEXT NOT NULL,
    mobile TEXT NOT NULL,
    channels TEXT NOT NULL,
    quiet_from BIGINT NOT NULL,
    quiet_to BIGINT NOT NULL,
    lang TEXT NOT NULL,
    updated_at BIGINT NOT NULL
);

-- The outbox: one row per message and channel, written in the transaction of the
-- notification that causes it. `key` is the idempotency key, the same for every attempt
-- (a group robot's message for several people of one unit is one row, its `mentions`
-- growing); `claimed_until` lets one deliverer at a time take a row, and a row whose
-- deliverer died is taken again when the claim runs out.
CREATE TABLE deliveries (
    id {id},
    channel_id BIGINT NOT NULL REFERENCES channels(id),
    key TEXT NOT NULL UNIQUE,
    event TEXT NOT NULL,
    recipient TEXT NOT NULL,
    mentions TEXT NOT NULL,
    title TEXT NOT NULL,
    text TEXT NOT NULL,
    vars TEXT NOT NULL,
    status TEXT NOT NULL,
    attempts BIGINT NOT NULL,
    next_at BIGINT NOT NULL,
    claimed_until BIGINT NOT NULL,
    last_error TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    sent_at BIGINT
);
CREATE INDEX deliveries_due ON deliveries(status, next_at);
CREATE INDEX deliveries_channel ON deliveries(channel_id, id);

-- Every attempt, for the delivery log and the channels' rate limits.
CREATE TABLE delivery_attempts (
    id {id},
    delivery_id BIGINT NOT NULL REFERENCES deliveries(id),
    channel_id BIGINT NOT NULL,
    at BIGINT NOT NULL,
    outcome TEXT NOT NULL,
    detail TEXT NOT NULL,
    ms BIGINT NOT NULL
);
CREATE INDEX delivery_attempts_channel ON delivery_attempts(channel_id, at);
CREATE INDEX delivery_attempts_delivery ON delivery_attempts(delivery_id);
