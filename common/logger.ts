/** pino everywhere: JSON logs, pretty only on a terminal; personal data and credentials redacted. */
import pino, { type Logger } from 'pino';

/** Paths whose values never reach a log line: tokens, and the personal fields of a case. */
export const redactPaths = [
  'req.headers.authorization',
  'req.headers.cookie',
  'headers.authorization',
  '*.authorization',
  '*.password',
  '*.token',
  '*.cadre',
  '*.cadreName',
  '*.name',
  '*.email',
  '*.evidence',
  '*.summary',
  'application',
  '*.application',
];

export function createLogger(level: string, name: string): Logger {
  const pretty = process.stdout.isTTY && process.env.NODE_ENV !== 'production';
  return pino({
    name,
    level,
    redact: { paths: redactPaths, censor: '[redacted]' },
    ...(pretty ? { transport: { target: 'pino-pretty', options: { colorize: true, translateTime: 'SYS:HH:MM:ss.l' } } } : {}),
  });
}
