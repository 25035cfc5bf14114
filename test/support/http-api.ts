import { request as httpRequest, type IncomingHttpHeaders, type OutgoingHttpHeaders } from 'node:http';
import { request as httpsRequest } from 'node:https';

export interface HttpAnswer {
  status: number;
  headers: IncomingHttpHeaders;
  /** The parsed JSON body (undefined when the body is not JSON). */
  json: any; // eslint-disable-line @typescript-eslint/no-explicit-any
  text: string;
}

export interface HttpCall {
  port: number;
  method?: string;
  path: string;
  headers?: OutgoingHttpHeaders;
  /** A value is sent as JSON (with its content type unless headers say otherwise); a Buffer or string as is. */
  body?: unknown;
  /** Write the body in chunks of this size (Transfer-Encoding: chunked, no Content-Length). */
  chunked?: number;
  /** HTTPS with these PEMs (ca to trust the server; cert/key to present a client certificate). */
  tls?: { ca: Buffer; cert?: Buffer; key?: Buffer };
}

/**
 * One raw HTTP request on loopback, with full control of method, headers and
 * framing (fetch would normalize them), answering status, headers and JSON.
 */
export function httpCall(call: HttpCall): Promise<HttpAnswer> {
  const raw =
    call.body === undefined ? undefined : Buffer.isBuffer(call.body) ? call.body : typeof call.body === 'string' ? Buffer.from(call.body) : Buffer.from(JSON.stringify(call.body));
  const headers: OutgoingHttpHeaders = {};
  if (raw && !Buffer.isBuffer(call.body) && typeof call.body !== 'string') headers['content-type'] = 'application/json';
  if (raw && !call.chunked) headers['content-length'] = raw.length;
  Object.assign(headers, call.headers);
  const options = { host: '127.0.0.1', port: call.port, method: call.method ?? (raw ? 'POST' : 'GET'), path: call.path, headers, agent: false as const };
  return new Promise<HttpAnswer>((resolve, reject) => {
    const onResponse = (res: import('node:http').IncomingMessage) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        let json: unknown;
        try {
          json = JSON.parse(text);
        } catch {
          json = undefined;
        }
        resolve({ status: res.statusCode ?? 0, headers: res.headers, json, text });
      });
      res.on('error', reject);
    };
    const req = call.tls
      ? httpsRequest({ ...options, ca: call.tls.ca, cert: call.tls.cert, key: call.tls.key, servername: 'localhost' }, onResponse)
      : httpRequest(options, onResponse);
    req.on('error', reject);
    if (raw && call.chunked) {
      for (let at = 0; at < raw.length; at += call.chunked) req.write(raw.subarray(at, at + call.chunked));
      req.end();
    } else {
      req.end(raw);
    }
  });
}
