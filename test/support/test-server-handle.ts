import type { ChildProcess } from 'node:child_process';

/** Where global setup leaves the dev server for global teardown (both run in Jest's main process). */
export const TEST_SERVER_KEY = '__rongcuoTemporalTestServer';

export interface TestServerHandle {
  pid: number | undefined;
  child: ChildProcess;
  /** Temporary folder holding the SQLite file and the server log. */
  dir: string;
  /** The production path's server: its databases on TEST_DATABASE_URL's server, dropped at the end. */
  databases?: string[];
}

/**
 * A namespace of the dev server besides "default" (created by the global setup with the case search
 * attributes), for a test whose listings and inboxes must meet its own cases only, not those other
 * test files left behind without a worker.
 */
export const ISOLATED_NAMESPACE = 'rongcuo-isolated';
