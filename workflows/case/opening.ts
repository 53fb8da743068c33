/**
 * A case's first reaction, in one place: the workflow runs it when the case opens, and the API runs
 * it on a copy to start the case with the search attributes that reaction leaves (so the case's first
 * workflow task upserts only what came out differently, usually nothing).
 */
import type { CaseState } from '../../domain/case';
import type { CaseInput } from '../messages';
import { CaseMachine } from './machine';
import { stageEntries } from './transitions';

/** `opened` in the timeline, acceptance entered, the cadre's record asked for, the organization department told. */
export function openCase(m: CaseMachine): void {
  const s = m.s;
  m.event('opened', s.openedBy, { origin: s.origin, policyVersion: s.policyVersion, unitCode: s.unitCode, category: s.category }, [
    { type: 'case', cadreId: s.application.cadre.id, cadreName: s.application.cadre.name, application: s.application },
  ]);
  stageEntries.acceptance(m);
  m.requestLookup();
  const task = m.task('acceptance')!;
  m.notify('opened', 'caseOpened', m.audienceFor('organization'), { taskId: task.id, unitCode: s.unitCode, category: s.category, origin: s.origin, dueAt: task.dueAt });
}

/** The case as its first reaction leaves it when it opens at `openedAt`, as a new case (every patch taken). */
export function openedCase(input: CaseInput, openedAt: string): CaseState {
  const start = CaseMachine.initial(input, openedAt);
  const m = new CaseMachine(start.state, start.internal, input.policy, stageEntries, openedAt);
  openCase(m);
  return m.s;
}
