/**
 * Anonymization of what the typical-case library publishes: finding the personal data of a case (the
 * cadre's name and id, the names and ids of the unit's people, the accountability case it refers to)
 * in free text, and replacing it with placeholders such as 某干部. Pure: the caller reads the case's
 * personal data from the record system and hands it here.
 *
 * How text is compared, so that writing a name differently does not hide it:
 * - both sides are NFKC-normalized and lower-cased, character by character: full-width letters and
 *   digits (Ｃ－３２０１) are their ASCII forms, and ids match whatever their letter case;
 * - white space (also the ideographic space U+3000), zero-width characters, soft hyphens, middle dots
 *   (· ・ ‧) and the joining marks of ids (- _ . / and the dashes) are skipped on both sides, so
 *   "张 明", "张·明" and "C 320100 0001" are found;
 * - a needle whose first or last character is a Latin letter or digit is found only where the text
 *   does not continue with a Latin letter or digit on that side ("Li" is not found in "Linda",
 *   "C-1" not in "C-12"); Chinese has no word boundaries, so a Chinese name is found wherever its
 *   characters stand in sequence, also inside a longer word (张明 in 主张明确): the check errs on the
 *   side of refusing, and a refusal asks for rewording;
 * - a needle of fewer than two significant characters is not looked for (it would match anywhere).
 * Findings name the field, the kind of data and where it is, never the value found.
 */

export const personalDataKinds = ['cadreName', 'cadreId', 'personName', 'personId', 'caseReference'] as const;
export type PersonalDataKind = (typeof personalDataKinds)[number];

/** One piece of a case's personal data to look for. */
export interface PersonalItem {
  kind: PersonalDataKind;
  value: string;
}

/** Where a piece of personal data stands in a text: `field`, and the UTF-16 offsets [start, end) in it. */
export interface Finding {
  field: string;
  kind: PersonalDataKind;
  start: number;
  end: number;
}

/** The words of each kind, and the placeholder automatic replacement puts in its place. */
export const personalDataWords: Record<PersonalDataKind, { zh: string; en: string; placeholder: string }> = {
  cadreName: { zh: '干部姓名', en: 'the cadre’s name', placeholder: '某干部' },
  cadreId: { zh: '干部编号', en: 'the cadre’s id', placeholder: '（编号略）' },
  personName: { zh: '单位人员姓名', en: 'a name of a person of the unit', placeholder: '某同志' },
  personId: { zh: '单位人员编号', en: 'an id of a person of the unit', placeholder: '（编号略）' },
  caseReference: { zh: '问责案件编号', en: 'the accountability case reference', placeholder: '（案件编号略）' },
};

const SKIPPED = /[\s\u200b-\u200d\u2060\ufeff\u00ad\u00b7\u30fb\u2027\u2022\-_./\u2010-\u2015\u2212]/u;
const LATIN = /^[a-z0-9]$/;
/** The fewest significant characters a needle needs to be looked for. */
export const MIN_NEEDLE = 2;

/** A normalized character and the span of the original text it comes from. */
interface Mapped {
  ch: string;
  start: number;
  end: number;
}

const fold = (s: string): string => s.normalize('NFKC').toLowerCase();

/** The significant characters of `text`, normalized, each with where it stands in `text`. */
function mapped(text: string): Mapped[] {
  const out: Mapped[] = [];
  let at = 0;
  for (const cp of text) {
    const start = at;
    at += cp.length;
    for (const ch of fold(cp)) if (!SKIPPED.test(ch)) out.push({ ch, start, end: at });
  }
  return out;
}

/** What a value is compared as: its significant characters, normalized. */
export function normalizedNeedle(value: string): string {
  return mapped(value)
    .map((m) => m.ch)
    .join('');
}

/** The Latin letter or digit of `text` that touches offset `at` from the given side, if the neighbour is one. */
function latinNeighbour(text: string, at: number, side: 'before' | 'after'): boolean {
  const cp = side === 'before' ? [...text.slice(Math.max(0, at - 2), at)].at(-1) : [...text.slice(at, at + 2)][0];
  if (cp === undefined) return false;
  const ch = fold(cp);
  return ch.length > 0 && LATIN.test(side === 'before' ? ch.at(-1)! : ch[0]!);
}

/** Every place of `text` (the field `field`) where an item stands; overlapping finds are all listed. */
function findIn(field: string, text: string, items: readonly PersonalItem[]): Finding[] {
  const chars = mapped(text);
  const hay = chars.map((m) => m.ch);
  const out: Finding[] = [];
  for (const item of items) {
    const needle = [...normalizedNeedle(item.value)];
    if (needle.length < MIN_NEEDLE) continue;
    const latinStart = LATIN.test(needle[0]!);
    const latinEnd = LATIN.test(needle.at(-1)!);
    for (let i = 0; i + needle.length <= hay.length; i++) {
      let j = 0;
      while (j < needle.length && hay[i + j] === needle[j]) j++;
      if (j < needle.length) continue;
      const start = chars[i]!.start;
      const end = chars[i + needle.length - 1]!.end;
      if (latinStart && latinNeighbour(text, start, 'before')) continue;
      if (latinEnd && latinNeighbour(text, end, 'after')) continue;
      out.push({ field, kind: item.kind, start, end });
    }
  }
  return out.sort((a, b) => a.start - b.start || b.end - a.end);
}

/** The pieces worth looking for: distinct by kind and normalized value, long enough. */
export function personalItems(items: readonly PersonalItem[]): PersonalItem[] {
  const seen = new Set<string>();
  return items.filter((i) => {
    const n = normalizedNeedle(i.value);
    const key = `${i.kind}|${n}`;
    if (n.length < MIN_NEEDLE || seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

/** Every piece of personal data that stands in any of `texts`, field by field, in order. */
export function findPersonalData(texts: Readonly<Record<string, string>>, items: readonly PersonalItem[]): Finding[] {
  const wanted = personalItems(items);
  return Object.entries(texts).flatMap(([field, text]) => findIn(field, text, wanted));
}

/** A replacement made: what kind of data, in which field (never the value). */
export interface Replacement {
  field: string;
  kind: PersonalDataKind;
  placeholder: string;
}

/**
 * `texts` with every piece of personal data replaced by its kind's placeholder (where finds overlap,
 * the one that starts first, then the longest, is replaced), and what was replaced. The result is
 * looked at again until nothing is found (a replacement can never bring a name together, but the
 * check is cheap); `remaining` says what is still there if it did not come clean.
 */
export function replacePersonalData(
  texts: Readonly<Record<string, string>>,
  items: readonly PersonalItem[],
): { texts: Record<string, string>; replaced: Replacement[]; remaining: Finding[] } {
  const out: Record<string, string> = { ...texts };
  const replaced: Replacement[] = [];
  for (let round = 0; round < 3; round++) {
    const finds = findPersonalData(out, items);
    if (finds.length === 0) return { texts: out, replaced, remaining: [] };
    for (const field of Object.keys(out)) {
      // keep the first of overlapping finds, then replace from the end so offsets stay valid
      const kept: Finding[] = [];
      for (const f of finds.filter((x) => x.field === field)) if (!kept.length || f.start >= kept.at(-1)!.end) kept.push(f);
      let text = out[field]!;
      for (const f of [...kept].reverse()) text = text.slice(0, f.start) + personalDataWords[f.kind].placeholder + text.slice(f.end);
      replaced.push(...kept.map((f) => ({ field, kind: f.kind, placeholder: personalDataWords[f.kind].placeholder })));
      out[field] = text;
    }
  }
  return { texts: out, replaced, remaining: findPersonalData(out, items) };
}
