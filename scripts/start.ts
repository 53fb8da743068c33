/**
 * `npm start`: the whole system on one machine with embedded defaults.
 *
 * - No Temporal server configured (TEMPORAL_ADDRESS empty, no TEMPORAL_PROFILE or config-file address):
 *   runs `temporal server start-dev` with its SQLite file in DATA_DIR, so every case survives a restart.
 * - Otherwise uses that server and only makes sure the search attributes exist.
 * Then runs the worker and the API (as one child sharing the embedded record store, or as two with
 * DATABASE_URL) and prints where to find them.
 * Ctrl-C or SIGTERM stops the API, then the worker, then the dev server; if any of them dies, the
 * others are stopped and the exit code is 1.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { Connection } from '@temporalio/client';
import { loadClientConnectConfig } from '@temporalio/envconfig';
import type { Logger } from 'pino';
import { ConfigError, loadConfig, type Config } from '../common/config';
import { createLogger } from '../common/logger';
import { temporalTarget } from '../common/temporal';
import { devServerArgs, hasExited, isPortFree, stopChild, waitForPort, waitForTemporal } from './dev-server';
import { registerSearchAttributes } from './register-search-attributes';
import { projectRoot, resolveTemporalCli } from './tools';
import { withWorkerProcessEnv } from '../worker/process-env';

/** How long each child may take to stop after SIGTERM before it is killed. */
const STOP_TIMEOUT_MS = { api: 10_000, worker: 30_000, app: 40_000, temporal: 15_000 } as const;
const DEV_SERVER_READY_TIMEOUT_MS = 60_000;
const EXTERNAL_SERVER_READY_TIMEOUT_MS = 30_000;
const API_READY_TIMEOUT_MS = 60_000;

type Name = keyof typeof STOP_TIMEOUT_MS;

class StartupError extends Error {}

class Supervisor {
  private readonly children = new Map<Name, ChildProcess>();
  stopping = false;

  constructor(private readonly log: Logger) {}

  /**
   * Each child leads its own process group, so the terminal's Ctrl-C reaches only this process and the
   * children are stopped in order.
   */
  spawn(name: Name, command: string, args: string[], env: NodeJS.ProcessEnv, quietWhenStopping = false): ChildProcess {
    if (this.stopping) throw new StartupError('stopping');
    const child = spawn(command, args, { env, stdio: ['ignore', quietWhenStopping ? 'pipe' : 'inherit', quietWhenStopping ? 'pipe' : 'inherit'], detached: true });
    if (quietWhenStopping) {
      // The dev server warns about its own internal workers losing their connection while it shuts down.
      child.stdout?.on('data', (chunk: Buffer) => this.stopping || process.stdout.write(chunk));
      child.stderr?.on('data', (chunk: Buffer) => this.stopping || process.stderr.write(chunk));
    }
    this.children.set(name, child);
    child.once('error', (err) => {
      this.log.error({ err, child: name }, `${name} could not be started`);
      void this.stop(1);
    });
    child.once('exit', (code, signal) => {
      if (this.stopping) return;
      this.log.error({ child: name, code, signal }, `${name} stopped unexpectedly; stopping everything`);
      void this.stop(1);
    });
    return child;
  }

  /** Stops the API, then the worker, then the dev server, and exits. Repeated calls are ignored. */
  async stop(code: number): Promise<void> {
    if (this.stopping) return;
    this.stopping = true;
    for (const name of ['api', 'worker', 'app', 'temporal'] as const) {
      const child = this.children.get(name);
      if (!child || hasExited(child)) continue;
      this.log.info(`stopping ${name}`);
      const how = await stopChild(child, STOP_TIMEOUT_MS[name], true);
      if (how === 'killed') this.log.warn(`${name} did not stop within ${STOP_TIMEOUT_MS[name] / 1000} s and was killed`);
    }
    this.log.info('stopped');
    process.exit(code);
  }

  /** Last resort when this process exits without `stop` (e.g. a crash): kill whatever is left. */
  killAll(): void {
    for (const child of this.children.values()) {
      if (!hasExited(child) && child.pid) {
        try {
          process.kill(-child.pid, 'SIGKILL');
        } catch {
          // already gone
        }
      }
    }
  }
}

function displayHost(host: string): string {
  return host === '0.0.0.0' || host === '::' ? 'localhost' : host.includes(':') ? `[${host}]` : host;
}

