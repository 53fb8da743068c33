/**
 * The whole system as separate processes on this machine, for fault runs: a Temporal server, the case
 * workers (`dist/worker/main.js`) and the APIs (`dist/api/server.js`) each in its own process,
 * PostgreSQL (a throwaway cluster of our own when asked, so it can be killed too), and a real SMTP
 * receiver counting every message it gets. Any process can be killed with SIGKILL and started again.
 *
 * The Temporal server is either the dev server on a SQLite file (so it survives being killed) or, with
 * `temporal: 'production'`, the production path: the server built from go.temporal.io/server with
 * PostgreSQL persistence and visibility and several history shards (scripts/temporal-server.ts, the
 * configuration docker compose uses), its databases in the stack's own PostgreSQL cluster.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { AddressInfo } from 'node:net';
import { Connection } from '@temporalio/client';
import { SMTPServer } from 'smtp-server';
import { generatePayloadKey } from '../../common/payload-keys';
import { devServerArgs, freePort, stopChild, waitForPort, waitForTemporal } from '../../scripts/dev-server';
import { projectRoot, resolveTemporalCli } from '../../scripts/tools';
import { registerSearchAttributes } from '../../scripts/register-search-attributes';
import { ensureNamespace, setupTemporalSchema, startTemporalServer, type TemporalServerProcess } from '../../scripts/temporal-server';
import { withWorkerProcessEnv } from '../../worker/process-env';

export type Component = 'worker' | 'api' | 'temporal' | 'postgres';
/** A process of the stack: a component (`worker` and `api` are the first of each) or the n-th worker or API (`worker-2`). */
export type ProcessName = Component | `${'worker' | 'api'}-${number}`;

export interface StackOptions {
  /** PostgreSQL to use; without it a cluster of our own is made with the Debian server binaries (and can be killed). */
  databaseUrl?: string | undefined;
  /** Extra environment for the worker and API processes. */
  env?: NodeJS.ProcessEnv;
  /** The dev server (default) or the production path's server on PostgreSQL (needs the stack's own cluster). */
  temporal?: 'dev' | 'production';
  /** How many worker and API processes (1 each by default). */
  workers?: number;
  apis?: number;
}

export interface Stack {
  /** The first API; `apiBases` has every one, a client of the stack may use any. */
  apiBase: string;
  apiBases: string[];
  temporalAddress: string;
  /** Which Temporal server runs. */
  temporal: 'dev' | 'production';
  databaseUrl: string;
  /** Who may be killed: postgres only when the cluster is ours. */
  components: Component[];
  /** Message-ids the SMTP receiver got, per recipient, with how often each arrived. */
  mails: Map<string, number>;
  kill(c: ProcessName): void;
  start(c: ProcessName): Promise<void>;
  pid(c: ProcessName): number | undefined;
  /** The log file of a process. */
  logOf(c: ProcessName): string;
  stop(): Promise<void>;
}

/** Stopping order: APIs, then workers, then the Temporal server (PostgreSQL last, separately). */
const rank = (c: ProcessName) => (c.startsWith('api') ? 0 : c.startsWith('worker') ? 1 : 2);

function pgBinDir(): string | undefined {
  const base = '/usr/lib/postgresql';
  if (!fs.existsSync(base)) return undefined;
  const versions = fs.readdirSync(base).filter((v) => fs.existsSync(path.join(base, v, 'bin', 'initdb'))).sort((a, b) => Number(a) - Number(b));
  const newest = versions.at(-1);
  return newest ? path.join(base, newest, 'bin') : undefined;
}

