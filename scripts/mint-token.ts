/**
 * Prints a bearer token for local use, signed with JWT_SECRET:
 *   node dist/scripts/mint-token.js --role unit --unit JS-NJ-FGW --sub alice [--ttl 8h]
 */
import { parseArgs } from 'node:util';
import { loadConfig } from '../common/config';
import { actorSchema, roles } from '../domain/case';
import { signToken } from '../api/tokens';

const usage = `usage: mint-token --role <${roles.join('|')}> --sub <subject> [--unit <UNIT-CODE>] [--ttl 8h]`;

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: { role: { type: 'string' }, sub: { type: 'string' }, unit: { type: 'string' }, ttl: { type: 'string', default: '8h' }, help: { type: 'boolean' } },
    strict: true,
  });
  if (values.help) {
    console.log(usage);
    return;
  }
  const actor = actorSchema.safeParse({ sub: values.sub, role: values.role, ...(values.unit ? { unit: values.unit } : {}) });
  if (!actor.success) throw new Error(`${actor.error.issues.map((i) => `--${i.path.join('.')}: ${i.message}`).join('; ')}\n${usage}`);
  if (actor.data.role === 'unit' && !actor.data.unit) throw new Error(`a unit token needs --unit\n${usage}`);
  if (!/^\d+[smhdw]$/.test(values.ttl)) throw new Error(`--ttl is a number and one of s, m, h, d, w (e.g. 8h)\n${usage}`);

  const config = loadConfig();
  const unitSeconds: Record<string, number> = { s: 1, m: 60, h: 3600, d: 86400, w: 604800 };
  const ttlSeconds = Number(values.ttl.slice(0, -1)) * (unitSeconds[values.ttl.slice(-1)] ?? 0);
  if (ttlSeconds > config.jwtMaxLifetimeSeconds) throw new Error(`--ttl ${values.ttl} is longer than JWT_MAX_LIFETIME_SECONDS (${config.jwtMaxLifetimeSeconds} s): the API would refuse the token\n${usage}`);
  if (config.jwtJwksUrl) console.error('note: JWT_JWKS_URL is set, so the API verifies tokens from the identity provider and will refuse this one');
  console.log(await signToken(config, actor.data, values.ttl));
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});
