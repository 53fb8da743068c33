/**
 * One dynamic configuration for every Temporal server the project runs: the production server reads
 * deploy/temporal/dynamicconfig.yaml, the dev server gets its unconstrained settings on its command line.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { devServerArgs, dynamicConfigValues } from '../scripts/dev-server';
import { dynamicConfigFile } from '../scripts/tools';

describe('the Temporal servers’ dynamic configuration', () => {
  it('turns on eager activity execution, reads new tasks promptly on one partition per queue, and keeps nothing Temporal keeps for tests', () => {
    const values = dynamicConfigValues();
    expect(values['system.enableActivityEagerExecution']).toBe(true);
    // Temporal's default is 20 reads a second per shard: a new case would wait 25 ms for its first task.
    expect(values['history.transferProcessorMaxPollRPS']).toBeGreaterThanOrEqual(200);
    // With Temporal's four partitions per task queue, a new case's first task waited up to 2 s for a poller.
    expect(values['matching.numTaskqueueWritePartitions']).toBe(1);
    expect(values['matching.numTaskqueueReadPartitions']).toBe(1);
    expect(fs.readFileSync(dynamicConfigFile(), 'utf8')).not.toMatch(/^system\.forceSearchAttributesCacheRefreshOnRead:/m);
  });

  it('hands the dev server every setting that holds everywhere, as JSON', () => {
    const args = devServerArgs({ port: 7233, namespace: 'default', dbFilename: 'x.db', headless: true });
    const given = args.flatMap((a, i) => (a === '--dynamic-config-value' ? [args[i + 1]] : []));
    expect(given).toEqual(Object.entries(dynamicConfigValues()).map(([k, v]) => `${k}=${JSON.stringify(v)}`));
    expect(given).toContain('system.enableActivityEagerExecution=true');
  });

  it('leaves out settings with constraints, which a command-line value cannot express', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'rongcuo-dc-'));
    const file = path.join(dir, 'dc.yaml');
    fs.writeFileSync(
      file,
      ['limit.maxIDLength:', '  - value: 255', 'frontend.rps:', '  - value: 10', '    constraints:', '      namespace: default', '  - value: 20', 'history.x:', '  - value: [1, 2]', ''].join('\n'),
    );
    try {
      expect(dynamicConfigValues(file)).toEqual({ 'limit.maxIDLength': 255, 'history.x': [1, 2] });
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
