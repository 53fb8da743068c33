/**
 * Finds the external programs the project runs, the same way `scripts/ensure-tools.sh` does:
 * the Temporal CLI (TEMPORAL_CLI, then PATH, then tools/bin) and the time-skipping test server wrapper
 * (tools/test-server/run with its jars in tools/test-server/lib). Never installs anything; when a tool
 * is missing the error says to run `npm run setup`.
 */
import fs from 'node:fs';
import path from 'node:path';

export class MissingToolError extends Error {
  override name = 'MissingToolError';
}

/** The project root: the nearest folder above this file that holds package.json (works from dist/ too). */
export function projectRoot(): string {
  let dir = __dirname;
  for (;;) {
    if (fs.existsSync(path.join(dir, 'package.json'))) return dir;
    const parent = path.dirname(dir);
    if (parent === dir) throw new Error(`no package.json above ${__dirname}`);
    dir = parent;
  }
}

/** The Temporal server's configuration (production.yaml, and dynamicconfig.yaml for every server the project runs). */
export const temporalConfigDir = () => path.join(projectRoot(), 'deploy', 'temporal');
/** The one list of the Temporal server's dynamic settings: read by the production server, handed to the dev server. */
export const dynamicConfigFile = () => path.join(temporalConfigDir(), 'dynamicconfig.yaml');

function isExecutable(file: string): boolean {
  try {
    fs.accessSync(file, fs.constants.X_OK);
    return fs.statSync(file).isFile();
  } catch {
    return false;
  }
}

function onPath(name: string, envPath = process.env.PATH ?? ''): string | undefined {
  for (const dir of envPath.split(path.delimiter)) {
    if (!dir) continue;
    const candidate = path.join(dir, name);
    if (isExecutable(candidate)) return candidate;
  }
  return undefined;
}

/** Absolute path of the `temporal` CLI. `explicit` (the TEMPORAL_CLI setting) wins when non-empty. */
export function resolveTemporalCli(explicit: string | undefined = process.env.TEMPORAL_CLI): string {
  if (explicit) {
    const file = path.resolve(explicit);
    if (!isExecutable(file)) throw new MissingToolError(`TEMPORAL_CLI=${explicit} is not an executable file.`);
    return file;
  }
  const found = onPath('temporal') ?? [path.join(projectRoot(), 'tools', 'bin', 'temporal')].find(isExecutable);
  if (!found) {
    throw new MissingToolError(
      'The Temporal CLI was not found (TEMPORAL_CLI, PATH, tools/bin/temporal). Run `npm run setup` to install it.',
    );
  }
  return found;
}

/** Absolute path of the wrapper that starts Temporal's time-skipping test server (a Java program). */
export function testServerPath(): string {
  const dir = path.join(projectRoot(), 'tools', 'test-server');
  const wrapper = path.join(dir, 'run');
  const libDir = path.join(dir, 'lib');
  const hasJar =
    fs.existsSync(libDir) && fs.readdirSync(libDir).some((f) => f.startsWith('temporal-test-server-') && f.endsWith('.jar'));
  if (!isExecutable(wrapper) || !hasJar) {
    throw new MissingToolError(
      'The time-skipping test server is not installed (tools/test-server/run and its jars in tools/test-server/lib). Run `npm run setup` to fetch it (needs Java and Maven).',
    );
  }
  return wrapper;
}
