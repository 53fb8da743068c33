/**
 * The keys that encrypt Temporal payloads (see codec.ts): parsed from PAYLOAD_KEYS, or, when that is
 * empty, the embedded default: one key generated on the first start and kept in DATA_DIR/payload-keys.
 *
 * Both forms are a list of `id:base64key` entries (commas or new lines between them), each key 32
 * random bytes (AES-256). The first entry encrypts; every entry decrypts the payloads carrying its id,
 * so a key is rotated by putting a new one first and keeping the old ones until no history needs them.
 * Nothing here ever prints key material.
 */
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';

export interface PayloadKey {
  /** Stored in the clear in each encrypted payload's metadata; names the key, reveals nothing of it. */
  id: string;
  /** 32 bytes. */
  key: Buffer;
}

/** A key whose bytes stay out of JSON, logs and inspection (the property is not enumerable). */
export function payloadKey(id: string, key: Buffer): PayloadKey {
  const out = { id } as PayloadKey;
  Object.defineProperty(out, 'key', { value: key, enumerable: false });
  return out;
}

export const PAYLOAD_KEY_BYTES = 32;
export const KEY_FILE_NAME = 'payload-keys';

const KEY_ID = /^[A-Za-z0-9._-]{1,64}$/;
const BASE64 = /^[A-Za-z0-9+/]+={0,2}$/;
const GENERATE_HINT = 'generate one with `openssl rand -base64 32`';

export class PayloadKeyError extends Error {
  override name = 'PayloadKeyError';
}

/**
 * Parses `id:base64key` entries separated by commas or new lines (blank entries and `#` comment lines
 * are skipped). Throws a PayloadKeyError naming the first bad entry by its id or position, never by its key.
 */
export function parsePayloadKeys(text: string): PayloadKey[] {
  const entries = text
    .split('\n')
    .filter((line) => !line.trim().startsWith('#'))
    .flatMap((line) => line.split(','))
    .map((e) => e.trim())
    .filter((e) => e !== '');
  if (entries.length === 0) throw new PayloadKeyError('no key given');
  const keys: PayloadKey[] = [];
  entries.forEach((entry, i) => {
    const colon = entry.indexOf(':');
    if (colon < 0) throw new PayloadKeyError(`entry ${i + 1} is not id:base64key`);
    const id = entry.slice(0, colon).trim();
    const encoded = entry.slice(colon + 1).trim();
    if (!KEY_ID.test(id)) throw new PayloadKeyError(`entry ${i + 1}: the key id must be 1–64 letters, digits, dots, underscores or dashes`);
    if (keys.some((k) => k.id === id)) throw new PayloadKeyError(`key id "${id}" is given twice`);
    if (!BASE64.test(encoded) || encoded.length % 4 !== 0) throw new PayloadKeyError(`key "${id}" is not standard base64; ${GENERATE_HINT}`);
    const key = Buffer.from(encoded, 'base64');
    if (key.length !== PAYLOAD_KEY_BYTES) {
      throw new PayloadKeyError(`key "${id}" is ${key.length} bytes; AES-256 needs exactly ${PAYLOAD_KEY_BYTES} (${GENERATE_HINT})`);
    }
    keys.push(payloadKey(id, key));
  });
  return keys;
}

/** A new random key and the `id:base64key` line that stores it. */
export function generatePayloadKey(): { key: PayloadKey; line: string } {
  const key = payloadKey(`local-${randomBytes(4).toString('hex')}`, randomBytes(PAYLOAD_KEY_BYTES));
  return { key, line: `${key.id}:${key.key.toString('base64')}` };
}

export interface KeyFile {
  file: string;
  keys: PayloadKey[];
  /** True when this call wrote the file. */
  created: boolean;
  /** True when group or others may read the file. */
  exposed: boolean;
}

function readKeyFile(file: string): KeyFile {
  const text = fs.readFileSync(file, 'utf8');
  let keys: PayloadKey[];
  try {
    keys = parsePayloadKeys(text);
  } catch (err) {
    throw new PayloadKeyError(`${file}: ${(err as Error).message}`);
  }
  const exposed = process.platform !== 'win32' && (fs.statSync(file).mode & 0o077) !== 0;
  return { file, keys, created: false, exposed };
}

/** An embedded key file in DATA_DIR: its name and the comment lines written above its key. */
export interface EmbeddedKeyFile {
  name: string;
  header: readonly string[];
}

/** DATA_DIR/payload-keys, the Temporal payload keys. */
export const payloadKeyFile: EmbeddedKeyFile = {
  name: KEY_FILE_NAME,
  header: [
    '# Keys that encrypt the Temporal payloads of this installation (id:base64key, the first encrypts).',
    '# Generated on the first start. Losing this file makes every case started with it unreadable.',
    '# Production sets PAYLOAD_KEYS instead.',
  ],
};

/** Reads DATA_DIR/payload-keys (or another embedded key file), or undefined when there is none (nothing is created). */
export function readEmbeddedKeys(dataDir: string, kind: EmbeddedKeyFile = payloadKeyFile): KeyFile | undefined {
  const file = path.join(dataDir, kind.name);
  return fs.existsSync(file) ? readKeyFile(file) : undefined;
}

/**
 * Reads DATA_DIR/payload-keys (or another embedded key file), creating it (mode 0600) with one new
 * key when it does not exist.
 * The file is written under a temporary name and linked into place, which fails if another process
 * got there first: the worker and the API may start at the same moment on the same folder, and both
 * must end up with the one key that was kept.
 */
export function loadOrCreateEmbeddedKeys(dataDir: string, kind: EmbeddedKeyFile = payloadKeyFile): KeyFile {
  const existing = readEmbeddedKeys(dataDir, kind);
  if (existing) return existing;
  fs.mkdirSync(dataDir, { recursive: true });
  const file = path.join(dataDir, kind.name);
  const { line } = generatePayloadKey();
  const temporary = `${file}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
  const content = [...kind.header, line, ''].join('\n');
  fs.writeFileSync(temporary, content, { mode: 0o600, flag: 'wx' });
  try {
    fs.linkSync(temporary, file);
    return { ...readKeyFile(file), created: true };
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    return readKeyFile(file);
  } finally {
    fs.rmSync(temporary, { force: true });
  }
}
