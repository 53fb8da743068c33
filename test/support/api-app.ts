/**
 * A small harness for the HTTP-layer tests: the real app (buildApp) over a gateway that answers every
 * call with a fresh case and records what reached it, on a real listening server when needed.
 */
import http from 'node:http';
import type { FastifyInstance } from 'fastify';
import pino from 'pino';
import { loadConfig, type Config } from '../../common/config';
import { applicationSchema, type Actor, type CaseState, type PendingTask } from '../../domain/case';
import { PolicyRegistry } from '../../domain/policies';
import { buildApp } from '../../api/app';
import type { CaseGateway } from '../../api/gateway';
import { sampleApplication } from '../../api/schemas';
import { signToken } from '../../api/tokens';
import { WorkingDayCalendar } from '../../domain/calendar';
import { defaultPolicy } from '../../domain/policies';
import { CaseMachine } from '../../workflows/case/machine';
import type { CaseInput } from '../../workflows/messages';

export const OWN_UNIT = 'JS-NJ-FGW';
export const OWN_CASE = 'case-2026-AAAAAAAAA1';
export const unitActor: Actor = { sub: 'alice', role: 'unit', unit: OWN_UNIT };

export function sampleState(caseId = OWN_CASE): CaseState {
  const application = applicationSchema.parse(sampleApplication);
  const input: CaseInput = { caseId, origin: 'application', application, openedBy: unitActor, policy: defaultPolicy, calendar: WorkingDayCalendar.default().snapshot(2026, 2029) };
  return CaseMachine.initial(input, '2026-03-10T02:00:00.000Z').state;
}

/** An open acceptance task of the sample case, opened when it opened, changed by `over`. */
export function sampleTask(over: Partial<PendingTask> = {}): PendingTask {
  return {
    id: 'acceptance-1',
    kind: 'acceptance',
    label: '受理决定',
    role: 'organization',
    opensAt: '2026-03-10T02:00:00.000Z',
    basis: { kind: 'wait', from: '2026-03-10T02:00:00.000Z', duration: { amount: 5, unit: 'workingDays' } },
    dueAt: '2026-03-17T09:00:00.000Z',
    reminders: [],
    remindersSent: 0,
    escalations: 0,
    overdue: false,
    provisional: false,
    status: 'open',
    ...over,
  };
}

/** A gateway that records each call's method and input and answers with the sample case. */
export class RecordingGateway implements CaseGateway {
  readonly calls: { method: string; input?: unknown }[] = [];
  async start(input: Parameters<CaseGateway['start']>[0]) {
    this.calls.push({ method: 'start', input });
    return { created: true, state: sampleState(input.caseId) };
  }
  async get(caseId: string) {
    this.calls.push({ method: 'get', input: caseId });
    return sampleState(caseId);
  }
  async act(_update: unknown, caseId: string, _actor: Actor, input: unknown) {
    this.calls.push({ method: 'act', input });
    return sampleState(caseId);
  }
}

export interface HttpTestApp {
  app: FastifyInstance;
  config: Config;
  cases: RecordingGateway;
  token(actor?: Actor): Promise<string>;
}

export async function buildTestApp(env: Record<string, string> = {}): Promise<HttpTestApp> {
  const config = loadConfig(env as NodeJS.ProcessEnv);
  const cases = new RecordingGateway();
  const app = await buildApp({ config, logger: pino({ level: 'silent' }), cases, policies: PolicyRegistry.load(), readiness: { temporal: async () => undefined, database: async () => undefined } });
  await app.ready();
  return { app, config, cases, token: (actor = unitActor) => signToken(config, actor) };
}

export interface RawResponse {
  status: number | undefined;
  headers: http.IncomingHttpHeaders;
  body: string;
}

/** One request over a real socket, with the bytes given (no client-side encoding of the body). */
export function rawRequest(port: number, options: { method?: string; path: string; headers?: Record<string, string>; body?: Buffer }): Promise<RawResponse> {
  return new Promise((resolve, reject) => {
    const req = http.request({ host: '127.0.0.1', port, path: options.path, method: options.method ?? (options.body ? 'POST' : 'GET'), headers: options.headers ?? {} }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (body += chunk));
      res.on('end', () => resolve({ status: res.statusCode, headers: res.headers, body }));
    });
    req.on('error', reject);
    req.end(options.body);
  });
}
