import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Principal } from '../domain/access';
import type { Access } from './access';
import type { Logger } from '../logging/logger';

/** A request as handlers see it: the parsed URL, the path parameters and who is asking. */
export interface RouteContext {
  req: IncomingMessage;
  res: ServerResponse;
  url: URL;
  params: Record<string, string>;
  /** The signed-in user (ANONYMOUS on public routes). */
  principal: Principal;
  /** The request's logger: every line it writes carries the request id. */
  log: Logger;
}

/** A route handler. */
export type Handler = (ctx: RouteContext) => Promise<void>;

/** An error with the HTTP status to answer; its message is shown to the caller, so it carries no PHI. */
export class HttpError extends Error {
  override readonly name = 'HttpError';
  constructor(
    readonly status: number,
    message: string,
    /** Extra response headers (e.g. WWW-Authenticate on 401). */
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
  }
}

/** A small method + path router: `:name` matches one path segment, a trailing `*` the rest. */
export class Router {
  private routes: { method: string; re: RegExp; names: string[]; access: Access; handler: Handler }[] = [];

  /** Adds a route; `access` says who may call it (see access.ts), checked before the handler runs. */
  on(method: string, pattern: string, access: Access, handler: Handler): this {
    const names: string[] = [];
    const re = new RegExp(
      '^' +
        pattern
          .split('/')
          .map((seg) => {
            if (seg.startsWith(':')) {
              names.push(seg.slice(1));
              return '([^/]+)';
            }
            return seg.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
          })
          .join('/') +
        '/?$',
    );
    this.routes.push({ method, re, names, access, handler });
    return this;
  }

  /** Finds the handler of a request; 404 or 405 when none matches. */
  match(method: string, path: string): { handler: Handler; access: Access; params: Record<string, string> } {
    let pathMatched = false;
    for (const r of this.routes) {
      const m = r.re.exec(path);
      if (!m) continue;
      pathMatched = true;
      if (r.method !== method) continue;
      const params: Record<string, string> = {};
      r.names.forEach((n, i) => (params[n] = decodeURIComponent(m[i + 1])));
      return { handler: r.handler, access: r.access, params };
    }
    throw new HttpError(pathMatched ? 405 : 404, pathMatched ? `${method} is not allowed on ${path}` : `no such resource: ${path}`);
  }
}
