/**
 * The case as a state machine over plain data: the state every reader sees, the bookkeeping that
 * travels with it across continue-as-new, and the few primitives every part of the lifecycle uses
 * (events, notices, tasks, the one place where the stage changes). Deterministic and free of I/O:
 * the workflow shell (index.ts) gives it the time, runs its reactions and carries out its outbox.
 */
import { WorkingDayCalendar, type CalendarYearDocument } from '../../domain/calendar';
import type { Actor, CaseState, CloseReason, PendingTask, PlanBasis, Role, Stage, TaskKind } from '../../domain/case';
import { planFromBasis } from '../../domain/deadlines';
import { closeReasonLabels, stageLabels, taskLabels, unitLabel } from '../../domain/labels';
import { deadlineOf, type DeadlineKey, type Policy } from '../../domain/policy';
import type { EarlierToleratedCase } from '../../domain/screening';
import type { EarlierApplication } from '../../domain/oversight/signals';
import type { PerformanceGrade } from '../../domain/assessment';
import type { DomainRecord, NotificationTemplate, NotifyInput } from '../../activities/types';
import { ActionRejected, type ActionRejectedType, type CaseInput } from '../messages';
import { patches } from './patches';
import { revisitTaskId } from './parts/follow-up';
import { measureTaskId } from './parts/remediation';
import { effectTrackingTaskId } from './parts/effect-tracking';

/** Bookkeeping carried across continue-as-new beside the case state; never shown to users. */
export interface Internal {
  taskCounter: number;
  /** Timeline entries up to this index are written to the record system. */
  recorded: number;
  /** Domain records to write with the timeline entry of that index. */
  pendingRecords: Record<number, DomainRecord[]>;
  /** Update ids already applied (the most recent ones), so retries across continue-as-new stay idempotent. */
  appliedUpdateIds: string[];
  /** A client's retry key → the digest of the body first sent with it. */
  requestDigests: Record<string, string>;
  /** The working-day calendar years pinned when the case opened, as later notices replaced them. */
  calendar: CalendarYearDocument[];
  /** Record lookups: asked for (a counter), answered, and the latest answer. */
  lookup: {
    requested: number;
    answered: number;
    at?: string;
    earlier: EarlierToleratedCase[];
    performance: { year: number; grade: PerformanceGrade }[];
    /** The cadre's other cases opened within the repeat-application window (absent in answers of before abuse signals). */
    applications?: EarlierApplication[];
  };
  /** Invited experts already sent their invitation. */
  expertsNotified: string[];
  /**
   * Tasks planned to open later (revisits) whose opening notice is owed: the watcher wakes when one
   * opens and it is announced then. Absent in cases that planned them before opening notices existed.
   */
  upcoming?: string[];
}

/** Thrown by validators and guards: the action leaves no trace. The shell turns it into an ApplicationFailure. */
export class Rejection extends Error {
  constructor(
    readonly type: ActionRejectedType,
    message: string,
  ) {
    super(message);
  }
}

/** What a task's opening notice adds for the kinds that have more to say than their label (no personal data). */
function taskDetail(s: CaseState, t: PendingTask): Record<string, string | number> {
  if (t.kind === 'measure') {
    const i = s.measures.findIndex((x) => measureTaskId(x.id) === t.id);
    return i < 0 ? {} : { measureNo: i + 1, measures: s.measures.length };
  }
  if (t.kind === 'revisit') {
    const r = s.revisits.find((x) => revisitTaskId(x.id) === t.id);
    return r ? { monthOffset: r.monthOffset, tier: r.tier } : {};
  }
  if (t.kind === 'effectTracking') {
    const e = s.effectTrackings?.find((x) => effectTrackingTaskId(x.id) === t.id);
    return e ? { trackingMonth: e.monthOffset } : {};
  }
  return {};
}

export function reject(type: ActionRejectedType, message: string): never {
  throw new Rejection(type, message);
}

