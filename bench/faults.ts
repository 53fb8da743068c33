/**
 * `npm run faults`: opens N cases over HTTP and drives each through acceptance, investigation,
 * consultation, the ruling and its review while it kills (SIGKILL) the worker, the API, the Temporal
 * server and PostgreSQL, one at a time — once each, then in a loop — and starts each again. Clients
 * retry what failed with the same Idempotency-Key, as the API documents. Then it checks: every case
 * answers, every action is in its timeline exactly once, every ledger is complete and its chain
 * verifies, and no mail arrived twice. It prints a table; it never fails on a time.
 *
 *   node dist/bench/faults.js [--cases 50] [--concurrency 8] [--only worker,api,temporal,postgres] [--loop-seconds 60]
 *                             [--production] [--workers 2] [--apis 2]
 *
 * `--production` runs it on the production path: the Temporal server built from go.temporal.io/server on
 * PostgreSQL (several history shards), with two workers and two APIs unless told otherwise; clients
 * send each request to one API and, when it fails, retry on the next, as behind a load balancer.
 */
import { parseArgs } from 'node:util';
import pino from 'pino';
import { loadConfig } from '../common/config';
import { openRecords } from '../activities/records';
import type { Actor, CaseState } from '../domain/case';
import { signToken } from '../api/tokens';
import { sampleApplication } from '../api/schemas';
import { investigation } from '../test/support/applications';
import { startStack, type Component, type ProcessName, type Stack } from './lib/stack';
import { round, sleep } from './lib/stats';

const actors = {
  unit: { sub: 'faults-clerk', role: 'unit', unit: 'JS-NJ-FGW' },
  org: { sub: 'faults-officer', role: 'organization', unit: 'JS-ZZB' },
  discipline: { sub: 'faults-inspector', role: 'discipline', unit: 'JS-JW' },
  committee: { sub: 'faults-member', role: 'committee', unit: 'JS-SW' },
} satisfies Record<string, Actor>;

/** The steps every case takes, and the timeline event each must leave exactly once. */
const steps: { who: keyof typeof actors; path: string; body: () => unknown; event: string }[] = [
  { who: 'org', path: 'acceptance', body: () => ({ decision: 'accept' }), event: 'accepted' },
  { who: 'org', path: 'investigation', body: () => investigation(9), event: 'investigationSubmitted' },
  { who: 'discipline', path: 'consultation', body: () => ({ opinion: 'concur', reasons: '同意组织部门意见' }), event: 'consultationGiven' },
  { who: 'org', path: 'ruling-proposal', body: () => ({ outcome: 'exempt', tier: 'support', reasons: '符合免责情形' }), event: 'rulingProposed' },
  { who: 'committee', path: 'ruling-review', body: () => ({ decision: 'approve', comments: '同意' }), event: 'rulingApproved' },
];
export const expectedEvents = ['opened', ...steps.map((s) => s.event)];

export interface FaultPlan {
  cases: number;
  concurrency: number;
  /** Processes killed once each, in this order, while the cases are driven, each started again after `downMs`. */
  once: ProcessName[];
  /** Processes killed once, after the first second, and never started again (their peers must carry on). */
  killForGood?: ProcessName[];
  /** Then killed in turn, one at a time, for this long (0: no loop). */
  loopSeconds: number;
  /** How long a killed component stays down before it is started again. */
  downMs: number;
}

export interface FaultReport {
  cases: number;
  requests: number;
  retried: number;
  kills: Partial<Record<ProcessName, number>>;
  /** The longest a client waited for one answer, retries included, in seconds. */
  longestRequestSeconds: number;
  seconds: number;
  checks: { answered: number; complete: number; ledgersVerified: number; duplicateMails: number; mails: number; problems: string[] };
}

/**
 * Sends one request until it gets an answer that is not a passing failure (network error or 5xx), with
 * the same key; each attempt goes to the next of `bases` (one API, or several behind a balancer).
 */
