/**
 * The production path's Temporal server on one host: the server built from go.temporal.io/server
 * (`temporal-server`, by scripts/ensure-tools.sh at docker-compose.yml's version), with PostgreSQL for
 * persistence and visibility, configured by deploy/temporal/production.yaml — the file docker compose
 * mounts too. Used by the production-path test and `npm run faults -- --production`.
 *
 *   1. `setupTemporalSchema`: the two databases and their schema, with the server's own SQL tool
 *      (`temporal-sql-tool`, the schema embedded in it), as the compose file's schema job does;
 *   2. `startTemporalServer`: the server process, all four services in one, on free ports;
 *   3. `ensureNamespace`: the namespace the cases run in, and the case workflow's search attributes.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { Connection } from '@temporalio/client';
import { msToTs } from '@temporalio/common/lib/time';
import { freePort, isPortFree, waitForTemporal } from './dev-server';
import { registerSearchAttributes } from './register-search-attributes';
import { dynamicConfigFile, MissingToolError, projectRoot, temporalConfigDir } from './tools';

export interface PostgresTarget {
  host: string;
  port: number;
  user: string;
  password?: string;
  /** Persistence database; visibility gets `<database>_visibility`. */
  database: string;
}

/** `temporal-server` and `temporal-sql-tool` in tools/bin (or TEMPORAL_SERVER_BIN_DIR). */
export function temporalServerTools(dir = process.env.TEMPORAL_SERVER_BIN_DIR ?? path.join(projectRoot(), 'tools', 'bin')): { server: string; sqlTool: string } {
  const server = path.join(dir, 'temporal-server');
  const sqlTool = path.join(dir, 'temporal-sql-tool');
  for (const file of [server, sqlTool]) {
    if (!fs.existsSync(file)) throw new MissingToolError(`${file} is missing: run \`npm run setup\` (it builds the Temporal server from go.temporal.io/server).`);
  }
  return { server, sqlTool };
}

const visibilityDatabase = (pg: PostgresTarget) => `${pg.database}_visibility`;

/**
 * Creates the persistence and visibility databases when missing and brings their schema to the
 * version the server needs (`update-schema` is idempotent): what the compose file's schema job runs.
 */
export function setupTemporalSchema(pg: PostgresTarget, sqlTool = temporalServerTools().sqlTool): void {
  const run = (database: string, args: string[]) => {
    const common = ['--plugin', 'postgres12', '--ep', pg.host, '-p', String(pg.port), '-u', pg.user, '--db', database];
    const r = spawnSync(sqlTool, [...common, ...args], { encoding: 'utf8', env: { ...process.env, SQL_PASSWORD: pg.password ?? '' } });
    if (r.status !== 0) throw new Error(`temporal-sql-tool ${args[0]} on ${database} failed: ${(r.stderr || r.stdout).trim().slice(-2000)}`);
  };
  for (const [database, schema] of [
    [pg.database, 'postgresql/v12/temporal'],
    [visibilityDatabase(pg), 'postgresql/v12/visibility'],
  ] as const) {
    // create-database fails when the database exists; whether it did is read from the next step
    spawnSync(sqlTool, ['--plugin', 'postgres12', '--ep', pg.host, '-p', String(pg.port), '-u', pg.user, '--db', database, 'create-database'], {
      encoding: 'utf8',
      env: { ...process.env, SQL_PASSWORD: pg.password ?? '' },
    });
    run(database, ['setup-schema', '-v', '0.0']);
    run(database, ['update-schema', '--schema-name', schema]);
  }
}

export interface TemporalServerOptions {
  pg: PostgresTarget;
  /** Where its log goes. */
  logFile: string;
  /** The frontend's gRPC port; the other services' ports are picked free. */
  port?: number;
  shards?: number;
  env?: NodeJS.ProcessEnv;
}

export interface TemporalServerProcess {
  child: ChildProcess;
  address: string;
  /** Starts it again on the same ports and databases (after a kill). */
  restart(): Promise<TemporalServerProcess>;
}

/**
 * A free port below 32768: the server stores its membership ports in a smallint column, and the
 * ports the operating system hands out (the ephemeral range) lie above it.
 */
async function freeMembershipPort(taken: Set<number>): Promise<number> {
  for (;;) {
    const port = 20_000 + Math.floor(Math.random() * 12_000);
    if (!taken.has(port) && (await isPortFree(port))) {
      taken.add(port);
      return port;
    }
  }
}

