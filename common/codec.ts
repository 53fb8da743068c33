/**
 * Encryption of Temporal payloads. A case carries personal data through Temporal: the workflow input
 * (the application: the cadre's name, id, post, the incident and its evidence), the case state that
 * the getCase query returns, the inputs and results of activities (records, notifications), and the
 * Update arguments of every human action. Temporal stores all of them in the workflow history, and
 * anyone with access to the Temporal server, its database or its Web UI could read them. This codec
 * encrypts every payload before it leaves the client or the worker, so the server only ever holds
 * ciphertext; the API's codec endpoint (/codec) decrypts for the Temporal UI and CLI, for the roles
 * allowed to see cases. Search attributes never pass through a codec (the server indexes them), which
 * is why they hold nothing personal (see workflows/messages.ts).
 *
 * Format: an encrypted payload has metadata `encoding: binary/encrypted` and
 * `encryption-key-id: <id>`; its data is IV (12 random bytes) ‖ AES-256-GCM ciphertext ‖ tag (16 bytes)
 * of the whole original Payload protobuf (metadata included), with the key id as additional
 * authenticated data. Payloads of any other encoding decode unchanged, so histories written before
 * encryption was turned on still replay.
 *
 * Keys rotate: the first key encrypts, every configured key decrypts the payloads that name it.
 *
 * One kind of payload stays in the clear: a bare JSON string. Those are the case's static summary and
 * current details (written for the Temporal UI, with no personal data, so a UI without a login still
 * tells a supervisor where each case is), timestamps planned by activities and the request digest in
 * the memo. Personal data always travels inside objects (application, case state, action inputs),
 * which are always encrypted; the workflow never sends personal data as a bare string.
 *
 * A second kind stays in the clear: the answer to the SDK's built-in `__temporal_workflow_metadata`
 * query, which is how the Temporal UI fetches the current details (with the names and descriptions of
 * the workflow's handlers). The SDK writes it as an ordinary json/plain object with no metadata of its
 * own, and built-in queries bypass workflow interceptors, so it is recognised by its shape
 * (`isWorkflowMetadata`): an object of exactly `definition` (the workflow type and its query, signal
 * and update definitions, each a name and a description) and `currentDetails` (a string). Left in
 * the clear, the details are readable in a UI that cannot reach the codec endpoint.
 */
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { METADATA_ENCODING_KEY, type Payload, type PayloadCodec } from '@temporalio/common';
import { decode as utf8Decode, encode as utf8Encode } from '@temporalio/common/lib/encoding';
import { temporal } from '@temporalio/proto';
import type { Config } from './config';
import { loadOrCreateEmbeddedKeys, readEmbeddedKeys, type PayloadKey } from './payload-keys';

export const ENCRYPTED_ENCODING = 'binary/encrypted';

export const METADATA_KEY_ID = 'encryption-key-id';

const ALGORITHM = 'aes-256-gcm';
const IV_BYTES = 12;
const TAG_BYTES = 16;

/** A payload that cannot be decrypted: its key is unknown, or it was altered. */
const QUOTE = 0x22;
/** A json/plain payload holding one JSON string (see the module comment: summaries and details). */
function isBareString(payload: Payload): boolean {
  const encoding = payload.metadata?.[METADATA_ENCODING_KEY];
  return !!encoding && utf8Decode(encoding) === 'json/plain' && payload.data?.[0] === QUOTE;
}

/** The SDK's JSON of a WorkflowMetadata message starts with these bytes (its key order is fixed). */
const METADATA_PREFIX = utf8Encode('{"definition":{');

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const onlyKeys = (o: Record<string, unknown>, allowed: readonly string[]) => Object.keys(o).every((k) => allowed.includes(k));
const isDefinitionList = (v: unknown) =>
  v === undefined || (Array.isArray(v) && v.every((d) => isObject(d) && onlyKeys(d, ['name', 'description']) && typeof d.name === 'string' && (d.description === undefined || typeof d.description === 'string')));

/**
 * Whether a payload is the answer to `__temporal_workflow_metadata` (see the module comment): json/plain
 * data holding `{ definition: { type, queryDefinitions, signalDefinitions, updateDefinitions }, currentDetails }`
 * and nothing else. Anything with another key, or a value of another type, is not it and is encrypted.
 */
