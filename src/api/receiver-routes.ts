import type { Repositories } from '../db/repositories';
import { SITE_ADMIN } from './access';
import { sendJson } from './http-io';
import type { Router } from './router';

/**
 * The C-STORE receivers as they were registered when the front-door process started them (temporal-dev.yaml's
 * `receivers:`): AE title, bound address and port, destination, anonymization switch, allowed callers, routing.
 * A site setting, so for site admins only; changing receivers is done in the config file and a restart.
 */
export function registerReceiverRoutes(router: Router, deps: { repos: Repositories }): void {
  router.on('GET', '/api/receivers', SITE_ADMIN, async ({ res }) => sendJson(res, 200, { receivers: await deps.repos.receivers.list() }));
}
