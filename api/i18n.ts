/**
 * The language of problem documents: Chinese by default, English when the request prefers it
 * (Accept-Language). A text is either one string, which is Chinese-translated from the catalogue
 * below when it has an entry there (texts from routes and schemas are written in English), or a pair
 * written in both languages where it is built. Messages the workflow sends when it rejects an action
 * are shown as they come.
 */
import { z } from 'zod';

export type Locale = 'zh' | 'en';
export const DEFAULT_LOCALE: Locale = 'zh';

/** Text in both languages. */
export interface Bilingual {
  zh: string;
  en: string;
}
export type Text = string | Bilingual;

export const bilingual = (en: string, zh: string): Bilingual => ({ en, zh });

/** Content-Language of each locale. */
export const contentLanguage: Record<Locale, string> = { zh: 'zh-CN', en: 'en' };

/**
 * The locale an Accept-Language header prefers: of the languages offered (zh, en), the one with the
 * highest q, the first listed on a tie; `*` and anything else mean the default, Chinese.
 */
export function localeOf(acceptLanguage: string | string[] | undefined): Locale {
  const header = Array.isArray(acceptLanguage) ? acceptLanguage.join(',') : acceptLanguage;
  if (!header) return DEFAULT_LOCALE;
  let best: { locale: Locale; q: number } | undefined;
  for (const part of header.split(',').slice(0, 20)) {
    const [tag = '', ...params] = part.trim().split(';');
    const primary = tag.trim().toLowerCase().split('-')[0];
    const locale: Locale | undefined = primary === 'zh' ? 'zh' : primary === 'en' ? 'en' : primary === '*' ? DEFAULT_LOCALE : undefined;
    if (!locale) continue;
    const qParam = params.map((p) => p.trim().toLowerCase()).find((p) => p.startsWith('q='));
    const q = qParam ? Number(qParam.slice(2)) : 1;
    if (!Number.isFinite(q) || q <= 0) continue;
    if (!best || q > best.q) best = { locale, q };
  }
  return best?.locale ?? DEFAULT_LOCALE;
}

/**
 * Chinese for English texts written where they cannot be bilingual (routes, schemas, error classes):
 * keyed by the exact English text.
 */
