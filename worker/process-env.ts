/**
 * Environment a worker process must start with (it cannot be set from inside): glibc keeps the
 * native memory the SDK's core frees in per-thread arenas it never trims, hundreds of MiB after a
 * few thousand cases; a fixed mmap threshold hands such blocks back to the system when freed.
 * `npm start`, the `worker` script, the benchmarks and the container image all set it.
 */
export const workerProcessEnv = { MALLOC_MMAP_THRESHOLD_: '131072' } as const;

/** `env` with the worker's process settings added, unless it sets them itself. */
export function withWorkerProcessEnv(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  return { ...workerProcessEnv, ...env };
}
