/**
 * Per-case abuse signals (防止容错机制的滥用): raised the moment their fact becomes true — the cadre's
 * other applications when the record lookup of the opening answers, the ruling's signals when the
 * ruling is approved — each as an `abuseSignal` timeline entry (`{ signal, ...figures }`, which the
 * ledger keeps and statistics count) and a notice to the supervision body and the discipline
 * inspection body of the case's locality, in the reaction's notices. The decisions are
 * domain/oversight/signals.ts over the pinned state and policy. Cases that reached those moments
 * before signals existed replay without them (patch `abuse-signals`).
 */
import type { Ruling } from '../../../domain/case';
import type { SignalKind } from '../../../domain/labels';
import { applicationSignals, rulingSignals, type AbuseSignal } from '../../../domain/oversight/signals';
import { signalPolicyOf } from '../../../domain/policy';
import type { CaseMachine } from '../machine';
import { patches } from '../patches';

/** Whether the case has raised a signal of `kind` already. */
export const raised = (m: CaseMachine, kind: SignalKind): boolean => m.s.timeline.some((e) => e.event === 'abuseSignal' && e.detail?.signal === kind);

/** Records the signals and tells supervision and discipline inspection; `occasion` keys the notices (each sent once). */
function raise(m: CaseMachine, signals: readonly AbuseSignal[], occasion: string): void {
  for (const signal of signals) {
    m.event('abuseSignal', undefined, { signal: signal.signal, ...signal.figures });
    const vars = { signal: signal.signal, explanation: signal.explanation.zh, explanationEn: signal.explanation.en };
    m.notify(`signal:${signal.signal}:${occasion}`, 'abuseSignal', m.audienceFor('supervisor'), vars);
    m.notify(`signal:${signal.signal}:${occasion}:discipline`, 'abuseSignal', m.audienceFor('discipline'), vars);
  }
}

/**
 * The signals the latest cadre lookup makes due and the case has not raised yet. Decided before any
 * reaction, so a lookup that raises nothing changes nothing.
 */
export function applicationSignalsDue(m: CaseMachine): AbuseSignal[] {
  const l = m.internal.lookup;
  if (!l.applications || !l.at || raised(m, 'repeatApplication')) return [];
  return applicationSignals(signalPolicyOf(m.policy), { at: l.at, applications: l.applications });
}

/** In the reaction to the lookup's answer: the signals `applicationSignalsDue` found. */
export function raiseApplicationSignals(m: CaseMachine, signals: readonly AbuseSignal[]): void {
  raise(m, signals, 'opening');
}

/** Whether signals may be raised in this case (asked only when one is due). */
export const signalsApply = (m: CaseMachine): boolean => m.patched(patches.abuseSignals);

/** A ruling has just been approved: the signals its outcome raises against the case's figures. */
export function raiseRulingSignals(m: CaseMachine, ruling: Ruling): void {
  const signals = rulingSignals(signalPolicyOf(m.policy), {
    outcome: ruling.outcome,
    outsideBand: ruling.outsideBand,
    assessment: m.s.assessment,
    consultation: m.s.consultation,
    opinions: m.s.experts.opinions,
    lossAmount: m.s.application.incident.lossAmount,
    recoveredAmount: m.s.application.incident.recoveredAmount,
  });
  if (!signals.length || !signalsApply(m)) return;
  raise(m, signals, `ruling-${m.s.rulings.length}`);
}
