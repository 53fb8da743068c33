/**
 * The transition table: for each stage, what it waits on, what happens on entering it, which actions
 * it allows and where each may lead, and where its deadline may lead (see watcher.ts for the rule).
 * Screening and assessment are steps inside a reaction (`acceptance` → screening → `investigation`
 * or `closed`; `investigation` → screening, assessment → `expertReview`, `consultation` or `closed`).
 * The machine checks every reaction against this table, so it is the whole truth of the lifecycle.
 */
import type { Stage, TaskKind } from '../../domain/case';
import type { ActionName } from './actions';
import type { StageEntry } from './machine';
import { enterAcceptance, enterSupplement } from './parts/intake';
import { enterInvestigation } from './parts/assessment';
import { enterConsultation, enterExpertReview } from './parts/experts';
import { enterAppeal, enterReconsideration, enterRulingProposal, enterRulingReview } from './parts/ruling';
import { enterRemediation } from './parts/remediation';
import { enterExclusionReview } from './parts/exclusion';
import { enterHandOff } from './parts/hand-off';

export interface StageRow {
  /** The tasks open while the case rests here. */
  waitsOn: TaskKind[];
  enter: StageEntry;
  /** Allowed actions and the stages each may lead to. */
  actions: Partial<Record<ActionName, Stage[]>>;
  /** Where a passed deadline may lead (absent: the case keeps waiting and escalates). */
  deadline?: Stage[];
}

const beforeRuling: Partial<Record<ActionName, Stage[]>> = { withdrawal: ['closed'] };

export const transitions: Record<Stage, StageRow> = {
  acceptance: { waitsOn: ['acceptance'], enter: enterAcceptance, actions: { acceptance: ['investigation', 'supplement', 'exclusionReview', 'closed'], ...beforeRuling } },
  supplement: { waitsOn: ['supplement'], enter: enterSupplement, actions: { supplement: ['acceptance'], ...beforeRuling }, deadline: ['closed'] },
  investigation: { waitsOn: ['investigation'], enter: enterInvestigation, actions: { investigation: ['expertReview', 'consultation', 'exclusionReview', 'closed'], ...beforeRuling } },
  exclusionReview: {
    waitsOn: ['exclusionReview'],
    enter: enterExclusionReview,
    actions: { exclusionConfirmation: ['closed', 'handOff'], exclusionOverride: ['investigation'], ...beforeRuling },
    deadline: ['closed', 'handOff'],
  },
  expertReview: {
    waitsOn: ['expertInvitation', 'expertOpinion'],
    enter: enterExpertReview,
    actions: { expertInvitation: ['expertReview'], expertOpinion: ['expertReview', 'consultation'], ...beforeRuling },
    deadline: ['consultation'],
  },
  consultation: { waitsOn: ['consultation'], enter: enterConsultation, actions: { consultation: ['rulingProposal'], ...beforeRuling }, deadline: ['rulingProposal'] },
  rulingProposal: { waitsOn: ['rulingProposal'], enter: enterRulingProposal, actions: { rulingProposal: ['rulingReview'], ...beforeRuling } },
  // An approved replacement of an overturned ruling is final at once: remediation, or the hand-off of a denial.
  rulingReview: { waitsOn: ['rulingReview'], enter: enterRulingReview, actions: { rulingReview: ['appeal', 'rulingProposal', 'remediation', 'handOff', 'closed'], ...beforeRuling } },
  appeal: { waitsOn: ['appeal'], enter: enterAppeal, actions: { appeal: ['reconsideration'] }, deadline: ['remediation', 'handOff', 'closed'] },
  reconsideration: { waitsOn: ['reconsideration'], enter: enterReconsideration, actions: { reconsideration: ['rulingProposal', 'remediation', 'handOff', 'closed'] } },
  handOff: { waitsOn: ['handOffOutcome'], enter: enterHandOff, actions: { handOffOutcome: ['closed'] } },
  remediation: {
    waitsOn: ['correctionPlan', 'measure', 'revisit', 'effectTracking'],
    enter: enterRemediation,
    actions: {
      correctionPlan: ['remediation'],
      measureProgress: ['remediation'],
      measureVerification: ['remediation', 'followUp', 'closed'],
      revisit: ['remediation'],
      effectTracking: ['remediation'],
    },
  },
  // A mitigated case stays in follow-up until its influence period ends, which may close it; so does a
  // decision-effect tracking until it is recorded or lapses.
  followUp: {
    waitsOn: ['revisit', 'effectTracking'],
    enter: () => {},
    actions: { revisit: ['followUp', 'closed'], effectTracking: ['followUp', 'closed'] },
    deadline: ['followUp', 'closed'],
  },
  closed: { waitsOn: [], enter: () => {}, actions: {} },
};

/** The stages in which `action` is allowed. */
export function stagesOf(action: ActionName): Stage[] {
  return (Object.keys(transitions) as Stage[]).filter((s) => transitions[s].actions[action] !== undefined);
}

/** Whether a reaction to `action` in `from` may end in `to` (the table's promise). */
export function mayLead(from: Stage, action: ActionName | 'deadline', to: Stage): boolean {
  if (from === to && action === 'deadline') return true;
  const targets = action === 'deadline' ? transitions[from].deadline ?? [] : transitions[from].actions[action] ?? [];
  return targets.includes(to);
}

export const stageEntries = Object.fromEntries((Object.keys(transitions) as Stage[]).map((s) => [s, transitions[s].enter])) as Record<Stage, StageEntry>;
