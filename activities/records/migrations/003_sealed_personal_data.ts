import type { Migration } from './index';

/**
 * Personal data sealed with a key per case, and erasure. Rows written before this migration keep
 * their plaintext (SQL cannot seal them): they stay readable, the cadre lookup still finds them by the
 * plain id, and `plaintextReport` counts them. Erasing such a case clears its columns, but its ledger
 * entries keep their plaintext: rewriting them would break the chain.
 */
export const migration003: Migration = {
  version: 3,
  name: 'sealed personal data',
  sql: `
-- One data key per case, wrapped by a master key (RECORD_KEYS). Erasure destroys it: wrapped_key
-- becomes NULL and destroyed_at says when.
CREATE TABLE case_keys (
  case_id      text PRIMARY KEY,
  key_id       text NOT NULL,
  wrapped_key  text,
  created_at   timestamptz NOT NULL,
  destroyed_at timestamptz,
  CHECK ((wrapped_key IS NULL) = (destroyed_at IS NOT NULL))
);

-- cadre_id, cadre_name and application now hold sealed text; cadre_ref is the keyed hash of the
-- cadre id the repeat lookup searches by. closed_at starts the retention period.
ALTER TABLE cases ADD COLUMN cadre_ref text;
ALTER TABLE cases ADD COLUMN closed_at timestamptz;
ALTER TABLE cases ADD COLUMN erased_at timestamptz;
ALTER TABLE cases ALTER COLUMN application TYPE text USING application::text;
UPDATE cases SET closed_at = updated_at WHERE stage = 'closed';
DROP INDEX cases_repeat_idx;
CREATE INDEX cases_cadre_ref_idx ON cases (cadre_ref, category, final_at);
CREATE INDEX cases_plain_cadre_idx ON cases (cadre_id, category, final_at) WHERE cadre_ref IS NULL;

-- Sealed personal columns are cleared when their case is erased.
ALTER TABLE rulings ALTER COLUMN reasons DROP NOT NULL;
ALTER TABLE measures ALTER COLUMN title DROP NOT NULL;
ALTER TABLE measure_progress ALTER COLUMN progress DROP NOT NULL;

-- The audit of every erasure: who, when, why, under which retention. Append-only like the ledger.
CREATE TABLE erasures (
  case_id                  text PRIMARY KEY,
  erased_at                timestamptz NOT NULL,
  erased_by                text NOT NULL,
  reason                   text NOT NULL,
  policy_version           text NOT NULL,
  retention_years          integer NOT NULL,
  closed_at                timestamptz NOT NULL,
  ledger_seq               integer NOT NULL,
  plaintext_ledger_entries integer NOT NULL
);

CREATE FUNCTION erasures_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'the erasure log is append-only: % is not allowed', TG_OP
    USING ERRCODE = 'insufficient_privilege';
END
$$;
CREATE TRIGGER erasures_no_update_or_delete BEFORE UPDATE OR DELETE ON erasures
  FOR EACH ROW EXECUTE FUNCTION erasures_append_only();
CREATE TRIGGER erasures_no_truncate BEFORE TRUNCATE ON erasures
  FOR EACH STATEMENT EXECUTE FUNCTION erasures_append_only();
`,
};