async function run(config: Config, log: Logger, supervisor: Supervisor): Promise<void> {
  const root = projectRoot();
  const workerEntry = path.join(root, 'dist', 'worker', 'main.js');
  const apiEntry = path.join(root, 'dist', 'api', 'server.js');
  const appEntry = path.join(root, 'dist', 'scripts', 'app.js');
  for (const entry of [workerEntry, apiEntry, appEntry]) {
    if (!fs.existsSync(entry)) throw new StartupError(`${path.relative(root, entry)} is missing; run \`npm run build\` first.`);
  }
  fs.mkdirSync(config.dataDir, { recursive: true });

  // An address from TEMPORAL_ADDRESS, TEMPORAL_PROFILE or the SDK's config file means an external server.
  const configuredAddress = config.temporalAddress || loadClientConnectConfig().connectionOptions.address;
  const embedded = !configuredAddress;
  const childEnv = withWorkerProcessEnv(process.env);
  let target = temporalTarget(config);
  const apiUrl = (config.apiPublicUrl ?? `http://${displayHost(config.apiHost)}:${config.apiPort}`).replace(/\/$/, '');

  if (embedded) {
    const port = config.devServerPort;
    for (const [setting, p] of [['TEMPORAL_DEV_PORT', port], ['TEMPORAL_UI_PORT', config.devUiPort]] as const) {
      if (!(await isPortFree(p))) {
        throw new StartupError(
          `Port ${p} (${setting}) is already in use. Is another Temporal dev server running? Stop it, choose another port with ${setting}, or use it with TEMPORAL_ADDRESS=127.0.0.1:${port}.`,
        );
      }
    }
    const cli = resolveTemporalCli(config.temporalCli);
    const dbFilename = path.join(config.dataDir, 'temporal.db');
    const args = devServerArgs({ port, uiPort: config.devUiPort, namespace: config.temporalNamespace, dbFilename, uiCodecEndpoint: `${apiUrl}/codec` });
    // The Web UI calls the codec endpoint from its own origin: allow it when the UI port is not the default.
    if (process.env.CODEC_CORS_ORIGINS === undefined) {
      childEnv.CODEC_CORS_ORIGINS = [...new Set([...config.codecCorsOrigins, `http://localhost:${config.devUiPort}`, `http://127.0.0.1:${config.devUiPort}`])].join(',');
    }
    // The dev server's UI has no login: the sign-in page offers development identities instead.
    if (process.env.SIGNIN_DEV_IDENTITIES === undefined && !config.jwtJwksUrl) childEnv.SIGNIN_DEV_IDENTITIES = 'true';
    log.info({ cli, dbFilename, port }, 'starting the Temporal dev server');
    const address = `127.0.0.1:${port}`;
    const server = supervisor.spawn('temporal', cli, args, process.env, true);
    childEnv.TEMPORAL_ADDRESS = address;
    target = temporalTarget(config, address);
    await waitForTemporal({
      connection: { address },
      namespace: target.namespace,
      timeoutMs: DEV_SERVER_READY_TIMEOUT_MS,
      child: server,
      shouldStop: () => supervisor.stopping,
    });
  } else {
    log.info({ address: target.address, namespace: target.namespace }, 'using the configured Temporal server');
    const { tls, apiKey, metadata } = target.connectionOptions;
    await waitForTemporal({
      connection: { address: target.address, tls, apiKey, metadata },
      namespace: target.namespace,
      timeoutMs: EXTERNAL_SERVER_READY_TIMEOUT_MS,
      shouldStop: () => supervisor.stopping,
    });
  }

  {
    const { tls, apiKey, metadata } = target.connectionOptions;
    const connection = await Connection.connect({ address: target.address, tls, apiKey, metadata });
    try {
      const { added } = await registerSearchAttributes(connection, target.namespace);
      if (added.length) log.info({ added }, 'registered search attributes');
    } finally {
      await connection.close();
    }
  }

  if (config.databaseUrl) {
    supervisor.spawn('worker', process.execPath, [workerEntry], childEnv);
    supervisor.spawn('api', process.execPath, [apiEntry], childEnv);
  } else {
    // The embedded record store can be open in one process only: worker and API share it there.
    supervisor.spawn('app', process.execPath, [appEntry], childEnv);
  }

  const probeHost = config.apiHost === '0.0.0.0' ? '127.0.0.1' : config.apiHost === '::' ? '::1' : config.apiHost;
  const up = await waitForPort(config.apiPort, probeHost, API_READY_TIMEOUT_MS, () => supervisor.stopping);
  if (supervisor.stopping) return;
  if (!up) log.warn(`the API is not listening on ${probeHost}:${config.apiPort} after ${API_READY_TIMEOUT_MS / 1000} s`);

  const lines = ['', '  rongcuo is running', `    API           ${apiUrl}`, `    API docs      ${apiUrl}/docs`];
  // The UI on the API's host name: the sign-in cookie is SameSite, so the UI must be on the same site as the API.
  if (embedded) lines.push(`    Temporal UI   http://${new URL(apiUrl).hostname}:${config.devUiPort}`, `    Sign in       ${apiUrl}/signin (then the UI decodes cases)`);
  lines.push(`    Temporal      ${target.address}, namespace ${target.namespace}`);
  if (embedded) lines.push(`    Data          ${config.dataDir} (kept across restarts)`);
  lines.push('  Ctrl-C stops everything.', '');
  process.stdout.write(lines.join('\n') + '\n');
}

async function main(): Promise<void> {
  let config: Config;
  try {
    config = loadConfig();
  } catch (err) {
    if (err instanceof ConfigError) {
      console.error(err.message);
      process.exit(1);
    }
    throw err;
  }
  const log = createLogger(config.logLevel, 'start');
  const supervisor = new Supervisor(log);
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
    // npm forwards the terminal's Ctrl-C as well, so the same signal may arrive twice: stop() ignores repeats.
    process.on(signal, () => {
      log.info(`${signal} received`);
      void supervisor.stop(0);
    });
  }
  process.on('exit', () => supervisor.killAll());
  try {
    await run(config, log, supervisor);
  } catch (err) {
    if (supervisor.stopping) return;
    log.error(err instanceof Error ? err.message : String(err));
    if (!(err instanceof StartupError)) log.debug({ err }, 'startup failed');
    await supervisor.stop(1);
  }
}

void main();
