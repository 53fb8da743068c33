/**
 * docker-compose.yml stays in step with the code: service names, the environment the worker and API
 * get (only settings common/config.ts knows, or the SDK's TEMPORAL_* names), the published ports, and
 * the search attributes the admin-tools job creates.
 */
import fs from 'node:fs';
import path from 'node:path';
import { parse } from 'yaml';
import { settings } from '../common/config';
import { searchAttributeDefinitions } from '../workflows/messages';

interface Service {
  image?: string;
  build?: unknown;
  command?: string | string[];
  entrypoint?: string | string[];
  environment?: Record<string, string | number | boolean | null> | string[];
  ports?: (string | { target: number; published: string | number })[];
  depends_on?: Record<string, { condition: string }> | string[];
  healthcheck?: { test: string | string[] };
}
interface Compose {
  services: Record<string, Service>;
  volumes?: Record<string, unknown>;
}

const compose = parse(fs.readFileSync(path.join(__dirname, '..', 'docker-compose.yml'), 'utf8')) as Compose;
const defaults = Object.fromEntries(Object.values(settings).map((s) => [s.env, s.default]));
const knownSettings = new Set(Object.values(settings).map((s) => s.env));
/** Connection settings the Temporal SDK's environment configuration reads (see common/temporal.ts). */
const sdkTemporalNames = new Set([
  'TEMPORAL_ADDRESS',
  'TEMPORAL_NAMESPACE',
  'TEMPORAL_API_KEY',
  'TEMPORAL_PROFILE',
  'TEMPORAL_CONFIG_FILE',
  'TEMPORAL_TLS',
  'TEMPORAL_TLS_CLIENT_CERT_PATH',
  'TEMPORAL_TLS_CLIENT_CERT_DATA',
  'TEMPORAL_TLS_CLIENT_KEY_PATH',
  'TEMPORAL_TLS_CLIENT_KEY_DATA',
  'TEMPORAL_TLS_SERVER_CA_CERT_PATH',
  'TEMPORAL_TLS_SERVER_CA_CERT_DATA',
  'TEMPORAL_TLS_SERVER_NAME',
  'TEMPORAL_TLS_DISABLE_HOST_VERIFICATION',
  'TEMPORAL_CODEC_ENDPOINT',
  'TEMPORAL_CODEC_AUTH',
]);
const isSdkTemporalName = (n: string) => sdkTemporalNames.has(n) || n.startsWith('TEMPORAL_GRPC_META_');

function service(name: string): Service {
  const s = compose.services[name];
  if (!s) throw new Error(`docker-compose.yml has no service ${name}`);
  return s;
}

function envNames(s: Service): string[] {
  const env = s.environment ?? {};
  return Array.isArray(env) ? env.map((e) => e.split('=')[0]!) : Object.keys(env);
}

function envValue(s: Service, name: string): string | undefined {
  const env = s.environment ?? {};
  if (Array.isArray(env)) return env.find((e) => e.startsWith(`${name}=`))?.slice(name.length + 1);
  const v = env[name];
  return v === undefined || v === null ? undefined : String(v);
}

/** Published host port → container port, from "host:container" or "ip:host:container". */
function publishedPorts(s: Service): Map<number, number> {
  const out = new Map<number, number>();
  for (const p of s.ports ?? []) {
    if (typeof p === 'string') {
      const parts = p.split(':');
      out.set(Number(parts.at(-2)), Number(parts.at(-1)));
    } else out.set(Number(p.published), p.target);
  }
  return out;
}

function commandText(s: Service): string {
  const c = s.command ?? '';
  return Array.isArray(c) ? c.join('\n') : c;
}

