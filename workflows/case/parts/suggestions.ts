/**
 * Third-party reports and correction suggestions (第三方评估报告、纠错建议): an expert's or third-party
 * assessor's opinion may carry its report and correction suggestions, numbered `s<opinion>-<n>`;
 * the correction plan answers each one — adopted as a measure of the plan, or not adopted with a
 * reason — and is refused while one is unanswered. Opinions and plans of before carry none.
 */
import type { SuggestionResponse } from '../../../domain/case';
import type { CaseMachine } from '../machine';

export interface Suggestion {
  id: string;
  text: string;
}

/** The suggestions of a new opinion, numbered by the opinion's place among the case's opinions. */
export function numberSuggestions(opinionNo: number, texts: readonly string[] | undefined): Suggestion[] | undefined {
  return texts?.length ? texts.map((text, i) => ({ id: `s${opinionNo}-${i + 1}`, text })) : undefined;
}

/** Every correction suggestion of the case's opinions, in order. */
export const caseSuggestions = (m: CaseMachine): Suggestion[] => m.s.experts.opinions.flatMap((o) => o.suggestions ?? []);

/** The suggestions `responses` leave unanswered. */
export function unansweredSuggestions(m: CaseMachine, responses: readonly Pick<SuggestionResponse, 'suggestionId'>[]): Suggestion[] {
  const answered = new Set(responses.map((r) => r.suggestionId));
  return caseSuggestions(m).filter((x) => !answered.has(x.id));
}

/** A suggestion as a problem names it: its number and the start of its text. */
export function suggestionText(x: Suggestion): string {
  const chars = [...x.text];
  return `${x.id}（“${chars.length > 40 ? `${chars.slice(0, 40).join('')}……` : x.text}”）`;
}

/** The plan's answers as the case keeps them: an adopted suggestion names the measure's id. */
export function responsesOf(responses: readonly SuggestionResponse[] | undefined): { suggestionId: string; adopted: boolean; measureId?: string; reason?: string }[] | undefined {
  if (!responses?.length) return undefined;
  return responses.map((r) => ({ suggestionId: r.suggestionId, adopted: r.adopted, ...(r.measureNo !== undefined ? { measureId: `m${r.measureNo}` } : {}), ...(r.reason !== undefined ? { reason: r.reason } : {}) }));
}