/** The environment production.yaml reads, for a server on this host. */
export async function temporalServerEnv(o: TemporalServerOptions & { port: number }): Promise<NodeJS.ProcessEnv> {
  const taken = new Set<number>();
  const ports: number[] = [];
  // gRPC and HTTP ports anywhere, membership ports (odd places) below 32768
  for (let i = 0; i < 8; i++) ports.push(i % 2 === 1 ? await freeMembershipPort(taken) : await freePort());
  return {
    ...process.env,
    POSTGRES_SEEDS: o.pg.host,
    DB_PORT: String(o.pg.port),
    POSTGRES_USER: o.pg.user,
    POSTGRES_PWD: o.pg.password ?? '',
    DBNAME: o.pg.database,
    VISIBILITY_DBNAME: visibilityDatabase(o.pg),
    NUM_HISTORY_SHARDS: String(o.shards ?? 4),
    BIND_ON_IP: '127.0.0.1',
    BROADCAST_ADDRESS: '127.0.0.1',
    FRONTEND_GRPC_PORT: String(o.port),
    FRONTEND_HTTP_PORT: String(ports[0]),
    FRONTEND_MEMBERSHIP_PORT: String(ports[1]),
    HISTORY_GRPC_PORT: String(ports[2]),
    HISTORY_MEMBERSHIP_PORT: String(ports[3]),
    MATCHING_GRPC_PORT: String(ports[4]),
    MATCHING_MEMBERSHIP_PORT: String(ports[5]),
    WORKER_GRPC_PORT: String(ports[6]),
    WORKER_MEMBERSHIP_PORT: String(ports[7]),
    TEMPORAL_DYNAMIC_CONFIG: dynamicConfigFile(),
    LOG_LEVEL: 'warn',
    ...o.env,
  };
}

/** Starts the server (schema already set up) and waits until its frontend answers. */
export async function startTemporalServer(o: TemporalServerOptions): Promise<TemporalServerProcess> {
  const port = o.port ?? (await freePort());
  // A server started here lives for one run and uses the search attributes it has just registered at
  // once: its copy of the dynamic configuration also refreshes the search-attribute cache on every
  // read, which Temporal advises against in production.
  const dynamicConfig = path.join(path.dirname(o.logFile), 'temporal-dynamicconfig.yaml');
  fs.writeFileSync(dynamicConfig, `${fs.readFileSync(dynamicConfigFile(), 'utf8')}\nsystem.forceSearchAttributesCacheRefreshOnRead:\n  - value: true\n`);
  const env = await temporalServerEnv({ ...o, port, env: { TEMPORAL_DYNAMIC_CONFIG: dynamicConfig, ...o.env } });
  const { server } = temporalServerTools();
  const address = `127.0.0.1:${port}`;
  const start = async (): Promise<TemporalServerProcess> => {
    const log = fs.openSync(o.logFile, 'a');
    const child = spawn(server, ['--root', '/', '--config', temporalConfigDir(), '--env', 'production', '--allow-no-auth', 'start'], { env, stdio: ['ignore', log, log] });
    fs.closeSync(log);
    try {
      // the system namespace exists once the server has initialised its cluster metadata
      await waitForTemporal({ connection: { address }, namespace: 'temporal-system', timeoutMs: 120_000, child });
    } catch (err) {
      if (child.exitCode === null) child.kill('SIGKILL');
      const log = fs.existsSync(o.logFile) ? fs.readFileSync(o.logFile, 'utf8').slice(-3000) : '';
      throw new Error(`${err instanceof Error ? err.message : String(err)}\nTemporal server log (${o.logFile}):\n${log}`);
    }
    return { child, address, restart: start };
  };
  return start();
}

/** Registers `namespace` (when missing) and the case workflow's search attributes, then waits until both are served. */
export async function ensureNamespace(address: string, namespace: string, retentionDays = 30): Promise<void> {
  const connection = await Connection.connect({ address });
  try {
    try {
      await connection.workflowService.describeNamespace({ namespace });
    } catch {
      await connection.workflowService
        .registerNamespace({ namespace, workflowExecutionRetentionPeriod: msToTs(`${retentionDays} days`) })
        .catch((err: unknown) => {
          if (!/already exists|AlreadyExists/i.test(String(err))) throw err;
        });
    }
    // a new namespace reaches every service of the cluster within its namespace-cache refresh
    await waitForTemporal({ connection: { address }, namespace, timeoutMs: 60_000 });
    for (let attempt = 0; ; attempt++) {
      try {
        await registerSearchAttributes(connection, namespace);
        break;
      } catch (err) {
        if (attempt > 30) throw err;
        await new Promise((r) => setTimeout(r, 1000));
      }
    }
  } finally {
    await connection.close();
  }
}
