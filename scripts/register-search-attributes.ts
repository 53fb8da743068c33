/**
 * Registers the case workflow's custom search attributes (workflows/messages.ts) on a Temporal server,
 * through the operator service. Idempotent: attributes that already exist with the right type are left
 * alone; one that exists with another type is an error (it cannot be changed in place).
 *
 *   node dist/scripts/register-search-attributes.js     (uses the same settings as the worker)
 *
 * `npm start` runs it before the worker. On Temporal Cloud the operator service may refuse; create the
 * attributes there with `tcld namespace search-attributes add` or the Cloud UI instead.
 */
import { Connection } from '@temporalio/client';
import { encodeSearchAttributeIndexedValueType } from '@temporalio/common/lib/search-attributes';
import { loadConfig } from '../common/config';
import { temporalTarget } from '../common/temporal';
import { searchAttributeDefinitions } from '../workflows/messages';

type Definitions = Record<string, 'Text' | 'Keyword' | 'Int' | 'Double' | 'Bool' | 'Datetime' | 'KeywordList'>;

const upper = {
  Text: 'TEXT',
  Keyword: 'KEYWORD',
  Int: 'INT',
  Double: 'DOUBLE',
  Bool: 'BOOL',
  Datetime: 'DATETIME',
  KeywordList: 'KEYWORD_LIST',
} as const;

function indexedValueType(type: keyof typeof upper): number {
  const encoded = encodeSearchAttributeIndexedValueType(upper[type]);
  if (encoded === undefined) throw new Error(`unknown search attribute type ${type}`);
  return encoded;
}

function typeName(value: number): string {
  return (Object.keys(upper) as (keyof typeof upper)[]).find((t) => indexedValueType(t) === value) ?? `type #${value}`;
}

export interface RegistrationResult {
  added: string[];
  existing: string[];
}

/** Lists the namespace's search attributes and adds the missing ones. */
export async function registerSearchAttributes(
  connection: Connection,
  namespace: string,
  definitions: Definitions = searchAttributeDefinitions,
): Promise<RegistrationResult> {
  const listed = await connection.operatorService.listSearchAttributes({ namespace });
  const present: Record<string, number> = { ...(listed.systemAttributes ?? {}), ...(listed.customAttributes ?? {}) };
  const result: RegistrationResult = { added: [], existing: [] };
  const missing: Record<string, number> = {};
  const conflicts: string[] = [];
  for (const [name, type] of Object.entries(definitions)) {
    const wanted = indexedValueType(type);
    const actual = present[name];
    if (actual === undefined) missing[name] = wanted;
    else if (actual !== wanted) conflicts.push(`${name} exists as ${typeName(actual)}, expected ${type}`);
    else result.existing.push(name);
  }
  if (conflicts.length) {
    throw new Error(`Search attributes in namespace "${namespace}" have the wrong type: ${conflicts.join('; ')}.`);
  }
  if (Object.keys(missing).length) {
    try {
      await connection.operatorService.addSearchAttributes({ namespace, searchAttributes: missing });
    } catch (err) {
      // Another process may have added them in the meantime: accept that if the types now match.
      const again = await connection.operatorService.listSearchAttributes({ namespace });
      const now = again.customAttributes ?? {};
      if (!Object.entries(missing).every(([name, type]) => now[name] === type)) {
        const reason = err instanceof Error ? err.message : String(err);
        throw new Error(
          `Could not add search attributes ${Object.keys(missing).join(', ')} to namespace "${namespace}": ${reason}. ` +
            `An operator can add them with: ${cliCommands(definitions, Object.keys(missing)).join(' && ')}`,
        );
      }
    }
    result.added.push(...Object.keys(missing));
  }
  return result;
}

/** The `temporal operator search-attribute create` commands that register `names`. */
export function cliCommands(definitions: Definitions = searchAttributeDefinitions, names = Object.keys(definitions)): string[] {
  return names.map((name) => `temporal operator search-attribute create --name ${name} --type ${definitions[name]}`);
}

async function main(): Promise<void> {
  const target = temporalTarget(loadConfig());
  const { address, tls, apiKey, metadata } = target.connectionOptions;
  const connection = await Connection.connect({ address, tls, apiKey, metadata });
  try {
    const { added, existing } = await registerSearchAttributes(connection, target.namespace);
    console.log(
      `${target.address} namespace "${target.namespace}": added [${added.join(', ')}], already present [${existing.join(', ')}]`,
    );
  } finally {
    await connection.close();
  }
}

if (require.main === module) {
  main().catch((err: unknown) => {
    console.error(err instanceof Error ? err.message : err);
    process.exit(1);
  });
}
