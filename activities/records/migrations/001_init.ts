import type { Migration } from './index';

/** The case register, the append-only audit ledger, the domain records and the reference data. */
export const migration001: Migration = {
  version: 1,
  name: 'init',
  sql: `
CREATE TABLE cases (
  case_id        text PRIMARY KEY,
  origin         text NOT NULL CHECK (origin IN ('application', 'referral')),
  policy_version text NOT NULL,
  unit_code      text NOT NULL,
  category       text NOT NULL,
  stage          text NOT NULL,
  outcome        text CHECK (outcome IN ('exempt', 'mitigate', 'deny')),
  close_reason   text,
  opened_at      timestamptz NOT NULL,
  updated_at     timestamptz NOT NULL,
  last_seq       integer NOT NULL,
  cadre_id       text,
  cadre_name     text,
  application    jsonb,
  final_at       timestamptz
);
CREATE INDEX cases_repeat_idx ON cases (cadre_id, category, final_at);
CREATE INDEX cases_unit_idx ON cases (unit_code, stage);

-- One row per event of a case, chained by hash. Deliberately without foreign keys: it must stand on
-- its own, and an owner can then inspect it without extra privileges.
CREATE TABLE ledger (
  case_id        text NOT NULL,
  seq            integer NOT NULL CHECK (seq >= 0),
  at             timestamptz NOT NULL,
  event          text NOT NULL,
  actor_sub      text,
  actor_role     text,
  payload        jsonb NOT NULL,
  payload_digest text NOT NULL CHECK (payload_digest ~ '^[0-9a-f]{64}$'),
  prev_hash      text NOT NULL CHECK (prev_hash ~ '^[0-9a-f]{64}$'),
  hash           text NOT NULL CHECK (hash ~ '^[0-9a-f]{64}$'),
  recorded_at    timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (case_id, seq)
);

CREATE FUNCTION ledger_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'the ledger is append-only: % is not allowed', TG_OP
    USING ERRCODE = 'insufficient_privilege', HINT = 'corrections are new ledger entries';
END
$$;
CREATE TRIGGER ledger_no_update_or_delete BEFORE UPDATE OR DELETE ON ledger
  FOR EACH ROW EXECUTE FUNCTION ledger_append_only();
CREATE TRIGGER ledger_no_truncate BEFORE TRUNCATE ON ledger
  FOR EACH STATEMENT EXECUTE FUNCTION ledger_append_only();

CREATE TABLE rulings (
  case_id          text NOT NULL REFERENCES cases (case_id),
  ruling_no        integer NOT NULL,
  outcome          text NOT NULL CHECK (outcome IN ('exempt', 'mitigate', 'deny')),
  influence_months integer,
  recommended_form integer CHECK (recommended_form BETWEEN 1 AND 4),
  tier             text,
  status           text NOT NULL,
  proposed_by      text NOT NULL,
  reasons          text NOT NULL,
  created_at       timestamptz NOT NULL,
  updated_at       timestamptz NOT NULL,
  PRIMARY KEY (case_id, ruling_no)
);

CREATE TABLE measures (
  case_id       text NOT NULL REFERENCES cases (case_id),
  measure_id    text NOT NULL,
  title         text NOT NULL,
  due_date      date NOT NULL,
  status        text NOT NULL,
  percent       integer CHECK (percent BETWEEN 0 AND 100),
  last_progress text,
  created_at    timestamptz NOT NULL,
  updated_at    timestamptz NOT NULL,
  PRIMARY KEY (case_id, measure_id)
);

-- Every progress report a unit gave on a measure, in order.
CREATE TABLE measure_progress (
  case_id    text NOT NULL,
  measure_id text NOT NULL,
  seq        integer NOT NULL,
  at         timestamptz NOT NULL,
  progress   text NOT NULL,
  percent    integer,
  status     text NOT NULL,
  PRIMARY KEY (case_id, measure_id, seq),
  FOREIGN KEY (case_id, measure_id) REFERENCES measures (case_id, measure_id)
);

-- Revisits and their tracking records: thinking, work performance, life situation, assessment, tier.
CREATE TABLE revisits (
  case_id          text NOT NULL REFERENCES cases (case_id),
  revisit_id       text NOT NULL,
  month_offset     integer NOT NULL,
  tier             text NOT NULL,
  status           text NOT NULL,
  thinking         text,
  work_performance text,
  life_situation   text,
  assessment       text,
  new_tier         text,
  recorded_by      text,
  recorded_at      timestamptz,
  created_at       timestamptz NOT NULL,
  updated_at       timestamptz NOT NULL,
  PRIMARY KEY (case_id, revisit_id)
);

CREATE TABLE units (
  unit_code   text PRIMARY KEY,
  name        text NOT NULL,
  parent_code text REFERENCES units (unit_code),
  region      text
);

CREATE TABLE cadres (
  cadre_id  text PRIMARY KEY,
  name      text NOT NULL,
  unit_code text NOT NULL REFERENCES units (unit_code),
  post      text,
  rank      text
);

-- Annual evaluations (年度考核), the "consistent performance" an assessment weighs.
CREATE TABLE performance_records (
  cadre_id text NOT NULL,
  year     integer NOT NULL CHECK (year BETWEEN 1950 AND 2200),
  grade    text NOT NULL CHECK (grade IN ('excellent', 'competent', 'basicallyCompetent', 'incompetent')),
  PRIMARY KEY (cadre_id, year)
);
`,
};
