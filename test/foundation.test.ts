/**
 * The foundation: the time-skipping test server starts from tools/test-server, the shared dev server of
 * global setup is up with every case search attribute, and the configuration validates.
 */
import { Connection } from '@temporalio/client';
import { encodeSearchAttributeIndexedValueType } from '@temporalio/common/lib/search-attributes';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { ConfigError, configTable, loadConfig, settings } from '../common/config';
import { searchAttributeDefinitions } from '../workflows/messages';
import { createTimeSkippingEnv, testServerAddress } from './support/temporal';

const DAY_MS = 24 * 60 * 60 * 1000;

describe('time-skipping test server', () => {
  let env: TestWorkflowEnvironment;
  beforeAll(async () => {
    env = await createTimeSkippingEnv();
  });
  afterAll(async () => {
    await env?.teardown();
  });

  it('starts from the existing-path wrapper and skips a day at once', async () => {
    expect(env.supportsTimeSkipping).toBe(true);
    const before = await env.currentTimeMs();
    await env.sleep('1 day');
    const after = await env.currentTimeMs();
    expect(after - before).toBeGreaterThanOrEqual(DAY_MS);
    expect(after - before).toBeLessThan(DAY_MS + 60_000);
  });
});

describe('dev server of global setup', () => {
  let connection: Connection;
  beforeAll(async () => {
    connection = await Connection.connect({ address: testServerAddress() });
  });
  afterAll(async () => {
    await connection?.close();
  });

  it('answers GetSystemInfo', async () => {
    const info = await connection.workflowService.getSystemInfo({});
    expect(info.serverVersion).toBeTruthy();
  });

  it('has every case search attribute with its type', async () => {
    const { customAttributes } = await connection.operatorService.listSearchAttributes({ namespace: 'default' });
    const upper = { Keyword: 'KEYWORD', KeywordList: 'KEYWORD_LIST', Datetime: 'DATETIME', Bool: 'BOOL' } as const;
    for (const [name, type] of Object.entries(searchAttributeDefinitions)) {
      expect({ name, type: customAttributes?.[name] }).toEqual({ name, type: encodeSearchAttributeIndexedValueType(upper[type]) });
    }
  });
});

describe('configuration', () => {
  it('parses the defaults', () => {
    const config = loadConfig({});
    expect(config.apiPort).toBe(3000);
    expect(config.devServerPort).toBe(7233);
    expect(config.devUiPort).toBe(8233);
    expect(config.temporalAddress).toBe('');
  });

  it('names API_PORT when it is not a port', () => {
    expect(() => loadConfig({ API_PORT: 'eighty' })).toThrow(ConfigError);
    expect(() => loadConfig({ API_PORT: '70000' })).toThrow(/API_PORT/);
  });

  it('names JWT_SECRET when it is too short', () => {
    expect(() => loadConfig({ JWT_SECRET: 'short' })).toThrow(ConfigError);
    expect(() => loadConfig({ JWT_SECRET: 'short' })).toThrow(/JWT_SECRET/);
  });

  it('documents every setting in one table row each', () => {
    const rows = configTable()
      .split('\n')
      .slice(2);
    expect(rows).toHaveLength(Object.keys(settings).length);
    for (const s of Object.values(settings)) expect(rows.filter((r) => r.startsWith(`| \`${s.env}\` |`))).toHaveLength(1);
  });
});