describe('docker-compose.yml', () => {
  it('has the expected services', () => {
    expect(Object.keys(compose.services).sort()).toEqual(
      ['api', 'postgresql', 'temporal', 'temporal-admin-tools', 'temporal-schema', 'temporal-ui', 'worker'].sort(),
    );
  });

  it('builds the worker and the API from the Dockerfile and runs the right entry points', () => {
    expect(service('api').build).toBeDefined();
    expect(service('worker').build).toBeDefined();
    expect(commandText(service('api'))).toContain('dist/api/server.js');
    expect(commandText(service('worker'))).toContain('dist/worker/main.js');
  });

  it.each(['api', 'worker'])('gives %s only settings the configuration knows', (name) => {
    const unknown = envNames(service(name)).filter((n) => !knownSettings.has(n) && !isSdkTemporalName(n));
    expect(unknown).toEqual([]);
    expect(envValue(service(name), 'TEMPORAL_ADDRESS')).toBe('temporal:7233');
    expect(envValue(service(name), 'DATABASE_URL')).toMatch(/^postgres:\/\/[^@]+@postgresql:5432\/rongcuo$/);
  });

  it('requires a JWT secret for the API and listens on all interfaces', () => {
    expect(envValue(service('api'), 'JWT_SECRET')).toMatch(/^\$\{JWT_SECRET:\?/);
    expect(envValue(service('api'), 'API_HOST')).toBe('0.0.0.0');
  });

  it.each(['api', 'worker'])('requires the payload keys for %s, the same variable for both', (name) => {
    expect(envValue(service(name), 'PAYLOAD_KEYS')).toBe('${PAYLOAD_KEYS:?set PAYLOAD_KEYS}');
  });

  it('points the Temporal UI at the API\'s codec endpoint with the user\'s token', () => {
    expect(envValue(service('temporal-ui'), 'TEMPORAL_CODEC_ENDPOINT')).toMatch(/\/codec$/);
    expect(envValue(service('temporal-ui'), 'TEMPORAL_CODEC_PASS_ACCESS_TOKEN')).toBe('true');
  });

  it('publishes the ports the configuration uses by default', () => {
    const apiPort = Number(defaults.API_PORT);
    const grpcPort = Number(defaults.TEMPORAL_DEV_PORT);
    const uiPort = Number(defaults.TEMPORAL_UI_PORT);
    expect([apiPort, grpcPort, uiPort]).toEqual([3000, 7233, 8233]);
    expect(publishedPorts(service('api')).get(apiPort)).toBe(Number(envValue(service('api'), 'API_PORT') ?? apiPort));
    expect(publishedPorts(service('temporal')).get(grpcPort)).toBe(7233);
    expect(publishedPorts(service('temporal-ui')).get(uiPort)).toBe(8080);
  });

  it('creates exactly the search attributes the workflow uses', () => {
    const text = commandText(service('temporal-admin-tools'));
    const created: Record<string, string> = {};
    for (const m of text.matchAll(/temporal operator search-attribute create\b[^\n]*?--name\s+(\S+)\s+--type\s+(\S+)/g)) {
      expect(created[m[1]!]).toBeUndefined();
      created[m[1]!] = m[2]!;
    }
    expect(created).toEqual(searchAttributeDefinitions);
  });

  it('starts the application only after the search attributes exist', () => {
    for (const name of ['api', 'worker']) {
      const deps = service(name).depends_on as Record<string, { condition: string }>;
      expect(deps['temporal-admin-tools']?.condition).toBe('service_completed_successfully');
    }
    const adminDeps = service('temporal-admin-tools').depends_on as Record<string, { condition: string }>;
    expect(adminDeps.temporal?.condition).toBe('service_started');
    // it waits for the server itself, then makes the namespace before the attributes
    const text = commandText(service('temporal-admin-tools'));
    expect(text.indexOf('cluster health')).toBeLessThan(text.indexOf('namespace create --namespace default'));
    expect(text.indexOf('namespace create --namespace default')).toBeLessThan(text.indexOf('search-attribute create'));
  });

  it('runs the Temporal server with the production configuration the tests use, after its schema job', () => {
    const temporal = service('temporal');
    const config = fs.readFileSync(path.join(__dirname, '..', 'deploy', 'temporal', 'production.yaml'), 'utf8');
    expect(temporal.image).toMatch(/^temporalio\/server:\d+\.\d+\.\d+$/);
    expect(String((temporal as { volumes?: string[] }).volumes)).toContain('./deploy/temporal:/etc/rongcuo/temporal');
    expect(commandText(temporal)).toMatch(/temporal-server --root \/ --config \/etc\/rongcuo\/temporal --env production\b/);
    // every variable it sets is one the configuration reads; the required ones are set
    const read = new Set([...config.matchAll(/env "([A-Z_]+)"/g)].map((m) => m[1]!));
    expect(envNames(temporal).filter((n) => !read.has(n))).toEqual([]);
    for (const required of [...config.matchAll(/if not \(env "([A-Z_]+)"\)/g)].map((m) => m[1]!)) expect(envNames(temporal)).toContain(required);
    expect(Number(envValue(temporal, 'NUM_HISTORY_SHARDS'))).toBeGreaterThan(1);
    expect((temporal.depends_on as Record<string, { condition: string }>)['temporal-schema']?.condition).toBe('service_completed_successfully');
    const schema = commandText(service('temporal-schema'));
    for (const db of ['temporal', 'temporal_visibility']) expect(schema).toContain(`--db ${db} update-schema --schema-name postgresql/v12/${db === 'temporal' ? 'temporal' : 'visibility'}`);
    // the schema job is the admin-tools image of the same server version
    expect(service('temporal-schema').image?.split(':')[1]?.split('-')[0]).toBe(temporal.image?.split(':')[1]);
  });

  it('keeps PostgreSQL data in a named volume', () => {
    expect(Object.keys(compose.volumes ?? {})).toContain('postgres-data');
    expect(String((service('postgresql') as { volumes?: string[] }).volumes)).toContain('postgres-data:/var/lib/postgresql/data');
  });
});
