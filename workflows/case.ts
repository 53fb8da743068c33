/**
 * One case of 容错纠错 as one long-running workflow: application → acceptance → boundary screening →
 * investigation → [expert review] → consultation → ruling and review → notice and appeal → result →
 * remediation → revisits → closed.
 *
 * The main loop is a state machine over `stage`, resumable after continue-as-new. Human actions are
 * Updates: a validator rejects what the stage, the caller or the rules do not allow (leaving no trace
 * in history); an accepted action changes the state, and its handler answers once the main loop has
 * reacted to it. A watcher coroutine sends reminders, escalates overdue waits and marks expiries; a
 * recorder coroutine writes every timeline entry to the record system, in order.
 */
import {
  ApplicationFailure,
  allHandlersFinished,
  condition,
  continueAsNew,
  currentUpdateInfo,
  log,
  proxyActivities,
  setCurrentDetails,
  setHandler,
  upsertSearchAttributes,
  workflowInfo,
} from '@temporalio/workflow';
import type { SearchAttributeUpdatePair, UpdateDefinition } from '@temporalio/common';
import type { CaseActivities, DeadlinePlan, DomainRecord, NotificationTemplate } from '../activities/types';
import {
  acceptanceSchema,
  appealSchema,
  consultationSchema,
  correctionPlanSchema,
  expertInvitationSchema,
  initialCaseState,
  expertOpinionSchema,
  investigationSchema,
  measureProgressSchema,
  measureVerificationSchema,
  reconsiderationSchema,
  revisitSchema,
  rulingProposalSchema,
  rulingReviewSchema,
  supplementSchema,
  withdrawalSchema,
  type Actor,
  type CaseState,
  type PendingTask,
  type Role,
  type Ruling,
  type Stage,
  type TaskKind,
} from '../domain/case';
import type { PolicyDuration, Tier } from '../domain/policy';
import {
  ActionRejected,
  decideAcceptanceUpdate,
  decideReconsiderationUpdate,
  fileAppealUpdate,
  getCaseQuery,
  giveConsultationUpdate,
  nonRetryableActivityErrorTypes,
  inviteExpertsUpdate,
  issueCorrectionPlanUpdate,
  proposeRulingUpdate,
  recordRevisitUpdate,
  reportMeasureProgressUpdate,
  reviewRulingUpdate,
  searchAttributes as sa,
  submitExpertOpinionUpdate,
  submitInvestigationUpdate,
  submitSupplementUpdate,
  verifyMeasureUpdate,
  withdrawUpdate,
  type Action,
  type CaseInput,
} from './messages';

const acts = proxyActivities<Omit<CaseActivities, 'notify'>>({
  startToCloseTimeout: '30 seconds',
  retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '2 minutes', nonRetryableErrorTypes: nonRetryableActivityErrorTypes },
});

/** Notifications retry with backoff for about a day, then give up without blocking the case. */
const notifier = proxyActivities<Pick<CaseActivities, 'notify'>>({
  startToCloseTimeout: '1 minute',
  retry: { initialInterval: '5 seconds', backoffCoefficient: 2, maximumInterval: '30 minutes', maximumAttempts: 60, nonRetryableErrorTypes: nonRetryableActivityErrorTypes },
});

/** What happens when a wait passes its deadline. */
const onExpiry: Record<TaskKind, 'escalate' | 'proceed' | 'close' | 'lapse'> = {
  acceptance: 'escalate',
  supplement: 'close',
  investigation: 'escalate',
  expertInvitation: 'escalate',
  expertOpinions: 'proceed',
  consultation: 'proceed',
  rulingProposal: 'escalate',
  review: 'escalate',
  appealWindow: 'lapse',
  reconsideration: 'escalate',
  correctionPlan: 'escalate',
  measure: 'escalate',
  revisit: 'escalate',
};

/** Internal bookkeeping carried across continue-as-new beside the case state. */
interface Internal {
  recorded: number;
  taskCounter: number;
  pendingRecords: Record<number, DomainRecord[]>;
  /** A revisit that changed the tier: the remaining schedule is planned again from it. */
  replanAfter?: { monthOffset: number; tier: Tier };
  measuresPlanned: boolean;
  revisitsPlanned: boolean;
  /** Invited experts who have been sent their invitation. */
  expertsNotified: string[];
  /** What a supplement request asked for, until its notice (with the deadline) has gone out. */
  supplementItems?: string;
  /** Update ids already applied (the most recent ones), so retries across continue-as-new stay idempotent. */
  appliedUpdateIds: string[];
}

export interface CaseResume {
  state: CaseState;
  internal: Internal;
}

const STAGES_BEFORE_RULING: Stage[] = ['submitted', 'supplement_requested', 'screening', 'investigation', 'expert_review', 'consultation', 'ruling', 'ruling_proposed'];

function reject(type: string, message: string): never {
  throw ApplicationFailure.create({ type, message, nonRetryable: true });
}

function parse<T>(schema: { safeParse(v: unknown): { success: true; data: T } | { success: false; error: { issues: { path: PropertyKey[]; message: string }[] } } }, value: unknown): T {
  const r = schema.safeParse(value);
  if (!r.success) reject(ActionRejected.invalidInput, r.error.issues.map((i) => `${i.path.map(String).join('.') || 'input'}: ${i.message}`).join('; '));
  return r.data;
}

const nowIso = () => new Date().toISOString();
const MAX_TIMER_MS = 20 * 24 * 60 * 60 * 1000;
const MAX_REMEMBERED_UPDATES = 500;

