import { receiverFromInput, receiverInputOf, ReceiverInputError } from '../config/receiver-input';
import type { ReceiverConfig } from '../config/receivers';
import type { Repositories } from '../db/repositories';
import { configOfListing, type ReceiverManager } from '../scp/receiver-manager';
import { SITE_ADMIN } from './access';
import { readText, sendJson } from './http-io';
import { HttpError, type Router } from './router';

/** What the receiver routes need: the repositories, and the receivers this process runs (absent: read-only). */
export interface ReceiverRouteDeps {
  repos: Repositories;
  receivers?: ReceiverManager;
}

/** A receiver change as one call, shared by the JSON API and the site settings page. */
export interface ReceiverChanges {
  /** Lists every receiver with whether it is running in this process, and on which port. */
  list(): Promise<(ReceiverConfig & { running: boolean; updatedAt: string | null })[]>;
  create(input: unknown): Promise<ReceiverConfig>;
  /** `merge`: PATCH (change only the given keys); otherwise the input replaces the receiver (PUT). */
  update(id: string, input: unknown, merge: boolean): Promise<ReceiverConfig>;
  remove(id: string): Promise<void>;
}

/** Receiver changes validated, saved and applied to the running receivers; errors are HttpErrors with the reason. */
export function receiverChanges(deps: ReceiverRouteDeps): ReceiverChanges {
  const manager = () => {
    if (!deps.receivers) throw new HttpError(503, 'this process does not run the DICOM receivers (dicom-intake start does); change them there');
    return deps.receivers;
  };
  const saved = async () => (await deps.repos.receivers.list()).map((l) => ({ ...configOfListing(l, deps.receivers?.sessionIdleSeconds ?? 300), updatedAt: l.updatedAt }));
  const asHttp = (err: unknown): never => {
    if (err instanceof ReceiverInputError) throw new HttpError(err.conflict ? 409 : 400, err.message);
    // A port another program holds: the settings are refused, the receiver keeps its previous ones.
    if (err instanceof Error && /cannot listen/.test(err.message)) throw new HttpError(409, `${err.message}; choose another port or address`);
    throw err;
  };
  const current = async (id: string) => {
    const c = (await saved()).find((r) => r.id === id);
    if (!c) throw new HttpError(404, `receiver ${id} does not exist (GET /api/receivers lists them)`);
    return c;
  };
  return {
    async list() {
      return (await saved()).map((c) => ({ ...c, running: !!deps.receivers?.get(c.id), port: deps.receivers?.get(c.id)?.port ?? c.port }));
    },
    async create(input) {
      const m = manager();
      const config = await Promise.resolve()
        .then(async () => receiverFromInput(input, m, await saved()))
        .catch(asHttp);
      await m.apply(config).catch(asHttp);
      return config;
    },
    async update(id, input, merge) {
      const m = manager();
      const before = await current(id);
      if (typeof input !== 'object' || input === null || Array.isArray(input)) throw new HttpError(400, 'send the receiver as a JSON object');
      const given = input as Record<string, unknown>;
      if (given.id !== undefined && given.id !== id) throw new HttpError(400, `a receiver's id cannot change (${id}); create a new receiver and remove this one`);
      const beforeConfig: ReceiverConfig = { ...before };
      delete (beforeConfig as Partial<typeof before>).updatedAt;
      const body = merge ? { ...receiverInputOf(beforeConfig), ...given, id } : { ...given, id };
      const config = await Promise.resolve()
        .then(async () => receiverFromInput(body, m, (await saved()).filter((r) => r.id !== id)))
        .catch(asHttp);
      await m.apply(config, beforeConfig).catch(asHttp);
      return config;
    },
    async remove(id) {
      await current(id);
      await manager().remove(id);
    },
  };
}

const parseJson = async (req: import('node:http').IncomingMessage) => {
  const text = await readText(req, 256 * 1024);
  try {
    return JSON.parse(text) as unknown;
  } catch {
    throw new HttpError(400, 'the body is not JSON; send the receiver as a JSON object (see docs/front-doors.md)');
  }
};

/**
 * The C-STORE receivers (a site setting, for site admins only): list, create, change and remove. Changes are saved
 * in the database and applied to the running receivers at once (see ReceiverManager); temporal-dev.yaml only seeds
 * them.
 */
export function registerReceiverRoutes(router: Router, deps: ReceiverRouteDeps): void {
  const changes = receiverChanges(deps);
  router.on('GET', '/api/receivers', SITE_ADMIN, async ({ res }) => sendJson(res, 200, { receivers: await changes.list() }));
  router.on('GET', '/api/receivers/:id', SITE_ADMIN, async ({ res, params }) => {
    const r = (await changes.list()).find((x) => x.id === params.id);
    if (!r) throw new HttpError(404, `receiver ${params.id} does not exist (GET /api/receivers lists them)`);
    sendJson(res, 200, { receiver: r });
  });
  router.on('POST', '/api/receivers', SITE_ADMIN, async ({ req, res }) => sendJson(res, 201, { receiver: await changes.create(await parseJson(req)) }));
  for (const method of ['PUT', 'PATCH'] as const) {
    router.on(method, '/api/receivers/:id', SITE_ADMIN, async ({ req, res, params }) => sendJson(res, 200, { receiver: await changes.update(params.id, await parseJson(req), method === 'PATCH') }));
  }
  router.on('DELETE', '/api/receivers/:id', SITE_ADMIN, async ({ res, params }) => {
    await changes.remove(params.id);
    sendJson(res, 200, { removed: params.id });
  });
}
