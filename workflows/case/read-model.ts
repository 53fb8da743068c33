/**
 * The case as the read model keeps it (activities/records/readModel.ts): the snapshot the record
 * activity carries with every reaction's ledger entries. Pure and deterministic: made from the state
 * and the reaction's time only. Codes, roles, instants and expert subjects; nothing personal.
 */
import type { CaseSnapshot, ReadModelTask, RecordEventInput } from '../../activities/types';
import type { CaseState } from '../../domain/case';
import { openNow } from './visibility';

/** The register row after the entries being written: the non-personal facts the register keeps. */
export function registerOf(s: CaseState): RecordEventInput['register'] {
  return {
    caseId: s.caseId,
    origin: s.origin,
    policyVersion: s.policyVersion,
    unitCode: s.unitCode,
    category: s.category,
    stage: s.stage,
    openedAt: s.openedAt,
    ...(s.outcome ? { outcome: s.outcome } : {}),
    ...(s.closeReason ? { closeReason: s.closeReason } : {}),
  };
}

/** Every open task, with who may see it: the body that must act and, for an expert task, the invited experts it is assigned to. */
export function readModelTasks(s: CaseState): ReadModelTask[] {
  const invited = s.experts.invited;
  return s.tasks
    .filter((t) => t.status === 'open')
    .map((t) => {
      // whoever tolerates, revisits: a revisit belongs to the body that made the ruling
      const body = t.body ?? (t.kind === 'revisit' ? s.rulingBody : undefined);
      // an expert sees a case only while invited, and a task only where it is an assignee
      const assignees = t.role === 'expert' ? (t.assignees ?? invited).filter((a) => invited.includes(a)) : t.assignees;
      return {
        taskId: t.id,
        kind: t.kind,
        role: t.role,
        ...(body ? { body } : {}),
        ...(assignees ? { assignees: [...assignees] } : {}),
        opensAt: t.opensAt,
        dueAt: t.dueAt,
        overdue: t.overdue,
        provisional: t.provisional,
      };
    });
}

/** The snapshot after the timeline entry `seq` (-1: none yet), taken at workflow time `at`. */
export function snapshotOf(s: CaseState, seq: number, at: string): CaseSnapshot {
  const open = openNow(s, Date.parse(at));
  const nextDueAt = open.map((t) => t.dueAt).sort()[0];
  return {
    seq,
    at,
    localities: [...(s.jurisdiction?.path ?? [])],
    experts: [...s.experts.invited],
    awaiting: [...new Set(open.map((t) => t.role))].sort(),
    ...(nextDueAt ? { nextDueAt } : {}),
    overdue: open.some((t) => t.overdue),
    tasks: readModelTasks(s),
  };
}

/**
 * What of a snapshot says something about the case, without its position (seq, at) or what only the
 * passing of time changes: equal fingerprints need no new write.
 */
export function snapshotFingerprint(s: CaseState): string {
  return JSON.stringify([s.stage, s.outcome ?? null, s.closeReason ?? null, s.jurisdiction?.path ?? [], s.experts.invited, readModelTasks(s)]);
}