/** The case workflow. Its id is `case-<number>`; its result is the final case state. */
export async function caseWorkflow(input: CaseInput & { resume?: CaseResume }): Promise<CaseState> {
  const policy = input.policy;
  const s: CaseState = input.resume?.state ?? initialCaseState(input, nowIso());
  const internal: Internal = { appliedUpdateIds: [], expertsNotified: [], ...(input.resume?.internal ?? { recorded: 0, taskCounter: 0, pendingRecords: {}, measuresPlanned: false, revisitsPlanned: false }) };

  // ---- events, records and notifications ----

  function event(name: string, actor?: Actor, detail?: Record<string, unknown>, records?: DomainRecord[]): void {
    s.timeline.push({ at: nowIso(), event: name, ...(actor ? { actor: { sub: actor.sub, role: actor.role } } : {}), ...(detail ? { detail } : {}) });
    if (records?.length) internal.pendingRecords[s.timeline.length - 1] = records;
    changed++;
  }

  let notificationsInFlight = 0;
  function notify(key: string, template: NotificationTemplate, audience: { role: Role; unit?: string; subjects?: string[] }, vars: Record<string, string | number | boolean> = {}): void {
    notificationsInFlight++;
    void notifier
      .notify({ caseId: s.caseId, key: `${s.caseId}:${key}`, template, audience, vars: { caseId: s.caseId, stage: s.stage, ...vars } })
      .catch((err: unknown) => log.error('Notification given up after retries', { caseId: s.caseId, key, template, error: String(err) }))
      .finally(() => notificationsInFlight--);
  }

  async function recorder(): Promise<void> {
    for (;;) {
      await condition(() => internal.recorded < s.timeline.length);
      const seq = internal.recorded;
      const entry = s.timeline[seq]!;
      const records = internal.pendingRecords[seq];
      await acts.recordEvent({
        caseId: s.caseId,
        seq,
        entry,
        register: {
          caseId: s.caseId,
          origin: s.origin,
          policyVersion: s.policyVersion,
          unitCode: s.unitCode,
          category: s.category,
          stage: s.stage,
          openedAt: s.openedAt,
          ...(s.outcome ? { outcome: s.outcome } : {}),
          ...(s.closeReason ? { closeReason: s.closeReason } : {}),
        },
        ...(records ? { records } : {}),
      });
      delete internal.pendingRecords[seq];
      internal.recorded++;
    }
  }

  // ---- tasks (waits with deadlines) ----

  let changed = 0;
  const openTasks = () => s.tasks.filter((t) => t.status === 'open');
  const isOpenNow = (t: PendingTask) => t.status === 'open' && Date.parse(t.opensAt) <= Date.now();
  const findTask = (kind: TaskKind, id?: string) => s.tasks.find((t) => t.status === 'open' && t.kind === kind && (id === undefined || t.id === id));

  function addTask(kind: TaskKind, role: Role, plan: DeadlinePlan, extra: Partial<PendingTask> = {}): PendingTask {
    const task: PendingTask = {
      id: extra.id ?? `${kind}-${++internal.taskCounter}`,
      kind,
      role,
      opensAt: extra.opensAt ?? nowIso(),
      dueAt: plan.dueAt,
      reminders: plan.reminders,
      remindersSent: 0,
      escalations: 0,
      overdue: false,
      provisional: plan.provisional,
      status: 'open',
      ...extra,
    };
    // reminders already in the past when the task opens are not sent late
    task.remindersSent = task.reminders.filter((r) => Date.parse(r) <= Date.parse(task.opensAt)).length;
    s.tasks.push(task);
    changed++;
    return task;
  }

  /** Opens the wait for `kind` unless one is open; the step that opened it closes it when the wait ends. */
  async function ensureTask(kind: TaskKind, role: Role, duration: PolicyDuration, extra: Partial<PendingTask> = {}): Promise<PendingTask> {
    const existing = findTask(kind);
    if (existing) return existing;
    const plan = await acts.planDeadline({ from: nowIso(), duration, reminders: policy.reminders });
    return addTask(kind, role, plan, extra);
  }

  function closeTask(t: PendingTask | undefined, status: 'done' | 'cancelled' = 'done'): void {
    if (t && t.status === 'open') {
      t.status = status;
      changed++;
    }
  }

  function cancelOpenTasks(): void {
    for (const t of openTasks()) closeTask(t, 'cancelled');
    for (const r of s.revisits) if (r.status === 'scheduled' || r.status === 'open') r.status = 'cancelled';
  }

  // ---- the watcher: reminders, expiry and escalations ----

  function nextWakeAt(): number | undefined {
    let next: number | undefined;
    const now = Date.now();
    const consider = (iso: string | undefined) => {
      if (!iso) return;
      const t = Date.parse(iso);
      if (t > now && (next === undefined || t < next)) next = t;
    };
    for (const t of openTasks()) {
      consider(t.opensAt);
      consider(t.reminders[t.remindersSent]);
      if (!t.overdue) consider(t.dueAt);
      else if (onExpiry[t.kind] === 'escalate') consider(t.nextEscalationAt);
    }
    return next;
  }

  function audienceOf(t: PendingTask): { role: Role; unit?: string; subjects?: string[] } {
    if (t.role === 'unit') return { role: 'unit', unit: s.unitCode };
    if (t.assignees) return { role: t.role, subjects: t.assignees };
    if (t.kind === 'revisit' && s.rulingBody) return { role: t.role, unit: s.rulingBody };
    return { role: t.role };
  }

  async function fireDue(): Promise<void> {
    const now = Date.now();
    for (const t of openTasks()) {
      if (Date.parse(t.opensAt) > now) continue;
      if (t.kind === 'revisit') {
        const r = s.revisits.find((x) => `revisit-${x.id}` === t.id);
        if (r && r.status === 'scheduled') {
          r.status = 'open';
          event('revisitOpened', undefined, { revisitId: r.id, monthOffset: r.monthOffset, dueAt: r.dueAt }, [revisitRecord(r)]);
          notify(`${t.id}:due`, 'revisitDue', audienceOf(t), { revisitId: r.id, dueAt: r.dueAt, monthOffset: r.monthOffset, tier: r.tier });
        }
      }
      while (t.remindersSent < t.reminders.length && Date.parse(t.reminders[t.remindersSent]!) <= now) {
        const n = t.remindersSent++;
        if (Date.parse(t.dueAt) > now - 1 && !t.overdue) {
          notify(`${t.id}:reminder:${n}`, 'reminder', audienceOf(t), { task: t.kind, dueAt: t.dueAt });
          event('reminderSent', undefined, { taskId: t.id, task: t.kind, dueAt: t.dueAt });
        }
      }
      if (!t.overdue && Date.parse(t.dueAt) <= now) {
        t.overdue = true;
        changed++;
        const what = onExpiry[t.kind];
        event('deadlinePassed', undefined, { taskId: t.id, task: t.kind, dueAt: t.dueAt, then: what });
        if (t.kind === 'measure') {
          const m = s.measures.find((x) => `measure-${x.id}` === t.id);
          if (m) m.overdue = true;
        }
        if (t.kind === 'revisit') {
          const r = s.revisits.find((x) => `revisit-${x.id}` === t.id);
          if (r) r.overdue = true;
        }
        if (what === 'escalate' || what === 'proceed') await escalate(t);
      } else if (t.overdue && onExpiry[t.kind] === 'escalate' && t.nextEscalationAt && Date.parse(t.nextEscalationAt) <= now) {
        await escalate(t);
      }
    }
  }

  async function escalate(t: PendingTask): Promise<void> {
    const n = ++t.escalations;
    const measure = t.kind === 'measure' ? s.measures.find((m) => `measure-${m.id}` === t.id) : undefined;
    notify(
      `${t.id}:escalation:${n}`,
      measure ? 'measureOverdue' : 'escalation',
      { role: 'supervisor' },
      { task: t.kind, dueAt: t.dueAt, escalations: n, role: t.role, ...(measure ? { measure: measure.title, dueDate: measure.dueDate } : {}) },
    );
    event('escalated', undefined, { taskId: t.id, task: t.kind, dueAt: t.dueAt, escalation: n, awaiting: t.role });
    if (onExpiry[t.kind] === 'escalate') {
      t.nextEscalationAt = await acts.planEscalation({ after: t.nextEscalationAt ?? t.dueAt, interval: policy.escalationInterval });
    }
    changed++;
  }

  let closing = false;
  /** Each round handles whatever is due, then sleeps until the next instant something will be. */
  async function watcher(): Promise<void> {
    while (!closing) {
      await fireDue();
      syncVisibility();
      const seen = changed;
      const next = nextWakeAt();
      if (next === undefined) {
        await condition(() => changed !== seen || closing);
      } else {
        // Timers longer than 2^31 ms are not reliable everywhere (the test server among them): wake up and look again.
        await condition(() => changed !== seen || closing, Math.min(Math.max(next - Date.now(), 1), MAX_TIMER_MS));
      }
    }
  }

  // ---- visibility: search attributes, current details ----

  let lastVisibility = '';
  function syncVisibility(): void {
    const open = openTasks().filter(isOpenNow);
    const awaiting = [...new Set(open.map((t) => t.role))].sort();
    const next = open.map((t) => t.dueAt).sort()[0];
    const overdue = open.some((t) => t.overdue);
    const pairs: SearchAttributeUpdatePair[] = [
      { key: sa.stage, value: s.stage },
      { key: sa.outcome, value: s.outcome ?? null },
      { key: sa.unitCode, value: s.unitCode },
      { key: sa.category, value: s.category },
      { key: sa.awaiting, value: awaiting },
      { key: sa.nextDeadline, value: next ? new Date(next) : null },
      { key: sa.overdue, value: overdue },
      { key: sa.policyVersion, value: s.policyVersion },
    ];
    const fingerprint = JSON.stringify(pairs.map((p) => p.value));
    if (fingerprint === lastVisibility) return;
    lastVisibility = fingerprint;
    upsertSearchAttributes(pairs);
    const lines = [
      `**Stage:** ${s.stage}${s.closeReason ? ` (${s.closeReason})` : ''}${s.outcome ? ` · **Outcome:** ${s.outcome}` : ''}`,
      `**Awaiting:** ${awaiting.join(', ') || '—'}${next ? ` · **Next deadline:** ${next}` : ''}${overdue ? ' · **OVERDUE**' : ''}`,
      ...open.map((t) => `- ${t.kind} (${t.role}) due ${t.dueAt}${t.overdue ? ` — overdue, escalated ${t.escalations}×` : ''}`),
      `Policy ${s.policyVersion} · unit ${s.unitCode} · category ${s.category}`,
    ];
    setCurrentDetails(lines.join('\n'));
  }

  // ---- actions and the settle protocol ----

  let received = 0;
  let settled = 0;
  /** A handler answers once the main loop has reacted to its action and is waiting again. */
  async function answer(n: number): Promise<CaseState> {
    await condition(() => settled >= n || s.stage === 'closed');
    return s;
  }

  function guard(action: Action<unknown>, roles: Role[], stages: Stage[], what: string): void {
    const { actor } = action;
    if (actor.role === 'unit' && actor.unit !== s.unitCode) reject(ActionRejected.notFound, `case ${s.caseId} not found`);
    if (!roles.includes(actor.role)) reject(ActionRejected.forbidden, `${what} is for ${roles.join(' or ')}, not ${actor.role}`);
    if (!stages.includes(s.stage)) reject(ActionRejected.wrongStage, `${what} is not possible while the case is ${s.stage}`);
  }

  const currentRuling = (): Ruling | undefined => s.rulings.at(-1);

  setHandler(getCaseQuery, () => s);

  /**
   * Registers an action. Temporal already answers a repeated Update id once within a run; the ids
   * applied are also kept in the state, so a client's retry after a continue-as-new is not applied twice.
   */
  function setActionHandler<T>(def: UpdateDefinition<CaseState, [Action<T>]>, handler: (a: Action<T>) => Promise<CaseState>, options: { validator: (a: Action<T>) => void }): void {
    const seen = () => {
      const id = currentUpdateInfo()?.id;
      return id !== undefined && internal.appliedUpdateIds.includes(id);
    };
    setHandler(def, async (a) => {
      if (seen()) return s;
      const id = currentUpdateInfo()?.id;
      if (id) internal.appliedUpdateIds = [...internal.appliedUpdateIds, id].slice(-MAX_REMEMBERED_UPDATES);
      return handler(a);
    }, {
      validator: (a) => {
        if (!seen()) options.validator(a);
      },
    });
  }

  setActionHandler(
    decideAcceptanceUpdate,
    async ({ actor, input: raw }) => {
      const input = parse(acceptanceSchema, raw);
      const n = ++received;
      if (input.decision === 'accept') {
        event('accepted', actor);
        s.stage = 'screening';
      } else if (input.decision === 'refuse') {
        event('refused', actor, { reason: input.reason });
        notify('acceptance-decision', 'decision', { role: 'unit', unit: s.unitCode }, { step: 'acceptance', decision: 'refuse', ...(input.reason ? { reason: input.reason } : {}) });
        close('refused');
      } else {
        event('supplementRequested', actor, { requestedItems: input.requestedItems, reason: input.reason });
        s.stage = 'supplement_requested';
        internal.supplementItems = (input.requestedItems ?? []).join('; ');
      }
      return answer(n);
    },
    { validator: (a) => (guard(a, ['organization'], ['submitted'], 'Acceptance'), parse(acceptanceSchema, a.input), undefined) },
  );

  setActionHandler(
    submitSupplementUpdate,
    async ({ actor, input: raw }) => {
      const input = parse(supplementSchema, raw);
      const n = ++received;
      s.supplements.push({ at: nowIso(), note: input.note, evidenceCount: input.evidence.length });
      s.application = {
        ...s.application,
        evidence: [...s.application.evidence, ...input.evidence],
        circumstances: { ...s.application.circumstances, ...(input.circumstances ?? {}) },
      };
      event('supplemented', actor, { evidence: input.evidence.length, circumstancesChanged: Object.keys(input.circumstances ?? {}) });
      s.stage = 'submitted';
      return answer(n);
    },
    {
      validator: (a) => {
        guard(a, ['unit'], ['supplement_requested'], 'A supplement');
        if (findTask('supplement')?.overdue) reject(ActionRejected.windowClosed, 'the supplement deadline has passed');
        parse(supplementSchema, a.input);
      },
    },
  );

  setActionHandler(
    withdrawUpdate,
    async ({ actor, input: raw }) => {
      const input = parse(withdrawalSchema, raw);
      const n = ++received;
      event('withdrawn', actor, { reason: input.reason });
      close('withdrawn');
      return answer(n);
    },
    {
      validator: (a) => {
        guard(a, ['unit'], STAGES_BEFORE_RULING, 'Withdrawal');
        parse(withdrawalSchema, a.input);
      },
    },
  );

  setActionHandler(
    submitInvestigationUpdate,
    async ({ actor, input: raw }) => {
      const input = parse(investigationSchema, raw);
      const n = ++received;
      s.investigation = { ...input, by: actor.sub, at: nowIso() };
      event('investigationSubmitted', actor, { scores: Object.fromEntries(Object.entries(input.factors).map(([k, f]) => [k, f.score])) });
      return answer(n);
    },
    {
      validator: (a) => {
        guard(a, ['organization'], ['investigation'], 'Investigation findings');
        if (s.investigation) reject(ActionRejected.wrongStage, 'the investigation findings were already submitted');
        parse(investigationSchema, a.input);
      },
    },
  );

  setActionHandler(
    inviteExpertsUpdate,
    async ({ actor, input: raw }) => {
      const input = parse(expertInvitationSchema, raw);
      const n = ++received;
      s.experts.invited = [...s.experts.invited, ...input.experts];
      s.experts.invitedBy = actor.sub;
      event('expertsInvited', actor, { count: input.experts.length });
      return answer(n);
    },
    {
      validator: (a) => {
        guard(a, ['organization'], ['expert_review'], 'Inviting experts');
        const input = parse(expertInvitationSchema, a.input);
        const again = input.experts.filter((e) => s.experts.invited.includes(e));
        if (again.length) reject(ActionRejected.invalidInput, `already invited: ${again.join(', ')}`);
        if (s.experts.invited.length + input.experts.length > policy.experts.count) {
          reject(ActionRejected.invalidInput, `the policy allows ${policy.experts.count} experts; ${s.experts.invited.length} already invited`);
        }
        if (input.experts.includes(a.actor.sub)) reject(ActionRejected.fourEyes, 'the organization cannot invite itself as an expert');
      },
    },
  );

  setActionHandler(
    submitExpertOpinionUpdate,
    async ({ actor, input: raw }) => {
      const input = parse(expertOpinionSchema, raw);
      const n = ++received;
      s.experts.opinions.push({ by: actor.sub, at: nowIso(), recommendation: input.recommendation, opinion: input.opinion });
      event('expertOpinionGiven', actor, { recommendation: input.recommendation });
      return answer(n);
    },
    {
      validator: (a) => {
        if (a.actor.role !== 'expert') reject(ActionRejected.forbidden, `an expert opinion is for experts, not ${a.actor.role}`);
        if (!s.experts.invited.includes(a.actor.sub)) reject(ActionRejected.notFound, `case ${s.caseId} not found`);
        guard(a, ['expert'], ['expert_review'], 'An expert opinion');
        if (s.experts.opinions.some((o) => o.by === a.actor.sub)) reject(ActionRejected.wrongStage, 'this expert has already given an opinion');
        parse(expertOpinionSchema, a.input);
      },
    },
  );

  setActionHandler(
    giveConsultationUpdate,
    async ({ actor, input: raw }) => {
      const input = parse(consultationSchema, raw);
      const n = ++received;
      s.consultation = { by: actor.sub, at: nowIso(), opinion: input.opinion, reasons: input.reasons };
      event('consultationGiven', actor, { opinion: input.opinion });
      return answer(n);
    },
    {
      validator: (a) => {
        guard(a, ['discipline'], ['consultation'], 'The consultation opinion');
        parse(consultationSchema, a.input);
      },
    },
  );

  setActionHandler(
    proposeRulingUpdate,
    async ({ actor, input: raw }) => {
      const input = parse(rulingProposalSchema, raw);
      const n = ++received;
      const outsideBand = s.assessment ? input.outcome !== s.assessment.suggested : false;
      const ruling: Ruling = {
        outcome: input.outcome,
        ...(input.influenceMonths !== undefined ? { influenceMonths: input.influenceMonths } : {}),
        ...(input.recommendedForm !== undefined ? { recommendedForm: input.recommendedForm } : {}),
        ...(input.tier ? { tier: input.tier } : {}),
        reasons: input.reasons,
        ...(input.justification ? { justification: input.justification } : {}),
        proposedBy: actor.sub,
        proposedAt: nowIso(),
        outsideBand,
        reviews: [],
        status: 'proposed',
      };
      s.rulings.push(ruling);
      s.rulingBody = actor.unit;
      s.stage = 'ruling_proposed';
      event('rulingProposed', actor, { outcome: input.outcome, outsideBand, suggested: s.assessment?.suggested }, [rulingRecord(s.rulings.length - 1)]);
      return answer(n);
    },
    {
      validator: (a) => {
        guard(a, ['organization'], ['ruling'], 'A ruling proposal');
        const input = parse(rulingProposalSchema, a.input);
        if (input.outcome === 'mitigate' && (input.influenceMonths ?? 0) > policy.mitigation.maxInfluenceMonths) {
          reject(ActionRejected.invalidInput, `influenceMonths: the policy allows at most ${policy.mitigation.maxInfluenceMonths} months`);
        }
        if (s.assessment && input.outcome !== s.assessment.suggested && !input.justification) {
          reject(ActionRejected.invalidInput, `justification: a ruling outside the suggested band (${s.assessment.suggested}, composite ${s.assessment.composite}) needs a written justification`);
        }
      },
    },
  );

  setActionHandler(
    reviewRulingUpdate,
    async ({ actor, input: raw }) => {
      const input = parse(rulingReviewSchema, raw);
      const n = ++received;
      const ruling = currentRuling()!;
      ruling.reviews.push({ by: actor.sub, at: nowIso(), decision: input.decision, comments: input.comments });
      if (input.decision === 'approve') {
        ruling.status = 'approved';
        s.stage = 'notified';
        event('rulingApproved', actor, { outcome: ruling.outcome }, [rulingRecord(s.rulings.length - 1)]);
      } else {
        ruling.status = 'returned';
        s.stage = 'ruling';
        event('rulingReturned', actor, { comments: input.comments }, [rulingRecord(s.rulings.length - 1)]);
      }
      return answer(n);
    },
    {
      validator: (a) => {
        guard(a, ['committee'], ['ruling_proposed'], 'Reviewing the ruling');
        parse(rulingReviewSchema, a.input);
        const ruling = currentRuling();
        if (ruling?.proposedBy === a.actor.sub) reject(ActionRejected.fourEyes, 'four eyes: the reviewer of a ruling cannot be the person who proposed it');
      },
    },
  );

  setActionHandler(
    fileAppealUpdate,
    async ({ actor, input: raw }) => {
      const input = parse(appealSchema, raw);
      const n = ++received;
      s.appeal = { at: nowIso(), by: actor.sub, grounds: input.grounds };
      s.stage = 'reconsideration';
      event('appealFiled', actor);
      return answer(n);
    },
    {
      validator: (a) => {
        guard(a, ['unit'], ['notified', 'reconsideration', 'remediation', 'follow_up', 'closed'], 'An appeal');
        if (s.appeal) reject(ActionRejected.windowClosed, 'the unit may appeal once, and already has');
        const window = findTask('appealWindow');
        if (s.stage !== 'notified' || !window || window.overdue || Date.now() > Date.parse(window.dueAt)) {
          reject(ActionRejected.windowClosed, 'the appeal window has closed');
        }
        parse(appealSchema, a.input);
      },
    },
  );

  setActionHandler(
    decideReconsiderationUpdate,
    async ({ actor, input: raw }) => {
      const input = parse(reconsiderationSchema, raw);
      const n = ++received;
      s.appeal!.decision = { by: actor.sub, at: nowIso(), decision: input.decision, reasons: input.reasons };
      if (input.decision === 'overturn' && input.replacement) {
        const old = currentRuling()!;
        old.status = 'superseded';
        const r = input.replacement;
        s.rulings.push({
          outcome: r.outcome,
          ...(r.influenceMonths !== undefined ? { influenceMonths: r.influenceMonths } : {}),
          ...(r.recommendedForm !== undefined ? { recommendedForm: r.recommendedForm } : {}),
          ...(r.tier ? { tier: r.tier } : {}),
          reasons: input.reasons,
          proposedBy: actor.sub,
          proposedAt: nowIso(),
          outsideBand: s.assessment ? r.outcome !== s.assessment.suggested : false,
          reviews: [],
          status: 'approved',
        });
        event('rulingOverturned', actor, { from: old.outcome, to: r.outcome }, [rulingRecord(s.rulings.length - 2), rulingRecord(s.rulings.length - 1)]);
      } else {
        event('rulingUpheld', actor);
      }
      notify('reconsideration-decision', 'decision', { role: 'unit', unit: s.unitCode }, { step: 'reconsideration', decision: input.decision, reason: input.reasons });
      return answer(n);
    },
    {
      validator: (a) => {
        guard(a, ['committee'], ['reconsideration'], 'Reconsideration');
        const input = parse(reconsiderationSchema, a.input);
        const ruling = currentRuling();
        const firstReviewers = ruling?.reviews.map((r) => r.by) ?? [];
        if (firstReviewers.includes(a.actor.sub)) reject(ActionRejected.fourEyes, 'four eyes: an appeal is decided by someone other than the first reviewer');
        if (ruling?.proposedBy === a.actor.sub) reject(ActionRejected.fourEyes, 'four eyes: the proposer of the ruling cannot decide its appeal');
        if (input.replacement?.outcome === 'mitigate' && (input.replacement.influenceMonths ?? 0) > policy.mitigation.maxInfluenceMonths) {
          reject(ActionRejected.invalidInput, `replacement.influenceMonths: the policy allows at most ${policy.mitigation.maxInfluenceMonths} months`);
        }
      },
    },
  );

  setActionHandler(
    issueCorrectionPlanUpdate,
    async ({ actor, input: raw }) => {
      const input = parse(correctionPlanSchema, raw);
      const n = ++received;
      s.correctionPlan = { at: nowIso(), by: actor.sub, opinion: input.opinion };
      s.measures = input.measures.map((m, i) => ({ id: `m${i + 1}`, ...m, dueAt: '', status: 'open', progress: [], overdue: false }));
      event('correctionPlanIssued', actor, { measures: s.measures.length }, s.measures.map(measureRecord));
      return answer(n);
    },
    {
      validator: (a) => {
        guard(a, ['organization'], ['remediation'], 'A correction plan');
        if (s.correctionPlan) reject(ActionRejected.wrongStage, 'the correction plan was already issued');
        const input = parse(correctionPlanSchema, a.input);
        const today = nowIso().slice(0, 10);
        const past = input.measures.filter((m) => m.dueDate < today);
        if (past.length) reject(ActionRejected.invalidInput, `measures: due dates must not be in the past (${past.map((m) => m.dueDate).join(', ')})`);
      },
    },
  );

  const measureById = (id: string) => s.measures.find((m) => m.id === id);

  setActionHandler(
    reportMeasureProgressUpdate,
    async ({ actor, input: raw }) => {
      const { measureId, ...rest } = raw;
      const input = parse(measureProgressSchema, rest);
      const n = ++received;
      const m = measureById(measureId)!;
      m.progress.push({ at: nowIso(), by: actor.sub, ...input });
      if (input.completed) m.status = 'completed';
      event('measureProgress', actor, { measureId, percent: input.percent, completed: input.completed }, [measureRecord(m)]);
      return answer(n);
    },
    {
      validator: (a) => {
        guard(a, ['unit'], ['remediation'], 'Measure progress');
        const m = measureById(a.input.measureId);
        if (!m) reject(ActionRejected.notFound, `measure ${a.input.measureId} not found`);
        if (m.status === 'verified') reject(ActionRejected.wrongStage, `measure ${m.id} is already verified`);
        const { measureId: _ignored, ...rest } = a.input;
        parse(measureProgressSchema, rest);
      },
    },
  );

  setActionHandler(
    verifyMeasureUpdate,
    async ({ actor, input: raw }) => {
      const { measureId, ...rest } = raw;
      const input = parse(measureVerificationSchema, rest);
      const n = ++received;
      const m = measureById(measureId)!;
      m.verification = { at: nowIso(), by: actor.sub, ...input };
      if (input.verified) {
        m.status = 'verified';
        closeTask(findTask('measure', `measure-${m.id}`));
      } else {
        m.status = 'open';
      }
      event(input.verified ? 'measureVerified' : 'measureRejected', actor, { measureId }, [measureRecord(m)]);
      return answer(n);
    },
    {
      validator: (a) => {
        guard(a, ['organization'], ['remediation'], 'Verifying a measure');
        const m = measureById(a.input.measureId);
        if (!m) reject(ActionRejected.notFound, `measure ${a.input.measureId} not found`);
        if (m.status !== 'completed') reject(ActionRejected.wrongStage, `measure ${m.id} is ${m.status}; the unit reports it completed first`);
        const { measureId: _ignored, ...rest } = a.input;
        parse(measureVerificationSchema, rest);
      },
    },
  );

  const dueRevisit = () => s.revisits.find((r) => r.status === 'open');

  setActionHandler(
    recordRevisitUpdate,
    async ({ actor, input: raw }) => {
      const input = parse(revisitSchema, raw);
      const n = ++received;
      const r = dueRevisit()!;
      r.status = 'done';
      r.record = { at: nowIso(), by: actor.sub, thinking: input.thinking, workPerformance: input.workPerformance, lifeSituation: input.lifeSituation, assessment: input.assessment, ...(input.newTier ? { newTier: input.newTier } : {}) };
      closeTask(findTask('revisit', `revisit-${r.id}`));
      event('revisitRecorded', actor, { revisitId: r.id, monthOffset: r.monthOffset, newTier: input.newTier }, [revisitRecord(r)]);
      if (input.newTier && input.newTier !== r.tier) internal.replanAfter = { monthOffset: r.monthOffset, tier: input.newTier };
      return answer(n);
    },
    {
      validator: (a) => {
        guard(a, ['organization'], ['remediation', 'follow_up'], 'A revisit');
        if (s.rulingBody && a.actor.unit !== s.rulingBody) {
          reject(ActionRejected.forbidden, `whoever tolerates, revisits: revisits of this case belong to ${s.rulingBody}`);
        }
        if (!dueRevisit()) {
          const next = s.revisits.find((r) => r.status === 'scheduled');
          reject(ActionRejected.wrongStage, next ? `no revisit is due yet; the next opens ${next.scheduledFor.slice(0, 10)}` : 'no revisit is scheduled');
        }
        parse(revisitSchema, a.input);
      },
    },
  );

  // ---- domain records for the record system ----

  function rulingRecord(i: number): DomainRecord {
    const r = s.rulings[i]!;
    return {
      type: 'ruling',
      rulingNo: i + 1,
      outcome: r.outcome,
      ...(r.influenceMonths !== undefined ? { influenceMonths: r.influenceMonths } : {}),
      ...(r.recommendedForm !== undefined ? { recommendedForm: r.recommendedForm } : {}),
      ...(r.tier ? { tier: r.tier } : {}),
      status: r.status,
      proposedBy: r.proposedBy,
      reasons: r.reasons,
    };
  }
  function measureRecord(m: CaseState['measures'][number]): DomainRecord {
    const last = m.progress.at(-1);
    return { type: 'measure', measureId: m.id, title: m.title, dueDate: m.dueDate, status: m.status, ...(last ? { lastProgress: last.progress, percent: last.percent } : {}) };
  }
  function revisitRecord(r: CaseState['revisits'][number]): DomainRecord {
    return {
      type: 'revisit',
      revisitId: r.id,
      monthOffset: r.monthOffset,
      tier: r.tier,
      status: r.status,
      ...(r.record
        ? { thinking: r.record.thinking, workPerformance: r.record.workPerformance, lifeSituation: r.record.lifeSituation, assessment: r.record.assessment, recordedBy: r.record.by, ...(r.record.newTier ? { newTier: r.record.newTier } : {}) }
        : {}),
    };
  }

  // ---- stage steps ----

  function close(reason: NonNullable<CaseState['closeReason']>): void {
    s.closeReason = reason;
    s.stage = 'closed';
    cancelOpenTasks();
    event('closed', undefined, { reason });
    notify('closed', 'caseClosed', { role: 'unit', unit: s.unitCode }, { closeReason: reason });
  }

  /** Waits until `pred` holds, releasing every action handler whose action the loop has reacted to. */
  async function until(pred: () => boolean): Promise<void> {
    while (!pred()) {
      settled = received;
      syncVisibility();
      await condition(() => pred() || received !== settled || continueAsNewDue());
      if (continueAsNewDue() && !pred()) await continueAsNewNow();
    }
  }

  function handOff(reason: 'screening' | 'denied', ruleIds: string[] | undefined, recommendedForm: number | undefined): void {
    s.handOff = { at: nowIso(), reason, ...(ruleIds ? { ruleIds } : {}), ...(recommendedForm ? { recommendedForm } : {}) };
    event('handedOff', undefined, { to: 'discipline', reason, ruleIds, recommendedForm });
    notify(`handoff-${reason}`, 'handOff', { role: 'discipline' }, { reason, ...(ruleIds ? { ruleIds: ruleIds.join(', ') } : {}), ...(recommendedForm ? { recommendedForm } : {}) });
  }

  async function screen(phase: 'application' | 'investigation'): Promise<boolean> {
    const result = await acts.screen({
      caseId: s.caseId,
      phase,
      at: nowIso(),
      rules: policy.screeningRules,
      application: s.application,
      ...(phase === 'investigation' && s.investigation ? { confirmed: s.investigation.confirmedCircumstances } : {}),
    });
    s.screenings.push(result);
    event('screened', undefined, { phase, passed: result.passed, rules: result.hits.map((h) => h.ruleId) });
    if (result.passed) return true;
    s.outcome = 'deny';
    const handOffRules = result.hits.filter((h) => h.handOffToDiscipline).map((h) => h.ruleId);
    if (handOffRules.length) handOff('screening', handOffRules, undefined);
    close('not_tolerable');
    return false;
  }

  async function finalizeRuling(): Promise<void> {
    const ruling = currentRuling()!;
    ruling.status = 'final';
    s.outcome = ruling.outcome;
    s.finalAt = nowIso();
    closeTask(findTask('appealWindow'));
    event('rulingFinal', undefined, { outcome: ruling.outcome }, [rulingRecord(s.rulings.length - 1)]);
    const report = { outcome: ruling.outcome, unitCode: s.unitCode, category: s.category };
    notify('ruling-report', 'rulingReport', { role: 'discipline' }, report);
    notify('ruling-copy', 'rulingReport', { role: 'organization' }, report);
    if (ruling.outcome === 'deny') {
      handOff('denied', undefined, ruling.recommendedForm);
      close('denied');
      return;
    }
    if (ruling.outcome === 'mitigate' && ruling.influenceMonths) {
      const until = await acts.planDeadline({ from: s.finalAt, duration: { amount: ruling.influenceMonths, unit: 'months' }, reminders: { before: [], onTheDay: false } });
      s.influenceUntil = until.dueDate;
    }
    s.stage = 'remediation';
  }

  async function planRevisitSchedule(tier: Tier, afterMonth: number): Promise<void> {
    const items = await acts.planRevisits({ rulingAt: s.finalAt!, tier, schedule: policy.followUp[tier], unit: policy.followUp.unit, afterMonth, due: policy.deadlines.revisitDue, reminders: policy.reminders });
    for (const r of s.revisits) {
      if (r.status === 'scheduled' && r.monthOffset > afterMonth) {
        r.status = 'cancelled';
        closeTask(findTask('revisit', `revisit-${r.id}`), 'cancelled');
      }
    }
    for (const item of items) {
      const id = `r${s.revisits.length + 1}`;
      s.revisits.push({ id, monthOffset: item.monthOffset, tier, scheduledFor: item.scheduledFor, dueAt: item.dueAt, status: 'scheduled', overdue: false });
      addTask('revisit', 'organization', { dueAt: item.dueAt, dueDate: item.dueAt.slice(0, 10), reminders: item.reminders, provisional: false, warnings: [] }, { id: `revisit-${id}`, opensAt: item.scheduledFor });
    }
    event('revisitsScheduled', undefined, { tier, months: items.map((i) => i.monthOffset) }, s.revisits.slice(-items.length).map(revisitRecord));
  }

  const steps: Record<Exclude<Stage, 'closed'>, () => Promise<void>> = {
    async submitted() {
      const task = await ensureTask('acceptance', 'organization', policy.deadlines.acceptance);
      await until(() => s.stage !== 'submitted');
      closeTask(task);
    },
    async supplement_requested() {
      const task = await ensureTask('supplement', 'unit', policy.deadlines.supplement);
      if (internal.supplementItems !== undefined) {
        notify(`supplement-request-${task.id}`, 'supplementRequested', { role: 'unit', unit: s.unitCode }, { dueAt: task.dueAt, items: internal.supplementItems });
        internal.supplementItems = undefined;
      }
      await until(() => s.stage !== 'supplement_requested' || task.overdue);
      if (s.stage === 'supplement_requested') close('supplement_timeout');
      else closeTask(task);
    },
    async screening() {
      if (await screen('application')) s.stage = 'investigation';
    },
    async investigation() {
      const task = await ensureTask('investigation', 'organization', policy.deadlines.investigation);
      await until(() => s.stage !== 'investigation' || s.investigation !== undefined);
      closeTask(task);
      if (s.stage !== 'investigation') return;
      if (!(await screen('investigation'))) return;
      const inv = s.investigation!;
      s.assessment = await acts.assess({
        caseId: s.caseId,
        at: nowIso(),
        scoring: policy.scoring,
        experts: policy.experts,
        factors: inv.factors,
        cadreId: s.application.cadre.id,
        lossAmount: s.application.incident.lossAmount,
        technical: inv.technical ?? s.application.incident.technical,
      });
      event('assessed', undefined, { composite: s.assessment.composite, suggested: s.assessment.suggested, expertReviewRequired: s.assessment.expertReviewRequired });
      s.stage = s.assessment.expertReviewRequired ? 'expert_review' : 'consultation';
    },
    async expert_review() {
      if (s.experts.invited.length === 0) {
        const invitation = await ensureTask('expertInvitation', 'organization', policy.deadlines.expertReview);
        await until(() => s.stage !== 'expert_review' || s.experts.invited.length > 0);
        closeTask(invitation);
        if (s.stage !== 'expert_review') return;
      }
      const task = findTask('expertOpinions') ?? (await ensureTask('expertOpinions', 'expert', policy.deadlines.expertReview, { assignees: s.experts.invited }));
      task.assignees = s.experts.invited;
      const uninvited = s.experts.invited.filter((e) => !internal.expertsNotified.includes(e));
      if (uninvited.length) {
        notify(`experts-invited-${internal.expertsNotified.length}`, 'expertInvitation', { role: 'expert', subjects: uninvited }, { dueAt: task.dueAt });
        internal.expertsNotified = [...internal.expertsNotified, ...uninvited];
      }
      await until(() => s.stage !== 'expert_review' || s.experts.opinions.length >= Math.min(policy.experts.quorum, s.experts.invited.length) || task.overdue);
      if (s.stage !== 'expert_review') return;
      s.experts.quorumMet = s.experts.opinions.length >= policy.experts.quorum;
      closeTask(task);
      event('expertReviewEnded', undefined, { opinions: s.experts.opinions.length, quorumMet: s.experts.quorumMet });
      s.stage = 'consultation';
    },
    async consultation() {
      const task = await ensureTask('consultation', 'discipline', policy.deadlines.consultation);
      await until(() => s.stage !== 'consultation' || s.consultation !== undefined || task.overdue);
      closeTask(task);
      if (s.stage !== 'consultation') return;
      if (!s.consultation) {
        s.consultation = { by: 'none', at: nowIso(), opinion: 'none', reasons: 'no opinion was given by the deadline' };
        event('consultationLapsed');
      }
      s.stage = 'ruling';
    },
    async ruling() {
      const task = await ensureTask('rulingProposal', 'organization', policy.deadlines.rulingProposal);
      await until(() => s.stage !== 'ruling');
      closeTask(task);
    },
    async ruling_proposed() {
      const task = await ensureTask('review', 'committee', policy.deadlines.review);
      await until(() => s.stage !== 'ruling_proposed');
      closeTask(task);
    },
    async notified() {
      const ruling = currentRuling()!;
      const noticeDue = !findTask('appealWindow');
      const window = await ensureTask('appealWindow', 'unit', policy.deadlines.appealWindow);
      if (noticeDue) {
        notify(`ruling-notice-${s.rulings.length}`, 'rulingNotice', { role: 'unit', unit: s.unitCode }, {
          outcome: ruling.outcome,
          appealDueAt: window.dueAt,
          ...(ruling.influenceMonths !== undefined ? { influenceMonths: ruling.influenceMonths } : {}),
          ...(ruling.recommendedForm !== undefined ? { recommendedForm: ruling.recommendedForm } : {}),
        });
        event('noticeSent', undefined, { outcome: ruling.outcome, appealDueAt: window.dueAt });
      }
      await until(() => s.stage !== 'notified' || window.overdue);
      closeTask(window);
      if (s.stage === 'notified') await finalizeRuling();
    },
    async reconsideration() {
      const task = await ensureTask('reconsideration', 'committee', policy.deadlines.reconsideration);
      await until(() => s.appeal?.decision !== undefined);
      closeTask(task);
      await finalizeRuling();
    },
    async remediation() {
      if (!internal.revisitsPlanned) {
        await planRevisitSchedule(currentRuling()!.tier ?? 'support', 0);
        internal.revisitsPlanned = true;
      }
      if (!s.correctionPlan) {
        const task = await ensureTask('correctionPlan', 'organization', policy.deadlines.correctionPlan);
        await until(() => s.correctionPlan !== undefined || internal.replanAfter !== undefined);
        if (s.correctionPlan) closeTask(task);
      }
      if (s.correctionPlan && !internal.measuresPlanned) {
        for (const m of s.measures) {
          const plan = await acts.planDueDate({ dueDate: m.dueDate, reminders: policy.reminders });
          m.dueAt = plan.dueAt;
          const task = addTask('measure', 'unit', plan, { id: `measure-${m.id}` });
          // verified while its due date was being planned
          if (m.status === 'verified') closeTask(task);
        }
        internal.measuresPlanned = true;
      }
      await replanIfNeeded();
      await until(() => (s.correctionPlan !== undefined && s.measures.every((m) => m.status === 'verified')) || internal.replanAfter !== undefined);
      await replanIfNeeded();
      if (s.correctionPlan && s.measures.every((m) => m.status === 'verified')) {
        event('remediationDone', undefined, { measures: s.measures.length });
        s.stage = 'follow_up';
      }
    },
    async follow_up() {
      await replanIfNeeded();
      await until(() => s.revisits.every((r) => r.status === 'done' || r.status === 'cancelled') || internal.replanAfter !== undefined);
      await replanIfNeeded();
      if (s.revisits.every((r) => r.status === 'done' || r.status === 'cancelled')) close('completed');
    },
  };

  async function replanIfNeeded(): Promise<void> {
    const replan = internal.replanAfter;
    if (!replan) return;
    internal.replanAfter = undefined;
    await planRevisitSchedule(replan.tier, replan.monthOffset);
  }

  // ---- continue-as-new ----

  function continueAsNewDue(): boolean {
    const info = workflowInfo();
    return info.continueAsNewSuggested || (!!input.continueAsNewAfterEvents && info.historyLength > input.continueAsNewAfterEvents);
  }

  async function continueAsNewNow(): Promise<never> {
    settled = received;
    await condition(() => allHandlersFinished() && internal.recorded === s.timeline.length && notificationsInFlight === 0);
    log.info('Continuing as new', { caseId: s.caseId, historyLength: workflowInfo().historyLength });
    return continueAsNew<typeof caseWorkflow>({ ...input, resume: { state: s, internal } });
  }

  // ---- run ----

  void recorder();
  void watcher();
  if (!input.resume) {
    event('opened', input.openedBy, { origin: s.origin, policyVersion: s.policyVersion, unitCode: s.unitCode, category: s.category }, [
      { type: 'case', cadreId: s.application.cadre.id, cadreName: s.application.cadre.name, application: s.application },
    ]);
    notify('opened', 'caseOpened', { role: 'organization' }, { unitCode: s.unitCode, category: s.category, origin: s.origin });
  }
  while (s.stage !== 'closed') {
    await steps[s.stage]();
  }
  settled = received;
  syncVisibility();
  closing = true;
  await condition(() => allHandlersFinished() && internal.recorded === s.timeline.length && notificationsInFlight === 0);
  return s;
}
