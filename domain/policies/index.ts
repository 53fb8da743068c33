/**
 * Loaded policies. The built-in default plus every `*.json` in POLICY_DIR, each validated; versions
 * are immutable, so two documents claiming one version with different content is an error.
 */
import fs from 'node:fs';
import path from 'node:path';
import { policySchema, type Policy } from '../policy';
import defaultPolicyDocument from './default.json';

export class PolicyError extends Error {
  override name = 'PolicyError';
}

function parsePolicy(doc: unknown, source: string): Policy {
  const parsed = policySchema.safeParse(doc);
  if (!parsed.success) {
    const issues = parsed.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`).join('; ');
    throw new PolicyError(`Policy ${source} is invalid: ${issues}`);
  }
  return parsed.data;
}

export const defaultPolicy: Policy = parsePolicy(defaultPolicyDocument, 'default.json');

export class PolicyRegistry {
  private readonly byVersion = new Map<string, Policy>();

  constructor(policies: Policy[]) {
    for (const p of policies) this.add(p);
  }

  /** The default policy and, if given, every *.json document in `dir`. */
  static load(dir?: string): PolicyRegistry {
    const registry = new PolicyRegistry([defaultPolicy]);
    if (dir) {
      for (const file of fs.readdirSync(dir).filter((f) => f.endsWith('.json')).sort()) {
        const full = path.join(dir, file);
        let doc: unknown;
        try {
          doc = JSON.parse(fs.readFileSync(full, 'utf8'));
        } catch (err) {
          throw new PolicyError(`Policy ${file} is not valid JSON: ${(err as Error).message}`);
        }
        registry.add(parsePolicy(doc, file));
      }
    }
    return registry;
  }

  add(policy: Policy): void {
    const existing = this.byVersion.get(policy.version);
    if (existing && JSON.stringify(existing) !== JSON.stringify(policy)) {
      throw new PolicyError(`Policy version ${policy.version} is loaded twice with different content; publish a new version instead`);
    }
    this.byVersion.set(policy.version, policy);
  }

  get(version: string): Policy | undefined {
    return this.byVersion.get(version);
  }

  list(): Policy[] {
    return [...this.byVersion.values()].sort((a, b) => a.version.localeCompare(b.version));
  }

  /** The policy of the first locality of `path` (a locality, then those above it) that has one in effect, else the default. */
  currentFor(path: readonly string[], onDate: string): Policy {
    for (const locality of path) {
      const own = this.list().some((p) => p.locality === locality && p.effectiveFrom <= onDate);
      if (own) return this.current(locality, onDate);
    }
    return this.current('default', onDate);
  }

  /** The policy a new case in `locality` starts under: the latest effective version of that locality, else the default. */
  current(locality = 'default', onDate: string): Policy {
    const candidates = this.list()
      .filter((p) => p.locality === locality && p.effectiveFrom <= onDate)
      .sort((a, b) => (a.effectiveFrom === b.effectiveFrom ? a.version.localeCompare(b.version) : a.effectiveFrom.localeCompare(b.effectiveFrom)));
    const chosen = candidates.at(-1) ?? (locality === 'default' ? undefined : this.current('default', onDate));
    if (!chosen) throw new PolicyError(`No policy of locality ${locality} is in effect on ${onDate}`);
    return chosen;
  }
}
