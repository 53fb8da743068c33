/**
 * The registry as the API reads it: from the record system, refreshed at most every 30 seconds (a
 * failed refresh keeps the last good copy), so every API process follows the admin's changes within
 * that time; the process that makes a change drops its copy at once. The admin routes change it
 * through a `RegistryAdmin`.
 */
import { Registry } from '../domain/registry';
import type { RegistryChange } from '../domain/registry/changes';
import demoDocument from '../domain/registry/demo.json';
import type { Db } from '../activities/records/db';
import { applyRegistryChange, readRegistry, readRegistryAudit, type RegistryAuditEntry, type RegistryAuthor } from '../activities/records/registry';

export interface RegistrySource {
  current(): Promise<Registry>;
  /** Forgets the cached copy: the next `current()` reads the record system again. */
  invalidate?(): void;
}

/** The demo registry: two localities of one province, their bodies and cadres. */
export const demoRegistry = Registry.parse(demoDocument);

export const staticRegistry = (registry: Registry): RegistrySource => ({ current: async () => registry });

/** How long an API process serves its copy of the registry before reading it again. */
export const REGISTRY_TTL_MS = 30_000;

export function cachedRegistry(read: () => Promise<Registry>, ttlMs = REGISTRY_TTL_MS): RegistrySource {
  let last: { at: number; registry: Registry } | undefined;
  let pending: Promise<Registry> | undefined;
  // A read that started before an invalidation must not bring the old copy back.
  let generation = 0;
  return {
    async current() {
      if (last && Date.now() - last.at < ttlMs) return last.registry;
      const started = generation;
      pending ??= read()
        .then((registry) => {
          if (started === generation) last = { at: Date.now(), registry };
          return registry;
        })
        .catch((err: unknown) => {
          if (last) return last.registry;
          throw err;
        })
        .finally(() => (pending = undefined));
      return pending;
    },
    invalidate() {
      generation++;
      last = undefined;
      pending = undefined;
    },
  };
}

/** What the admin routes need of the record system: the registry as stored, one audited change at a time, the audit. */
export interface RegistryAdmin {
  /** The registry as the record system holds it now (not a cached copy). */
  read(): Promise<Registry>;
  /** Applies one change of an admin of `scope`; RegistryChangeRefused when refused (nothing written). */
  apply(change: RegistryChange, scope: string, by: RegistryAuthor): Promise<RegistryAuditEntry | undefined>;
  audit(scope: string, page: { limit: number; before?: number | undefined }): Promise<{ items: RegistryAuditEntry[]; next?: number }>;
}

export function registryAdmin(db: Db): RegistryAdmin {
  return {
    read: () => readRegistry(db),
    apply: (change, scope, by) => applyRegistryChange(db, change, scope, by),
    audit: (scope, page) => readRegistryAudit(db, scope, page),
  };
}
