/**
 * Demo reference data for local runs: units, a few cadres with three years of annual evaluations,
 * and mail recipients for every role. Loaded once, into a store whose units table is empty, and only
 * when SEED_DEMO_DATA is on. Names and addresses are invented; addresses use the reserved `.example`
 * domain so nothing can reach a real mailbox.
 */
import type { Logger } from 'pino';
import type { Config } from '../../common/config';
import type { Role } from '../../domain/case';
import type { Db } from './db';
import { LOCK_NAMESPACE } from './migrate';
import type { PerformanceGrade } from './recordSystem';

const SEED_LOCK = 2;

export const demoUnits: readonly { code: string; name: string; parent?: string; region: string }[] = [
  { code: 'JS-ZZB', name: '中共江苏省委组织部', region: '江苏省' },
  { code: 'JS-JW', name: '江苏省纪委监委', region: '江苏省' },
  { code: 'JS-NJ-FGW', name: '南京市发展和改革委员会', region: '江苏省南京市' },
  { code: 'JS-NJ-ZJJ', name: '南京市城乡建设委员会', region: '江苏省南京市' },
  { code: 'JS-SZ-KS-ZZB', name: '中共昆山市委组织部', parent: 'JS-ZZB', region: '江苏省苏州市昆山市' },
  { code: 'JS-SZ-KS-ZWB', name: '昆山市政务服务管理办公室', region: '江苏省苏州市昆山市' },
  { code: 'SN-XA-SWJ', name: '西安市商务局', region: '陕西省西安市' },
  { code: 'GZ-GY-DSJ', name: '贵阳市大数据发展管理局', region: '贵州省贵阳市' },
];

/** Grades oldest year first; the last entry is the most recent year. */
export const demoCadres: readonly { id: string; name: string; unit: string; post: string; rank: string; grades: readonly PerformanceGrade[] }[] = [
  { id: 'C-320100-0001', name: '张明', unit: 'JS-NJ-FGW', post: '产业发展处处长', rank: '四级调研员', grades: ['competent', 'excellent', 'excellent'] },
  { id: 'C-320100-0002', name: '陈晓燕', unit: 'JS-NJ-ZJJ', post: '城市更新处副处长', rank: '一级主任科员', grades: ['competent', 'competent', 'basicallyCompetent'] },
  { id: 'C-320583-0001', name: '李静', unit: 'JS-SZ-KS-ZWB', post: '副主任', rank: '二级调研员', grades: ['excellent', 'competent', 'excellent'] },
  { id: 'C-610100-0001', name: '王磊', unit: 'SN-XA-SWJ', post: '对外贸易科科长', rank: '一级主任科员', grades: ['competent', 'competent', 'competent'] },
  { id: 'C-520100-0001', name: '赵敏', unit: 'GZ-GY-DSJ', post: '数据应用处处长', rank: '四级调研员', grades: ['basicallyCompetent', 'competent', 'excellent'] },
];

export const demoRecipients: readonly { role: Role; unit?: string; subject?: string; email: string; name: string }[] = [
  { role: 'organization', email: 'zzb@org.rongcuo.example', name: '组织部门容错纠错工作组' },
  { role: 'discipline', email: 'jw@discipline.rongcuo.example', name: '纪检监察机关' },
  { role: 'committee', email: 'shenhe@committee.rongcuo.example', name: '党委（审核机关）' },
  { role: 'supervisor', email: 'jiandu@supervision.rongcuo.example', name: '监督部门' },
  { role: 'expert', subject: 'expert-1', email: 'expert-1@experts.rongcuo.example', name: '专家一' },
  { role: 'expert', subject: 'expert-2', email: 'expert-2@experts.rongcuo.example', name: '专家二' },
  { role: 'expert', subject: 'expert-3', email: 'expert-3@experts.rongcuo.example', name: '第三方评估机构' },
  ...demoUnits.map((u) => ({ role: 'unit' as const, unit: u.code, email: `${u.code.toLowerCase()}@units.rongcuo.example`, name: u.name })),
];

/** Loads the demo data if wanted and the store has no units; returns whether it loaded anything. */
export async function seedDemoData(db: Db, config: Pick<Config, 'seedDemoData'>, logger?: Logger, now: Date = new Date()): Promise<boolean> {
  if (!config.seedDemoData) return false;
  const lastYear = now.getUTCFullYear() - 1;
  const loaded = await db.transaction(async (tx) => {
    await tx.query('SELECT pg_advisory_xact_lock($1::int, $2::int)', [LOCK_NAMESPACE, SEED_LOCK]);
    const { rows } = await tx.query<{ n: number }>('SELECT count(*)::int AS n FROM units');
    if ((rows[0]?.n ?? 0) > 0) return false;
    for (const u of demoUnits) {
      await tx.query('INSERT INTO units (unit_code, name, parent_code, region) VALUES ($1, $2, $3, $4)', [u.code, u.name, u.parent ?? null, u.region]);
    }
    for (const c of demoCadres) {
      await tx.query('INSERT INTO cadres (cadre_id, name, unit_code, post, rank) VALUES ($1, $2, $3, $4, $5)', [c.id, c.name, c.unit, c.post, c.rank]);
      for (const [i, grade] of c.grades.entries()) {
        await tx.query('INSERT INTO performance_records (cadre_id, year, grade) VALUES ($1, $2, $3)', [c.id, lastYear - (c.grades.length - 1) + i, grade]);
      }
    }
    for (const r of demoRecipients) {
      await tx.query('INSERT INTO recipients (role, unit, subject, email, name) VALUES ($1, $2, $3, $4, $5)', [r.role, r.unit ?? null, r.subject ?? null, r.email, r.name]);
    }
    return true;
  });
  if (loaded) logger?.info({ units: demoUnits.length, cadres: demoCadres.length, recipients: demoRecipients.length }, 'demo reference data loaded into the record store');
  return loaded;
}
