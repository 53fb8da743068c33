/**
 * The workflow thread evaluates the workflow code's modules once and shares them with every case
 * (workflows/preload.ts). What they export is frozen, zod's schemas excepted, and a module holding a
 * schema reaches the SDK's own deep freeze only through a read-only proxy. These tests share the
 * real modules that way, freeze what the SDK would freeze, and use them as a case does.
 */
import { z } from 'zod';
import * as domainCase from '../domain/case';
import * as domainLabels from '../domain/labels';
import * as domainPolicy from '../domain/policy';
import { sampleApplication } from '../domain/examples';
import { defaultPolicy } from '../domain/policies';
import * as actions from '../workflows/case/actions';
import { freezeExceptSchemas, shareModule, type ModuleRecord } from '../workflows/preload';

/** The SDK's freeze of shared modules: Object.freeze over every own property of objects, reading each. */
function freezeLikeTheSdk(object: unknown, seen = new WeakSet<object>()): void {
  if (object === null || (typeof object !== 'object' && typeof object !== 'function') || seen.has(object)) return;
  seen.add(object);
  if (Object.isFrozen(object)) return;
  if (typeof object === 'object') {
    for (const key of Reflect.ownKeys(object)) {
      try {
        freezeLikeTheSdk((object as Record<PropertyKey, unknown>)[key], seen);
      } catch {
        // the SDK skips what cannot be frozen
      }
    }
  }
  Object.freeze(object);
}

/** Shares `exports` as the preload does, lets the SDK freeze the record, and returns what a case then reads. */
function shared<T extends object>(exports: T): T {
  const record: ModuleRecord = { exports };
  shareModule(record);
  freezeLikeTheSdk(record);
  return record.exports as T;
}

describe('modules shared by every case of a workflow thread', () => {
  const caseModule = shared({ ...domainCase });
  const policyModule = shared({ ...domainPolicy });
  const actionsModule = shared({ ...actions });

  it('a schema frozen by the SDK cannot parse: the reason schemas are kept out of its reach', () => {
    const fresh = z.object({ code: z.string().regex(/^[A-Z]+$/), note: z.string().optional() });
    freezeLikeTheSdk(fresh);
    expect(() => fresh.safeParse({ code: 'AB' })).toThrow(TypeError);
  });

  it.each(actions.actionNames)('%s: its example parses and wrong inputs are refused, twice over', (name) => {
    const spec = actionsModule.actionSpec(name);
    const example = (spec.path.includes(':measureId') ? { ...(spec.example as object), measureId: 'm-1' } : spec.example) as unknown;
    for (let round = 0; round < 2; round++) {
      expect(spec.input.safeParse(example).error?.issues).toBeUndefined();
      for (const wrong of [undefined, null, [], 'x', 7, { decision: 1, note: {}, measureId: '../..' }, { ...(example as object), unexpected: true }]) {
        const r = spec.input.safeParse(wrong);
        expect(r.success).toBe(false);
        expect(r.error?.issues.length).toBeGreaterThan(0);
      }
    }
  });

  it('an application and a policy parse through the shared modules', () => {
    expect(caseModule.applicationSchema.safeParse(sampleApplication).error?.issues).toBeUndefined();
    expect(caseModule.applicationSchema.safeParse({ ...sampleApplication, unitCode: 'lower case' }).success).toBe(false);
    expect(policyModule.policySchema.safeParse(defaultPolicy).error?.issues).toBeUndefined();
    expect(policyModule.policySchema.safeParse({ ...defaultPolicy, version: 7 }).success).toBe(false);
  });

  it('everything else a shared module exports is frozen: a case cannot change it for the next', () => {
    const labels = shared({ ...domainLabels });
    expect(Object.isFrozen(labels.stageLabels)).toBe(true);
    expect(() => {
      (labels.stageLabels as Record<string, string>).acceptance = '改动';
    }).toThrow(TypeError);
    const spec = actionsModule.actionSpec('acceptance');
    expect(Object.isFrozen(spec)).toBe(true);
    expect(Object.isFrozen(spec.roles)).toBe(true);
    expect(Object.isFrozen(spec.input)).toBe(false);
  });

  it('a module without schemas is left as it is, for the SDK to freeze whole', () => {
    const plain = { limits: { max: 3 } };
    const record: ModuleRecord = { exports: plain };
    shareModule(record);
    expect(record.exports).toBe(plain);
    expect(freezeExceptSchemas({ a: [1, { b: z.string() }] })).toBe(true);
    expect(freezeExceptSchemas({ a: [1, { b: /x/g }] })).toBe(false);
  });
});