const MAX_REMEMBERED = 500;

/** What a reaction hands the shell: notices to send. (Ledger entries are derived from the timeline.) */
export interface Outbox {
  notifications: NotifyInput[];
}

/** Per-stage behaviour that the parts of the lifecycle supply (see transitions.ts). */
export type StageEntry = (m: CaseMachine) => void;

export class CaseMachine {
  /** The instant of the current reaction (workflow time). */
  now: string;
  calendar: WorkingDayCalendar;
  outbox: Outbox = { notifications: [] };
  /** Tasks opened (or come open) in this reaction, announced at its end. */
  private opened: string[] = [];
  /** Bumped by every change, so the shell knows to look at timers and visibility again. */
  version = 0;

  constructor(
    readonly s: CaseState,
    readonly internal: Internal,
    readonly policy: Policy,
    private readonly entries: Record<Stage, StageEntry>,
    now: string,
    /** `patched` of the workflow API in the workflow; outside one, every change applies. */
    readonly patched: (patchId: string) => boolean = () => true,
  ) {
    this.now = now;
    this.calendar = new WorkingDayCalendar(internal.calendar);
  }

  /** The state and bookkeeping of a case the moment it opens (before its first stage is entered). */
  static initial(input: CaseInput, openedAt: string): { state: CaseState; internal: Internal } {
    const state: CaseState = {
      caseId: input.caseId,
      origin: input.origin,
      policyVersion: input.policy.version,
      unitCode: input.application.unitCode,
      category: input.application.incident.category,
      ...(input.jurisdiction ? { jurisdiction: input.jurisdiction } : {}),
      openedAt,
      openedBy: { sub: input.openedBy.sub, role: input.openedBy.role },
      stage: 'acceptance',
      stageLabel: stageLabels.acceptance,
      application: input.application,
      supplements: [],
      screenings: [],
      experts: { invited: [], opinions: [] },
      rulings: [],
      measures: [],
      revisits: [],
      tasks: [],
      timeline: [],
    };
    const internal: Internal = {
      taskCounter: 0,
      recorded: 0,
      pendingRecords: {},
      appliedUpdateIds: [],
      requestDigests: {},
      calendar: input.calendar,
      lookup: { requested: 0, answered: 0, earlier: [], performance: [] },
      expertsNotified: [],
    };
    return { state, internal };
  }

  // ---- events and notices ----

  /** Appends a timeline entry (written to the ledger in order, with `records`). */
  event(name: string, actor?: Actor, detail?: Record<string, unknown>, records?: DomainRecord[]): void {
    this.s.timeline.push({ at: this.now, event: name, ...(actor ? { actor: { sub: actor.sub, role: actor.role } } : {}), ...(detail ? { detail } : {}) });
    if (records?.length) this.internal.pendingRecords[this.s.timeline.length - 1] = records;
    this.version++;
  }

  /**
   * Queues a notice, sent after the reaction; its key makes it delivered once. Every notice names the
   * case as its readers know it (number, unit, category) and carries the supervision body of the
   * case's locality, which is told when it cannot be delivered.
   */
  notify(key: string, template: NotificationTemplate, audience: NotifyInput['audience'], vars: Record<string, string | number | boolean> = {}): void {
    const supervision = this.bodyOf('supervision');
    const recipient = audience.unit && !audience.cadre ? this.s.jurisdiction?.names?.[audience.unit] : undefined;
    this.outbox.notifications.push({
      caseId: this.s.caseId,
      key: `${this.s.caseId}:${key}`,
      template,
      audience,
      ...(supervision ? { supervision } : {}),
      vars: {
        caseId: this.s.caseId,
        stage: this.s.stage,
        stageLabel: this.s.stageLabel,
        unitCode: this.s.unitCode,
        unitName: unitLabel(this.s.unitCode, this.s.jurisdiction?.names),
        category: this.s.category,
        ...(recipient ? { recipientName: recipient } : {}),
        ...vars,
      },
    });
  }

