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

/** Paths whose segments are personal data (a cadre id): masked wherever a URL is logged. */
const personalPath = /(\/v1\/cadres\/)[^/?#]*/gi;

export const maskUrl = (url: string | undefined): string | undefined => url?.replace(personalPath, '$1[redacted]');

/** A request as the HTTP server's logs show it (Fastify's fields), its URL masked. */
interface LoggedRequest {
  method?: string;
  url?: string;
  host?: string;
  ip?: string;
  headers?: Record<string, unknown>;
  socket?: { remotePort?: number };
}

export const serializers = {
  req: (req: LoggedRequest) => ({
    method: req.method,
    url: maskUrl(req.url),
    version: req.headers?.['accept-version'],
    host: req.host,
    remoteAddress: req.ip,
    remotePort: req.socket?.remotePort,
  }),
};

export function createLogger(level: string, name: string): Logger {
  const pretty = process.stdout.isTTY && process.env.NODE_ENV !== 'production';
  return pino({
    name,
    level,
    redact: { paths: redactPaths, censor: '[redacted]' },
    serializers,
    ...(pretty ? { transport: { target: 'pino-pretty', options: { colorize: true, translateTime: 'SYS:HH:MM:ss.l' } } } : {}),
  });
}
