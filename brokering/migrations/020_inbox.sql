-- Brokering that does not stall (issue 20): reply-by dates and lapsed requests, the
-- colleague's agreement when a leader accepts for them, re-offers after a lapse, the
-- requester's acknowledgement of an answer, alliance settings, confirmations that a coach is
-- available, and a record of the e-mail reminders sent. Numbered after the issue so parallel
-- branches do not collide.

ALTER TABLE match_requests ADD COLUMN reply_by DATE;            -- last day to answer
ALTER TABLE match_requests ADD COLUMN colleague_agreed_on DATE; -- accepted: the coach agreed on
ALTER TABLE match_requests ADD COLUMN reoffer_of INTEGER;       -- sent after that one lapsed
ALTER TABLE match_requests ADD COLUMN seen_by VARCHAR;          -- the asking side read the answer
ALTER TABLE match_requests ADD COLUMN seen_at TIMESTAMP;

-- Alliance-wide settings a leader may change (reply-by days, the quiet period...).
CREATE TABLE IF NOT EXISTS alliance_settings (
    name       VARCHAR PRIMARY KEY,
    value      VARCHAR NOT NULL,
    changed_by VARCHAR NOT NULL,
    changed_at TIMESTAMP NOT NULL DEFAULT current_timestamp
);

-- A school confirms that one of its coaches is available again (clears "possibly unavailable").
CREATE TABLE availability_confirmations (
    staff_ref    VARCHAR NOT NULL,
    school_id    VARCHAR NOT NULL,
    confirmed_on DATE NOT NULL,
    confirmed_by VARCHAR NOT NULL,
    at_time      TIMESTAMP NOT NULL DEFAULT current_timestamp
);

-- One row per reminder e-mail sent (counts only: never what the items were).
CREATE TABLE reminder_log (
    username  VARCHAR NOT NULL,
    sent_on   DATE NOT NULL,
    waiting   INTEGER NOT NULL,
    lapsing   INTEGER NOT NULL,
    sent_at   TIMESTAMP NOT NULL DEFAULT current_timestamp
);