async function send(bases: readonly string[], token: string, method: string, path: string, body: unknown, key: string, counters: Counters): Promise<{ status: number; json: unknown }> {
  const first = counters.requests;
  const from = performance.now();
  const done = (r: { status: number; json: unknown }) => {
    counters.longestMs = Math.max(counters.longestMs, performance.now() - from);
    return r;
  };
  const until = Date.now() + 180_000;
  for (let attempt = 0; ; attempt++) {
    counters.requests++;
    if (attempt > 0) counters.retried++;
    try {
      const res = await fetch(`${bases[(first + attempt) % bases.length]}${path}`, {
        method,
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json', 'idempotency-key': key },
        body: body === undefined ? undefined : JSON.stringify(body),
        signal: AbortSignal.timeout(60_000),
      });
      const json = await res.json().catch(() => undefined);
      if (res.status < 500) return done({ status: res.status, json });
    } catch {
      // the API is down or the connection was cut: retry
    }
    if (Date.now() > until) throw new Error(`${method} ${path} got no answer for 180 s`);
    await sleep(Math.min(250 * 2 ** attempt, 2_000));
  }
}

interface Counters {
  requests: number;
  retried: number;
  longestMs: number;
}

async function waitReady(stack: Stack): Promise<void> {
  for (const base of stack.apiBases) {
    for (;;) {
      const ok = await fetch(`${base}/readyz`, { signal: AbortSignal.timeout(5_000) }).then((r) => r.status === 200, () => false);
      if (ok) break;
      await sleep(250);
    }
  }
}

export async function runFaults(stack: Stack, plan: FaultPlan): Promise<FaultReport> {
  const config = loadConfig({ ...process.env, DATABASE_URL: stack.databaseUrl });
  const tokens = Object.fromEntries(await Promise.all(Object.entries(actors).map(async ([k, a]) => [k, await signToken(config, a, '1h')] as const))) as Record<keyof typeof actors, string>;
  const counters: Counters = { requests: 0, retried: 0, longestMs: 0 };
  const kills: FaultReport['kills'] = {};
  const started = performance.now();
  await waitReady(stack);

  const caseIds: string[] = [];
  let nextCase = 0;
  const driver = async () => {
    for (;;) {
      const i = nextCase++;
      if (i >= plan.cases) return;
      const run = `${Date.now().toString(36)}-${i}`;
      // the documented sample: a cadre of the demo registry, which the stack's record store holds
      const opened = await send(stack.apiBases, tokens.unit, 'POST', '/v1/cases', sampleApplication, `faults-open-${run}`, counters);
      if (opened.status !== 201 && opened.status !== 200) throw new Error(`opening case ${i}: ${opened.status} ${JSON.stringify(opened.json)}`);
      const caseId = (opened.json as CaseState).caseId;
      caseIds.push(caseId);
      for (const step of steps) {
        const r = await send(stack.apiBases, tokens[step.who], 'POST', `/v1/cases/${caseId}/${step.path}`, step.body(), `faults-${step.path}-${run}`, counters);
        if (r.status !== 200) throw new Error(`${step.path} on ${caseId}: ${r.status} ${JSON.stringify(r.json)}`);
      }
    }
  };
  let driving = true;
  const drivers = Promise.all(Array.from({ length: plan.concurrency }, driver)).finally(() => (driving = false));

  const fault = async (c: ProcessName) => {
    stack.kill(c);
    kills[c] = (kills[c] ?? 0) + 1;
    await sleep(plan.downMs);
    await stack.start(c);
  };
  const faults = (async () => {
    if (plan.killForGood?.length) {
      await sleep(1_000);
      for (const c of plan.killForGood) {
        stack.kill(c);
        kills[c] = (kills[c] ?? 0) + 1;
      }
    }
    for (const c of plan.once) {
      if (!driving) break;
      await sleep(1_000);
      await fault(c);
    }
    const loopUntil = performance.now() + plan.loopSeconds * 1000;
    for (let i = 0; driving && performance.now() < loopUntil; i++) {
      await sleep(1_000);
      await fault(stack.components[i % stack.components.length]!);
    }
  })();
  await Promise.all([drivers, faults]);
  const seconds = round((performance.now() - started) / 1000, 1);

  // ---- checks ----
  const problems: string[] = [];
  let answered = 0;
  let complete = 0;
  let ledgersVerified = 0;
  const { db, records } = await openRecords({ ...config, seedDemoData: false }, pino({ level: 'silent' }));
  try {
    for (const caseId of caseIds) {
      const r = await send(stack.apiBases, tokens.org, 'GET', `/v1/cases/${caseId}`, undefined, `faults-read-${caseId}`, counters);
      if (r.status !== 200) {
        problems.push(`${caseId} answers ${r.status}`);
        continue;
      }
      answered++;
      const state = r.json as CaseState;
      const counts = expectedEvents.map((e) => [e, state.timeline.filter((x) => x.event === e).length] as const);
      const wrong = counts.filter(([, n]) => n !== 1);
      if (wrong.length) problems.push(`${caseId}: ${wrong.map(([e, n]) => `${e}×${n}`).join(', ')}`);
      else complete++;
      // the ledger lags the case by one record write; give it a moment after the faults
      let verified = false;
      for (let i = 0; i < 120 && !verified; i++) {
        const [v] = await records.verifyLedger(caseId);
        verified = !!v && v.ok && v.entries === state.timeline.length;
        if (!verified) await sleep(500);
      }
      if (verified) ledgersVerified++;
      else problems.push(`${caseId}: ledger incomplete or broken (${JSON.stringify((await records.verifyLedger(caseId))[0])}, timeline ${state.timeline.length})`);
    }
  } finally {
    await db.close();
  }
  const duplicates = [...stack.mails.entries()].filter(([, n]) => n > 1);
  for (const [id, n] of duplicates.slice(0, 10)) problems.push(`mail ${id} arrived ${n} times`);
  return {
    cases: caseIds.length,
    requests: counters.requests,
    retried: counters.retried,
    kills,
    longestRequestSeconds: round(counters.longestMs / 1000, 1),
    seconds,
    checks: { answered, complete, ledgersVerified, duplicateMails: duplicates.length, mails: stack.mails.size, problems },
  };
}

