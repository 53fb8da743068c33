/**
 * Test doubles of the record and notification systems for workflow tests on the time-skipping
 * server. The real implementations are tested against PostgreSQL, SMTP and HTTP elsewhere.
 */
import type { CadreLookup, CaseSnapshot, LookupCadreInput, NotifyInput, Notifier, RecordEventInput, RecordReactionInput, RecordSystem } from '../../activities/types';
import { InvalidRecordInput } from '../../activities/records/errors';

type Grade = 'excellent' | 'competent' | 'basicallyCompetent' | 'incompetent';

export class MemoryRecords implements RecordSystem {
  readonly events: RecordEventInput[] = [];
  readonly tolerated: { cadreId: string; category: string; caseId: string; outcome: string; finalAt: string }[] = [];
  readonly performance = new Map<string, { year: number; grade: Grade }[]>();

  async lookupCadre(l: LookupCadreInput): Promise<CadreLookup> {
    return {
      at: l.at,
      earlier: this.findToleratedCases(l.cadreId, l.category, l.since, l.caseId),
      performance: l.performanceYears > 0 ? this.performanceRecords(l.cadreId, l.performanceYears) : [],
      ...(l.applicationsSince !== undefined ? { applications: this.findApplications(l.cadreId, l.applicationsSince, l.caseId) } : {}),
    };
  }

  private findToleratedCases(cadreId: string, category: string, since: string, excludeCaseId: string) {
    return this.tolerated
      .filter((t) => t.cadreId === cadreId && t.category === category && t.finalAt >= since && t.caseId !== excludeCaseId)
      .map(({ caseId, outcome, finalAt }) => ({ caseId, outcome, finalAt }));
  }

  /** The cadre's other cases, from the case records the workflows wrote (any category, any stage). */
  private findApplications(cadreId: string, since: string, excludeCaseId: string) {
    return this.events
      .flatMap((e) => (e.records ?? []).filter((r) => r.type === 'case' && r.cadreId === cadreId).map(() => ({ caseId: e.caseId, category: e.register.category, openedAt: e.register.openedAt })))
      .filter((a) => a.openedAt >= since && a.caseId !== excludeCaseId)
      .sort((a, b) => a.openedAt.localeCompare(b.openedAt) || a.caseId.localeCompare(b.caseId));
  }

  private performanceRecords(cadreId: string, years: number) {
    return (this.performance.get(cadreId) ?? []).slice().sort((a, b) => b.year - a.year).slice(0, years);
  }

  /** Cases whose entries the store refuses for good, as a database refuses data it cannot take. */
  readonly refusing = new Set<string>();

  async recordEvent(input: RecordEventInput): Promise<void> {
    if (this.refusing.has(input.caseId)) throw new InvalidRecordInput(`recordEvent(${input.caseId}#${input.seq}) was refused by the database (22021)`);
    if (this.events.some((e) => e.caseId === input.caseId && e.seq === input.seq)) return;
    this.events.push(input);
  }

  /** The newest snapshot of each case, by (seq, at), as the record system keeps it. */
  readonly snapshots = new Map<string, CaseSnapshot>();

  async recordReaction(input: RecordReactionInput): Promise<void> {
    for (const e of input.events) await this.recordEvent({ caseId: input.caseId, register: input.register, ...e });
    const snap = input.snapshot;
    if (!snap || !this.events.some((e) => e.caseId === input.caseId)) return;
    const held = this.snapshots.get(input.caseId);
    if (!held || held.seq < snap.seq || (held.seq === snap.seq && Date.parse(held.at) <= Date.parse(snap.at))) this.snapshots.set(input.caseId, snap);
  }

  eventsOf(caseId: string): string[] {
    return this.events.filter((e) => e.caseId === caseId).sort((a, b) => a.seq - b.seq).map((e) => e.entry.event);
  }
}

export class MemoryNotifier implements Notifier {
  readonly sent: NotifyInput[] = [];
  /** `deliver`: a real notification system each notice is handed to as well. */
  constructor(private readonly deliver?: Notifier) {}
  async notify(input: NotifyInput): Promise<void> {
    await this.deliver?.notify(input);
    if (this.sent.some((n) => n.key === input.key)) return;
    this.sent.push(input);
  }
  of(caseId: string, template?: NotifyInput['template']): NotifyInput[] {
    return this.sent.filter((n) => n.caseId === caseId && (!template || n.template === template));
  }
}
