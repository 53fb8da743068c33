/** Routes the Temporal SDK's logs (worker, workflow and activity loggers, and core) into pino. */
import { DefaultLogger, Runtime, type LogLevel } from '@temporalio/worker';
import type { Logger } from 'pino';

const pinoLevel: Record<LogLevel, 'trace' | 'debug' | 'info' | 'warn' | 'error'> = {
  TRACE: 'trace',
  DEBUG: 'debug',
  INFO: 'info',
  WARN: 'warn',
  ERROR: 'error',
};

let installed = false;

/** Installs the SDK runtime once per process with a logger that writes through `logger`. */
export function installSdkLogging(logger: Logger): void {
  if (installed) return;
  installed = true;
  const level: LogLevel = logger.isLevelEnabled('debug') ? 'DEBUG' : 'INFO';
  Runtime.install({
    logger: new DefaultLogger(level, ({ level: l, message, meta }) => {
      logger[pinoLevel[l]]({ sdk: true, ...(meta ?? {}) }, message);
    }),
    telemetryOptions: { logging: { filter: { core: 'WARN', other: 'ERROR' }, forward: {} } },
  });
}
