/**
 * The whole system as separate processes on this machine, for fault runs: a Temporal dev server on a
 * SQLite file (so it survives being killed), the case worker (`dist/worker/main.js`) and the API
 * (`dist/api/server.js`) each in its own process, PostgreSQL (a throwaway cluster of our own when
 * asked, so it can be killed too), and a real SMTP receiver counting every message it gets. Any
 * component can be killed with SIGKILL and started again.
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
import { withWorkerProcessEnv } from '../../worker/process-env';

export type Component = 'worker' | 'api' | 'temporal' | 'postgres';

export interface StackOptions {
  /** PostgreSQL to use; without it a cluster of our own is made with the Debian server binaries (and can be killed). */
  databaseUrl?: string | undefined;
  /** Extra environment for the worker and API processes. */
  env?: NodeJS.ProcessEnv;
}

export interface Stack {
  apiBase: string;
  databaseUrl: string;
  /** Who may be killed: postgres only when the cluster is ours. */
  components: Component[];
  /** Message-ids the SMTP receiver got, per recipient, with how often each arrived. */
  mails: Map<string, number>;
  kill(c: Component): void;
  start(c: Component): Promise<void>;
  pid(c: Component): number | undefined;
  stop(): Promise<void>;
}

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
  const children = new Map<Component, ChildProcess>();
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
  const temporalStart = async () => {
    const log = fs.openSync(path.join(scratch, 'temporal.log'), 'a');
    const child = spawn(resolveTemporalCli(), devServerArgs({ port: temporalPort, namespace: 'default', dbFilename: path.join(scratch, 'temporal.db'), headless: true }), { stdio: ['ignore', log, log] });
    fs.closeSync(log);
    children.set('temporal', child);
    await waitForTemporal({ connection: { address }, namespace: 'default', timeoutMs: 60_000, child });
  };
  await temporalStart();
  const connection = await Connection.connect({ address });
  await registerSearchAttributes(connection, 'default');
  await connection.close();

  // ---- worker and API ----
  const apiPort = await freePort();
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
    API_PORT: String(apiPort),
    API_RATE_LIMIT: '1000000000',
    LOG_LEVEL: process.env.LOG_LEVEL ?? 'warn',
    ...o.env,
  };
  const node = (c: 'worker' | 'api', entry: string) => async () => {
    const log = fs.openSync(path.join(scratch, `${c}.log`), 'a');
    const child = spawn(process.execPath, [path.join(root, entry)], { env: c === 'worker' ? withWorkerProcessEnv(env) : env, stdio: ['ignore', log, log] });
    fs.closeSync(log);
    children.set(c, child);
  };
  const workerStart = node('worker', 'dist/worker/main.js');
  const apiStart = async () => {
    await node('api', 'dist/api/server.js')();
    if (!(await waitForPort(apiPort, '127.0.0.1', 60_000))) throw new Error(`the API did not start; see ${path.join(scratch, 'api.log')}`);
  };
  await workerStart();
  await apiStart();

  const starters: Record<Component, (() => Promise<void>) | undefined> = { worker: workerStart, api: apiStart, temporal: temporalStart, postgres: pgStart };
  return {
    apiBase: `http://127.0.0.1:${apiPort}`,
    databaseUrl,
    components: (Object.keys(starters) as Component[]).filter((c) => starters[c]),
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
      await starters[c]!();
    },
    pid: (c) => children.get(c)?.pid,
    async stop() {
      for (const c of ['api', 'worker', 'temporal'] as const) {
        const child = children.get(c);
        if (child) await stopChild(child, 20_000);
      }
      if (children.has('postgres')) {
        runAsPostgres(path.join(pgBinDir()!, 'pg_ctl'), ['-D', path.join(pgDir, 'data'), '-m', 'immediate', '-w', 'stop']);
      }
      for (const cleanup of cleanups.reverse()) await cleanup().catch(() => undefined);
      process.removeListener('exit', killAll);
      fs.rmSync(scratch, { recursive: true, force: true });
    },
  };
}
