/**
 * The registry as the API reads it: from the record system, refreshed at most every 30 seconds (a
 * failed refresh keeps the last good copy), so every API process follows the admin's changes.
 */
import { Registry } from '../domain/registry';
import demoDocument from '../domain/registry/demo.json';

export interface RegistrySource {
  current(): Promise<Registry>;
}

/** The demo registry: two localities of one province, their bodies and cadres. */
export const demoRegistry = Registry.parse(demoDocument);

export const staticRegistry = (registry: Registry): RegistrySource => ({ current: async () => registry });

export function cachedRegistry(read: () => Promise<Registry>, ttlMs = 30_000): RegistrySource {
  let last: { at: number; registry: Registry } | undefined;
  let pending: Promise<Registry> | undefined;
  return {
    async current() {
      if (last && Date.now() - last.at < ttlMs) return last.registry;
      pending ??= read()
        .then((registry) => {
          last = { at: Date.now(), registry };
          return registry;
        })
        .catch((err: unknown) => {
          if (last) return last.registry;
          throw err;
        })
        .finally(() => (pending = undefined));
      return pending;
    },
  };
}
