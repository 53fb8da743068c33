/**
 * Loaded once per workflow thread, before any case runs (see `bundlerOptions` in worker/worker.ts).
 * Every module of the workflow code — the workflows, the domain they decide with, zod and the
 * schemas — is evaluated here, once, and shared by all the cases of the thread, instead of once for
 * every case the thread starts or takes back into its cache (about 12 ms of the thread per case, a
 * third of all it did in the start benchmark; zod's schemas are most of it).
 *
 * Sharing is safe because workflow code keeps no module state: eslint forbids module-level `let`,
 * `var` and collections in workflows/ and domain/, and what the modules export is deep-frozen, so a
 * case that tried to change a shared value would fail loudly instead of leaking it into the next.
 * zod's schemas are the exception, left unfrozen: a schema fills caches of its own on first use (a
 * compiled parser, which keys are optional, a RegExp's lastIndex), the same for every case, and a
 * frozen schema cannot parse. The SDK deep-freezes whatever the shared modules export, so a module
 * whose exports hold a schema is handed to it behind a proxy that answers reads (all the SDK does
 * with a module: it looks a workflow function up by name) and holds nothing to freeze; everything
 * else in the module is frozen here. test/shared-modules.test.ts checks both halves.
 */
import { z } from 'zod';
import './index';

declare const __webpack_modules__: Record<string, unknown> | undefined;

/** A module in webpack's cache. */
export interface ModuleRecord {
  exports: unknown;
}

// zod sets some module state on first use (its default locale, whether it may compile parsers): use
// it once, a passing and a failing parse, while that is still allowed.
const probe = z.object({ a: z.string().min(1) }).strict();
probe.safeParse({ a: 'a' });
probe.safeParse({ a: '', b: 1 });

const isObject = (v: unknown): v is object => v !== null && (typeof v === 'object' || typeof v === 'function');
/** A zod schema (it carries its own internals) or a RegExp: what keeps caches of its own. */
const keepsOwnCaches = (o: object) => Object.prototype.hasOwnProperty.call(o, '_zod') || o instanceof RegExp;

/**
 * Freezes `root` and everything its own properties reach (into objects, not into functions, as the
 * SDK freezes shared modules), except zod schemas and RegExps. Returns whether it met a schema.
 */
export function freezeExceptSchemas(root: unknown): boolean {
  const seen = new WeakSet<object>();
  const stack: unknown[] = [root];
  let metSchema = false;
  while (stack.length) {
    const o = stack.pop();
    if (!isObject(o) || seen.has(o)) continue;
    seen.add(o);
    if (keepsOwnCaches(o)) {
      metSchema ||= !(o instanceof RegExp);
      continue;
    }
    if (typeof o === 'object') {
      for (const key of Reflect.ownKeys(o)) {
        try {
          stack.push((o as Record<PropertyKey, unknown>)[key]);
        } catch {
          // an accessor that cannot be read now has nothing to freeze
        }
      }
    }
    try {
      Object.freeze(o);
    } catch {
      // some objects cannot be frozen (typed arrays with elements); the SDK skips them too
    }
  }
  return metSchema;
}

/** Freezes a loaded module except its schemas; one that holds a schema gets a read-only proxy for exports. */
export function shareModule(record: ModuleRecord): void {
  const real = record.exports;
  if (!isObject(real) || typeof real === 'function') return;
  if (!freezeExceptSchemas(real)) return;
  record.exports = new Proxy(Object.create(null) as object, { get: (_target, key) => Reflect.get(real, key) });
}

// The modules loaded by now are every module of the workflow code; the SDK routes the bundle's module
// cache through `globalThis.__webpack_module_cache__` and shares what it holds before any case exists.
const moduleCache = (globalThis as { __webpack_module_cache__?: Record<string, ModuleRecord | undefined> }).__webpack_module_cache__;
if (typeof __webpack_modules__ !== 'undefined' && moduleCache) {
  for (const id of Object.keys(__webpack_modules__)) {
    const record = moduleCache[id];
    if (record) shareModule(record);
  }
}
