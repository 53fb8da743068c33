/**
 * A report as a page people read: Chinese, printable, self-contained (styles inline, charts as inline
 * SVG drawn on the server by Apache ECharts' server-side renderer, no script and nothing fetched from
 * elsewhere). Three charts: final rulings by month, time spent in each stage, and the signals.
 */
import * as echarts from 'echarts';
import { beijingTime } from '../../domain/calendar';
import { outcomeLabels, signalLabels } from '../../domain/labels';
import type { ReportContent } from '../../domain/report';
import { aggregateSignalLabels } from '../../domain/signals';
import { statisticsLabels } from '../../domain/statistics';

/** A per-case signal by its Chinese name (domain/labels.ts), or its code when the policy names one the labels do not know. */
const caseSignalLabel = (signal: string): string => (signalLabels as Record<string, string>)[signal] ?? signal;

const FONT = "'Noto Sans CJK SC', 'Source Han Sans SC', 'WenQuanYi Micro Hei', 'Microsoft YaHei', 'PingFang SC', sans-serif";
const COLORS = { exempt: '#2e7d32', mitigate: '#f9a825', deny: '#c62828', median: '#1565c0', p90: '#90caf9', signal: '#6a1b9a' };

const esc = (s: string | number): string => String(s).replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
const pct = (r: number | undefined) => (r === undefined ? '—' : `${(r * 100).toFixed(1)}%`);
const days = (d: number | undefined) => (d === undefined ? '—' : d.toFixed(1));

/** One chart as an SVG string, drawn without a DOM; no animation, fixed size. */
function svgChart(option: echarts.EChartsOption, width: number, height: number): string {
  const chart = echarts.init(null, null, { renderer: 'svg', ssr: true, width, height });
  try {
    chart.setOption({ animation: false, textStyle: { fontFamily: FONT, fontSize: 13 }, ...option });
    return chart.renderToSVGString();
  } finally {
    chart.dispose();
  }
}

const monthLabel = (m: string) => `${m.slice(2, 4)}年${Number(m.slice(5, 7))}月`;

function outcomesChart(c: ReportContent): string {
  const months = c.outcomeSeries;
  if (!months.some((m) => m.exempt + m.mitigate + m.deny > 0)) return '<p class="empty">近十二个月无认定生效的案件。</p>';
  return svgChart(
    {
      color: [COLORS.exempt, COLORS.mitigate, COLORS.deny],
      legend: { top: 0, data: [outcomeLabels.exempt, outcomeLabels.mitigate, outcomeLabels.deny] },
      grid: { left: 48, right: 16, top: 36, bottom: 32 },
      xAxis: { type: 'category', data: months.map((m) => monthLabel(m.month)), axisLabel: { fontSize: 11 } },
      yAxis: { type: 'value', name: '件', minInterval: 1 },
      series: (['exempt', 'mitigate', 'deny'] as const).map((o) => ({ name: outcomeLabels[o], type: 'bar', stack: 'outcome', barMaxWidth: 28, data: months.map((m) => m[o]) })),
    },
    680,
    280,
  );
}

function stagesChart(c: ReportContent): string {
  const stages = c.statistics.stages.filter((s) => s.medianDays !== undefined);
  if (stages.length === 0) return '<p class="empty">本期无完成的环节。</p>';
  const labels = stages.map((s) => s.label.replace(/（.*?）/g, ''));
  return svgChart(
    {
      color: [COLORS.median, COLORS.p90],
      legend: { top: 0, data: ['中位数', '第90百分位'] },
      grid: { left: 150, right: 40, top: 36, bottom: 28 },
      xAxis: { type: 'value', name: '天', minInterval: 1 },
      yAxis: { type: 'category', data: labels, inverse: true, axisLabel: { fontSize: 12 } },
      series: [
        { name: '中位数', type: 'bar', data: stages.map((s) => s.medianDays ?? 0), barMaxWidth: 14, label: { show: true, position: 'right', fontSize: 11 } },
        { name: '第90百分位', type: 'bar', data: stages.map((s) => s.p90Days ?? 0), barMaxWidth: 14, label: { show: true, position: 'right', fontSize: 11 } },
      ],
    },
    680,
    Math.max(160, 60 + stages.length * 36),
  );
}

