import type { Migration } from './index';

/**
 * The read model the inbox and the case list are answered from: the register row of every case
 * grows the facts they filter and show (where the case belongs, who was invited, who it awaits, its
 * next deadline), and `case_tasks` holds each case's open tasks. Both are written by the case's
 * record activity, in the transaction of its ledger entries, from a snapshot of the case; the
 * snapshot's (seq, at) orders them, so a late retry never overwrites a newer one.
 * Nothing personal: codes, roles, instants, and the subjects of invited experts (as the ledger's
 * actor_sub already keeps them).
 */
export const migration008: Migration = {
  version: 8,
  name: 'read model',
  sql: `
ALTER TABLE cases ADD COLUMN localities          text[] NOT NULL DEFAULT '{}';
ALTER TABLE cases ADD COLUMN experts             text[] NOT NULL DEFAULT '{}';
ALTER TABLE cases ADD COLUMN awaiting            text[] NOT NULL DEFAULT '{}';
ALTER TABLE cases ADD COLUMN next_due_at         timestamptz;
ALTER TABLE cases ADD COLUMN overdue             boolean NOT NULL DEFAULT false;
-- The snapshot the read-model columns and the case's tasks come from: the last ledger entry it
-- follows, the workflow time of its reaction, and when the record system wrote it.
ALTER TABLE cases ADD COLUMN snapshot_seq        integer;
ALTER TABLE cases ADD COLUMN snapshot_at         timestamptz;
ALTER TABLE cases ADD COLUMN snapshot_written_at timestamptz;

-- The case list: newest first, all cases or one unit's; an expert's by invitation.
CREATE INDEX cases_list_idx ON cases (opened_at DESC, case_id DESC);
CREATE INDEX cases_unit_list_idx ON cases (unit_code, opened_at DESC, case_id DESC);
CREATE INDEX cases_experts_idx ON cases USING gin (experts);

-- The open tasks of every case (status 'open' only: a task done or cancelled leaves the table).
-- unit_code and localities are the case's, copied so the inbox needs no join to scope a row.
CREATE TABLE case_tasks (
  case_id     text NOT NULL REFERENCES cases (case_id),
  task_id     text NOT NULL,
  kind        text NOT NULL,
  role        text NOT NULL CHECK (role IN ('unit', 'organization', 'discipline', 'expert', 'committee', 'supervisor')),
  body        text,
  assignees   text[],
  unit_code   text NOT NULL,
  localities  text[] NOT NULL DEFAULT '{}',
  opens_at    timestamptz NOT NULL,
  due_at      timestamptz NOT NULL,
  overdue     boolean NOT NULL,
  provisional boolean NOT NULL,
  status      text NOT NULL DEFAULT 'open' CHECK (status = 'open'),
  PRIMARY KEY (case_id, task_id)
);
-- The inbox walks these in (due_at, case_id) order and stops after a page: a body's tasks that name
-- it, and the tasks of its role that name no body (then scoped by locality); a unit's by unit and
-- role; an expert's tasks are found by assignee.
CREATE INDEX case_tasks_body_due_idx ON case_tasks (body, role, due_at, case_id) WHERE body IS NOT NULL;
CREATE INDEX case_tasks_role_due_idx ON case_tasks (role, due_at, case_id) WHERE body IS NULL;
CREATE INDEX case_tasks_unit_due_idx ON case_tasks (unit_code, role, due_at, case_id);
CREATE INDEX case_tasks_assignees_idx ON case_tasks USING gin (assignees);
`,
};
