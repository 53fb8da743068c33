import type { Migration } from './index';

/**
 * Statistics and periodic reports. What statistics count of the ledger is kept beside it as it is
 * written, so a year of a locality is read in one pass over a few narrow rows instead of over every
 * sealed payload: `case_facts` (one row per counted timeline entry: its event and codes, never free
 * text) and `case_stage_spans` (each stay of a case in a stage: when it entered and left). Both are
 * written by the record activity in the transaction of the entry (recordSystem.ts), and filled here
 * from the ledger recorded before: the event, its instant and the register row are in the clear in
 * every payload, the codes only in payloads recorded before sealing (a rule or signal of a sealed
 * entry recorded before this migration is not known to statistics; its entry still counts).
 * `reports`: every periodic report, kept once per report id (kind, locality, period), append-only.
 */
export const migration009: Migration = {
  version: 9,
  name: 'statistics and reports',
  sql: `
CREATE TABLE case_facts (
  case_id   text NOT NULL,
  seq       integer NOT NULL,
  at        timestamptz NOT NULL,
  event     text NOT NULL,
  unit_code text NOT NULL,
  category  text NOT NULL,
  codes     text[] NOT NULL DEFAULT '{}',
  PRIMARY KEY (case_id, seq)
);
CREATE INDEX case_facts_at_idx ON case_facts (at);
CREATE INDEX case_facts_unit_at_idx ON case_facts (unit_code, at);

CREATE TABLE case_stage_spans (
  case_id    text NOT NULL,
  seq        integer NOT NULL,
  stage      text NOT NULL,
  unit_code  text NOT NULL,
  entered_at timestamptz NOT NULL,
  left_at    timestamptz,
  PRIMARY KEY (case_id, seq)
);
CREATE INDEX case_stage_spans_open_idx ON case_stage_spans (case_id) WHERE left_at IS NULL;
CREATE INDEX case_stage_spans_left_idx ON case_stage_spans (left_at) WHERE left_at IS NOT NULL;

INSERT INTO case_facts (case_id, seq, at, event, unit_code, category, codes)
SELECT l.case_id, l.seq, l.at, l.event, l.payload->'register'->>'unitCode', l.payload->'register'->>'category',
  CASE
    WHEN l.event = 'rulingFinal' AND l.payload->'register'->>'outcome' IS NOT NULL THEN ARRAY[l.payload->'register'->>'outcome']
    WHEN NOT (l.payload ? 'entry') THEN '{}'::text[]
    WHEN l.event IN ('exclusionReported', 'exclusionConfirmed', 'exclusionOverridden', 'exclusionLapsed')
      OR (l.event = 'screened' AND l.payload->'entry'->'detail'->>'passed' = 'false')
      THEN ARRAY(SELECT jsonb_array_elements_text(COALESCE(l.payload->'entry'->'detail'->'rules', '[]'::jsonb)))
    WHEN l.event = 'rulingApproved' THEN ARRAY_REMOVE(ARRAY[l.payload->'entry'->'detail'->>'outcome'], NULL)
    WHEN l.event = 'rulingOverturned' THEN ARRAY_REMOVE(ARRAY[l.payload->'entry'->'detail'->>'from', l.payload->'entry'->'detail'->>'to'], NULL)
    WHEN l.event = 'consultationGiven' THEN ARRAY_REMOVE(ARRAY[l.payload->'entry'->'detail'->>'opinion'], NULL)
    WHEN l.event IN ('handedOff', 'closed') THEN ARRAY_REMOVE(ARRAY[l.payload->'entry'->'detail'->>'reason'], NULL)
    WHEN l.event = 'escalated' THEN ARRAY_REMOVE(ARRAY[l.payload->'entry'->'detail'->>'task', l.payload->'entry'->'detail'->>'awaiting'], NULL)
    ELSE '{}'::text[]
  END
FROM ledger l
WHERE l.payload ? 'register'
  AND l.event IN ('opened', 'accepted', 'refused', 'supplementRequested', 'withdrawn', 'screened', 'exclusionReported',
    'exclusionConfirmed', 'exclusionOverridden', 'exclusionLapsed', 'consultationGiven', 'consultationLapsed', 'rulingApproved',
    'rulingReturned', 'appealFiled', 'rulingUpheld', 'rulingOverturned', 'rulingFinal', 'handedOff', 'handOffOutcomeRecorded',
    'escalated', 'abuseSignal', 'closed');

INSERT INTO case_stage_spans (case_id, seq, stage, unit_code, entered_at, left_at)
SELECT case_id, seq, stage, unit_code, at, left_at FROM (
  SELECT case_id, seq, stage, unit_code, at, lead(at) OVER (PARTITION BY case_id ORDER BY seq) AS left_at
  FROM (
    SELECT case_id, seq, at, stage, unit_code, lag(stage) OVER (PARTITION BY case_id ORDER BY seq) AS before
    FROM (SELECT case_id, seq, at, payload->'register'->>'stage' AS stage, payload->'register'->>'unitCode' AS unit_code FROM ledger WHERE payload ? 'register') AS entries
  ) AS stages
  WHERE before IS DISTINCT FROM stage
) AS changes
WHERE stage <> 'closed';

CREATE TABLE reports (
  report_id    text PRIMARY KEY,
  kind         text NOT NULL CHECK (kind IN ('monthly', 'quarterly')),
  locality     text NOT NULL,
  localities   text[] NOT NULL,
  period_from  date NOT NULL,
  period_to    date NOT NULL,
  generated_at timestamptz NOT NULL,
  content      jsonb NOT NULL,
  html         text NOT NULL,
  digest       text NOT NULL CHECK (digest ~ '^[0-9a-f]{64}$'),
  recorded_at  timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX reports_list_idx ON reports (period_from DESC, report_id);

CREATE FUNCTION reports_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'reports are kept as issued: % is not allowed', TG_OP
    USING ERRCODE = 'insufficient_privilege';
END
$$;
CREATE TRIGGER reports_no_update_or_delete BEFORE UPDATE OR DELETE ON reports
  FOR EACH ROW EXECUTE FUNCTION reports_append_only();
`,
};
