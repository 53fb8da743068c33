/** The registry of localities, bodies and cadres: its document format and the questions it answers. */
import { Registry, registryDocumentSchema } from '../domain/registry';
import { decideChange, documentChanges, registryWithin } from '../domain/registry/changes';
import demo from '../domain/registry/demo.json';

const registry = Registry.parse(demo);

test('When the demo registry is read, then it holds two localities below one province, each with its bodies', () => {
  expect(registry.path('JS-SZ-KS')).toEqual(['JS-SZ-KS', 'JS-SZ', 'JS']);
  expect(registry.placeName('JS-SZ-KS')).toBe('江苏省苏州市昆山市');
  expect(registry.body('JS-NJ-FGW')).toMatchObject({ kind: 'unit', locality: 'JS-NJ', name: '南京市发展和改革委员会' });
  expect(registry.cadre('C-320583-0001')?.unit).toBe('JS-SZ-KS-ZWB');
  for (const l of ['JS-NJ', 'JS-SZ-KS']) {
    for (const kind of ['organization', 'discipline', 'committee', 'supervision'] as const) expect(registry.bodyFor(kind, l)?.locality).toBe(l);
  }
});

test('When a locality has no body of a kind, then the nearest one up the tree serves it', () => {
  // 苏州市 has no bodies of its own in the demo: the province's serve it
  expect(registry.bodyFor('organization', 'JS-SZ')?.code).toBe('JS-ZZB');
});

test('When a registry document is wrong, then every problem is named with its place', () => {
  const broken = {
    localities: [{ code: 'AA', name: '甲' }, { code: 'BB', name: '乙', parent: 'ZZ' }],
    bodies: [{ code: 'AA-U', name: '单位', kind: 'unit', locality: 'CC' }],
    cadres: [{ id: 'x', name: '某', unit: 'AA-ZZB' }, { id: 'x', name: '某', unit: 'AA-U' }],
  };
  const r = registryDocumentSchema.safeParse(broken);
  expect(r.success).toBe(false);
  const messages = r.error!.issues.map((i) => `${i.path.join('.')}: ${i.message}`);
  expect(messages).toEqual(
    expect.arrayContaining([
      'localities.1.parent: unknown parent locality ZZ',
      'bodies.0.locality: unknown locality CC',
      'cadres.0.unit: AA-ZZB is not a unit of the registry',
      'cadres.1.id: cadre x is listed twice',
    ]),
  );
  expect(() => Registry.parse({ localities: [{ code: 'AA', name: '甲', parent: 'BB' }, { code: 'BB', name: '乙', parent: 'AA' }], bodies: [], cadres: [] })).toThrow(/its own ancestor/);
});

describe('Changes to the registry, decided', () => {
  test('When an admin of a city adds a unit there, then it is a creation touching the city and the province', () => {
    const d = decideChange(registry, { entity: 'body', value: { code: 'JS-NJ-SJJ', name: '南京市审计局', kind: 'unit', locality: 'JS-NJ' } }, 'JS-NJ');
    expect(d).toMatchObject({ ok: true, change: { entity: 'body', code: 'JS-NJ-SJJ', action: 'create', localities: ['JS-NJ', 'JS'] } });
  });

  test('When a change names what is outside the jurisdiction, then it is refused as such before anything else is said', () => {
    const elsewhere = decideChange(registry, { entity: 'cadre', value: { id: 'C-320583-0001', name: '李静', unit: 'JS-NJ-NONE' } }, 'JS-NJ');
    expect(elsewhere).toMatchObject({ ok: false, refusal: { reason: 'outsideJurisdiction' } });
  });

  test('When a county moves to another city of the admin, then the entry is updated with both places in its scope', () => {
    const doc = { ...registry.document, localities: [...registry.document.localities, { code: 'JS-SZ-TC', name: '太仓市', parent: 'JS-SZ' }] };
    const d = decideChange(new Registry(doc), { entity: 'locality', value: { code: 'JS-SZ-TC', name: '太仓市', parent: 'JS-NJ' } }, 'JS');
    expect(d).toMatchObject({ ok: true, change: { action: 'update', before: { parent: 'JS-SZ' }, after: { parent: 'JS-NJ' } } });
    expect(d.ok && d.change!.localities).toEqual(['JS-SZ-TC', 'JS-SZ', 'JS', 'JS-NJ']);
  });

  test('When a document is loaded over the registry, then only the entries that differ are changes', () => {
    const doc = { ...registry.document, cadres: registry.document.cadres.map((c) => (c.id === 'C-320100-0002' ? { ...c, retired: true } : c)) };
    expect(documentChanges(registry, doc).map((c) => [c.code, c.action])).toEqual([['C-320100-0002', 'retire']]);
    expect(documentChanges(registry, registry.document)).toEqual([]);
  });

  test('When the registry of a city is taken, then it is a valid document with the localities above it', () => {
    const doc = registryWithin(registry, 'JS-SZ-KS');
    expect(registryDocumentSchema.safeParse(doc).success).toBe(true);
    expect(doc.localities.map((l) => l.code)).toEqual(['JS', 'JS-SZ', 'JS-SZ-KS']);
    expect(doc.bodies.every((b) => b.locality === 'JS-SZ-KS')).toBe(true);
  });
});

test('When a cadre has a mail address, then it is kept, and an address that is not one is named', () => {
  const doc = {
    localities: [{ code: 'AA', name: '甲' }],
    bodies: [{ code: 'AA-U', name: '甲单位', kind: 'unit', locality: 'AA' }],
    cadres: [{ id: 'c1', name: '某', unit: 'AA-U', email: 'c1@cadres.example' }, { id: 'c2', name: '某', unit: 'AA-U' }],
  };
  expect(Registry.parse(doc).cadre('c1')?.email).toBe('c1@cadres.example');
  expect(Registry.parse(doc).cadre('c2')?.email).toBeUndefined();
  expect(() => Registry.parse({ ...doc, cadres: [{ id: 'c3', name: '某', unit: 'AA-U', email: '不是地址' }] })).toThrow(/cadres\.0\.email/);
  // every demo cadre can be told of a ruling in person
  expect(registry.document.cadres.every((c) => c.email?.endsWith('@cadres.rongcuo.example'))).toBe(true);
});
