import { timingSafeEqual } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Payload, PayloadCodec } from '@temporalio/common';
import { readText, sendJson } from './http-io';
import { PUBLIC } from './access';
import { HttpError, type Router } from './router';

/** What the codec endpoint needs. */
export interface CodecRouteDeps {
  codec: PayloadCodec;
  /** Bearer token required on /codec/encode and /codec/decode; undefined on the loopback dev stack only. */
  codecToken?: string;
  /** Origins of the Web UI allowed to call from a browser. */
  corsOrigins: string[];
}

/** Payloads as the Web UI and `temporal --codec-endpoint` send them: proto3 JSON, bytes as base64. */
interface JsonPayload {
  metadata?: Record<string, string>;
  data?: string;
}

// A history page of payloads can be large; Temporal caps one payload at 2 MB, and pages hold a few.
const MAX_BODY = 16 * 1024 * 1024;

function fromJson(p: JsonPayload): Payload {
  const metadata: Record<string, Uint8Array> = {};
  for (const [k, v] of Object.entries(p.metadata ?? {})) metadata[k] = new Uint8Array(Buffer.from(String(v), 'base64'));
  return { metadata, data: new Uint8Array(Buffer.from(p.data ?? '', 'base64')) };
}

function toJson(p: Payload): JsonPayload {
  const metadata: Record<string, string> = {};
  for (const [k, v] of Object.entries(p.metadata ?? {})) if (v) metadata[k] = Buffer.from(v).toString('base64');
  return { metadata, data: Buffer.from(p.data ?? new Uint8Array()).toString('base64') };
}

function sameSecret(given: string, expected: string): boolean {
  const a = Buffer.from(given);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}

/**
 * The codec endpoint of the Temporal Web UI (the UI's "codec endpoint" is `<api>/codec`): `POST /codec/encode`
 * and `POST /codec/decode` take and return `{ payloads: [...] }`. The browser calls it, not the UI server, so it
 * answers CORS preflights for the configured UI origins; the bearer token is checked on the calls themselves
 * (a preflight never carries it).
 */
export function registerCodecRoutes(router: Router, deps: CodecRouteDeps): void {
  const cors = (req: IncomingMessage, res: ServerResponse) => {
    const origin = req.headers.origin;
    if (origin && deps.corsOrigins.includes(origin)) {
      res.setHeader('access-control-allow-origin', origin);
      res.setHeader('access-control-allow-credentials', 'true');
      res.setHeader('vary', 'origin');
    }
  };
  const preflight = async ({ req, res }: { req: IncomingMessage; res: ServerResponse }) => {
    cors(req, res);
    res.setHeader('access-control-allow-methods', 'POST, OPTIONS');
    res.setHeader('access-control-allow-headers', 'content-type, x-namespace, authorization');
    res.setHeader('access-control-max-age', '600');
    res.writeHead(204).end();
  };
  const transform = (op: 'encode' | 'decode') => async ({ req, res }: { req: IncomingMessage; res: ServerResponse }) => {
    cors(req, res);
    if (deps.codecToken) {
      const auth = req.headers.authorization ?? '';
      const given = /^Bearer\s+(.+)$/i.exec(auth)?.[1] ?? '';
      if (!sameSecret(given.trim(), deps.codecToken)) {
        res.setHeader('www-authenticate', 'Bearer realm="dicom-intake codec"');
        throw new HttpError(401, `the codec endpoint needs "Authorization: Bearer <token>" (http.codecToken)`);
      }
    }
    let body: { payloads?: JsonPayload[] };
    try {
      body = JSON.parse(await readText(req, MAX_BODY)) as { payloads?: JsonPayload[] };
    } catch (err) {
      if (err instanceof HttpError) throw err;
      throw new HttpError(400, 'the body is not JSON; send {"payloads":[{"metadata":{…},"data":"…"}]}');
    }
    if (!Array.isArray(body?.payloads)) throw new HttpError(400, 'the body needs a "payloads" array');
    let out: Payload[];
    try {
      out = await deps.codec[op](body.payloads.map(fromJson));
    } catch (err) {
      // The codec's messages name key ids, never payload contents.
      throw new HttpError(422, `cannot ${op}: ${(err as Error).message}`);
    }
    sendJson(res, 200, { payloads: out.map(toJson) });
  };
  // The Temporal Web UI calls these with its own credentials, not a dicom-intake user's: the routes are public to
  // the router and check the codec's bearer token themselves (http.codecToken).
  for (const op of ['encode', 'decode'] as const) {
    router.on('OPTIONS', `/codec/${op}`, PUBLIC, preflight);
    router.on('POST', `/codec/${op}`, PUBLIC, transform(op));
  }
}