function signalsChart(c: ReportContent): string {
  const bars: { label: string; count: number }[] = [
    ...Object.entries(aggregateSignalLabels).map(([kind, label]) => ({ label, count: c.signals.filter((s) => s.signal === kind).length })),
    ...c.statistics.abuseSignals.bySignal.map((s) => ({ label: `个案：${caseSignalLabel(s.signal)}`, count: s.count })),
  ].filter((b) => b.count > 0);
  if (bars.length === 0) return '<p class="empty">本期未发现预警信号。</p>';
  return svgChart(
    {
      color: [COLORS.signal],
      grid: { left: 220, right: 40, top: 12, bottom: 28 },
      xAxis: { type: 'value', minInterval: 1, name: '次' },
      yAxis: { type: 'category', data: bars.map((b) => b.label), inverse: true },
      series: [{ type: 'bar', data: bars.map((b) => b.count), barMaxWidth: 16, label: { show: true, position: 'right' } }],
    },
    680,
    Math.max(120, 40 + bars.length * 34),
  );
}

/** Numbers right-aligned; case numbers and instants kept on one line. */
const cellClass = (v: string | number, i: number): string =>
  typeof v === 'number' || (i > 0 && /^[\d.—%／/]+$/.test(String(v))) ? ' class="num"' : /^(case-|\d{4}-\d{2}-\d{2})/.test(String(v)) ? ' class="nw"' : '';

const table = (head: string[], rows: (string | number)[][], empty: string): string =>
  rows.length === 0
    ? `<p class="empty">${esc(empty)}</p>`
    : `<table><thead><tr>${head.map((h) => `<th>${esc(h)}</th>`).join('')}</tr></thead><tbody>${rows
        .map((r) => `<tr>${r.map((v, i) => `<td${cellClass(v, i)}>${esc(v)}</td>`).join('')}</tr>`)
        .join('')}</tbody></table>`;

const cases = (ids: readonly string[], max = 30) =>
  ids.length === 0 ? '' : `<span class="cases">${ids.slice(0, max).map(esc).join('、')}${ids.length > max ? ` 等 ${ids.length} 件` : ''}</span>`;

const STYLE = `
@page { size: A4; margin: 16mm 14mm; }
* { box-sizing: border-box; }
body { font-family: ${FONT}; color: #1a1a1a; margin: 0 auto; max-width: 760px; padding: 24px 20px 40px; line-height: 1.6; font-size: 14px; background: #fff; }
header { border-bottom: 3px solid #b71c1c; padding-bottom: 10px; margin-bottom: 18px; }
h1 { font-size: 24px; margin: 0 0 6px; color: #b71c1c; letter-spacing: 1px; }
h2 { font-size: 17px; margin: 26px 0 10px; padding-left: 8px; border-left: 4px solid #b71c1c; break-after: avoid; }
.meta { color: #555; font-size: 13px; margin: 2px 0; }
.cards { display: grid; grid-template-columns: repeat(4, 1fr); gap: 8px; margin: 10px 0; }
.card { border: 1px solid #ddd; border-radius: 6px; padding: 8px 10px; background: #fafafa; break-inside: avoid; }
.card .v { font-size: 22px; font-weight: 700; color: #222; }
.card .k { font-size: 12px; color: #666; }
.card.alert .v { color: #c62828; }
table { width: 100%; border-collapse: collapse; margin: 8px 0 12px; font-size: 13px; break-inside: auto; }
th, td { border: 1px solid #d0d0d0; padding: 4px 8px; text-align: left; vertical-align: top; }
th { background: #f3f3f3; font-weight: 600; }
td.nw { white-space: nowrap; }
td.num { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
tr { break-inside: avoid; }
figure { margin: 8px 0 14px; break-inside: avoid; }
figure svg { max-width: 100%; height: auto; display: block; }
figcaption { font-size: 12px; color: #666; text-align: center; }
.signal { border: 1px solid #e1bee7; background: #fbf5fc; border-radius: 6px; padding: 8px 12px; margin: 8px 0; break-inside: avoid; }
.signal b { color: #6a1b9a; }
.cases { display: block; color: #444; font-size: 12px; margin-top: 4px; word-break: break-all; }
.empty { color: #777; font-style: italic; }
footer { margin-top: 28px; border-top: 1px solid #ddd; padding-top: 8px; font-size: 12px; color: #777; }
@media print { body { padding: 0; max-width: none; } h2 { margin-top: 18px; } }
`;

