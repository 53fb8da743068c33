/**
 * One case of 容错纠错 as one long-running workflow. This module is the shell around the state
 * machine: it registers the Update handlers derived from the action specs, runs each reaction (an
 * action, a passed deadline, a calendar notice) in one go, and carries out what the reaction asked
 * for — ledger entries (one activity per reaction, in order), notices, record lookups, search
 * attributes and the current details — then waits for the next thing due and continues-as-new when
 * the history grows long. Decisions are made in the reaction itself, so an action is answered in the
 * workflow task that delivers it.
 */
import {
  ApplicationFailure,
  CancellationScope,
  allHandlersFinished,
  condition,
  continueAsNew,
  currentUpdateInfo,
  isCancellation,
  log,
  patched,
  proxyActivities,
  setCurrentDetails,
  setHandler,
  sleep,
  upsertSearchAttributes,
  workflowInfo,
} from '@temporalio/workflow';
import type { CadreLookup, CaseActivities, NotifyInput } from '../../activities/types';
import type { Actor, CaseState } from '../../domain/case';
import { roleLabels } from '../../domain/labels';
import { oversees } from '../../domain/registry';
import { repeatLookBack, windowStart } from '../../domain/screening';
import { signalPolicyOf } from '../../domain/policy';
import { applicationSignalsDue, raiseApplicationSignals, signalsApply } from './parts/oversight';
import { ActionRejected, calendarNoticeSignal, getCaseQuery, nonRetryableActivityErrorTypes, openUpdate, type Action, type CaseInput } from '../messages';
import { actionNames, actionSpec, type ActionName, type AnyActionSpec } from './actions';
import { CaseMachine, reject, Rejection, type Internal } from './machine';
import { mayLead, stageEntries, stagesOf } from './transitions';
import { patches, withBaseline } from './patches';
import { registerOf, snapshotFingerprint, snapshotOf } from './read-model';
import { openCase } from './opening';
import { changedSearchAttributes, visibilityOf } from './visibility';
import { applyCalendarNotice, nextWakeAt, tick } from './watcher';

const records = proxyActivities<Pick<CaseActivities, 'recordEvents'>>({
  startToCloseTimeout: '30 seconds',
  retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '2 minutes', nonRetryableErrorTypes: nonRetryableActivityErrorTypes },
});

/** Notifications retry with backoff for about a day, then give up without blocking the case. */
const notifier = proxyActivities<Pick<CaseActivities, 'notifyAll'>>({
  startToCloseTimeout: '1 minute',
  retry: { initialInterval: '5 seconds', backoffCoefficient: 2, maximumInterval: '30 minutes', maximumAttempts: 60, nonRetryableErrorTypes: nonRetryableActivityErrorTypes },
});

export interface CaseResume {
  state: CaseState;
  internal: Internal;
}

const nowIso = () => new Date().toISOString();
/** Timers longer than 2^31 ms are not reliable everywhere (the test server among them): wake up and look again. */
const MAX_TIMER_MS = 20 * 24 * 60 * 60 * 1000;

function parseInput(spec: AnyActionSpec, value: unknown): unknown {
  const r = spec.input.safeParse(value);
  if (!r.success) reject(ActionRejected.invalidInput, r.error.issues.map((i) => `${i.path.map(String).join('.') || 'input'}：${i.message}`).join('；'));
  return r.data;
}

/** Who the action is for, and whether the case allows it now; throws a Rejection otherwise. */
function guard(m: CaseMachine, spec: AnyActionSpec, a: Action<unknown>): void {
  const { actor } = a;
  const s = m.s;
  // Strangers are told what they would be told of a case that does not exist.
  if (actor.role === 'unit' && actor.unit !== s.unitCode) reject(ActionRejected.notFound, `case ${s.caseId} not found`);
  if (actor.role === 'expert' && spec.roles.includes('expert') && !s.experts.invited.includes(actor.sub)) reject(ActionRejected.notFound, `case ${s.caseId} not found`);
  // A body acts only within its jurisdiction: its locality and the ones below it.
  if (actor.role !== 'unit' && actor.role !== 'expert' && s.jurisdiction && !oversees(actor.locality, s.jurisdiction)) {
    reject(ActionRejected.notFound, `case ${s.caseId} not found`);
  }
  if (!spec.roles.includes(actor.role)) {
    reject(ActionRejected.forbidden, `此事项由${spec.roles.map((r) => roleLabels[r]).join('或')}办理，${roleLabels[actor.role]}无权办理`);
  }
  m.checkRequest(a.request);
  if (!stagesOf(spec.name as ActionName).includes(s.stage)) {
    spec.outOfStage?.(m);
    reject(ActionRejected.wrongStage, `本案当前处于“${s.stageLabel}”阶段，不能办理此事项`);
  }
}

