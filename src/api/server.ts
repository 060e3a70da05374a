import { randomUUID } from 'node:crypto';
import { createServer, type Server, type ServerOptions } from 'node:http';
import type { Client } from '@temporalio/client';
import type { Knex } from 'knex';
import type { Config } from '../config/load-config';
import type { Repositories } from '../db/repositories';
import { createLogger, type Logger } from '../logging/logger';
import type { ReceiverManager } from '../scp/receiver-manager';
import type { FileStore } from '../storage/file-store';
import { ANONYMOUS, authenticate, authorize, PUBLIC, signInRedirect } from './access';
import type { WebSessionSettings } from '../auth/web-session';
import { registerCodecRoutes, type CodecRouteDeps } from './codec-routes';
import { sendJson } from './http-io';
import type { EditSettings } from '../client/edit-ops';
import { registerEditRoutes } from './edit-routes';
import { registerEffectiveScriptRoutes } from './effective-script-routes';
import { registerImportRoutes } from './import-routes';
import { registerLookupTableRoutes } from './lookup-table-routes';
import { registerPrearchiveRoutes } from './prearchive-routes';
import { registerProfileRoutes } from './profile-routes';
import { registerProjectRoutes } from './project-routes';
import { registerReceiverRoutes } from './receiver-routes';
import { registerRoutingRoutes } from './routing-routes';
import type { RoutingRuleLines } from '../db/site-routing-repo';
import { registerScriptPreviewRoutes } from './script-preview-routes';
import { registerSessionInstanceRoutes } from './session-instance-routes';
import { registerUserRoutes } from './user-routes';
import { registerPageRoutes } from './pages/page-routes';
import { HttpError, Router } from './router';
import { registerWorkflowRoutes } from './workflow-routes';

/** What the HTTP API needs. */
export interface ApiDeps {
  db: Knex;
  repos: Repositories;
  store: FileStore;
  client: Client;
  taskQueue: string;
  uploadMaxBytes: number;
  siteAnonEnabled: boolean;
  /** Site settings of metadata edits (config anonymization.rerunProjectAnonOnRename, edits.versionRetentionSeconds); defaults when absent. */
  editSettings?: EditSettings;
  /** The Temporal Web UI of this namespace (http://host:port/namespaces/NS), for links from the pages. */
  temporalUiUrl?: string;
  /** The codec endpoint for the Temporal Web UI; omitted, the API serves no /codec routes. */
  codec?: CodecRouteDeps;
  /** Request log (one JSON line per request, with its request id); defaults to info level on stderr. */
  logger?: Logger;
  /** Bounds on slow and concurrent clients (config `limits.*`); Node's defaults when omitted. */
  limits?: HttpLimits;
  /** Page sign-in sessions (config `web.*`); 12 h / 30 min idle when omitted. */
  web?: WebSessionSettings;
  /** XNAT's session idle time for gradual-DICOM studies (config dicom.sessionIdleSeconds); 300 s when absent. */
  sessionIdleSeconds?: number;
  /** The C-STORE receivers this process runs; without it the receiver settings can be read but not changed. */
  receivers?: ReceiverManager;
  /** The configuration's site routing rules (dicom.routing.*), in effect until a site admin saves others. */
  siteRouting?: RoutingRuleLines;
}

/** Bounds on slow and concurrent clients (docs/limits.md). */
export interface HttpLimits {
  /** Time to send all request headers (slowloris). */
  headersTimeoutMs: number;
  /** Time to send the whole request, body included. */
  requestTimeoutMs: number;
  /** Uploads received at once; one more is answered 503 with Retry-After. */
  maxConcurrentUploads: number;
}

// A caller's X-Request-Id is kept (so a proxy's id ties its log to ours) only when it is short and plain.
const REQUEST_ID = /^[A-Za-z0-9._:-]{1,64}$/;

