import type { Repositories } from '../db/repositories';
import { onProject } from './access';
import { sendJson } from './http-io';
import { HttpError, type Router } from './router';

/**
 * GET /api/archive/projects/P/experiments/E/instances: the hashed SOP Instance UIDs and content digests a session
 * holds. The upload client uses it to resume: a file whose anonymized bytes are already archived is not sent again.
 * Hashes and digests only: UIDs can identify a study and never leave the server in clear.
 */
export function registerSessionInstanceRoutes(router: Router, deps: { repos: Repositories }): void {
  router.on('GET', '/api/archive/projects/:p/experiments/:e/instances', onProject('p', 'read'), async ({ res, params }) => {
    const session = await deps.repos.archive.sessionByLabel(params.p, params.e);
    if (!session) throw new HttpError(404, `session ${params.e} is not in project ${params.p}`);
    const instances = await deps.repos.archive.instances(session.id);
    sendJson(res, 200, { project: params.p, session: params.e, subject: session.subjectLabel, instances: instances.map((i) => ({ sopUidHash: i.sopUidHash, sha256: i.contentSha256 })) });
  });
}
