import type { Migration } from './index';

/**
 * Decision-effect tracking (决策执行效果跟踪评价): each tracking a case plans from its final ruling, and
 * what the ruling body recorded — whether the reform decision at stake was sustained or reversed, its
 * results (sealed with the case's key, cleared on erasure) and the loss recovered since the ruling —
 * or that it lapsed unrecorded.
 */
export const migration010: Migration = {
  version: 10,
  name: 'decision-effect trackings',
  sql: `
CREATE TABLE effect_trackings (
  case_id                text NOT NULL REFERENCES cases (case_id),
  tracking_id            text NOT NULL,
  month_offset           integer NOT NULL,
  opens_at               timestamptz NOT NULL,
  due_at                 timestamptz NOT NULL,
  status                 text NOT NULL CHECK (status IN ('planned', 'done', 'lapsed', 'cancelled')),
  reform_decision        text CHECK (reform_decision IN ('sustained', 'reversed')),
  results                text,
  recovered_since_ruling numeric(15, 2) CHECK (recovered_since_ruling >= 0),
  recorded_by            text,
  recorded_at            timestamptz,
  created_at             timestamptz NOT NULL,
  updated_at             timestamptz NOT NULL,
  PRIMARY KEY (case_id, tracking_id),
  CHECK ((status = 'done') = (reform_decision IS NOT NULL))
);
-- Oversight reads the trackings still to come, or missed, across cases.
CREATE INDEX effect_trackings_status_idx ON effect_trackings (status, due_at);
`,
};
