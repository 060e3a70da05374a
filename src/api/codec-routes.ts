import { sameSecret } from '../auth/same-secret';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Payload, PayloadCodec } from '@temporalio/common';
import { principalFromHeader } from '../auth/accounts';
import { AccessTokenError, createAccessTokenVerifier, looksLikeJwt } from '../auth/oidc-access-token';
import { DEFAULT_WEB_SESSION_SETTINGS, readCookie, resolveWebSession, SESSION_COOKIE, type WebSessionSettings } from '../auth/web-session';
import type { OidcConfig } from '../config/load-config';
import type { Repositories } from '../db/repositories';
import type { Principal } from '../domain/access';
import { readText, sendJson } from './http-io';
import { PUBLIC } from './access';
import { HttpError, type Router } from './router';

/** What the codec endpoint needs. */
export interface CodecRouteDeps {
  codec: PayloadCodec;
  /** A static bearer token accepted on /codec/encode and /codec/decode (CLI, scripts). */
  codecToken?: string;
  /** No credentials needed at all: the loopback dev stack without a token only (config `http.codecOpen`). */
  open: boolean;
  /** Origins of the Web UI allowed to call from a browser. */
  corsOrigins: string[];
  /** OIDC access tokens the Web UI passes (`codec.passAccessToken`); absent, such tokens are refused. */
  oidc?: OidcConfig;
}

/** Where the codec endpoint looks up signed-in users (session cookies, API tokens, OIDC logins). */
export interface CodecAuthDeps {
  repos: Repositories;
  web?: WebSessionSettings;
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


/**
 * The codec endpoint of the Temporal Web UI (the UI's "codec endpoint" is `<api>/codec`): `POST /codec/encode`
 * and `POST /codec/decode` take and return `{ payloads: [...] }`. The browser calls it, not the UI server, so it
 * answers CORS preflights for the configured UI origins; credentials are checked on the calls themselves
 * (a preflight never carries them).
 */
export function registerCodecRoutes(router: Router, deps: CodecRouteDeps, auth: CodecAuthDeps): void {
  const allowed = (origin: string | undefined) => origin !== undefined && deps.corsOrigins.includes(origin);
  const cors = (req: IncomingMessage, res: ServerResponse) => {
    const origin = req.headers.origin;
    if (allowed(origin)) {
      res.setHeader('access-control-allow-origin', origin!);
      res.setHeader('access-control-allow-credentials', 'true');
      res.setHeader('vary', 'origin');
    }
  };
  const verifyAccessToken = deps.oidc ? createAccessTokenVerifier(deps.oidc) : undefined;
  const preflight = async ({ req, res }: { req: IncomingMessage; res: ServerResponse }) => {
    cors(req, res);
    res.setHeader('access-control-allow-methods', 'POST, OPTIONS');
    res.setHeader('access-control-allow-headers', 'content-type, x-namespace, authorization');
    res.setHeader('access-control-max-age', '600');
    res.writeHead(204).end();
  };

  // Decoded payloads hold ids of every project (and the memo's descriptions), so decoding is a site-wide right.
  const mayUseCodec = (principal: Principal | undefined, how: string): void => {
    if (!principal) throw unauthorized(`${how} was not accepted (unknown, revoked or expired, or the user is disabled)`);
    if (!principal.siteAdmin) throw new HttpError(403, `user ${principal.login} is not a site administrator; decoding Temporal payloads is for site administrators only`);
  };
  const checkCaller = async (req: IncomingMessage): Promise<void> => {
    if (deps.open) return;
    const header = req.headers.authorization;
    if (header) {
      const bearer = /^Bearer\s+(\S+)\s*$/i.exec(header)?.[1];
      if (bearer && deps.codecToken && sameSecret(bearer, deps.codecToken)) return;
      if (bearer && looksLikeJwt(bearer)) {
        if (!verifyAccessToken) throw unauthorized('OIDC access tokens are not accepted here: set codec.oidcIssuer, codec.oidcAudience and codec.oidcJwks');
        let login: string;
        try {
          login = await verifyAccessToken(bearer);
        } catch (err) {
          if (err instanceof AccessTokenError) throw unauthorized(err.message);
          throw err;
        }
        const user = await auth.repos.users.byLogin(login);
        return mayUseCodec(user && (await auth.repos.users.principal(user.id)), `the access token's user (no dicom-intake user ${login}?)`);
      }
      // A dicom-intake API token (Bearer, or Basic as XNAT clients send it).
      return mayUseCodec(await principalFromHeader(auth.repos, header), 'the Authorization header');
    }
    const cookie = readCookie(req.headers.cookie, SESSION_COOKIE);
    if (cookie) {
      // A session cookie is honoured from this site's own pages and the configured Web UI origins only.
      const origin = req.headers.origin;
      if (origin !== undefined && !allowed(origin) && origin !== `http://${req.headers.host}` && origin !== `https://${req.headers.host}`) {
        throw new HttpError(403, 'this origin may not use the codec endpoint with a sign-in cookie; add it to http.corsOrigins if it is a Temporal Web UI');
      }
      const found = await resolveWebSession(auth.repos, cookie, auth.web ?? DEFAULT_WEB_SESSION_SETTINGS);
      return mayUseCodec(found?.principal, 'the sign-in session');
    }
    throw unauthorized('the codec endpoint needs a signed-in site administrator (session cookie, OIDC access token or API token) or "Authorization: Bearer <http.codecToken>"');
  };

  const transform = (op: 'encode' | 'decode') => async ({ req, res }: { req: IncomingMessage; res: ServerResponse }) => {
    cors(req, res);
    await checkCaller(req);
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
  // The Temporal Web UI calls these with a browser's cookies or an OIDC access token, not always as a dicom-intake
  // API client: the routes are public to the router and check their callers themselves (checkCaller).
  for (const op of ['encode', 'decode'] as const) {
    router.on('OPTIONS', `/codec/${op}`, PUBLIC, preflight);
    router.on('POST', `/codec/${op}`, PUBLIC, transform(op));
  }
}

function unauthorized(why: string): HttpError {
  return new HttpError(401, why, { 'www-authenticate': 'Bearer realm="dicom-intake codec"' });
}
