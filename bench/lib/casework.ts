/**
 * Cases written straight into the record system through its normal write path (`recordReaction`,
 * what a case's record activity calls: ledger entry, register row, statistics facts and the read
 * model's snapshot in one transaction per reaction), without running their workflows: a timeline of
 * steps, each the event a workflow writes, the stage and outcome after it. For the statistics tests
 * and benchmark.
 */
import type { ReadModelTask, RecordSystem } from '../../activities/types';
import type { Role, Stage } from '../../domain/case';

export interface SeedStep {
  /** Instant of the step (ISO). */
  at: string;
  event: string;
  detail?: Record<string, unknown>;
  /** The stage after the step. */
  stage: Stage;
  outcome?: 'exempt' | 'mitigate' | 'deny';
  actor?: { sub: string; role: Role };
}

export interface SeedCase {
  caseId: string;
  unitCode: string;
  category: string;
  /** The case's locality and those above it, nearest first. */
  localities: string[];
  policyVersion?: string;
  steps: SeedStep[];
  /** The tasks open after the last step (the read model's). */
  tasks?: ReadModelTask[];
}

/** Writes the case's steps, one reaction each, in order; the last one with the open tasks. */
export async function seedCase(records: Pick<RecordSystem, 'recordReaction'>, c: SeedCase): Promise<void> {
  const openedAt = c.steps[0]!.at;
  for (const [i, step] of c.steps.entries()) {
    const last = i === c.steps.length - 1;
    const tasks = last ? (c.tasks ?? []) : [];
    await records.recordReaction({
      caseId: c.caseId,
      register: {
        caseId: c.caseId,
        origin: 'application',
        policyVersion: c.policyVersion ?? 'default@2025.1',
        unitCode: c.unitCode,
        category: c.category,
        stage: step.stage,
        openedAt,
        ...(step.outcome ? { outcome: step.outcome } : {}),
        ...(step.stage === 'closed' ? { closeReason: 'finished' } : {}),
      },
      events: [{ seq: i + 1, entry: { at: step.at, event: step.event, ...(step.actor ? { actor: step.actor } : {}), ...(step.detail ? { detail: step.detail } : {}) } }],
      snapshot: {
        seq: i + 1,
        at: step.at,
        localities: c.localities,
        experts: [],
        awaiting: [...new Set(tasks.map((t) => t.role))],
        ...(tasks.length ? { nextDueAt: tasks.map((t) => t.dueAt).sort()[0]! } : {}),
        overdue: tasks.some((t) => t.overdue),
        tasks,
      },
    });
  }
}

const DAY = 86_400_000;
const plus = (at: string, days: number) => new Date(Date.parse(at) + days * DAY).toISOString();

/**
 * A plausible timeline for a case opened at `openedAt`, drawn with `random` (0–1): refused, excluded
 * by a rule and confirmed, or investigated, consulted (sometimes with an objection), ruled (exempt,
 * mitigate or deny), sometimes appealed, sometimes escalated or flagged by a per-case signal.
 */
export function plausibleSteps(openedAt: string, random: () => number, bodies: { organization: string; discipline: string }): { steps: SeedStep[]; tasks: ReadModelTask[] } {
  const org = { sub: 'org-1', role: 'organization' as const };
  let t = openedAt;
  const next = (days: number) => (t = plus(t, days * (0.5 + random())));
  const steps: SeedStep[] = [{ at: t, event: 'opened', stage: 'acceptance', detail: { origin: 'application' } }];
  const r = random();
  if (r < 0.1) {
    steps.push({ at: next(3), event: 'refused', stage: 'closed', actor: org }, { at: plus(t, 0), event: 'closed', stage: 'closed', detail: { reason: 'refused' } });
    return { steps, tasks: [] };
  }
  if (r < 0.2) {
    steps.push(
      { at: next(3), event: 'screened', stage: 'exclusionReview', detail: { phase: 'application', passed: false, rules: [random() < 0.5 ? 'NL-2' : 'NL-3'] } },
      { at: plus(t, 0), event: 'exclusionReported', stage: 'exclusionReview', detail: { phase: 'application', rules: ['NL-2'] } },
      { at: next(4), event: 'exclusionConfirmed', stage: 'handOff', actor: org, detail: { rules: ['NL-2'] } },
      { at: plus(t, 0), event: 'handedOff', stage: 'handOff', detail: { to: 'discipline', reason: 'screening' } },
    );
    const dueAt = plus(t, 30);
    return { steps, tasks: [{ taskId: 'handOffOutcome-1', kind: 'handOffOutcome', role: 'discipline', body: bodies.discipline, opensAt: t, dueAt, overdue: false, provisional: false }] };
  }
  steps.push({ at: next(3), event: 'accepted', stage: 'investigation', actor: org }, { at: plus(t, 0), event: 'screened', stage: 'investigation', detail: { phase: 'application', passed: true, rules: [] } });
  if (random() < 0.15) steps.push({ at: next(45), event: 'escalated', stage: 'investigation', detail: { task: 'investigation', awaiting: 'organization', escalation: 1 } });
  if (random() < 0.3) {
    const dueAt = plus(t, 40);
    return { steps, tasks: [{ taskId: 'investigation-1', kind: 'investigation', role: 'organization', body: bodies.organization, opensAt: t, dueAt, overdue: false, provisional: false }] };
  }
  steps.push(
    { at: next(25), event: 'assessed', stage: 'consultation' },
    { at: next(8), event: 'consultationGiven', stage: 'rulingProposal', actor: { sub: 'disc-1', role: 'discipline' }, detail: { opinion: random() < 0.2 ? 'object' : 'concur' } },
  );
  const o = random();
  const outcome = o < 0.5 ? 'exempt' : o < 0.8 ? 'mitigate' : 'deny';
  steps.push(
    { at: next(6), event: 'rulingProposed', stage: 'rulingReview', actor: org },
    { at: next(6), event: 'rulingApproved', stage: 'appeal', actor: { sub: 'cmt-1', role: 'committee' }, detail: { outcome } },
  );
  if (random() < 0.1) steps.push({ at: next(10), event: 'abuseSignal', stage: 'appeal', detail: { signal: random() < 0.5 ? 'outsideBand' : 'againstObjection' } });
  if (random() < 0.15) {
    steps.push({ at: next(10), event: 'appealFiled', stage: 'reconsideration', actor: { sub: 'unit-1', role: 'unit' } }, { at: next(20), event: 'rulingUpheld', stage: 'reconsideration', actor: { sub: 'cmt-2', role: 'committee' } });
  } else {
    next(15);
  }
  steps.push({ at: plus(t, 0), event: 'rulingFinal', stage: outcome === 'deny' ? 'handOff' : 'remediation', outcome, detail: { outcome } });
  return { steps, tasks: [] };
}
