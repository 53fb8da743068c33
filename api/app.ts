/**
 * The HTTP API as a Fastify plugin: external plugins first (security headers), then the app's own
 * (services, problems, CORS, auth, rate limit, docs), then the routes (the admin routes when the
 * registry's record store is given, the codec endpoint when payload codecs are). `buildApp` wraps it in a server instance; the server entry and the tests
 * both use it.
 */
import path from 'node:path';
import { randomUUID } from 'node:crypto';
import type { IncomingMessage, Server } from 'node:http';
import helmet from '@fastify/helmet';
import rateLimit from '@fastify/rate-limit';
import type { PayloadCodec } from '@temporalio/common';
import Fastify, { LogController, type FastifyHttpOptions, type FastifyInstance, type FastifyPluginAsync } from 'fastify';
import fp from 'fastify-plugin';
import { serializerCompiler, validatorCompiler } from 'fastify-type-provider-zod';
import type { Logger } from 'pino';
import type { Config } from '../common/config';
import type { WorkingDayCalendar } from '../domain/calendar';
import { loadCalendar } from '../domain/calendar/notices';
import { demoRegistry, staticRegistry, type RegistryAdmin, type RegistrySource } from './registry';
import type { PolicyRegistry } from '../domain/policies';
import type { CaseGateway } from './gateway';
import type { CadreHistorySource } from './history';
import cadreRoutes from './routes/cadres';
import libraryRoutes from './routes/library';
import { noLibrary, type LibrarySource } from './library';
import { noReadModel, type ReadModel } from './read-model';
import { clientTokenPattern } from './ids';
import auth from './plugins/auth';
import cors from './plugins/cors';
import docs from './plugins/docs';
import http, { clientErrorHandler, frameworkErrors, MAX_HEADER_SIZE } from './plugins/http';
import problems from './plugins/problems';
import services, { type Readiness } from './plugins/services';
import text from './plugins/text';
import actionRoutes from './routes/actions';
import adminRoutes from './routes/admin';
import caseRoutes from './routes/cases';
import codecRoutes from './routes/codec';
import healthRoutes from './routes/health';
import policyRoutes from './routes/policies';
import signinRoutes from './routes/signin';
import taskRoutes from './routes/tasks';
import statisticsRoutes from './routes/statistics';
import { noStatistics, type StatisticsSource } from './statistics';

export interface AppDeps {
  config: Config;
  logger: Logger;
  cases: CaseGateway;
  /** The inbox and the case list (read-model.ts), on the record store; without one they answer 503. */
  readModel?: ReadModel;
  policies: PolicyRegistry;
  /** Localities, bodies and cadres; default: the demo registry (tests and demos; the servers read the record system). */
  registry?: RegistrySource;
  /**
   * The registry in the record system, for the admin routes (/v1/admin/...); without it the API has
   * no such routes (the demo registry is not changed). `registry` should read the same store.
   */
  registryAdmin?: RegistryAdmin;
  /** Default: the shipped years with the notices in CALENDAR_DIR. */
  calendar?: WorkingDayCalendar;
  readiness: Readiness;
  /**
   * The payload codecs of the API's Temporal client; with them the API serves the codec endpoint
   * (/codec/decode, /codec/encode) for the Temporal UI and CLI. Without them it has no such routes.
   */
  payloadCodecs?: PayloadCodec[];
  /** The clock; tests pin it. */
  now?: () => Date;
  /** Cadre histories from the record system; without it GET /v1/cadres/:cadreId/history answers 503. */
  history?: CadreHistorySource;
  /** The typical-case library in the record system; without it its routes answer 503. */
  library?: LibrarySource;
  /** Statistics and periodic reports (statistics.ts), on the record store; without it they answer 503. */
  statistics?: StatisticsSource;
}

/** A client's X-Request-Id when it is short and printable, else a fresh one. */
export function requestIdOf(req: IncomingMessage): string {
  const incoming = req.headers['x-request-id'];
  return typeof incoming === 'string' && clientTokenPattern.test(incoming) ? incoming : randomUUID();
}

/**
 * Server options: the shared pino logger (same redaction), request ids, the body limit, the header
 * size limit, and problem documents for what the HTTP parser and the router refuse (plugins/http.ts).
 */
export function serverOptions(deps: Pick<AppDeps, 'config' | 'logger'>): FastifyHttpOptions<Server> {
  return {
    loggerInstance: deps.logger,
    bodyLimit: deps.config.bodyLimit,
    requestIdHeader: false,
    logController: new LogController({ requestIdLogLabel: 'requestId' }),
    genReqId: requestIdOf,
    // plugins/http.ts answers requests during shutdown with a problem document instead.
    return503OnClosing: false,
    http: { maxHeaderSize: MAX_HEADER_SIZE },
    clientErrorHandler,
    frameworkErrors,
  };
}

/** The API: the app is itself a plugin. */
export const caseApi: FastifyPluginAsync<AppDeps> = async (app, deps) => {
  app.setValidatorCompiler(validatorCompiler);
  app.setSerializerCompiler(serializerCompiler);
  // JSON only: without this, fastify would also accept text/plain bodies.
  app.removeContentTypeParser('text/plain');

  app.addHook('onRequest', async (request, reply) => {
    reply.header('x-request-id', request.id);
  });

  await app.register(helmet, { global: true });

  await app.register(services, { config: deps.config, cases: deps.cases, readModel: deps.readModel ?? noReadModel, policies: deps.policies, registry: deps.registry ?? staticRegistry(demoRegistry), calendar: deps.calendar ?? loadCalendar(deps.config.calendarDir || path.join(deps.config.dataDir, 'calendar')), readiness: deps.readiness, now: deps.now ?? (() => new Date()), history: deps.history, library: deps.library ?? noLibrary, statistics: deps.statistics ?? noStatistics });
  await app.register(problems);
  await app.register(http);
  await app.register(text);
  await app.register(cors);
  await app.register(auth);
  // Keyed by the verified subject (auth runs first), else the address; health and docs are exempt.
  await app.register(rateLimit, {
    max: deps.config.rateLimit,
    timeWindow: '1 minute',
    keyGenerator: (request) => (request.actor ? `sub:${request.actor.sub}` : `ip:${request.ip}`),
  });
  await app.register(docs);

  await app.register(healthRoutes);
  await app.register(caseRoutes);
  await app.register(actionRoutes);
  await app.register(taskRoutes);
  await app.register(policyRoutes);
  if (deps.registryAdmin) await app.register(adminRoutes, { admin: deps.registryAdmin });
  await app.register(cadreRoutes);
  await app.register(libraryRoutes);
  await app.register(statisticsRoutes);
  if (deps.payloadCodecs) {
    await app.register(codecRoutes, { payloadCodecs: deps.payloadCodecs });
    await app.register(signinRoutes);
  }
};

/** A server instance around the API; `listen` or `inject` finishes booting it. */
export async function buildApp(deps: AppDeps): Promise<FastifyInstance> {
  const app = Fastify(serverOptions(deps));
  await app.register(fp(caseApi, { name: 'rongcuo-api' }), deps);
  return app;
}
