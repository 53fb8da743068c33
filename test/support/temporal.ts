/**
 * Temporal environments for tests.
 * - `createTimeSkippingEnv()`: Temporal's time-skipping test server (Java, from tools/test-server) for
 *   workflow tests that need days or months to pass in a moment. Each call starts its own server; share
 *   one per test file (beforeAll/afterAll) and call `env.teardown()`.
 * - `testServerAddress()`: the dev server global setup started once for the whole run.
 */
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { testServerPath } from '../../scripts/tools';

export async function createTimeSkippingEnv(): Promise<TestWorkflowEnvironment> {
  const path = testServerPath();
  const start = () => TestWorkflowEnvironment.createTimeSkipping({ server: { executable: { type: 'existing-path', path } } });
  try {
    return await start();
  } catch (err) {
    // The SDK gives the JVM about 5 s to open its port; on a loaded machine that can be missed once.
    if (!/did not start within/i.test(String(err))) throw err;
    return await start();
  }
}

export { ISOLATED_NAMESPACE } from './test-server-handle';

/** host:port of the dev server started by test/support/global-setup.ts (namespace "default"). */
export function testServerAddress(): string {
  const address = process.env.TEMPORAL_TEST_ADDRESS;
  if (!address) throw new Error('TEMPORAL_TEST_ADDRESS is not set: run the tests with `npm test` or `npx jest` (global setup starts the server).');
  return address;
}
