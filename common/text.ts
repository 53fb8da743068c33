/**
 * Text the stores downstream could refuse or mangle: PostgreSQL `text` cannot hold NUL, Temporal's
 * protobuf strings must be valid UTF-8 (a lone UTF-16 surrogate has no UTF-8 form), and control
 * characters other than tab, line feed and carriage return have no place in casework text (they
 * hide content in logs and documents). Pure functions: the API applies them to every string of a
 * request, and to the claims of a token.
 */

export type UnsafeReason = 'nul' | 'control' | 'surrogate';

export interface UnsafeCharacter {
  reason: UnsafeReason;
  /** The code unit, as U+XXXX. */
  codePoint: string;
  /** Its index in the string (UTF-16 code units). */
  index: number;
}

// Unicode Cc without tab (09), line feed (0A) and carriage return (0D): C0, DEL and C1.
const CONTROL = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F-\u009F]/;
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

const hex = (unit: number) => `U+${unit.toString(16).toUpperCase().padStart(4, '0')}`;

/** The first character of `s` that is not accepted, or undefined when every one is. */
export function unsafeCharacter(s: string): UnsafeCharacter | undefined {
  const control = CONTROL.exec(s);
  const surrogate = LONE_SURROGATE.exec(s);
  const first = control && surrogate ? (control.index < surrogate.index ? control : surrogate) : (control ?? surrogate);
  if (!first) return undefined;
  const unit = s.charCodeAt(first.index);
  const reason: UnsafeReason = first === surrogate ? 'surrogate' : unit === 0 ? 'nul' : 'control';
  return { reason, codePoint: hex(unit), index: first.index };
}

/** True when `s` has no character that unsafeCharacter refuses. */
export const isSafeText = (s: string): boolean => unsafeCharacter(s) === undefined;

export interface UnsafeText extends UnsafeCharacter {
  /** Dotted path from the root: `body.cadre.name`, `body.evidence.0.title`. */
  path: string;
  /** True when the character is in a key (the path then names the object holding it). */
  inKey: boolean;
}

/**
 * Every string (and object key) in `value` with a character that is not accepted, by path from
 * `root`: an object's keys when it is reached, then its values in order. Iterative, so deeply nested values cannot overflow the stack; stops
 * after `limit` findings.
 */
export function findUnsafeText(value: unknown, root: string, limit = 20): UnsafeText[] {
  const found: UnsafeText[] = [];
  const stack: [unknown, string][] = [[value, root]];
  while (stack.length > 0 && found.length < limit) {
    const [node, at] = stack.pop() as [unknown, string];
    if (typeof node === 'string') {
      const bad = unsafeCharacter(node);
      if (bad) found.push({ ...bad, path: at, inKey: false });
      continue;
    }
    if (node === null || typeof node !== 'object') continue;
    const children: [unknown, string][] = [];
    for (const key of Object.keys(node)) {
      const badKey = unsafeCharacter(key);
      if (badKey) {
        // A bad key is not repeated in the path: the object holding it is named instead.
        if (found.length < limit) found.push({ ...badKey, path: at, inKey: true });
        continue;
      }
      children.push([(node as Record<string, unknown>)[key], `${at}.${key}`]);
    }
    // Pushed in reverse, so they are visited in document order.
    for (let i = children.length - 1; i >= 0; i--) stack.push(children[i] as [unknown, string]);
  }
  return found;
}

/** A short description of what is wrong, for a field error, in English or Chinese; it never repeats the text. */
export function describeUnsafe(u: Pick<UnsafeText, 'reason' | 'codePoint' | 'inKey'>, language: 'en' | 'zh' = 'en'): string {
  if (language === 'zh') {
    const where = u.inKey ? '此处有键含有' : '含有';
    switch (u.reason) {
      case 'nul':
        return `${where} NUL 字符（U+0000），不予接受`;
      case 'surrogate':
        return `${where}孤立的 UTF-16 代理项（${u.codePoint}），不是有效的 Unicode`;
      case 'control':
        return `${where}控制字符 ${u.codePoint}；控制字符中只接受制表符、换行符和回车符`;
    }
  }
  const where = u.inKey ? 'a key here has' : 'has';
  switch (u.reason) {
    case 'nul':
      return `${where} a NUL character (U+0000), which is not accepted`;
    case 'surrogate':
      return `${where} a lone UTF-16 surrogate (${u.codePoint}), which is not valid Unicode`;
    case 'control':
      return `${where} the control character ${u.codePoint}; of the control characters only tab, line feed and carriage return are accepted`;
  }
}
