import type { Migration } from './index';

/** The notification log, the mail outbox, and who receives what. */
export const migration002: Migration = {
  version: 2,
  name: 'notifications',
  sql: `
-- One row per notification (channel 'notification', parent_key NULL) and one per delivery of it
-- (channel 'email' or 'webhook', parent_key = the notification's key), so a retry repeats only the
-- deliveries that have not succeeded.
CREATE TABLE notifications (
  id          integer GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  key         text NOT NULL UNIQUE,
  parent_key  text,
  case_id     text NOT NULL,
  channel     text NOT NULL CHECK (channel IN ('notification', 'email', 'webhook')),
  template    text NOT NULL,
  audience    jsonb NOT NULL,
  target      text,
  subject     text,
  vars        jsonb,
  status      text NOT NULL CHECK (status IN ('pending', 'sending', 'sent', 'outbox', 'failed_permanent')),
  attempts    integer NOT NULL DEFAULT 0,
  error       text,
  lease_until timestamptz,
  created_at  timestamptz NOT NULL DEFAULT now(),
  updated_at  timestamptz NOT NULL DEFAULT now(),
  sent_at     timestamptz
);
CREATE INDEX notifications_parent_idx ON notifications (parent_key);
CREATE INDEX notifications_case_idx ON notifications (case_id);

-- Mail kept when no SMTP server is configured.
CREATE TABLE outbox (
  id         integer GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  key        text NOT NULL UNIQUE,
  case_id    text NOT NULL,
  to_address text NOT NULL,
  subject    text NOT NULL,
  text       text NOT NULL,
  message_id text NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now()
);

-- Mail recipients. unit NULL: the address serves the whole role; subject: one person (an expert).
CREATE TABLE recipients (
  id      integer GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  role    text NOT NULL CHECK (role IN ('unit', 'organization', 'discipline', 'expert', 'committee', 'supervisor')),
  unit    text,
  subject text,
  email   text NOT NULL,
  name    text,
  active  boolean NOT NULL DEFAULT true
);
CREATE INDEX recipients_role_idx ON recipients (role, unit);

CREATE TABLE webhook_subscriptions (
  id         integer GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  role       text NOT NULL CHECK (role IN ('unit', 'organization', 'discipline', 'expert', 'committee', 'supervisor')),
  unit       text,
  url        text NOT NULL,
  active     boolean NOT NULL DEFAULT true,
  created_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX webhook_subscriptions_role_idx ON webhook_subscriptions (role, unit);
`,
};
