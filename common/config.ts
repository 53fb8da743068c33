/**
 * The one configuration module. Every setting has an environment name, a default and a line of
 * documentation; `loadConfig` validates them all with zod and fails naming the bad setting.
 * Temporal connection settings (address, namespace, TLS, API key, profiles) follow the SDK's own
 * environment-configuration conventions and are read by `@temporalio/envconfig`, see `temporal.ts`.
 */
import path from 'node:path';
import { z } from 'zod';
import { parsePayloadKeys, type PayloadKey } from './payload-keys';

const port = z.coerce.number().int().min(1).max(65535);
const bool = z
  .enum(['true', 'false', '1', '0', 'yes', 'no'])
  .transform((v) => v === 'true' || v === '1' || v === 'yes');
const optionalUrl = z.union([z.literal(''), z.url()]).transform((v) => (v === '' ? undefined : v));
/** `id:base64key,...`; empty means the embedded key file (see common/payload-keys.ts). */
const payloadKeys = z.string().transform((v, ctx): PayloadKey[] | undefined => {
  if (v.trim() === '') return undefined;
  try {
    return parsePayloadKeys(v);
  } catch (err) {
    ctx.addIssue({ code: 'custom', message: (err as Error).message });
    return z.NEVER;
  }
});
/** Comma-separated web origins (scheme://host[:port]); empty allows none. */
const origins = z.string().transform((v, ctx): string[] => {
  const out: string[] = [];
  for (const item of v.split(',').map((o) => o.trim()).filter((o) => o !== '')) {
    let origin: string | undefined;
    try {
      origin = new URL(item).origin;
    } catch {
      origin = undefined;
    }
    if (origin !== item || !/^https?:/.test(item)) ctx.addIssue({ code: 'custom', message: `"${item}" is not an origin: scheme://host[:port], http or https, without a path or a trailing slash` });
    else out.push(origin);
  }
  return out;
});

interface Setting<S extends z.ZodType = z.ZodType> {
  env: string;
  default: string;
  doc: string;
  schema: S;
  /** A secret: an invalid value is reported without echoing it. */
  secret?: boolean;
}
const setting = <S extends z.ZodType>(env: string, def: string, doc: string, schema: S, secret = false): Setting<S> => ({
  env,
  default: def,
  doc,
  schema,
  ...(secret ? { secret } : {}),
});

