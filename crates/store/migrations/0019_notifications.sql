-- duban schema, version 19: notifications, the in-app messages of the routine (督): each
-- written in the transaction of the change or the scheduled run that causes it, one row
-- per person and message. `dedupe` makes the same reminder reach the same person at most
-- once (the key names the event, its object, the person and the day); `read_at` is set
-- when they open it. Messages for other channels will be delivered from these rows.
CREATE TABLE notifications (
    id {id},
    user_id BIGINT NOT NULL REFERENCES users(id),
    event TEXT NOT NULL,
    title_zh TEXT NOT NULL,
    title_en TEXT NOT NULL,
    body_zh TEXT NOT NULL,
    body_en TEXT NOT NULL,
    link TEXT NOT NULL,
    dedupe TEXT NOT NULL UNIQUE,
    created_at BIGINT NOT NULL,
    read_at BIGINT
);
CREATE INDEX notifications_user ON notifications(user_id, id);
CREATE INDEX notifications_unread ON notifications(user_id, read_at);
