/**
 * Personal data in the record store is sealed with a key per case, so that it can be erased from an
 * append-only ledger: destroying the case's key leaves ciphertext nobody can read, while the hash
 * chain, computed over what is stored, still verifies.
 *
 * - Each case has a random 32-byte data key, kept in `case_keys` wrapped (AES-256-GCM) by a master
 *   key of RECORD_KEYS. The first master key wraps new case keys; every listed key unwraps by its id.
 * - A value is sealed with AES-256-GCM under a key derived from the case's data key; its additional
 *   data names the case and the field, so a sealed value cannot be moved to another case or column.
 *   Sealed values are text: `enc:v1:` and base64 of IV ‖ ciphertext ‖ tag.
 * - Ledger payloads are sealed deterministically (the IV is an HMAC of the entry), so recording the
 *   same entry again gives the same stored payload and digest, which is how a retry is recognised.
 * - Cadres are found by a keyed hash of their id (HMAC-SHA256 under a key derived from a master key),
 *   never by the id itself; erasure clears that hash with the rest.
 * Nothing here logs or prints key material.
 */
import { createCipheriv, createDecipheriv, createHmac, hkdfSync, randomBytes } from 'node:crypto';
import type { Config } from '../../common/config';
import { loadOrCreateEmbeddedKeys, type EmbeddedKeyFile, type PayloadKey } from '../../common/payload-keys';

const ALGORITHM = 'aes-256-gcm';
const IV_BYTES = 12;
const TAG_BYTES = 16;
const KEY_BYTES = 32;

/** How a sealed value starts; anything else in a personal column was written before sealing. */
export const SEALED_PREFIX = 'enc:v1:';

export const isSealed = (value: unknown): value is string => typeof value === 'string' && value.startsWith(SEALED_PREFIX);

/** A key is missing, or a sealed value or wrapped key failed authentication. Retried: a configuration fix cures it. */
export class RecordKeyError extends Error {
  override name = 'RecordKeyError';
}

const derive = (key: Buffer, salt: string, info: string): Buffer => Buffer.from(hkdfSync('sha256', key, Buffer.from(salt, 'utf8'), Buffer.from(info, 'utf8'), KEY_BYTES));

function gcmSeal(key: Buffer, iv: Buffer, plaintext: Buffer, aad: string): string {
  const cipher = createCipheriv(ALGORITHM, key, iv, { authTagLength: TAG_BYTES });
  cipher.setAAD(Buffer.from(aad, 'utf8'));
  const body = Buffer.concat([cipher.update(plaintext), cipher.final()]);
  return Buffer.concat([iv, body, cipher.getAuthTag()]).toString('base64');
}

function gcmOpen(key: Buffer, sealed: string, aad: string, what: string): Buffer {
  const bytes = Buffer.from(sealed, 'base64');
  if (bytes.length < IV_BYTES + TAG_BYTES) throw new RecordKeyError(`${what} is not a sealed value`);
  const decipher = createDecipheriv(ALGORITHM, key, bytes.subarray(0, IV_BYTES), { authTagLength: TAG_BYTES });
  decipher.setAAD(Buffer.from(aad, 'utf8'));
  decipher.setAuthTag(bytes.subarray(bytes.length - TAG_BYTES));
  try {
    return Buffer.concat([decipher.update(bytes.subarray(IV_BYTES, bytes.length - TAG_BYTES)), decipher.final()]);
  } catch {
    throw new RecordKeyError(`${what} failed authentication: it was altered, or sealed under another key`);
  }
}

/** The unwrapped key of one case: seals and opens its personal values. */
export class CaseKey {
  readonly #encryption: Buffer;
  readonly #nonce: Buffer;

  constructor(
    readonly caseId: string,
    dataKey: Buffer,
  ) {
    this.#encryption = derive(dataKey, caseId, 'rongcuo/records/seal');
    this.#nonce = derive(dataKey, caseId, 'rongcuo/records/ledger-nonce');
  }