/** Builds the HTTP server: XNAT-compatible endpoints plus the project's JSON API. */
export function createApiServer(deps: ApiDeps): Server {
  const router = new Router();
  const logger = deps.logger ?? createLogger({ level: 'info', name: 'api' });
  router.on('GET', '/health', PUBLIC, async ({ res }) => sendJson(res, 200, { status: 'ok' }));
  router.on('GET', '/ready', PUBLIC, async ({ res }) => {
    const checks = { database: false, temporal: false };
    checks.database = await deps.db.raw('select 1').then(() => true, () => false);
    checks.temporal = await deps.client.connection.workflowService.getSystemInfo({}).then(() => true, () => false);
    sendJson(res, checks.database && checks.temporal ? 200 : 503, checks);
  });
  registerImportRoutes(router, { ...deps, maxConcurrentUploads: deps.limits?.maxConcurrentUploads });
  registerProjectRoutes(router, deps);
  registerPrearchiveRoutes(router, deps);
  registerEditRoutes(router, deps);
  registerWorkflowRoutes(router, deps);
  registerEffectiveScriptRoutes(router, deps);
  registerLookupTableRoutes(router, deps);
  registerProfileRoutes(router, deps);
  registerSessionInstanceRoutes(router, deps);
  registerUserRoutes(router, deps);
  registerReceiverRoutes(router, deps);
  registerRoutingRoutes(router, deps);
  registerScriptPreviewRoutes(router, deps);
  registerPageRoutes(router, deps);
  if (deps.codec) registerCodecRoutes(router, deps.codec, deps);

  return createServer(serverOptions(deps.limits), (req, res) => {
    const url = new URL(req.url ?? '/', 'http://localhost');
    const started = Date.now();
    const given = req.headers['x-request-id'];
    const reqId = typeof given === 'string' && REQUEST_ID.test(given) ? given : randomUUID();
    res.setHeader('x-request-id', reqId);
    const log = logger.child({ reqId });
    Promise.resolve()
      .then(async () => {
        const { handler, access, params } = router.match(req.method ?? 'GET', url.pathname);
        const principal =
          access.kind === 'public'
            ? ANONYMOUS
            : await authenticate(deps.repos, req, deps.web).catch((err: unknown) => {
                throw signInRedirect(err, req, url) ?? err;
              });
        authorize(access, principal, params);
        return handler({ req, res, url, params, principal, log });
      })
      .catch((err: Error) => {
        const status = err instanceof HttpError ? err.status : 500;
        // Only HttpError messages are written for people; anything else is reported by type, not text.
        const message = err instanceof HttpError ? err.message : `internal error (${err.name}); see the server log`;
        if (!res.headersSent) {
          if (err instanceof HttpError) for (const [k, v] of Object.entries(err.headers)) res.setHeader(k, v);
          sendJson(res, status, { error: message });
        }
        else res.end();
        // Messages of non-HTTP errors stay in the server log only; they come from our code and carry ids, not PHI.
        if (status >= 500) log.error({ path: url.pathname, error: err.name, detail: err.message }, 'request failed');
      })
      .finally(() => log.info({ method: req.method, path: url.pathname, status: res.statusCode, ms: Date.now() - started }, 'request'));
  });
}

/** The page sign-in settings of a loaded configuration. */
export function webSessionSettings(config: Config): WebSessionSettings {
  return { maxAgeSeconds: config.web.sessionMaxAgeSeconds, idleSeconds: config.web.sessionIdleSeconds, secureCookie: config.web.secureCookie };
}

/** The codec endpoint's settings of a loaded configuration (the codec itself comes from the keys). */
export function codecRouteSettings(config: Config): Omit<CodecRouteDeps, 'codec'> {
  return { codecToken: config.http.codecToken, open: config.http.codecOpen, corsOrigins: config.http.corsOrigins, oidc: config.http.codecOidc };
}

/** The HTTP limits of a loaded configuration. */
export function httpLimits(config: Config): HttpLimits {
  const l = config.limits;
  return { headersTimeoutMs: l.httpHeadersTimeoutSeconds * 1000, requestTimeoutMs: l.httpRequestTimeoutSeconds * 1000, maxConcurrentUploads: l.maxConcurrentUploads };
}

function serverOptions(limits: HttpLimits | undefined): ServerOptions {
  if (!limits) return {};
  // Node checks the headers and request timeouts only every connectionsCheckingInterval (30 s by default), so a
  // short headers timeout would be enforced late; a 1 s sweep keeps the cut-off close to the configured bound.
  return { headersTimeout: limits.headersTimeoutMs, requestTimeout: limits.requestTimeoutMs, connectionsCheckingInterval: Math.min(1000, limits.headersTimeoutMs) };
}