  /**
   * The opening notice of every task opened (or, for a later one, come open) and still open at the
   * end of a reaction: to the body that must act, what is asked of it and by when. A notice of the
   * reaction that already names the task (`vars.taskId`: the supplement request with its items, the
   * ruling notice with the appeal window, the expert invitation, the revisit reminder) is its
   * opening notice. Keyed by the task's id, so it is sent once.
   */
  private announceOpenedTasks(): void {
    const ids = this.opened;
    this.opened = [];
    for (const id of ids) {
      const t = this.s.tasks.find((x) => x.id === id);
      if (!t || t.status !== 'open' || this.outbox.notifications.some((n) => n.vars.taskId === id)) continue;
      this.notify(`${id}:opened`, 'taskOpened', this.audienceOf(t), { taskId: t.id, task: t.kind, role: t.role, dueAt: t.dueAt, ...taskDetail(this.s, t) });
    }
  }

  /** Called by the watcher: the planned tasks whose time has come are announced in this reaction. */
  tasksComeOpen(): void {
    const upcoming = this.internal.upcoming;
    if (!upcoming?.length) return;
    const now = Date.parse(this.now);
    const open = (id: string) => this.s.tasks.find((t) => t.id === id && t.status === 'open');
    const due = upcoming.filter((id) => Date.parse(open(id)?.opensAt ?? '') <= now);
    this.opened.push(...due);
    this.internal.upcoming = upcoming.filter((id) => open(id) !== undefined && !due.includes(id));
  }

  takeOutbox(): Outbox {
    this.announceOpenedTasks();
    const out = this.outbox;
    this.outbox = { notifications: [] };
    return out;
  }

  // ---- tasks ----

  /** Opens a wait of `kind` for `role`, its deadline counted from `basis` on the pinned calendar. */
  openTask(kind: TaskKind, role: Role, basis: PlanBasis, extra: Partial<Pick<PendingTask, 'id' | 'opensAt' | 'assignees' | 'body'>> = {}): PendingTask {
    const opensAt = extra.opensAt ?? this.now;
    const plan = planFromBasis(this.calendar, basis, this.policy.reminders, opensAt);
    const task: PendingTask = {
      id: extra.id ?? `${kind}-${++this.internal.taskCounter}`,
      kind,
      label: taskLabels[kind],
      role,
      ...(extra.assignees ? { assignees: extra.assignees } : {}),
      ...(extra.body ? { body: extra.body } : {}),
      opensAt,
      dueAt: plan.dueAt,
      basis,
      reminders: plan.reminders,
      remindersSent: 0,
      escalations: 0,
      overdue: false,
      provisional: plan.provisional,
      status: 'open',
    };
    this.s.tasks.push(task);
    this.version++;
    if (this.patched(patches.taskOpeningNotices)) {
      if (Date.parse(opensAt) > Date.parse(this.now)) this.internal.upcoming = [...(this.internal.upcoming ?? []), task.id];
      else this.opened.push(task.id);
    }
    return task;
  }

  /** A wait of `kind` counted from now with the policy's duration `deadline` (its default where the pinned policy predates it). */
  openWait(kind: TaskKind, role: Role, deadline: DeadlineKey, extra: Parameters<CaseMachine['openTask']>[3] = {}): PendingTask {
    return this.openTask(kind, role, { kind: 'wait', from: this.now, duration: deadlineOf(this.policy, deadline) }, extra);
  }

  task(kind: TaskKind, id?: string): PendingTask | undefined {
    return this.s.tasks.find((t) => t.status === 'open' && t.kind === kind && (id === undefined || t.id === id));
  }

  openTasks(): PendingTask[] {
    return this.s.tasks.filter((t) => t.status === 'open');
  }