  #aad(field: string): string {
    return `rongcuo/records|${this.caseId}|${field}`;
  }

  /** Seals `text` for `field` (e.g. `cases.cadre_name`, `rulings.reasons#1`) with a random IV. */
  seal(field: string, text: string): string {
    return SEALED_PREFIX + gcmSeal(this.#encryption, randomBytes(IV_BYTES), Buffer.from(text, 'utf8'), this.#aad(field));
  }

  /** Seals deterministically: the same field and text always give the same value (ledger payloads). */
  sealDeterministic(field: string, text: string): string {
    const iv = createHmac('sha256', this.#nonce).update(`${field}\n${text}`, 'utf8').digest().subarray(0, IV_BYTES);
    return SEALED_PREFIX + gcmSeal(this.#encryption, iv, Buffer.from(text, 'utf8'), this.#aad(field));
  }

  /** Opens a value of `field`; a value written before sealing comes back as it is, NULL as undefined. */
  open(field: string, value: string | null | undefined): string | undefined {
    if (value === null || value === undefined) return undefined;
    if (!isSealed(value)) return value;
    return gcmOpen(this.#encryption, value.slice(SEALED_PREFIX.length), this.#aad(field), `the sealed ${field} of case ${this.caseId}`).toString('utf8');
  }
}

/** The master keys (RECORD_KEYS): wrap case keys and key the cadre index. */
export class RecordKeys {
  readonly #wrapping: Map<string, Buffer>;
  readonly #index: { id: string; key: Buffer }[];

  constructor(masterKeys: readonly PayloadKey[]) {
    if (masterKeys.length === 0) throw new RecordKeyError('the record system needs at least one master key');
    this.#wrapping = new Map(masterKeys.map((k) => [k.id, derive(k.key, k.id, 'rongcuo/records/wrap')]));
    this.#index = masterKeys.map((k) => ({ id: k.id, key: derive(k.key, k.id, 'rongcuo/records/cadre-index') }));
  }

  /** The ids of the configured master keys, the one that wraps new case keys first. */
  get ids(): string[] {
    return this.#index.map((k) => k.id);
  }

  /** A new random key for `caseId`, and its wrapped form for `case_keys`. */
  newCaseKey(caseId: string): { caseKey: CaseKey; keyId: string; wrapped: string } {
    const [current] = this.#index;
    const dataKey = randomBytes(KEY_BYTES);
    const wrapped = gcmSeal(this.#wrapping.get(current!.id)!, randomBytes(IV_BYTES), dataKey, `rongcuo/case-key|${caseId}|${current!.id}`);
    return { caseKey: new CaseKey(caseId, dataKey), keyId: current!.id, wrapped };
  }

  /** Unwraps the stored key of `caseId`; throws RecordKeyError when master key `keyId` is not configured. */
  openCaseKey(caseId: string, keyId: string, wrapped: string): CaseKey {
    const master = this.#wrapping.get(keyId);
    if (!master) throw new RecordKeyError(`the key of case ${caseId} is wrapped by master key "${keyId}", which RECORD_KEYS does not list`);
    return new CaseKey(caseId, gcmOpen(master, wrapped, `rongcuo/case-key|${caseId}|${keyId}`, `the key of case ${caseId}`));
  }

  /** The keyed hash a new row stores for `cadreId` (under the first master key). */
  cadreRef(cadreId: string): string {
    return this.#ref(this.#index[0]!.key, cadreId);
  }

  /** The keyed hashes of `cadreId` under every master key: a lookup matches rows indexed before a rotation too. */
  cadreRefs(cadreId: string): string[] {
    return this.#index.map((k) => this.#ref(k.key, cadreId));
  }

  #ref(key: Buffer, cadreId: string): string {
    return createHmac('sha256', key).update(cadreId, 'utf8').digest('hex');
  }
}

/** DATA_DIR/record-keys, the embedded default of RECORD_KEYS. */
export const recordKeyFile: EmbeddedKeyFile = {
  name: 'record-keys',
  header: [
    '# Master keys of the record store of this installation (id:base64key, the first wraps new case keys).',
    '# Generated on the first start. Losing this file makes the personal data of every case unreadable.',
    '# Production sets RECORD_KEYS instead.',
  ],
};

/** Where warnings about the keys go (a pino logger fits). */
export interface KeyWarnings {
  warn(obj: object, msg: string): void;
}

/**
 * The master keys of a process: RECORD_KEYS when set, else the embedded key file in DATA_DIR, created
 * on the first start, with a warning that production must set RECORD_KEYS.
 */
export function recordKeysOf(config: Pick<Config, 'recordKeys' | 'dataDir'>, log: KeyWarnings): RecordKeys {
  if (config.recordKeys) return new RecordKeys(config.recordKeys);
  const embedded = loadOrCreateEmbeddedKeys(config.dataDir, recordKeyFile);
  log.warn(
    { file: embedded.file, keyId: embedded.keys[0]?.id, created: embedded.created },
    'RECORD_KEYS is not set: personal data in the record store is sealed under the embedded key file. Production must set RECORD_KEYS (the same keys in every process that opens the record store) and keep them safe',
  );
  if (embedded.exposed) log.warn({ file: embedded.file }, 'the record key file is readable by other users; restrict it with chmod 600');
  return new RecordKeys(embedded.keys);
}
