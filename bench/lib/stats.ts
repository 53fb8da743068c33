/** Latency samples and closed-loop load: exact percentiles from sorted samples (counts here are small). */
import { performance } from 'node:perf_hooks';

export interface LatencySummary {
  count: number;
  min: number;
  mean: number;
  p50: number;
  p95: number;
  p99: number;
  max: number;
}

/** Nearest-rank percentile of ascending `sorted` (milliseconds). */
export function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  const rank = Math.min(sorted.length, Math.max(1, Math.ceil((p / 100) * sorted.length)));
  return sorted[rank - 1]!;
}

export function summarize(samples: readonly number[]): LatencySummary {
  const sorted = [...samples].sort((a, b) => a - b);
  const sum = sorted.reduce((a, b) => a + b, 0);
  return {
    count: sorted.length,
    min: round(sorted[0] ?? Number.NaN),
    mean: round(sorted.length ? sum / sorted.length : Number.NaN),
    p50: round(percentile(sorted, 50)),
    p95: round(percentile(sorted, 95)),
    p99: round(percentile(sorted, 99)),
    max: round(sorted.at(-1) ?? Number.NaN),
  };
}

export function round(n: number, digits = 2): number {
  if (!Number.isFinite(n)) return n;
  const f = 10 ** digits;
  return Math.round(n * f) / f;
}

export interface LoadResult {
  /** Operations that resolved. */
  ok: number;
  /** Operations that threw; the first few messages are kept. */
  errors: number;
  errorSamples: string[];
  elapsedMs: number;
  /** Successful operations per second over the whole run. */
  perSecond: number;
  latency: LatencySummary;
}

/**
 * Runs `count` operations with `concurrency` of them in flight at all times (a closed loop) and
 * times each one. `op(i)` gets the operation's index. With `pauseMs`, each lane waits that long
 * before each operation (untimed), so that what the previous one left behind is done first.
 */
export async function closedLoop(count: number, concurrency: number, op: (i: number) => Promise<unknown>, o: { pauseMs?: number } = {}): Promise<LoadResult> {
  const latencies: number[] = [];
  const errorSamples: string[] = [];
  let errors = 0;
  let next = 0;
  const started = performance.now();
  const lane = async () => {
    for (;;) {
      const i = next++;
      if (i >= count) return;
      if (o.pauseMs) await sleep(o.pauseMs);
      const t0 = performance.now();
      try {
        await op(i);
        latencies.push(performance.now() - t0);
      } catch (err) {
        errors++;
        if (errorSamples.length < 5) errorSamples.push(err instanceof Error ? err.message : String(err));
      }
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(concurrency, count)) }, lane));
  const elapsedMs = performance.now() - started;
  return {
    ok: latencies.length,
    errors,
    errorSamples,
    elapsedMs: round(elapsedMs),
    perSecond: round(latencies.length / (elapsedMs / 1000)),
    latency: summarize(latencies),
  };
}

/** Runs `fn` over `items` with at most `limit` at once; results keep the input order. */
export async function mapLimit<T, R>(items: readonly T[], limit: number, fn: (item: T, i: number) => Promise<R>): Promise<R[]> {
  const out = new Array<R>(items.length);
  let next = 0;
  const lane = async () => {
    for (;;) {
      const i = next++;
      if (i >= items.length) return;
      out[i] = await fn(items[i] as T, i);
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(limit, items.length)) }, lane));
  return out;
}

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));