export function isWorkflowMetadata(payload: Payload): boolean {
  const encoding = payload.metadata?.[METADATA_ENCODING_KEY];
  const data = payload.data;
  if (!encoding || utf8Decode(encoding) !== 'json/plain' || !data || data.length < METADATA_PREFIX.length) return false;
  for (let i = 0; i < METADATA_PREFIX.length; i++) if (data[i] !== METADATA_PREFIX[i]) return false;
  let value: unknown;
  try {
    value = JSON.parse(utf8Decode(data));
  } catch {
    return false;
  }
  if (!isObject(value) || !onlyKeys(value, ['definition', 'currentDetails'])) return false;
  if (value.currentDetails !== undefined && typeof value.currentDetails !== 'string') return false;
  const d = value.definition;
  return (
    isObject(d) &&
    onlyKeys(d, ['type', 'queryDefinitions', 'signalDefinitions', 'updateDefinitions']) &&
    typeof d.type === 'string' &&
    isDefinitionList(d.queryDefinitions) &&
    isDefinitionList(d.signalDefinitions) &&
    isDefinitionList(d.updateDefinitions)
  );
}

/** Payloads written in the clear: bare strings and the workflow-metadata query answer. */
export function staysInTheClear(payload: Payload): boolean {
  return isBareString(payload) || isWorkflowMetadata(payload);
}

export class PayloadDecryptionError extends Error {
  override name = 'PayloadDecryptionError';
}

export interface EncryptionCodecOptions {
  /** False: payloads are written in the clear, and encrypted ones are still decrypted with the keys. */
  encrypt?: boolean;
}

export class EncryptionCodec implements PayloadCodec {
  private readonly keys: ReadonlyMap<string, Buffer>;
  /** The key new payloads are encrypted with; undefined when the codec only decrypts. */
  readonly encryptingKeyId: string | undefined;

  constructor(keys: readonly PayloadKey[], options: EncryptionCodecOptions = {}) {
    const encrypt = options.encrypt ?? true;
    if (encrypt && keys.length === 0) throw new Error('payload encryption needs at least one key');
    for (const k of keys) if (k.key.length !== 32) throw new Error(`payload key "${k.id}" is ${k.key.length} bytes; AES-256 needs 32`);
    this.keys = new Map(keys.map((k) => [k.id, k.key]));
    this.encryptingKeyId = encrypt ? keys[0]?.id : undefined;
  }

  async encode(payloads: Payload[]): Promise<Payload[]> {
    const keyId = this.encryptingKeyId;
    if (keyId === undefined) return payloads;
    const key = this.keys.get(keyId) as Buffer;
    return payloads.map((payload) =>
      staysInTheClear(payload)
        ? payload
        : {
            metadata: { [METADATA_ENCODING_KEY]: utf8Encode(ENCRYPTED_ENCODING), [METADATA_KEY_ID]: utf8Encode(keyId) },
            data: encrypt(temporal.api.common.v1.Payload.encode(payload).finish(), key, keyId),
          },
    );
  }

  async decode(payloads: Payload[]): Promise<Payload[]> {
    return payloads.map((payload) => {
      const encoding = payload.metadata?.[METADATA_ENCODING_KEY];
      if (!encoding || utf8Decode(encoding) !== ENCRYPTED_ENCODING) return payload;
      const idBytes = payload.metadata?.[METADATA_KEY_ID];
      if (!idBytes) throw new PayloadDecryptionError(`an encrypted payload has no ${METADATA_KEY_ID} metadata`);
      const keyId = utf8Decode(idBytes);
      const key = this.keys.get(keyId);
      if (!key) {
        const known = [...this.keys.keys()];
        throw new PayloadDecryptionError(
          `a payload is encrypted with key "${keyId}", which is not configured (known key ids: ${known.length ? known.join(', ') : 'none'}); add it to PAYLOAD_KEYS`,
        );
      }
      const plain = decrypt(payload.data ?? new Uint8Array(), key, keyId);
      try {
        return temporal.api.common.v1.Payload.decode(plain);
      } catch (err) {
        throw new PayloadDecryptionError(`a payload decrypted with key "${keyId}" is not a Payload: ${(err as Error).message}`);
      }
    });
  }
}

