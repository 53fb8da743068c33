/**
 * What the HTTP layer refuses before a route sees a request, each as a problem document that never
 * repeats what was sent:
 * - the HTTP parser's own errors (Node's `clientError`): request line and headers over
 *   MAX_HEADER_SIZE (431), a request that is not HTTP (400), one that takes too long to arrive (408);
 * - Fastify's router errors (`frameworkErrors`): a malformed percent-encoding (400), a path
 *   parameter over the router's length limit (414);
 * - a URL over MAX_URL_LENGTH (414);
 * - a request that arrives while the server shuts down (503 with Retry-After);
 * - JSON bodies: only UTF-8 (another charset is 415, bytes that are not UTF-8 are 400, never
 *   replaced), and no `__proto__` key or `constructor.prototype` anywhere (400 naming the key).
 */
import { randomUUID } from 'node:crypto';
import { STATUS_CODES } from 'node:http';
import type { Socket } from 'node:net';
import type { ConnectionError, FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import { bilingual, contentLanguage, DEFAULT_LOCALE } from '../i18n';
import { ProblemError, type LocalFieldError } from '../problems';
import { problemDocument, sendProblem } from './problems';

/**
 * The longest URL (path and query string) accepted, in characters. The longest legitimate one, a
 * listing with every filter and a 4,096-character cursor, is well below it.
 */
export const MAX_URL_LENGTH = 8192;
/** The most bytes the request line and the headers may take together (Node's default), beyond which the parser answers 431. */
export const MAX_HEADER_SIZE = 16384;

/** A problem the HTTP parser found; answered on the socket itself, since there is no request. */
function parserProblem(err: ConnectionError): ProblemError {
  switch (err.code) {
    case 'HPE_HEADER_OVERFLOW':
      return new ProblemError(
        'headersTooLarge',
        bilingual(
          `The request line and headers together may take at most ${MAX_HEADER_SIZE} bytes; the URL may have at most ${MAX_URL_LENGTH} characters.`,
          `请求行和请求头合计不得超过 ${MAX_HEADER_SIZE} 字节；URL 不得超过 ${MAX_URL_LENGTH} 个字符。`,
        ),
      );
    case 'ERR_HTTP_REQUEST_TIMEOUT':
      return new ProblemError('requestTimeout', 'The request did not arrive in time; send it again.');
    default:
      return new ProblemError('malformedRequest', 'The request is not valid HTTP/1.1.');
  }
}

/** Node's `clientError`: writes the problem document on the socket and closes it. */
export function clientErrorHandler(this: FastifyInstance, err: ConnectionError, socket: Socket): void {
  // A reset connection has nobody to answer.
  if (err.code === 'ECONNRESET' || socket.destroyed) return;
  const problem = parserProblem(err);
  const requestId = randomUUID();
  this.log.info({ requestId, code: err.code, problem: problem.kind, status: problem.status }, 'request refused by the HTTP parser');
  if (socket.writable) {
    // No header could be read, so the answer is in the default language.
    const body = JSON.stringify(problemDocument(problem, requestId, DEFAULT_LOCALE));
    const head = [
      `HTTP/1.1 ${problem.status} ${STATUS_CODES[problem.status] ?? ''}`,
      'content-type: application/problem+json; charset=utf-8',
      `content-language: ${contentLanguage[DEFAULT_LOCALE]}`,
      `content-length: ${Buffer.byteLength(body)}`,
      `x-request-id: ${requestId}`,
      'x-content-type-options: nosniff',
      'cache-control: no-store',
      'connection: close',
    ];
    socket.end(`${head.join('\r\n')}\r\n\r\n${body}`);
  } else {
    socket.destroy();
  }
}

/** Fastify's `frameworkErrors`: the router's refusals, which run no hook, as problem documents. */
export function frameworkErrors(err: FastifyError, request: FastifyRequest, reply: FastifyReply): void {
  let problem: ProblemError;
  if (err.code === 'FST_ERR_MAX_PARAM_LENGTH') problem = new ProblemError('uriTooLong', 'A path segment of this URL is longer than any identifier the API knows.');
  else if (err.code === 'FST_ERR_BAD_URL') problem = new ProblemError('malformedRequest', 'The URL is not valid: it has a malformed percent-encoding.');
  else problem = new ProblemError('internal', 'The request could not be completed; the request id identifies it in the logs.');
  if (problem.status >= 500) request.log.error({ err }, 'request failed');
  else request.log.info({ problem: problem.kind, status: problem.status }, 'request refused');
  reply.header('x-request-id', request.id);
  reply.header('x-content-type-options', 'nosniff');
  sendProblem(request, reply, problem);
}

/** The charset parameter of a Content-Type, lower-cased and unquoted; undefined when there is none. */
export function charsetOf(contentType: string | undefined): string | undefined {
  if (!contentType) return undefined;
  for (const param of contentType.split(';').slice(1)) {
    const eq = param.indexOf('=');
    if (eq < 0 || param.slice(0, eq).trim().toLowerCase() !== 'charset') continue;
    return param.slice(eq + 1).trim().replace(/^"(.*)"$/, '$1').toLowerCase();
  }
  return undefined;
}

/**
 * Where `value` holds a key that could change an object's prototype when copied: a `__proto__` key,
 * or a `constructor` key whose value has a `prototype` key. Paths are dotted from `root`.
 */
export function prototypeKeys(value: unknown, root = 'body'): string[] {
  const found: string[] = [];
  // Iterative, so a deeply nested body cannot overflow the stack.
  const stack: [unknown, string][] = [[value, root]];
  while (stack.length > 0) {
    const [node, at] = stack.pop() as [unknown, string];
    if (node === null || typeof node !== 'object') continue;
    for (const key of Object.keys(node)) {
      const child = (node as Record<string, unknown>)[key];
      if (key === '__proto__') found.push(`${at}.__proto__`);
      else if (key === 'constructor' && child !== null && typeof child === 'object' && Object.hasOwn(child, 'prototype')) found.push(`${at}.constructor.prototype`);
      stack.push([child, `${at}.${key}`]);
    }
  }
  return found.sort();
}

const utf8 = new TextDecoder('utf-8', { fatal: true });

/** The JSON body parser: UTF-8 only, never altered, no prototype keys. Throws the problem to answer. */
export function parseJsonBody(contentType: string | undefined, body: Buffer): unknown {
  const charset = charsetOf(contentType);
  if (charset !== undefined && charset !== 'utf-8' && charset !== 'utf8') {
    throw new ProblemError('unsupportedMediaType', 'JSON bodies are read as UTF-8 only: send Content-Type: application/json, with charset=utf-8 or no charset.');
  }
  if (body.length === 0) throw new ProblemError('malformedRequest', 'The body is empty.');
  let text: string;
  try {
    text = utf8.decode(body);
  } catch {
    throw new ProblemError('malformedRequest', 'The body is not valid UTF-8.');
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new ProblemError('malformedRequest', 'The body is not valid JSON.');
  }
  const keys = prototypeKeys(value);
  if (keys.length > 0) {
    const errors: LocalFieldError[] = keys.map((path) => ({ path, message: path.endsWith('__proto__') ? 'the key __proto__ is not allowed' : 'a constructor.prototype key is not allowed' }));
    throw new ProblemError('validation', 'The body has a key that is not allowed (__proto__ or constructor.prototype).', { errors });
  }
  return value;
}

export default fp(
  async (app) => {
    // While the server drains (a signal, then close), new requests are told to retry, elsewhere or later.
    let closing = false;
    app.addHook('preClose', async () => {
      closing = true;
    });

    app.addHook('onRequest', async (request, reply) => {
      if (closing) {
        reply.header('connection', 'close');
        throw new ProblemError('unavailable', 'The API is shutting down; send the request again.', { headers: { 'retry-after': '1' } });
      }
      if (request.raw.url !== undefined && request.raw.url.length > MAX_URL_LENGTH) {
        throw new ProblemError('uriTooLong', bilingual(`The URL may have at most ${MAX_URL_LENGTH} characters.`, `URL 不得超过 ${MAX_URL_LENGTH} 个字符。`));
      }
    });

    app.removeContentTypeParser('application/json');
    app.addContentTypeParser('application/json', { parseAs: 'buffer' }, (request, body, done) => {
      try {
        done(null, parseJsonBody(request.headers['content-type'], body as Buffer));
      } catch (err) {
        done(err as Error, undefined);
      }
    });
  },
  { name: 'http', dependencies: ['problems'] },
);
