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