/** The report as one HTML page. */
export function renderReportHtml(c: ReportContent, ruleTexts: Readonly<Record<string, string>> = {}): string {
  const s = c.statistics;
  const card = (k: string, v: string | number, alert = false) => `<div class="card${alert ? ' alert' : ''}"><div class="v">${esc(v)}</div><div class="k">${esc(k)}</div></div>`;
  const parts: string[] = [];
  parts.push(`<header><h1>${esc(c.title)}</h1>
<p class="meta">统计期间：${esc(c.period.from)} 至 ${esc(c.period.to)}（北京时间）　生成时间：${esc(beijingTime(c.generatedAt))}</p>
<p class="meta">报送：${esc(c.recipients.map((r) => r.name).join('、') || '—')}　报告编号：${esc(c.reportId)}　政策版本：${esc(c.policyVersion)}</p></header>`);

  parts.push(`<h2>一、总体情况</h2><div class="cards">
${card('申请', s.applications)}${card('受理', s.acceptances)}${card('不予受理', s.refusals)}${card('甄别排除', s.exclusions.screenings)}
${card('认定生效', s.outcomes.decided)}${card('容错率', pct(s.outcomes.toleranceRate))}${card('申诉／撤销改变', `${s.appeals.filed}／${s.appeals.overturned}`)}${card('逾期待办', s.tasks.overdue, s.tasks.overdue > 0)}
</div>`);

  parts.push(`<h2>二、认定结果</h2>
${table(['结果', '件数', '占比'], [
    [outcomeLabels.exempt, s.outcomes.exempt, pct(s.outcomes.exemptRate)],
    [outcomeLabels.mitigate, s.outcomes.mitigate, pct(s.outcomes.mitigateRate)],
    [outcomeLabels.deny, s.outcomes.deny, pct(s.outcomes.denyRate)],
    ['合计', s.outcomes.decided, s.outcomes.decided ? '100.0%' : '—'],
  ], '')}
<figure>${outcomesChart(c)}<figcaption>图1　近十二个月认定生效案件（按结果）</figcaption></figure>`);

  parts.push(`<h2>三、各环节用时</h2>
<figure>${stagesChart(c)}<figcaption>图2　本期完成的各环节用时（自然日）</figcaption></figure>
${table(['环节', '完成数', '中位数（天）', '第90百分位（天）'], s.stages.map((st) => [st.label, st.completed, days(st.medianDays), days(st.p90Days)]), '本期无完成的环节。')}`);

  parts.push(`<h2>四、甄别排除与申诉</h2>
${table(['负面清单或甄别规则', '触发次数'], s.exclusions.byRule.map((r) => [ruleTexts[r.rule] ? `${r.rule}　${ruleTexts[r.rule]}` : r.rule, r.count]), '本期无甄别排除。')}
${table(['项目', '件数'], [
    ['确认排除', s.exclusions.confirmed],
    ['否定排除（转入调查）', s.exclusions.overridden],
    ['逾期未确认（排除成立）', s.exclusions.lapsed],
    ['提出申诉', s.appeals.filed],
    ['申诉维持', s.appeals.upheld],
    ['申诉撤销改变', s.appeals.overturned],
    ['会商意见／其中异议', `${s.consultations.given}／${s.consultations.objections}`],
    ['移交纪检监察／已反馈结果', `${s.handOffs.handed}／${s.handOffs.outcomesRecorded}`],
  ], '')}
<h3>决策执行效果跟踪评价</h3>
${table(['项目', '件数或金额'], [
    ['已跟踪评价', s.effectTracking.recorded],
    ['改革决策继续实施', s.effectTracking.sustained],
    ['改革决策已调整或撤回', s.effectTracking.reversed],
    ['逾期未跟踪评价', s.effectTracking.lapsed],
    ['跟踪期间挽回损失（元）', s.effectTracking.lossRecovered.toLocaleString('zh-CN')],
  ], '')}`);

  const signalBlocks = c.signals
    .map((g) => `<div class="signal"><b>${esc(aggregateSignalLabels[g.signal])}</b>：${esc(g.explanation)}${cases(g.cases)}</div>`)
    .join('');
  parts.push(`<h2>五、预警信号</h2>
<figure>${signalsChart(c)}<figcaption>图3　本期预警信号</figcaption></figure>
${signalBlocks || '<p class="empty">本期未发现汇总预警信号。</p>'}
${table(['个案预警', '次数', '涉及案件'], s.abuseSignals.bySignal.map((a) => [caseSignalLabel(a.signal), a.count, a.cases.join('、')]), '本期无个案预警。')}`);

  if (c.kind === 'quarterly') {
    parts.push(`<h2>六、需共同关注的案件</h2>
${table(['案件编号', '申请单位', '关注原因'], c.jointAttention.map((j) => [j.caseId, j.unitName, j.reasons.join('；')]), '本季度无需共同关注的案件。')}
<h2>七、会商异议</h2>
${table(['案件编号', '申请单位'], s.consultations.objectionCases.map((id) => [id, c.jointAttention.find((j) => j.caseId === id)?.unitName ?? '']), '本季度会商中无异议。')}
<h2>八、移交未反馈处理结果</h2>
${table(['案件编号', '申请单位', '移交原因', '移交时间', '已等待（天）'], c.awaitingHandOffs.map((h) => [h.caseId, h.unitName, h.reason === 'denied' ? '不予容错' : '甄别排除', beijingTime(h.handedAt), h.days]), '无待反馈的移交案件。')}`);
  } else {
    parts.push(`<h2>六、逾期事项</h2>
${table(['承办机构', '待办', '逾期'], s.tasks.byBody.map((b) => [b.name, b.open, b.overdue]), '当前无待办事项。')}
${table(['案件编号', '申请单位', '所处环节', '逾期事项', '最早截止'], c.overdue.map((o) => [o.caseId, o.unitName, statisticsLabels.stage(o.stage), o.tasks.map(statisticsLabels.task).join('、'), beijingTime(o.dueAt)]), '当前无逾期事项。')}
<h2>七、各单位情况</h2>
${table(['单位', '申请', '认定生效', '容错', '容错率'], s.units.map((u) => [u.name, u.applications, u.outcomes.decided, u.outcomes.tolerated, pct(u.outcomes.toleranceRate)]), '本期无案件。')}`);
  }

  parts.push(`<footer>本报告为汇总统计，不含个人信息；数据来源于容错纠错记录系统（审计台账与案件登记），待办与逾期为生成时的状态。各环节用时按自然日计。预警信号规则见所适用政策的“监督”部分。</footer>`);
  return `<!DOCTYPE html>
<html lang="zh-CN"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>${esc(c.title)}</title><style>${STYLE}</style></head>
<body>${parts.join('\n')}</body></html>
`;
}