const zhCatalogue: Readonly<Record<string, string>> = {
  // Routes and the gateway
  'Not ready: a dependency does not answer.': '尚未就绪：有依赖的服务没有响应。',
  'A unit applies only for its own unit (unitCode must be the unit of your token).': '单位只能为本单位申请（unitCode 须与令牌中的单位一致）。',
  'A referral names the accountability case it comes from.': '移送立案须注明所依据的问责案件。',
  'required when discipline inspection opens a case': '纪检监察机关立案时必填',
  'No policy of this version is loaded.': '未加载该版本的政策。',
  'No case with this id is visible to you.': '没有您可以查看的此编号案件。',
  'This Idempotency-Key already opened a case from a different request body.': '此 Idempotency-Key 已用于以不同请求内容创建的案件。',
  'A service the API depends on is unavailable; retry later.': 'API 所依赖的服务暂时不可用，请稍后重试。',
  'The cursor is malformed.': '分页游标格式不正确。',
  'The cursor belongs to a different listing; start again without it.': '分页游标属于另一个列表，请不带游标重新查询。',
  'The cursor has expired; start again without it.': '分页游标已过期，请不带游标重新查询。',
  'There is no such resource.': '没有此资源。',
  'Some fields are invalid.': '部分字段无效。',
  'The request could not be completed; the request id identifies it in the logs.': '请求未能完成；可凭请求编号在日志中查找。',
  'The request body is larger than this API accepts.': '请求体超过了本 API 接受的大小。',
  'Send the body as application/json.': '请以 application/json 格式发送请求体。',
  'The body is not valid JSON.': '请求体不是有效的 JSON。',
  'The body is empty.': '请求体为空。',
  'The body is not valid UTF-8.': '请求体不是有效的 UTF-8 编码。',
  'Too many requests from this caller; see Retry-After.': '该调用方请求过多，请按 Retry-After 稍后重试。',
  'JSON bodies are read as UTF-8 only: send Content-Type: application/json, with charset=utf-8 or no charset.':
    'JSON 请求体只接受 UTF-8 编码：请发送 Content-Type: application/json，charset 为 utf-8 或不指定。',
  'The body has a key that is not allowed (__proto__ or constructor.prototype).': '请求体含有不允许的键（__proto__ 或 constructor.prototype）。',
  'the key __proto__ is not allowed': '不允许使用键 __proto__',
  'a constructor.prototype key is not allowed': '不允许使用 constructor.prototype 键',
  'The request did not arrive in time; send it again.': '请求未能及时到达，请重新发送。',
  'The request is not valid HTTP/1.1.': '请求不是有效的 HTTP/1.1 请求。',
  'A path segment of this URL is longer than any identifier the API knows.': 'URL 中有一段路径比本 API 的任何标识都长。',
  'The URL is not valid: it has a malformed percent-encoding.': 'URL 无效：百分号编码格式不正确。',
  'The API is shutting down; send the request again.': 'API 正在关闭，请重新发送请求。',
  'Some text has a character that is not accepted: NUL, a lone surrogate, or a control character other than tab, line feed and carriage return.':
    '部分文本含有不接受的字符：NUL、孤立的代理项，或制表符、换行符、回车符以外的控制字符。',
  'unknown field': '未知字段',
  '`nextCursor` of the previous page': '上一页返回的 nextCursor',
  // Messages written into the domain schemas
  'a unit code: 2–32 upper-case letters, digits or dashes': '单位代码：2–32 位大写字母、数字或连字符',
  'a category code: 2–32 lower-case letters, digits or dashes': '类别代码：2–32 位小写字母、数字或连字符',
  'a case id such as case-2026-0000001': '案件编号，如 case-2026-0000001',
  'a date as YYYY-MM-DD': '日期，格式为 YYYY-MM-DD',
  'not a calendar date': '不是有效的日历日期',
  'a lower-case hex SHA-256': '小写十六进制的 SHA-256 摘要',
  'recoveredAmount cannot exceed lossAmount': '挽回金额不能超过损失金额',
  'a refusal needs a reason': '不予受理须说明理由',
  'a supplement request lists what is missing': '要求补充材料须列明所缺材料',
  'experts must be distinct': '专家不能重复',
  'mitigate needs an influence period in months': '减轻处理须注明影响期（月）',
  'only mitigate carries an influence period': '只有减轻处理才有影响期',
  'deny needs a recommended form 1–4': '不予容错须注明建议处理方式（1–4）',
  'only deny carries a recommended form': '只有不予容错才有建议处理方式',
  'a tolerated outcome needs a revisit tier': '予以容错的结果须注明回访档次',
  'deny has no revisit tier': '不予容错没有回访档次',
  'overturning states the replacement ruling': '撤销原认定须给出替代认定',
  'upholding takes no replacement ruling': '维持原认定不需要替代认定',
  'circumstances must be distinct': '情形不能重复',
  'a sanction names the form of discipline used (1–4)': '已依规依纪依法处理的，须注明运用的“四种形态”（1–4）',
  'only a sanction names a form of discipline': '只有已依规依纪依法处理的才注明运用的形态',
  'a measure id': '措施编号',
  'a return needs a reason': '退回须说明理由',
  'a typical case id: a positive number': '典型案例编号：正整数',
  'a suggestion id such as s1-2': '纠错建议编号，如 s1-2',
  'an adopted suggestion names the measure that carries it out': '采纳的纠错建议须列明落实该建议的整改措施序号',
  'only a suggestion not adopted takes a reason': '只有不予采纳的纠错建议才说明理由',
  'a suggestion not adopted needs a reason': '不予采纳的纠错建议须说明理由',
  'only an adopted suggestion names a measure': '只有采纳的纠错建议才列明整改措施',
  'each suggestion is answered once': '每条纠错建议只能回应一次',
  'not the number of a measure of this plan': '不是本方案中整改措施的序号',
  '1–128 letters, digits, dots, underscores, colons or dashes': '1–128 位字母、数字、点、下划线、冒号或连字符',
  base64: 'base64 编码',
};

/** `text` in `locale`. */
export function inLocale(text: Text, locale: Locale): string {
  if (typeof text !== 'string') return text[locale];
  return locale === 'zh' ? (zhCatalogue[text] ?? text) : text;
}

/** zod's own messages in each locale, for a per-request `safeParse(data, { error })`. */
export const zodErrorMaps: Record<Locale, z.core.$ZodErrorMap> = {
  zh: z.locales.zhCN().localeError,
  en: z.locales.en().localeError,
};
