import type { Migration } from './index';

/**
 * What reaches the cadre's record when a ruling is final (结果运用), and the outcome of hand-offs to
 * discipline inspection. `cadre_results` holds no personal data of its own: it belongs to the cadre
 * through its case (`cases.cadre_ref`), so erasing the case leaves it unattributable. The note of a
 * hand-off outcome is sealed with the case's key and cleared on erasure.
 */
export const migration007: Migration = {
  version: 7,
  name: 'ruling results and hand-off outcomes',
  sql: `
-- An exempt ruling: no negative evaluation (不作负面评价) from the day it is final; a mitigated one:
-- its influence period (影响期) from the day it is final to its last day, and when the case saw it end.
CREATE TABLE cadre_results (
  case_id    text NOT NULL REFERENCES cases (case_id),
  kind       text NOT NULL CHECK (kind IN ('noNegativeEvaluation', 'influencePeriod')),
  from_date  date NOT NULL,
  until_date date,
  status     text NOT NULL CHECK (status IN ('inForce', 'ended')),
  ended_at   timestamptz,
  created_at timestamptz NOT NULL,
  updated_at timestamptz NOT NULL,
  PRIMARY KEY (case_id, kind),
  CHECK ((kind = 'influencePeriod') = (until_date IS NOT NULL))
);

-- A case handed to discipline inspection, and what discipline recorded it made of it.
CREATE TABLE hand_offs (
  case_id          text PRIMARY KEY REFERENCES cases (case_id),
  reason           text NOT NULL CHECK (reason IN ('screening', 'denied')),
  rule_ids         text[],
  recommended_form integer CHECK (recommended_form BETWEEN 1 AND 4),
  handed_at        timestamptz NOT NULL,
  status           text NOT NULL CHECK (status IN ('awaiting', 'recorded')),
  disposition      text CHECK (disposition IN ('sanctioned', 'cleared', 'transferred')),
  form             integer CHECK (form BETWEEN 1 AND 4),
  note             text,
  recorded_by      text,
  recorded_at      timestamptz,
  updated_at       timestamptz NOT NULL
);
CREATE INDEX hand_offs_awaiting_idx ON hand_offs (status) WHERE status = 'awaiting';
`,
};
