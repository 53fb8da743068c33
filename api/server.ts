/**
 * The API's entry point: configuration, one Temporal client, the policies, then listen. On a signal
 * the server stops accepting, lets in-flight requests finish, and closes the Temporal connection.
 */
import type { PayloadCodec } from '@temporalio/common';
import closeWithGrace from 'close-with-grace';
import type { FastifyInstance } from 'fastify';
import { createPayloadCodec } from '../common/codec';
import { loadConfig } from '../common/config';
import { createLogger } from '../common/logger';
import { connectClient, temporalTarget } from '../common/temporal';
import { PolicyRegistry } from '../domain/policies';
import { buildApp } from './app';
import { openPostgres, type Db } from '../activities/records/db';
import { readRegistry } from '../activities/records/registry';
import { readCadreHistory } from '../activities/records/results';
import { recordKeysOf } from '../activities/records/sealing';
import type { CadreHistorySource } from './history';
import { createLibrary, type LibrarySource } from './library';
import { createStatisticsSource, type StatisticsSource } from './statistics';
import { cachedRegistry, registryAdmin, type RegistryAdmin, type RegistrySource } from './registry';
import { createTemporalGateway } from './gateway';
import { createReadModel, type ReadModel } from './read-model';
import { temporalReadiness } from './readiness';

export interface ServerOptions {
  /** Answers when the record database does; given only by a process that uses the record store (then /readyz checks it). */
  pingDatabase?: () => Promise<void>;
  /** Runs when the server has closed, after the Temporal connection (e.g. closing the database pool). */
  onClose?: () => Promise<void>;
  /** Localities, bodies and cadres (from the record store the process already has open). */
  registry?: RegistrySource;
  /** The registry's administration on that same store (the admin routes). */
  registryAdmin?: RegistryAdmin;
  /** Cadre histories (from the record store the process already has open). */
  history?: CadreHistorySource;
  /** The inbox and the case list (from the record store the process already has open). */
  readModel?: ReadModel;
  /** The typical-case library (on the record store the process already has open). */
  library?: LibrarySource;
  /** Statistics and periodic reports (from the record store the process already has open). */
  statistics?: StatisticsSource;
  /** The payload codecs, shared with a worker in the same process; by default made from the configuration. */
  payloadCodecs?: PayloadCodec[];
}

/** Starts the API and returns it listening. */
export async function startServer(options: ServerOptions = {}): Promise<FastifyInstance> {
  const config = loadConfig();
  const logger = createLogger(config.logLevel, 'api');
  const target = temporalTarget(config);
  const payloadCodecs = options.payloadCodecs ?? [createPayloadCodec(config, logger.child({ component: 'codec' }))];
  const client = await connectClient(target, { payloadCodecs });
  logger.info({ address: target.address, namespace: target.namespace }, 'connected to Temporal');
  const policies = PolicyRegistry.load(config.policyDir || undefined);
  // The registry and the read model live in the record system: the store given (one process with the
  // worker), else a small pool of its own on DATABASE_URL; without either, the demo registry and no
  // listings (warned).
  let recordDb: Db | undefined;
  let registry = options.registry;
  let admin = options.registryAdmin;
  let history = options.history;
  let readModel = options.readModel;
  let library = options.library;
  let statistics = options.statistics;
  if ((!registry || !history || !readModel || !library || !statistics) && config.databaseUrl) {
    recordDb = openPostgres(config.databaseUrl, logger.child({ component: 'records' }));
    const db = recordDb;
    if (!registry) {
      registry = cachedRegistry(() => readRegistry(db));
      admin = registryAdmin(db);
    }
    readModel ??= createReadModel(db);
    statistics ??= createStatisticsSource(db);
    // Cadres are found by the keyed hash of their id: the API needs the record store's master keys.
    const keys = recordKeysOf(config, logger.child({ component: 'records' }));
    history ??= { cadreHistory: (cadreId, unitCode) => readCadreHistory(db, keys, cadreId, unitCode) };
    // The library checks accounts against the case's personal data, opened with the same keys.
    library ??= createLibrary(db, keys);
  }
  if (!registry) logger.warn('no record store for the API: the demo registry decides who acts for which body, and there are no admin routes');
  if (!readModel) logger.warn('no record store for the API: the inbox and the case list answer 503 (set DATABASE_URL)');
  const pingDatabase = options.pingDatabase ?? (recordDb ? async () => void (await recordDb!.query('SELECT 1')) : undefined);

  const app = await buildApp({
    config,
    logger,
    cases: createTemporalGateway(client, config),
    ...(readModel ? { readModel } : {}),
    policies,
    ...(registry ? { registry } : {}),
    ...(admin ? { registryAdmin: admin } : {}),
    ...(history ? { history } : {}),
    ...(library ? { library } : {}),
    ...(statistics ? { statistics } : {}),
    payloadCodecs,
    readiness: { ...temporalReadiness(client, config), ...(pingDatabase ? { database: pingDatabase } : {}) },
  });
  // Runs after the server has stopped taking requests and the in-flight ones have finished.
  app.addHook('onClose', async () => {
    await client.connection.close();
    await recordDb?.close();
    await options.onClose?.();
  });

  closeWithGrace({ delay: 10_000, logger }, async ({ err, signal }) => {
    if (err) logger.error({ err }, 'closing after an error');
    else logger.info({ signal }, 'closing');
    await app.close();
  });

  await app.listen({ host: config.apiHost, port: config.apiPort });
  return app;
}

if (require.main === module) {
  // The API alone reads the registry and the read model from PostgreSQL (DATABASE_URL) but neither migrates nor seeds it: the worker does.
  startServer().catch((err: unknown) => {
    // The logger may not exist yet (bad configuration): report plainly and exit.
    console.error(err instanceof Error ? err.message : err);
    process.exit(1);
  });
}
