-- duban schema, version 23: a delivery's claim carries a token, so that a deliverer
-- records an attempt only on a claim that is still its own (another server may have
-- taken the message once the claim ran out).
ALTER TABLE deliveries ADD COLUMN claim_token TEXT NOT NULL DEFAULT '';
