/**
 * Shared by `npm start` and the test setup: the command line of the Temporal dev server, waiting until a
 * Temporal server answers, and stopping child processes politely (SIGTERM, then SIGKILL after a timeout).
 */
import type { ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import { Connection, type ConnectionOptions } from '@temporalio/client';
import { parse as parseYaml } from 'yaml';
import { searchAttributeDefinitions } from '../workflows/messages';
import { dynamicConfigFile } from './tools';

export interface DevServerOptions {
  port: number;
  namespace: string;
  /** SQLite file; the server keeps every workflow in it across restarts. */
  dbFilename: string;
  ip?: string;
  /** Web UI port; omit together with `headless: true` to run without the UI. */
  uiPort?: number;
  headless?: boolean;
  logLevel?: 'debug' | 'info' | 'warn' | 'error' | 'never';
  /**
   * The codec endpoint the Web UI calls to show encrypted payloads (the API's /codec). The UI calls it
   * from the browser, so the URL must be one the browser reaches.
   */
  uiCodecEndpoint?: string;
}

/**
 * The settings of the dynamic-config file that hold for every namespace and task queue (one value,
 * no constraints), as `temporal server start-dev --dynamic-config-value key=<JSON>` takes them: the
 * dev server runs with the production server's settings.
 */
export function dynamicConfigValues(file = dynamicConfigFile()): Record<string, unknown> {
  const doc = parseYaml(fs.readFileSync(file, 'utf8')) as Record<string, { value: unknown; constraints?: unknown }[]> | null;
  const values: Record<string, unknown> = {};
  for (const [key, entries] of Object.entries(doc ?? {})) {
    const [only, ...more] = entries;
    if (only && !more.length && only.constraints === undefined) values[key] = only.value;
  }
  return values;
}

/** Arguments for `temporal server start-dev`, registering every search attribute of the case workflow. */
export function devServerArgs(opts: DevServerOptions): string[] {
  const args = ['server', 'start-dev', '--db-filename', opts.dbFilename, '--port', String(opts.port)];
  args.push('--ip', opts.ip ?? '127.0.0.1');
  if (opts.headless) args.push('--headless');
  else {
    if (opts.uiPort !== undefined) args.push('--ui-port', String(opts.uiPort));
    if (opts.uiCodecEndpoint) args.push('--ui-codec-endpoint', opts.uiCodecEndpoint);
  }
  args.push('--namespace', opts.namespace);
  args.push('--log-level', opts.logLevel ?? 'warn');
  for (const [key, value] of Object.entries(dynamicConfigValues())) args.push('--dynamic-config-value', `${key}=${JSON.stringify(value)}`);
  for (const [name, type] of Object.entries(searchAttributeDefinitions)) args.push('--search-attribute', `${name}=${type}`);
  return args;
}

/** Resolves true when nothing listens on host:port (a listener can be opened there). */
export function isPortFree(port: number, host = '127.0.0.1'): Promise<boolean> {
  return new Promise((resolve) => {
    const server = net.createServer();
    server.once('error', () => resolve(false));
    server.listen({ port, host, exclusive: true }, () => server.close(() => resolve(true)));
  });
}

/** A port that was free a moment ago, chosen by the operating system. */
export function freePort(host = '127.0.0.1'): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen({ port: 0, host, exclusive: true }, () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => (port ? resolve(port) : reject(new Error('could not pick a free port'))));
    });
  });
}

/** Resolves when something accepts TCP connections on host:port, false after `timeoutMs`. */
export async function waitForPort(port: number, host: string, timeoutMs: number, shouldStop?: () => boolean): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (shouldStop?.()) return false;
    const open = await new Promise<boolean>((resolve) => {
      const socket = net.connect({ port, host });
      socket.setTimeout(1000);
      socket.once('connect', () => {
        socket.destroy();
        resolve(true);
      });
      socket.once('timeout', () => {
        socket.destroy();
        resolve(false);
      });
      socket.once('error', () => resolve(false));
    });
    if (open) return true;
    await delay(250);
  }
  return false;
}

export function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

export function hasExited(child: ChildProcess): boolean {
  return child.exitCode !== null || child.signalCode !== null;
}

function describeExit(child: ChildProcess): string {
  return child.signalCode ? `was killed by ${child.signalCode}` : `exited with code ${child.exitCode}`;
}

export interface WaitForTemporalOptions {
  /** Connection options (address, TLS, API key, metadata). */
  connection: ConnectionOptions & { address: string };
  namespace: string;
  timeoutMs: number;
  /** The server process, when we started it: its early death ends the wait at once. */
  child?: ChildProcess;
  /** Polled between attempts; returning true abandons the wait (e.g. Ctrl-C during startup). */
  shouldStop?: () => boolean;
}

/**
 * Waits until the server answers `GetSystemInfo` and knows the namespace; throws a message that names
 * the address, the namespace and the last error after `timeoutMs`.
 */
export async function waitForTemporal(opts: WaitForTemporalOptions): Promise<void> {
  const deadline = Date.now() + opts.timeoutMs;
  let lastError = 'no answer yet';
  for (;;) {
    if (opts.child && hasExited(opts.child)) {
      throw new Error(`The Temporal server process ${describeExit(opts.child)} before it became ready (see its output above).`);
    }
    if (opts.shouldStop?.()) throw new Error('Stopped while waiting for Temporal.');
    let connection: Connection | undefined;
    try {
      connection = Connection.lazy({ ...opts.connection, connectTimeout: 2000 });
      await connection.ensureConnected(); // GetSystemInfo

      await connection.workflowService.describeNamespace({ namespace: opts.namespace });
      return;
    } catch (err) {
      lastError = err instanceof Error ? err.message : String(err);
    } finally {
      await connection?.close().catch(() => undefined);
    }
    if (Date.now() >= deadline) {
      throw new Error(
        `Temporal at ${opts.connection.address} (namespace "${opts.namespace}") did not answer within ${Math.round(opts.timeoutMs / 1000)} s. Last error: ${lastError}`,
      );
    }
    await delay(300);
  }
}

/** Sends SIGTERM (to the whole process group when the child leads one), waits, then SIGKILLs. */
export async function stopChild(child: ChildProcess, timeoutMs: number, groupLeader = false): Promise<'exited' | 'killed'> {
  if (hasExited(child)) return 'exited';
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const send = (signal: NodeJS.Signals) => {
    try {
      if (groupLeader && child.pid) process.kill(-child.pid, signal);
      else child.kill(signal);
    } catch {
      // already gone
    }
  };
  send('SIGTERM');
  let timer: NodeJS.Timeout | undefined;
  const timedOut = await Promise.race([
    exited.then(() => false),
    new Promise<boolean>((resolve) => {
      timer = setTimeout(() => resolve(true), timeoutMs);
    }),
  ]);
  clearTimeout(timer);
  if (!timedOut) return 'exited';
  send('SIGKILL');
  await exited;
  return 'killed';
}