function encrypt(plain: Uint8Array, key: Buffer, keyId: string): Uint8Array {
  const iv = randomBytes(IV_BYTES);
  const cipher = createCipheriv(ALGORITHM, key, iv, { authTagLength: TAG_BYTES });
  cipher.setAAD(Buffer.from(keyId, 'utf8'));
  return Buffer.concat([iv, cipher.update(plain), cipher.final(), cipher.getAuthTag()]);
}

function decrypt(data: Uint8Array, key: Buffer, keyId: string): Uint8Array {
  if (data.length < IV_BYTES + TAG_BYTES) {
    throw new PayloadDecryptionError(`an encrypted payload (key "${keyId}") is ${data.length} bytes, too short to hold an IV and an authentication tag`);
  }
  const bytes = Buffer.from(data.buffer, data.byteOffset, data.byteLength);
  const iv = bytes.subarray(0, IV_BYTES);
  const tag = bytes.subarray(bytes.length - TAG_BYTES);
  const decipher = createDecipheriv(ALGORITHM, key, iv, { authTagLength: TAG_BYTES });
  decipher.setAAD(Buffer.from(keyId, 'utf8'));
  decipher.setAuthTag(tag);
  try {
    return Buffer.concat([decipher.update(bytes.subarray(IV_BYTES, bytes.length - TAG_BYTES)), decipher.final()]);
  } catch {
    throw new PayloadDecryptionError(`an encrypted payload (key "${keyId}") failed authentication: it was altered, or key "${keyId}" is not the key it was encrypted with`);
  }
}

/** Where warnings about the keys go (a pino logger fits). */
export interface KeyWarnings {
  warn(obj: object, msg: string): void;
}

/**
 * The codec of a process from its configuration:
 * - PAYLOAD_KEYS set: those keys, the first encrypting.
 * - PAYLOAD_KEYS empty: the embedded key in DATA_DIR/payload-keys, created on the first start, with a
 *   warning that production must set PAYLOAD_KEYS (separate machines would each make their own).
 * - PAYLOAD_ENCRYPTION=false: nothing new is encrypted, but payloads encrypted earlier still decrypt
 *   with whichever keys are configured or already on disk (no key file is created), so turning
 *   encryption off never strands a running case.
 */
export function createPayloadCodec(config: Pick<Config, 'payloadKeys' | 'payloadEncryption' | 'dataDir'>, log: KeyWarnings): EncryptionCodec {
  if (!config.payloadEncryption) {
    const keys = config.payloadKeys ?? readEmbeddedKeys(config.dataDir)?.keys ?? [];
    log.warn({ decryptKeyIds: keys.map((k) => k.id) }, 'PAYLOAD_ENCRYPTION=false: new payloads are stored in Temporal unencrypted');
    return new EncryptionCodec(keys, { encrypt: false });
  }
  if (config.payloadKeys) return new EncryptionCodec(config.payloadKeys);
  const embedded = loadOrCreateEmbeddedKeys(config.dataDir);
  log.warn(
    { file: embedded.file, keyId: embedded.keys[0]?.id, created: embedded.created },
    'PAYLOAD_KEYS is not set: payloads are encrypted with the embedded key file. Production must set PAYLOAD_KEYS (the same keys in every worker and API process) and keep them safe',
  );
  if (embedded.exposed) log.warn({ file: embedded.file }, 'the payload key file is readable by other users; restrict it with chmod 600');
  return new EncryptionCodec(embedded.keys);
}

/** Runs payloads through a chain of codecs the way the SDK does: encode in order, decode in reverse. */
export async function encodeWith(codecs: readonly PayloadCodec[], payloads: Payload[]): Promise<Payload[]> {
  let out = payloads;
  for (const codec of codecs) out = await codec.encode(out);
  return out;
}

export async function decodeWith(codecs: readonly PayloadCodec[], payloads: Payload[]): Promise<Payload[]> {
  let out = payloads;
  for (const codec of [...codecs].reverse()) out = await codec.decode(out);
  return out;
}