/** The table of settings. The README's configuration table is printed from it (`npm run config:doc`). */
export const settings = {
  logLevel: setting('LOG_LEVEL', 'info', 'pino log level: fatal, error, warn, info, debug, trace or silent.', z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'])),
  dataDir: setting('DATA_DIR', './data', 'Folder for local state: the dev server SQLite file and the embedded record store.', z.string().min(1)),
  temporalAddress: setting('TEMPORAL_ADDRESS', '', 'host:port of a Temporal server. Empty: `npm start` runs the embedded dev server. TLS, API key, namespace and profiles follow the SDK environment conventions (TEMPORAL_NAMESPACE, TEMPORAL_API_KEY, TEMPORAL_TLS_*, TEMPORAL_PROFILE, TEMPORAL_CONFIG_FILE).', z.string()),
  temporalNamespace: setting('TEMPORAL_NAMESPACE', 'default', 'Temporal namespace that holds the cases.', z.string().min(1)),
  taskQueue: setting('TEMPORAL_TASK_QUEUE', 'rongcuo-cases', 'Task queue the case workflows and activities run on.', z.string().min(1)),
  maxCachedWorkflows: setting('WORKER_MAX_CACHED_WORKFLOWS', '300', 'Cases a worker keeps in memory between tasks. Waiting cases need none: an evicted case is replayed from its history on its next task. Each cached case holds about 1 MB of the workflow heap (WORKER_WORKFLOW_HEAP_MIB).', z.coerce.number().int().min(0).max(100000)),
  workflowHeapMiB: setting('WORKER_WORKFLOW_HEAP_MIB', '768', 'V8 old-space limit, in MiB, of the threads that run case workflows. Without a limit V8 sizes the heap from the machine\'s memory and lets the garbage of every case it has run pile up to gigabytes before collecting it. Keep it at least 2.5 × (30 + 0.75 × WORKER_MAX_CACHED_WORKFLOWS); the worker warns when it is below. 0: V8\'s default.', z.coerce.number().int().min(0).max(65536)),
  devServerPort: setting('TEMPORAL_DEV_PORT', '7233', 'gRPC port of the embedded dev server.', port),
  devUiPort: setting('TEMPORAL_UI_PORT', '8233', 'Web UI port of the embedded dev server.', port),
  temporalCli: setting('TEMPORAL_CLI', '', 'Path of the `temporal` CLI. Empty: PATH, then tools/bin.', z.string()),
  apiHost: setting('API_HOST', '127.0.0.1', 'Interface the HTTP API listens on (0.0.0.0 in containers).', z.string().min(1)),
  apiPort: setting('API_PORT', '3000', 'Port of the HTTP API.', port),
  apiPublicUrl: setting('API_PUBLIC_URL', '', 'Base URL clients use to reach the API, for Location headers and OpenAPI. Empty: http://API_HOST:API_PORT.', optionalUrl),
  bodyLimit: setting('API_BODY_LIMIT', '262144', 'Largest accepted request body in bytes.', z.coerce.number().int().positive()),
  rateLimit: setting('API_RATE_LIMIT', '600', 'Requests per minute allowed to one caller (by token subject, else address).', z.coerce.number().int().positive()),
  jwtSecret: setting('JWT_SECRET', 'rongcuo-development-secret-change-me-0123456789', 'HS256 secret for bearer tokens (at least 32 characters). Used when JWT_JWKS_URL is empty.', z.string().min(32, 'must be at least 32 characters'), true),
  jwtJwksUrl: setting('JWT_JWKS_URL', '', 'JWKS URL of an identity provider; when set, tokens are RS256/ES256 verified against it instead of JWT_SECRET.', optionalUrl),
  jwtIssuer: setting('JWT_ISSUER', 'rongcuo', 'Expected `iss` claim.', z.string().min(1)),
  jwtAudience: setting('JWT_AUDIENCE', 'rongcuo-api', 'Expected `aud` claim.', z.string().min(1)),
  jwtMaxLifetimeSeconds: setting('JWT_MAX_LIFETIME_SECONDS', '86400', 'Longest lifetime (`exp` − `iat`, in seconds) of a bearer token the API accepts. Tokens must carry `iat` and `exp`; a longer-lived token, or one issued more than 60 s in the future, is refused with 401.', z.coerce.number().int().min(60).max(31_536_000)),
  databaseUrl: setting('DATABASE_URL', '', 'PostgreSQL connection URL of the record system. Empty: the embedded PostgreSQL-compatible store in DATA_DIR/records.', optionalUrl),
  seedDemoData: setting('SEED_DEMO_DATA', 'auto', 'Load the demo registry (two localities, their bodies and cadres), performance records and recipients into an empty record store: auto (the embedded store only, never PostgreSQL), true or false.', z.union([z.literal('auto'), bool])),
  smtpUrl: setting('SMTP_URL', '', 'SMTP server URL (smtp:// or smtps://, credentials in the URL). Empty: mail goes to the outbox table.', optionalUrl),
  mailFrom: setting('MAIL_FROM', 'rongcuo <noreply@rongcuo.local>', 'Sender address of notification mail.', z.string().min(3)),
  webhookSecret: setting('WEBHOOK_SECRET', 'rongcuo-webhook-development-secret-0123456789', 'HMAC-SHA256 key that signs webhook deliveries (at least 32 characters).', z.string().min(32, 'must be at least 32 characters'), true),
  calendarDir: setting('CALENDAR_DIR', '', 'Folder of published State Council holiday notices (<year>.json) that replace the shipped years, written by `npm run calendar:notice`. Empty: DATA_DIR/calendar.', z.string()),
  policyDir: setting('POLICY_DIR', '', 'Folder of extra policy documents (*.json) loaded beside the built-in default.', z.string()),
  payloadKeys: setting('PAYLOAD_KEYS', '', 'Keys that encrypt Temporal payloads (AES-256-GCM), as comma-separated `id:base64key` entries of 32-byte keys (`openssl rand -base64 32`). The first encrypts, all decrypt by id: rotate by putting a new key first and keeping the old ones while histories need them. Every worker and API process needs the same keys. Empty: a key generated on the first start and kept in DATA_DIR/payload-keys (mode 0600), with a warning; production must set this.', payloadKeys, true),
  payloadEncryption: setting('PAYLOAD_ENCRYPTION', 'true', 'Encrypt Temporal payloads (workflow input, case state, Update and activity arguments hold personal data). `false` writes new payloads in the clear (earlier encrypted ones still decrypt with the keys available): acceptable only with synthetic data (tests, demos, benchmarks) or when everyone with access to the Temporal server, its database and its UI may see the personal data of every case.', bool),
  recordKeys: setting('RECORD_KEYS', '', 'Master keys of the record system, in the format of PAYLOAD_KEYS (comma-separated `id:base64key` entries of 32-byte keys). Each case\'s personal data in the record store is encrypted (AES-256-GCM) with a key of its own, which these keys wrap; they also key the hashed cadre index. The first wraps new case keys and indexes new cases, all unwrap and look up by id: rotate by putting a new key first and keeping the old ones while cases under them remain. Every process that opens the record store needs the same keys. Empty: a key generated on the first start and kept in DATA_DIR/record-keys (mode 0600), with a warning; production must set this.', payloadKeys, true),
  signinDevIdentities: setting('SIGNIN_DEV_IDENTITIES', 'false', 'Let the sign-in page (/signin) start a session as a development identity (a supervisor, an organization officer) without a token, so the Temporal UI decodes payloads. `npm start` turns it on for the embedded dev server when unset; never in production. Refused together with JWT_JWKS_URL.', bool),
  reportSchedules: setting('REPORT_SCHEDULES', 'true', 'Create or update, when the worker starts, the Temporal Schedules of the periodic reports: a monthly report and a quarterly consultation digest for every locality of the registry (ids `report-monthly-<locality>`, `report-quarterly-<locality>`). false: leave the schedules as they are.', bool),
  codecCorsOrigins: setting('CODEC_CORS_ORIGINS', 'http://localhost:8233,http://127.0.0.1:8233', 'Comma-separated web origins (scheme://host[:port]) whose pages may call the codec endpoint (/codec) from a browser: the Temporal UI. Empty: none.', origins),
} as const;

type Settings = typeof settings;
export type Config = { [K in keyof Settings]: z.output<Settings[K]['schema']> };

export class ConfigError extends Error {
  override name = 'ConfigError';
}

/** Reads and validates every setting; throws a ConfigError that names each bad setting. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const out: Record<string, unknown> = {};
  const problems: string[] = [];
  for (const [key, s] of Object.entries(settings) as [string, Setting][]) {
    const raw = env[s.env] ?? s.default;
    const parsed = s.schema.safeParse(raw);
    if (parsed.success) out[key] = parsed.data;
    else problems.push(`${s.env}=${s.secret ? '(hidden)' : JSON.stringify(raw)}: ${parsed.error.issues.map((i) => i.message).join('; ')}`);
  }
  if (out.signinDevIdentities === true && out.jwtJwksUrl) {
    problems.push('SIGNIN_DEV_IDENTITIES=true: not with JWT_JWKS_URL (sessions of development identities are signed with JWT_SECRET, which the API does not accept then)');
  }
  if (problems.length) throw new ConfigError(`Invalid configuration:\n  ${problems.join('\n  ')}`);
  const config = out as Config;
  return { ...config, dataDir: path.resolve(config.dataDir) };
}

/** The configuration table as Markdown, for the README. */
export function configTable(): string {
  const rows = Object.values(settings).map((s) => `| \`${s.env}\` | \`${s.default.replace(/\|/g, '\\|')}\` | ${s.doc} |`);
  return ['| variable | default | meaning |', '|---|---|---|', ...rows].join('\n');
}