function printReport(r: FaultReport): void {
  const rows: [string, string][] = [
    ['cases driven', `${r.cases} (${r.requests} requests, ${r.retried} retried after a failure) in ${r.seconds} s`],
    ['killed (SIGKILL)', Object.entries(r.kills).map(([c, n]) => `${c} ${n}×`).join(' · ')],
    ['longest a client waited for one answer', `${r.longestRequestSeconds} s (retries with the same Idempotency-Key included)`],
    ['cases answering', `${r.checks.answered}/${r.cases}`],
    ['every action exactly once', `${r.checks.complete}/${r.cases}`],
    ['ledger complete and verified', `${r.checks.ledgersVerified}/${r.cases}`],
    ['mails delivered twice', `${r.checks.duplicateMails} of ${r.checks.mails}`],
  ];
  const w = Math.max(...rows.map(([k]) => k.length));
  console.log(`| ${'check'.padEnd(w)} | result |\n|${'-'.repeat(w + 2)}|--------|`);
  for (const [k, v] of rows) console.log(`| ${k.padEnd(w)} | ${v} |`);
  for (const p of r.checks.problems) console.log(`  problem: ${p}`);
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      cases: { type: 'string', default: '50' },
      concurrency: { type: 'string', default: '8' },
      only: { type: 'string' },
      'loop-seconds': { type: 'string', default: '60' },
      'down-ms': { type: 'string', default: '2000' },
      production: { type: 'boolean', default: false },
      workers: { type: 'string' },
      apis: { type: 'string' },
    },
    strict: true,
  });
  const production = values.production;
  const stack = await startStack({
    ...(production ? { temporal: 'production' as const } : { databaseUrl: process.env.FAULTS_DATABASE_URL }),
    workers: Number(values.workers ?? (production ? 2 : 1)),
    apis: Number(values.apis ?? (production ? 2 : 1)),
  });
  try {
    const once = (values.only ? values.only.split(',') : stack.components).filter((c): c is Component => (stack.components as string[]).includes(c));
    console.log(
      `faults on the ${stack.temporal === 'production' ? 'production path (Temporal server on PostgreSQL)' : 'dev server'} with ${stack.apiBases.length} API(s): ${values.cases} cases, killing ${once.join(', ')} once each, then in a loop for ${values['loop-seconds']} s`,
    );
    const report = await runFaults(stack, { cases: Number(values.cases), concurrency: Number(values.concurrency), once, loopSeconds: Number(values['loop-seconds']), downMs: Number(values['down-ms']) });
    printReport(report);
  } finally {
    await stack.stop();
  }
}

if (require.main === module) {
  main().catch((err: unknown) => {
    console.error(err instanceof Error ? err.stack : err);
    process.exit(1);
  });
}