  closeTask(t: PendingTask | undefined, status: 'done' | 'cancelled' = 'done'): void {
    if (t && t.status === 'open') {
      t.status = status;
      this.version++;
    }
  }

  /** The body of `kind` that serves the case (from its jurisdiction), if known. */
  bodyOf(kind: keyof NonNullable<CaseState['jurisdiction']>['bodies']): string | undefined {
    return this.s.jurisdiction?.bodies[kind];
  }

  /**
   * The ruling body (谁容错、谁回访): the organization department of the officer who proposed the
   * ruling in force, set with every proposal; before any proposal, the case's own organization department.
   */
  rulingBody(): string | undefined {
    return this.s.rulingBody ?? this.bodyOf('organization');
  }

  /** A notice for the body of a role: the given body, else the case's own body of that kind where it is known. */
  audienceFor(role: 'organization' | 'discipline' | 'committee' | 'supervisor', unit?: string): NotifyInput['audience'] {
    const body = unit ?? this.bodyOf(role === 'supervisor' ? 'supervision' : role);
    return body ? { role, unit: body } : { role };
  }

  /** The audience of a task: the body that must act where one is known, else the role (or its assignees). */
  audienceOf(t: Pick<PendingTask, 'role' | 'assignees' | 'body'>): NotifyInput['audience'] {
    if (t.role === 'unit') return { role: 'unit', unit: this.s.unitCode };
    if (t.assignees) return { role: t.role, subjects: t.assignees };
    if (t.body) return { role: t.role, unit: t.body };
    return { role: t.role };
  }

  // ---- stages ----

  /** The one place the stage changes: the new stage is entered, which opens what it waits on. */
  moveTo(stage: Stage): void {
    if (this.s.stage === stage) return;
    this.s.stage = stage;
    this.s.stageLabel = stageLabels[stage];
    this.version++;
    this.entries[stage](this);
  }

  /** Closes the case: every open wait is cancelled, the unit is told. */
  close(reason: CloseReason): void {
    this.s.closeReason = reason;
    for (const t of this.openTasks()) this.closeTask(t, 'cancelled');
    for (const r of this.s.revisits) if (r.status === 'scheduled' || r.status === 'open') r.status = 'cancelled';
    for (const t of this.s.effectTrackings ?? []) if (t.status === 'planned') t.status = 'cancelled';
    this.moveTo('closed');
    this.event('closed', undefined, { reason, reasonLabel: closeReasonLabels[reason] });
    this.notify('closed', 'caseClosed', { role: 'unit', unit: this.s.unitCode }, { closeReason: reason, closeReasonLabel: closeReasonLabels[reason] });
  }

  // ---- lookups and idempotency ----

  /** Asks the shell for a fresh record lookup (the cadre's earlier cases and evaluations). */
  requestLookup(): void {
    this.internal.lookup.requested++;
    this.version++;
  }

  lookupReady(): boolean {
    return this.internal.lookup.answered >= this.internal.lookup.requested;
  }

  wasApplied(updateId: string | undefined): boolean {
    return updateId !== undefined && this.internal.appliedUpdateIds.includes(updateId);
  }

  /** A retry key reused with a different body is refused; the first body's digest is remembered. */
  checkRequest(request: { key: string; digest: string } | undefined): void {
    if (!request) return;
    const seen = this.internal.requestDigests[request.key];
    if (seen !== undefined && seen !== request.digest) reject(ActionRejected.idempotencyConflict, '该请求标识已用于另一项不同内容的操作。');
  }

  remember(updateId: string | undefined, request: { key: string; digest: string } | undefined): void {
    if (updateId) this.internal.appliedUpdateIds = [...this.internal.appliedUpdateIds, updateId].slice(-MAX_REMEMBERED);
    if (request) {
      const entries = Object.entries({ ...this.internal.requestDigests, [request.key]: request.digest });
      this.internal.requestDigests = Object.fromEntries(entries.slice(-MAX_REMEMBERED));
    }
  }
}