/** Runs a PostgreSQL binary as the postgres user when we are root (initdb refuses root). */
function asPostgres(cmd: string, args: string[]): ChildProcess {
  return process.getuid?.() === 0 ? spawn('runuser', ['-u', 'postgres', '--', cmd, ...args], { stdio: 'ignore' }) : spawn(cmd, args, { stdio: 'ignore' });
}
function runAsPostgres(cmd: string, args: string[]): void {
  const r = process.getuid?.() === 0 ? spawnSync('runuser', ['-u', 'postgres', '--', cmd, ...args], { encoding: 'utf8' }) : spawnSync(cmd, args, { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`${path.basename(cmd)} failed: ${r.stderr || r.stdout}`);
}

export async function startStack(o: StackOptions = {}): Promise<Stack> {
  const root = projectRoot();
  for (const entry of ['dist/worker/main.js', 'dist/api/server.js']) {
    if (!fs.existsSync(path.join(root, entry))) throw new Error(`${entry} is missing: run \`npm run build\` first`);
  }
  const scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'rongcuo-faults-'));
  const children = new Map<ProcessName, ChildProcess>();
  // Whatever ends this process (a failed start, a crashed test run) must not leave the stack running.
  const killAll = () => {
    for (const child of children.values()) if (child.exitCode === null) child.kill('SIGKILL');
  };
  process.once('exit', killAll);
  const cleanups: (() => Promise<unknown>)[] = [];

  // ---- SMTP receiver ----
  const mails = new Map<string, number>();
  const smtp = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS'],
    onData(stream, session, done) {
      let raw = '';
      stream.on('data', (chunk: Buffer) => (raw += chunk.toString('utf8')));
      stream.on('end', () => {
        // one notice may go to several recipients: each (message, recipient) must arrive once
        const id = /^message-id:\s*(\S+)/im.exec(raw)?.[1] ?? `no-id-${mails.size}`;
        for (const to of session.envelope.rcptTo.map((r) => r.address)) mails.set(`${id} to ${to}`, (mails.get(`${id} to ${to}`) ?? 0) + 1);
        done();
      });
    },
  });
  // A sender killed mid-session resets its connection; that is the fault under test, not a failure of the receiver.
  smtp.on('error', (err: NodeJS.ErrnoException) => {
    if (err.code !== 'ECONNRESET' && err.code !== 'EPIPE') console.error(`SMTP receiver: ${err.message}`);
  });
  await new Promise<void>((resolve) => smtp.listen(0, '127.0.0.1', resolve));
  cleanups.push(() => new Promise<void>((resolve) => smtp.close(() => resolve())));
  const smtpPort = (smtp.server.address() as AddressInfo).port;

  // ---- PostgreSQL ----
  let databaseUrl = o.databaseUrl;
  let pgStart: (() => Promise<void>) | undefined;
  let pgPort = 0;
  const pgDir = path.join(scratch, 'pg');
  const production = o.temporal === 'production';
  if (production && databaseUrl) throw new Error("the production path's Temporal server keeps its databases in the stack's own PostgreSQL cluster: give no databaseUrl");
  if (!databaseUrl) {
    const bin = pgBinDir();
    if (!bin) throw new Error('no DATABASE_URL and no PostgreSQL server binaries (Debian package postgresql) to make a cluster with');
    fs.mkdirSync(pgDir, { recursive: true });
    if (process.getuid?.() === 0) spawnSync('chown', ['-R', 'postgres:', scratch]);
    runAsPostgres(path.join(bin, 'initdb'), ['-D', path.join(pgDir, 'data'), '-U', 'postgres', '--auth=trust', '--encoding=UTF8', '--locale=C.UTF-8']);
    pgPort = await freePort();
    pgStart = async () => {
      // postgres itself (not pg_ctl), so its pid is the postmaster's and SIGKILL is a real crash
      const child = asPostgres(path.join(bin, 'postgres'), ['-D', path.join(pgDir, 'data'), '-p', String(pgPort), '-c', 'listen_addresses=127.0.0.1', '-k', pgDir, '-c', 'fsync=off']);
      children.set('postgres', child);
      if (!(await waitForPort(pgPort, '127.0.0.1', 60_000))) throw new Error('PostgreSQL did not start');
    };
    await pgStart();
    for (let i = 0; ; i++) {
      const r = spawnSync(path.join(bin, 'psql'), ['-q', '-h', '127.0.0.1', '-p', String(pgPort), '-U', 'postgres', '-c', 'CREATE DATABASE rongcuo'], { encoding: 'utf8' });
      if (r.status === 0) break;
      if (i > 50) throw new Error(`could not create the database: ${r.stderr}`);
      await new Promise((res) => setTimeout(res, 200));
    }
    databaseUrl = `postgres://postgres@127.0.0.1:${pgPort}/rongcuo`;
  }

  // ---- Temporal ----
  const temporalPort = await freePort();
  const address = `127.0.0.1:${temporalPort}`;
  const logOf = (c: ProcessName) => path.join(scratch, `${c}.log`);
  let temporalStart: () => Promise<void>;
  if (production) {
    const pg = { host: '127.0.0.1', port: pgPort, user: 'postgres', database: 'temporal' };
    setupTemporalSchema(pg);
    let server: TemporalServerProcess | undefined;
    temporalStart = async () => {
      server = server ? await server.restart() : await startTemporalServer({ pg, port: temporalPort, logFile: logOf('temporal') });
      children.set('temporal', server.child);
    };
    await temporalStart();
    await ensureNamespace(address, 'default');
  } else {
    temporalStart = async () => {
      const log = fs.openSync(logOf('temporal'), 'a');
      const child = spawn(resolveTemporalCli(), devServerArgs({ port: temporalPort, namespace: 'default', dbFilename: path.join(scratch, 'temporal.db'), headless: true }), { stdio: ['ignore', log, log] });
      fs.closeSync(log);
      children.set('temporal', child);
      await waitForTemporal({ connection: { address }, namespace: 'default', timeoutMs: 60_000, child });
    };
    await temporalStart();
    const connection = await Connection.connect({ address });
    await registerSearchAttributes(connection, 'default');
    await connection.close();
  }

  // ---- workers and APIs ----
  const apiPorts = await Promise.all(Array.from({ length: Math.max(1, o.apis ?? 1) }, () => freePort()));
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    TEMPORAL_ADDRESS: address,
    TEMPORAL_NAMESPACE: 'default',
    TEMPORAL_TASK_QUEUE: 'rongcuo-faults',
    DATABASE_URL: databaseUrl,
    SEED_DEMO_DATA: 'true',
    SMTP_URL: `smtp://127.0.0.1:${smtpPort}`,
    PAYLOAD_KEYS: generatePayloadKey().line,
    DATA_DIR: path.join(scratch, 'app'),
    API_RATE_LIMIT: '1000000000',
    LOG_LEVEL: process.env.LOG_LEVEL ?? 'warn',
    ...o.env,
  };
  const nameOf = (kind: 'worker' | 'api', i: number): ProcessName => (i === 0 ? kind : `${kind}-${i + 1}`);
  const starters = new Map<ProcessName, () => Promise<void>>([['temporal', temporalStart]]);
  if (pgStart) starters.set('postgres', pgStart);
  for (let i = 0; i < Math.max(1, o.workers ?? 1); i++) {
    const name = nameOf('worker', i);
    starters.set(name, async () => {
      const log = fs.openSync(logOf(name), 'a');
      const child = spawn(process.execPath, [path.join(root, 'dist/worker/main.js')], { env: withWorkerProcessEnv(env), stdio: ['ignore', log, log] });
      fs.closeSync(log);
      children.set(name, child);
    });
  }
  apiPorts.forEach((port, i) => {
    const name = nameOf('api', i);
    starters.set(name, async () => {
      const log = fs.openSync(logOf(name), 'a');
      const child = spawn(process.execPath, [path.join(root, 'dist/api/server.js')], { env: { ...env, API_PORT: String(port) }, stdio: ['ignore', log, log] });
      fs.closeSync(log);
      children.set(name, child);
      if (!(await waitForPort(port, '127.0.0.1', 60_000))) throw new Error(`${name} did not start; see ${logOf(name)}`);
    });
  });
  for (const [name, start] of starters) if (name.startsWith('worker') || name.startsWith('api')) await start();

  const apiBases = apiPorts.map((port) => `http://127.0.0.1:${port}`);
  return {
    apiBase: apiBases[0]!,
    apiBases,
    temporalAddress: address,
    temporal: production ? 'production' : 'dev',
    logOf,
    databaseUrl,
    components: (['worker', 'api', 'temporal', 'postgres'] as const).filter((c) => starters.has(c)),
    mails,
    kill(c) {
      const child = children.get(c);
      if (child?.pid) {
        // runuser forwards nothing for SIGKILL: kill the postmaster itself, found by its pid file
        if (c === 'postgres') {
          const pid = Number(fs.readFileSync(path.join(pgDir, 'data', 'postmaster.pid'), 'utf8').split('\n')[0]);
          process.kill(pid, 'SIGKILL');
        } else {
          child.kill('SIGKILL');
        }
      }
      children.delete(c);
    },
    async start(c) {
      if (c === 'postgres') {
        // a killed postmaster leaves its pid file behind; the server refuses to start while it names a live process
        await new Promise((res) => setTimeout(res, 500));
      }
      const start = starters.get(c);
      if (!start) throw new Error(`the stack has no process ${c}`);
      await start();
    },
    pid: (c) => children.get(c)?.pid,
    async stop() {
      const order = [...children.keys()].filter((c) => c !== 'postgres').sort((a, b) => rank(a) - rank(b));
      for (const c of order) await stopChild(children.get(c)!, 20_000);
      if (children.has('postgres')) {
        runAsPostgres(path.join(pgBinDir()!, 'pg_ctl'), ['-D', path.join(pgDir, 'data'), '-m', 'immediate', '-w', 'stop']);
      }
      for (const cleanup of cleanups.reverse()) await cleanup().catch(() => undefined);
      process.removeListener('exit', killAll);
      fs.rmSync(scratch, { recursive: true, force: true });
    },
  };
}
