/**
 * Demo reference data for local runs: the demo registry (localities, bodies, cadres), three years of
 * annual evaluations of each cadre, and mail recipients for every body. Loaded once, into a store whose units table is empty, and only
 * when SEED_DEMO_DATA is on. Names and addresses are invented; addresses use the reserved `.example`
 * domain so nothing can reach a real mailbox.
 */
import type { Logger } from 'pino';
import type { Config } from '../../common/config';
import type { Role } from '../../domain/case';
import type { Db } from './db';
import { LOCK_NAMESPACE } from './migrate';
import type { PerformanceGrade } from './recordSystem';
import { registryDocumentSchema, type RegistryDocument } from '../../domain/registry';
import demoRegistryDocument from '../../domain/registry/demo.json';
import { writeRegistry } from './registry';

const SEED_LOCK = 2;

/** The demo registry: two localities (南京市 and 昆山市) of one province, their bodies and cadres. */
export const demoRegistry: RegistryDocument = registryDocumentSchema.parse(demoRegistryDocument);
export const demoUnits = demoRegistry.bodies.filter((b) => b.kind === 'unit');

/** Posts, ranks and annual evaluations of the demo cadres. Grades oldest year first; the last entry is the most recent year. */
export const demoCadres: readonly { id: string; post: string; rank: string; grades: readonly PerformanceGrade[] }[] = [
  { id: 'C-320100-0001', post: '产业发展处处长', rank: '四级调研员', grades: ['competent', 'excellent', 'excellent'] },
  { id: 'C-320100-0002', post: '城市更新处副处长', rank: '一级主任科员', grades: ['competent', 'competent', 'basicallyCompetent'] },
  { id: 'C-320583-0001', post: '副主任', rank: '二级调研员', grades: ['excellent', 'competent', 'excellent'] },
];

const roleOfKind = { unit: 'unit', organization: 'organization', discipline: 'discipline', committee: 'committee', supervision: 'supervisor' } as const;

/**
 * Every body of the registry receives its own mail, and only its own: no address takes the notices
 * of a whole role. The experts are reached by their subject.
 */
export const demoRecipients: readonly { role: Role; unit?: string; subject?: string; email: string; name: string }[] = [
  { role: 'expert', subject: 'expert-1', email: 'expert-1@experts.rongcuo.example', name: '专家一' },
  { role: 'expert', subject: 'expert-2', email: 'expert-2@experts.rongcuo.example', name: '专家二' },
  { role: 'expert', subject: 'expert-3', email: 'expert-3@experts.rongcuo.example', name: '第三方评估机构' },
  ...demoRegistry.bodies.map((b) => ({ role: roleOfKind[b.kind], unit: b.code, email: `${b.code.toLowerCase()}@bodies.rongcuo.example`, name: b.name })),
];

/** Loads the demo data if wanted and the store has no units; returns whether it loaded anything. */
export async function seedDemoData(db: Db, config: Pick<Config, 'seedDemoData'>, logger?: Logger, now: Date = new Date()): Promise<boolean> {
  if (config.seedDemoData === false || (config.seedDemoData === 'auto' && db.kind === 'postgres')) return false;
  const lastYear = now.getUTCFullYear() - 1;
  const loaded = await db.transaction(async (tx) => {
    const { rows } = await tx.query<{ n: number }>('SELECT count(*)::int AS n FROM units');
    if ((rows[0]?.n ?? 0) > 0) return false;
    await writeRegistry(tx, demoRegistry, { sub: 'system', source: 'demo data' });
    for (const c of demoCadres) {
      await tx.query('UPDATE cadres SET post = $2, rank = $3 WHERE cadre_id = $1', [c.id, c.post, c.rank]);
      for (const [i, grade] of c.grades.entries()) {
        await tx.query('INSERT INTO performance_records (cadre_id, year, grade) VALUES ($1, $2, $3)', [c.id, lastYear - (c.grades.length - 1) + i, grade]);
      }
    }
    for (const r of demoRecipients) {
      await tx.query('INSERT INTO recipients (role, unit, subject, email, name) VALUES ($1, $2, $3, $4, $5)', [r.role, r.unit ?? null, r.subject ?? null, r.email, r.name]);
    }
    return true;
  }, { lock: [LOCK_NAMESPACE, SEED_LOCK] });
  if (loaded) logger?.info({ localities: demoRegistry.localities.length, bodies: demoRegistry.bodies.length, cadres: demoCadres.length, recipients: demoRecipients.length }, 'demo reference data loaded into the record store');
  return loaded;
}
