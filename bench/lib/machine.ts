/**
 * The machine the numbers come from: what it is, and how busy it is with work that is not the
 * benchmark's (other programs share the cores). CPU time is read from /proc: the whole machine's
 * from /proc/stat, the benchmark's own as this process and all its descendants (the dev server,
 * child workers, the time-skipping test server).
 */
import fs from 'node:fs';
import os from 'node:os';
import { clockTicks, procCpuSeconds } from './proc';
import { round, sleep } from './stats';

export function machineInfo() {
  const cpus = os.cpus();
  return {
    cpus: cpus.length,
    model: cpus[0]?.model.trim() ?? 'unknown',
    memoryGiB: round(os.totalmem() / 1024 ** 3, 1),
    node: process.version,
    platform: `${os.platform()} ${os.release()} ${os.arch()}`,
  };
}

/** Busy CPU seconds of the whole machine since boot (all cores). */
function machineBusySeconds(): number {
  const line = fs.readFileSync('/proc/stat', 'utf8').split('\n')[0]!;
  const [, ...rest] = line.trim().split(/\s+/);
  const [user = 0, nice = 0, system = 0, , , irq = 0, softirq = 0, steal = 0] = rest.map(Number);
  return (user + nice + system + irq + softirq + steal) / clockTicks();
}

/** This process and every process below it. */
function ownPids(): number[] {
  const parentOf = new Map<number, number>();
  for (const entry of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = fs.readFileSync(`/proc/${entry}/stat`, 'utf8');
      parentOf.set(Number(entry), Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]));
    } catch {
      // gone meanwhile
    }
  }
  const mine = new Set([process.pid]);
  for (let grew = true; grew; ) {
    grew = false;
    for (const [pid, ppid] of parentOf) {
      if (!mine.has(pid) && mine.has(ppid)) {
        mine.add(pid);
        grew = true;
      }
    }
  }
  return [...mine];
}

/** CPU seconds of these processes, and of their children that have exited meanwhile (a worker stopped mid-run). */
function ownSeconds(pids: number[]): number {
  let sum = 0;
  for (const pid of pids) {
    try {
      sum += procCpuSeconds(pid, { reapedChildren: true });
    } catch {
      // exited
    }
  }
  return sum;
}

export interface LoadReading {
  seconds: number;
  /** CPU used by everything on the machine, in % of one core (200% = both cores of two). */
  machinePercent: number;
  /** CPU used by processes that are not the benchmark's, in % of one core. */
  foreignPercent: number;
}

/** Measures machine and foreign CPU between `start()` and `stop()`. */
export class LoadMeter {
  private t0 = 0;
  private busy0 = 0;
  private own0 = 0;
  private pids: number[] = [];

  start(): this {
    this.pids = ownPids();
    this.t0 = performance.now();
    this.busy0 = machineBusySeconds();
    this.own0 = ownSeconds(this.pids);
    return this;
  }

  stop(): LoadReading {
    // Children that started meanwhile count as the benchmark's from their start; those that exited are lost to both sides.
    const pids = [...new Set([...this.pids, ...ownPids()])];
    const seconds = (performance.now() - this.t0) / 1000;
    const busy = machineBusySeconds() - this.busy0;
    const own = ownSeconds(pids) - this.own0;
    return { seconds: round(seconds, 1), machinePercent: round((busy / seconds) * 100, 1), foreignPercent: round((Math.max(0, busy - own) / seconds) * 100, 1) };
  }
}

/**
 * Waits until other programs use less than `thresholdPercent` of one core over a 3-second window,
 * for at most `maxSeconds`; returns the last reading. Benchmarks then run anyway: the reading goes
 * into the results beside them.
 */
export async function waitForQuiet(maxSeconds: number, thresholdPercent = 25): Promise<LoadReading & { waitedSeconds: number }> {
  const started = performance.now();
  for (;;) {
    const meter = new LoadMeter().start();
    await sleep(3_000);
    const reading = meter.stop();
    const waitedSeconds = round((performance.now() - started) / 1000, 1);
    if (reading.foreignPercent < thresholdPercent || waitedSeconds >= maxSeconds) return { ...reading, waitedSeconds };
  }
}

/** Last resort on an interrupt: SIGKILL whatever this process started and left running. */
export function killDescendants(): void {
  for (const pid of ownPids()) {
    if (pid === process.pid) continue;
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // already gone
    }
  }
}

/**
 * Waits until this process and everything below it (worker, dev server) use less than
 * `thresholdPercent` of one core over one-second windows: the work a phase left behind (first
 * workflow tasks, activities of the cases it started) is then done and is not billed to the next
 * phase. Gives up after `maxSeconds`; returns how long it waited.
 */
export async function drain(thresholdPercent = 20, maxSeconds = 180): Promise<number> {
  const started = performance.now();
  for (;;) {
    const pids = ownPids();
    const own0 = ownSeconds(pids);
    const t0 = performance.now();
    await sleep(1_000);
    const percent = ((ownSeconds(pids) - own0) / ((performance.now() - t0) / 1000)) * 100;
    const waited = (performance.now() - started) / 1000;
    if (percent < thresholdPercent || waited >= maxSeconds) return round(waited, 1);
  }
}
