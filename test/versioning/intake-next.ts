/**
 * A next version of the intake part, as a change that alters what a running case does would be
 * written: the new behaviour (the unit is told its application was accepted) sits behind a patch, so
 * a case that accepted before the change replays as it ran, and one that accepts after gets the notice.
 * Bundled in place of workflows/case/parts/intake.ts by test/workflow/versioning.test.ts only.
 */
import { patched } from '@temporalio/workflow';
import type { z } from 'zod';
import type { acceptanceSchema, Actor } from '../../domain/case';
import type { CaseMachine } from '../../workflows/case/machine';
import * as current from '../../workflows/case/parts/intake';

export * from '../../workflows/case/parts/intake';

export function applyAcceptance(m: CaseMachine, actor: Actor, input: z.output<typeof acceptanceSchema>): void {
  current.applyAcceptance(m, actor, input);
  if (input.decision === 'accept' && patched('acceptance-notice')) {
    m.notify('acceptance-accepted', 'decision', { role: 'unit', unit: m.s.unitCode }, { step: 'acceptance', decision: 'accept' });
  }
}