/** The innermost message of an activity failure (the record system's own reason). */
function errorText(err: unknown): string {
  let e: unknown = err;
  while (e instanceof Error && e.cause) e = e.cause;
  return (e instanceof Error ? e.message : String(e)).slice(0, 500);
}

function asFailure(err: unknown): unknown {
  return err instanceof Rejection ? ApplicationFailure.create({ type: err.type, message: err.message, nonRetryable: true }) : err;
}

/** The case workflow. Its id is `case-<number>`; its result is the final case state. */
export async function caseWorkflow(input: CaseInput & { resume?: CaseResume }): Promise<CaseState> {
  const openedAt = workflowInfo().startTime.toISOString();
  const start = input.resume ?? CaseMachine.initial(input, openedAt);
  // Every patch is asked through the baseline (patches.ts): a new case records one marker for all of them.
  const isPatched = withBaseline(patched);
  const m = new CaseMachine(start.state, start.internal, input.policy, stageEntries, nowIso(), isPatched);
  const s = m.s;
  const internal = m.internal;
  let notificationsInFlight = 0;
  let lastVisibility = '';
  /**
   * Every batch of ledger entries carries the case's snapshot for the read model. Cases started since
   * this patch also write one when a reaction changes the snapshot without a ledger entry (earlier
   * cases cannot: that would add activities to their histories) and at the start of every run.
   */
  const snapshotsWhenChanged = isPatched(patches.readModelSnapshots);
  /** The fingerprint of the last snapshot the record system took (in this run). */
  let snapshotWritten: string | undefined;
  const snapshotPending = () => snapshotsWhenChanged && snapshotFingerprint(s) !== snapshotWritten;

  /** Notices waiting for the recorder's next record activity, which sends them after its write. */
  let noticesQueued: NotifyInput[] = [];

  /** Notices in an activity of their own, retried for about a day. */
  function sendNotices(notifications: NotifyInput[]): void {
    if (!notifications.length) return;
    notificationsInFlight++;
    void notifier
      .notifyAll({ caseId: s.caseId, notifications })
      .catch((err: unknown) => log.error('Notifications given up after retries', { caseId: s.caseId, keys: notifications.map((n) => n.key), error: String(err) }))
      .finally(() => notificationsInFlight--);
  }

  /** Carries out what a reaction asked for: notices (with its record), ledger entries and lookups by the recorder. */
  function carryOut(): void {
    const { notifications } = m.takeOutbox();
    if (notifications.length) {
      // While the record system refuses the case's entries, the recorder retries hourly: notices do not wait for it.
      if (!s.recordFailure && isPatched(patches.noticesWithRecords)) noticesQueued.push(...notifications);
      else sendNotices(notifications);
    }
    const v = visibilityOf(s, Date.parse(m.now), { names: isPatched(patches.chineseListColumns) });
    const fingerprint = JSON.stringify([v.searchAttributes.map((p) => p.value), v.details]);
    if (fingerprint !== lastVisibility) {
      lastVisibility = fingerprint;
      // A case started with its opening's search attributes (the API's start) upserts only what differs.
      const pairs = isPatched(patches.searchAttributesAsChanged) ? changedSearchAttributes(v.searchAttributes, workflowInfo().typedSearchAttributes) : v.searchAttributes;
      if (pairs.length) upsertSearchAttributes(pairs);
      setCurrentDetails(v.details);
    }
  }

  /** One reaction: its effects, its events and the next wait happen together, then are carried out. */
  function react(cause: ActionName | 'deadline' | 'open' | 'calendarNotice' | 'recordFailure' | 'lookup', effect: () => void, at = nowIso()): void {
    m.now = at;
    const from = s.stage;
    effect();
    if ((cause !== 'open' && cause !== 'calendarNotice' && cause !== 'recordFailure' && cause !== 'lookup' && from !== s.stage) || cause === 'deadline') {
      if (!mayLead(from, cause, s.stage)) throw new Error(`transition table: ${cause} may not lead from ${from} to ${s.stage}`);
    }
    carryOut();
  }

  if (!input.resume) {
    // The first reaction happens before any handler exists, so nothing can come before `opened`.
    react('open', () => openCase(m), openedAt);
  } else {
    carryOut();
  }

  setHandler(getCaseQuery, () => s);

  setHandler(openUpdate, async ({ startToken }) => ({ created: startToken === input.startToken, state: s }), {
    validator: ({ requestDigest }) => {
      if (requestDigest !== undefined && input.requestDigest !== undefined && requestDigest !== input.requestDigest) {
        throw ApplicationFailure.create({ type: ActionRejected.idempotencyConflict, message: 'this case was opened from a different request', nonRetryable: true });
      }
    },
  });

  setHandler(calendarNoticeSignal, (doc) => react('calendarNotice', () => void applyCalendarNotice(m, doc)));

  for (const name of actionNames) {
    const spec = actionSpec(name);
    /** Inputs parsed by the validator, by Update id, so the handler does not parse them again. */
    const validated = new Map<string, unknown>();
    setHandler(
      spec.update,
      async (a: Action<unknown>) => {
        const id = currentUpdateInfo()?.id;
        if (m.wasApplied(id)) return s;
        let parsed: unknown;
        try {
          // Validators do not run when history is replayed: the input is parsed here then.
          parsed = id !== undefined && validated.has(id) ? validated.get(id) : parseInput(spec, a.input);
          if (id !== undefined) validated.delete(id);
          if (spec.needsLookup && !m.lookupReady()) {
            await condition(() => m.lookupReady());
            m.now = nowIso();
            guard(m, spec, a);
          }
        } catch (err) {
          throw asFailure(err);
        }
        m.remember(id, a.request);
        react(name, () => spec.apply(m, a.actor as Actor, parsed));
        return s;
      },
      {
        validator: (a: Action<unknown>) => {
          const id = currentUpdateInfo()?.id;
          if (m.wasApplied(id)) return;
          try {
            m.now = nowIso();
            guard(m, spec, a);
            const parsed = parseInput(spec, a.input);
            spec.check?.(m, a.actor, parsed);
            if (id !== undefined) validated.set(id, parsed);
          } catch (err) {
            throw asFailure(err);
          }
        },
      },
    );
  }

  void recorder();

  /**
   * Writes the timeline to the ledger: every entry once, in order, one activity per batch, with the
   * case's snapshot for the read model (inbox, case list); a record lookup the case asked for (before
   * a decision that needs it) rides in the same round trip.
   */
  async function recorder(): Promise<void> {
    for (;;) {
      await condition(() => internal.recorded < s.timeline.length || !m.lookupReady() || snapshotPending() || noticesQueued.length > 0);
      const from = internal.recorded;
      const to = s.timeline.length;
      const asked = internal.lookup.requested;
      const notifications = noticesQueued;
      noticesQueued = [];
      const events = [];
      for (let seq = from; seq < to; seq++) {
        const recordsOfEntry = internal.pendingRecords[seq];
        events.push({ seq, entry: s.timeline[seq]!, ...(recordsOfEntry ? { records: recordsOfEntry } : {}) });
      }
      const lookup = m.lookupReady() ? undefined : lookupInput(nowIso());
      const fingerprint = snapshotFingerprint(s);
      const snapshot = snapshotOf(s, to - 1, nowIso());
      let result: Awaited<ReturnType<typeof records.recordEvents>>;
      try {
        result = await records.recordEvents({ caseId: s.caseId, events, register: register(), snapshot, ...(lookup ? { lookup } : {}), ...(notifications.length ? { notifications } : {}) });
      } catch (err) {
        // Passing conditions are retried by Temporal without end; this is a refusal for good. The case
        // goes on (its state is whole, the ledger lags), supervision is told, and the batch is retried
        // every hour until the record system takes it. A lookup the case waits for is made on its own,
        // and so are the notices.
        sendNotices(notifications);
        const failure = s.recordFailure;
        react('recordFailure', () => {
          s.recordFailure = { since: failure?.since ?? m.now, seq: from, error: errorText(err), attempts: (failure?.attempts ?? 0) + 1 };
          if (!failure) m.notify(`record-failure-${from}`, 'recordFailed', m.audienceFor('supervisor'), { seq: from, error: s.recordFailure.error, attempts: 1 });
        });
        if (lookup) answerLookup(await records.recordEvents({ caseId: s.caseId, events: [], register: register(), lookup }), asked);
        await sleep('1 hour');
        continue;
      }
      const undelivered = new Set(result.undelivered ?? []);
      sendNotices(notifications.filter((n) => undelivered.has(n.key)));
      if (s.recordFailure) react('recordFailure', () => void delete s.recordFailure);
      for (let seq = from; seq < to; seq++) delete internal.pendingRecords[seq];
      internal.recorded = to;
      snapshotWritten = fingerprint;
      answerLookup(result, asked);
    }
  }

  /** The register row after the entries being written: the non-personal facts the register keeps. */
  const register = () => registerOf(s);

  function lookupInput(at: string) {
    return {
      caseId: s.caseId,
      cadreId: s.application.cadre.id,
      category: s.category,
      // the longest repeat window, so one lookup serves every repeat rule; each rule filters its own
      since: repeatLookBack(input.policy, at),
      // the cadre's cases in any category, for the repeat-application signal
      applicationsSince: windowStart(at, signalPolicyOf(input.policy).repeatApplication.window),
      performanceYears: input.policy.scoring.performance.years,
      at,
    };
  }

  function answerLookup(result: { lookup?: CadreLookup }, asked: number): void {
    if (!result.lookup) return;
    const { at, earlier, performance, applications } = result.lookup;
    internal.lookup = { requested: internal.lookup.requested, answered: asked, at, earlier, performance, ...(applications ? { applications } : {}) };
    m.version++;
    // The cadre's applications are known now: a signal they make due is raised at once, in a reaction of its own.
    const due = applicationSignalsDue(m);
    if (due.length && signalsApply(m)) react('lookup', () => raiseApplicationSignals(m, due));
  }

  function continueAsNewDue(): boolean {
    const info = workflowInfo();
    return info.continueAsNewSuggested || (!!input.continueAsNewAfterEvents && info.historyLength > input.continueAsNewAfterEvents);
  }

  const closed = () => s.stage === 'closed';
  /** Nothing of the case is under way: no handler, no ledger entry, no notice waiting or being sent. */
  const settled = () => allHandlersFinished() && internal.recorded === s.timeline.length && noticesQueued.length === 0 && notificationsInFlight === 0;
  const timerTo = (next: number) => Math.min(Math.max(next - Date.now(), 1), MAX_TIMER_MS);
  /** The watcher's timer and the instant it wakes the case for, kept while that instant stays next. */
  let wake: { next: number; fired: boolean; scope: CancellationScope } | undefined;
  // The watcher: sleep until the next thing due (or a change), then react to what is due.
  while (s.stage !== 'closed') {
    const seen = m.version;
    const next = nextWakeAt(m);
    if (isPatched(patches.watcherKeepsTimer)) {
      if (wake && wake.next !== next) {
        wake.scope.cancel();
        wake = undefined;
      }
      if (!wake && next !== undefined) {
        const timer = { next, fired: false, scope: new CancellationScope() };
        timer.scope.run(() => sleep(timerTo(next))).then(
          () => void (timer.fired = true),
          (err: unknown) => {
            // cancelled above because the next instant due moved; anything else fails the task
            if (!isCancellation(err)) throw err;
          },
        );
        wake = timer;
      }
      await condition(() => m.version !== seen || closed() || continueAsNewDue() || wake?.fired === true);
      if (wake?.fired) wake = undefined;
    } else {
      await condition(() => m.version !== seen || closed() || continueAsNewDue(), next === undefined ? undefined : timerTo(next));
    }
    if (!closed() && continueAsNewDue()) {
      await condition(() => settled() && m.lookupReady());
      log.info('Continuing as new', { caseId: s.caseId, historyLength: workflowInfo().historyLength });
      return continueAsNew<typeof caseWorkflow>({ ...input, resume: { state: s, internal } });
    }
    if (!closed() && next !== undefined && Date.now() >= next) react('deadline', () => tick(m));
  }
  await condition(() => settled() && !snapshotPending());
  return s;
}
