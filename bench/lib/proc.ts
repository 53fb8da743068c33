/** Memory and CPU of another process, read from /proc (Linux). */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';

export interface ProcMemory {
  /** Resident set size now, MiB. */
  rssMiB: number;
  /** Peak resident set size so far, MiB. */
  peakRssMiB: number;
}

const kib = (status: string, field: string): number => {
  const m = new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status);
  return m ? Number(m[1]) : Number.NaN;
};

export function procMemory(pid: number): ProcMemory {
  const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
  return { rssMiB: Math.round((kib(status, 'VmRSS') / 1024) * 10) / 10, peakRssMiB: Math.round((kib(status, 'VmHWM') / 1024) * 10) / 10 };
}

let ticksPerSecond: number | undefined;
/** Clock ticks per second of /proc's CPU figures. */
export function clockTicks(): number {
  if (ticksPerSecond === undefined) {
    try {
      ticksPerSecond = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
    } catch {
      ticksPerSecond = 100;
    }
  }
  return ticksPerSecond;
}

/**
 * User plus system CPU time the process has used, in seconds (fields 14 and 15 of /proc/<pid>/stat);
 * with `reapedChildren`, also that of its children that have exited and been waited for (16 and 17),
 * so that a child stopped during a measurement still counts.
 */
export function procCpuSeconds(pid: number, o: { reapedChildren?: boolean } = {}): number {
  return cpuSecondsOf(fs.readFileSync(`/proc/${pid}/stat`, 'utf8'), o);
}

/** The CPU seconds a /proc/<pid>/stat text counts (see procCpuSeconds). */
function cpuSecondsOf(stat: string, o: { reapedChildren?: boolean }): number {
  // The command name (field 2) may hold spaces; the fields after its closing parenthesis do not.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const [utime, stime, cutime, cstime] = fields.slice(11, 15).map(Number) as [number, number, number, number];
  return (utime + stime + (o.reapedChildren ? cutime + cstime : 0)) / clockTicks();
}

/**
 * CPU seconds of every process named `postgres` (the server and its backends, whoever they serve),
 * with those of backends that have ended: the server waits for them, so they count in its children's time.
 */
export function postgresCpuSeconds(): number {
  let sum = 0;
  for (const entry of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = fs.readFileSync(`/proc/${entry}/stat`, 'utf8');
      if (stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')')) === 'postgres') sum += cpuSecondsOf(stat, { reapedChildren: true });
    } catch {
      // gone meanwhile
    }
  }
  return sum;
}

/** Whether /proc can be read here (Linux); elsewhere the figures that need it are left out. */
export function hasProc(): boolean {
  return fs.existsSync(`/proc/${process.pid}/stat`);
}
