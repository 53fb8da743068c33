/** A small JSON-over-HTTP caller on one keep-alive agent, so connection set-up stays out of the numbers. */
import http from 'node:http';

export interface JsonResponse<T = unknown> {
  status: number;
  body: T;
}

export class HttpCaller {
  private readonly agent = new http.Agent({ keepAlive: true, maxSockets: 256 });
  constructor(private readonly base: URL) {}

  /** Sends `body` as JSON with a bearer token; resolves with the status and the parsed answer. */
  request<T = unknown>(method: 'GET' | 'POST', path: string, token: string, body?: unknown): Promise<JsonResponse<T>> {
    const payload = body === undefined ? undefined : Buffer.from(JSON.stringify(body));
    return new Promise((resolve, reject) => {
      const req = http.request(
        {
          agent: this.agent,
          host: this.base.hostname,
          port: this.base.port,
          method,
          path,
          headers: {
            authorization: `Bearer ${token}`,
            accept: 'application/json',
            ...(payload ? { 'content-type': 'application/json', 'content-length': payload.length } : {}),
          },
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('end', () => {
            const text = Buffer.concat(chunks).toString('utf8');
            let parsed: unknown = text;
            try {
              parsed = text ? JSON.parse(text) : undefined;
            } catch {
              // not JSON: keep the text for the error message
            }
            resolve({ status: res.statusCode ?? 0, body: parsed as T });
          });
          res.on('error', reject);
        },
      );
      req.on('error', reject);
      req.end(payload);
    });
  }

  /** Like `request`, but anything other than `expected` is an error naming the status and the problem. */
  async expect<T = unknown>(expected: number, method: 'GET' | 'POST', path: string, token: string, body?: unknown): Promise<T> {
    const res = await this.request<T>(method, path, token, body);
    if (res.status !== expected) {
      const detail = typeof res.body === 'object' && res.body ? JSON.stringify(res.body).slice(0, 300) : String(res.body).slice(0, 300);
      throw new Error(`${method} ${path} answered ${res.status}, expected ${expected}: ${detail}`);
    }
    return res.body;
  }

  close(): void {
    this.agent.destroy();
  }
}
