/** A real SMTP server in the test process that keeps every mail it receives, decoded as its reader sees it. */
import type { AddressInfo } from 'node:net';
import { SMTPServer } from 'smtp-server';

export interface ReceivedMail {
  to: string[];
  messageId: string | undefined;
  subject: string;
  text: string;
}

/** Decodes RFC 2047 encoded words, joining adjacent ones before decoding so split characters survive. */
export function decodeHeader(value: string): string {
  const parts: Buffer[] = [];
  const word = /=\?([^?]+)\?([BbQq])\?([^?]*)\?=/g;
  let last = 0;
  let previousWasWord = false;
  for (const m of value.matchAll(word)) {
    const between = value.slice(last, m.index);
    if (!(previousWasWord && /^\s*$/.test(between))) parts.push(Buffer.from(between, 'utf8'));
    const [, , enc, data = ''] = m;
    parts.push(
      enc?.toUpperCase() === 'B'
        ? Buffer.from(data, 'base64')
        : Buffer.from(data.replace(/_/g, ' ').replace(/=([0-9A-Fa-f]{2})/g, (_, h: string) => String.fromCharCode(parseInt(h, 16))), 'latin1'),
    );
    last = (m.index ?? 0) + m[0].length;
    previousWasWord = true;
  }
  parts.push(Buffer.from(value.slice(last), 'utf8'));
  return Buffer.concat(parts).toString('utf8');
}

export function parseMail(raw: string, to: string[]): ReceivedMail {
  const split = raw.indexOf('\r\n\r\n');
  const headerText = raw.slice(0, split).replace(/\r\n[ \t]+/g, ' ');
  const headers = new Map<string, string>();
  for (const line of headerText.split('\r\n')) {
    const colon = line.indexOf(':');
    headers.set(line.slice(0, colon).toLowerCase(), line.slice(colon + 1).trim());
  }
  const body = raw.slice(split + 4);
  const encoding = headers.get('content-transfer-encoding')?.toLowerCase();
  const text = encoding === 'base64' ? Buffer.from(body.replace(/\s+/g, ''), 'base64').toString('utf8') : body;
  return { to, messageId: headers.get('message-id'), subject: decodeHeader(headers.get('subject') ?? ''), text };
}

export interface MailReceiver {
  url: string;
  mails: ReceivedMail[];
  /** Recipients the server refuses, with the SMTP reply code (5xx for good, 4xx for now); change it at will. */
  refusing: Map<string, number>;
  close(): Promise<void>;
}

/** Listens on a free port of 127.0.0.1; `url` is its SMTP_URL. */
export async function startMailReceiver(): Promise<MailReceiver> {
  const mails: ReceivedMail[] = [];
  const refusing = new Map<string, number>();
  const server = new SMTPServer({
    disabledCommands: ['AUTH', 'STARTTLS'],
    logger: false,
    onRcptTo(address, _session, callback) {
      const code = refusing.get(address.address);
      if (!code) return callback();
      return callback(Object.assign(new Error(code >= 500 ? 'Requested action not taken: mailbox unavailable' : 'Try again later'), { responseCode: code }));
    },
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('end', () => {
        mails.push(parseMail(Buffer.concat(chunks).toString('utf8'), session.envelope.rcptTo.map((r) => r.address)));
        callback();
      });
    },
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `smtp://127.0.0.1:${(server.server.address() as AddressInfo).port}`,
    mails,
    refusing,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
