/**
 * A worker entry as a child process (the production worker's, `node dist/worker/main.js`, unless
 * another is named), for figures of its own: resident memory and CPU from /proc, heap over IPC
 * (bench/lib/probe.js).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { stopChild } from '../../scripts/dev-server';
import { projectRoot } from '../../scripts/tools';
import { withWorkerProcessEnv } from '../../worker/process-env';

export interface ChildWorker {
  child: ChildProcess;
  pid: number;
  /** The main thread's heap (workflow code runs in worker threads, whose heaps only RSS shows). */
  heap(): Promise<NodeJS.MemoryUsage | undefined>;
  stop(): Promise<'exited' | 'killed'>;
}

export interface ChildWorkerOptions {
  env: NodeJS.ProcessEnv;
  logFile: string;
  /** The worker's entry under dist/ (the production worker's by default). */
  entry?: string;
}

export function startChildWorker(o: ChildWorkerOptions): ChildWorker {
  const relative = o.entry ?? path.join('worker', 'main.js');
  const entry = path.join(projectRoot(), 'dist', relative);
  const probe = path.join(__dirname, 'probe.js');
  if (!fs.existsSync(entry)) throw new Error(`dist/${relative} is missing: run \`npm run build\` first`);
  const log = fs.openSync(o.logFile, 'a');
  const child = spawn(process.execPath, ['-r', probe, entry], { env: withWorkerProcessEnv(o.env), stdio: ['ignore', log, log, 'ipc'] });
  fs.closeSync(log);
  if (child.pid === undefined) throw new Error('the worker process did not start');
  const pid = child.pid;
  return {
    child,
    pid,
    heap: () =>
      new Promise((resolve) => {
        if (!child.connected) return resolve(undefined);
        const timer = setTimeout(() => {
          child.off('message', onMessage);
          resolve(undefined);
        }, 5_000);
        const onMessage = (m: unknown) => {
          const memory = (m as { memory?: NodeJS.MemoryUsage })?.memory;
          if (!memory) return;
          clearTimeout(timer);
          child.off('message', onMessage);
          resolve(memory);
        };
        child.on('message', onMessage);
        child.send('memory');
      }),
    async stop() {
      if (child.connected) child.disconnect();
      return stopChild(child, 60_000);
    },
  };
}
