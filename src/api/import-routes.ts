import type { Client } from '@temporalio/client';
import { awaitImport, importWorkflowId, startImport } from '../client/start-import';
import type { Repositories } from '../db/repositories';
import { newId } from '../domain/ids';
import { planPasses } from '../domain/pass-matrix';
import { archiveMemberName } from '../storage/archive-extract';
import type { FileStore } from '../storage/file-store';
import { receiveGradualFile } from './gradual-import';
import { saveBody, sendJson, sendText } from './http-io';
import { parseImportRequest } from './import-params';
import type { Principal } from '../domain/access';
import { requireProjectAccess, SIGNED_IN } from './access';
import { FirstFilePart, multipartBoundary } from './multipart-body';
import { HttpError, type Router } from './router';

/** What the import routes need. */
export interface ImportRouteDeps {
  repos: Repositories;
  store: FileStore;
  client: Client;
  taskQueue: string;
  uploadMaxBytes: number;
  siteAnonEnabled: boolean;
  /** Uploads received at once (limits.maxConcurrentUploads); unlimited when unset. */
  maxConcurrentUploads?: number;
  /** XNAT's session idle time for gradual-DICOM studies (dicom.sessionIdleSeconds); default 300. */
  sessionIdleSeconds?: number;
}

/** HTTP status of each domain failure type (XNAT answers 400 for bad input, 404 unknown project, 409 conflict). */
const STATUS_OF: Record<string, number> = {
  CorruptMemberError: 400,
  BadArchiveError: 400,
  BadRequestError: 400,
  ProjectNotFoundError: 404,
  SessionConflictError: 409,
  // The files do not carry the scripts in effect: the upload conflicts with the server's current scripts.
  ClientClaimRejectedError: 409,
  AnonymizationFailedError: 422,
};

/** POST /data/services/import (XNAT) and POST /api/uploads (JSON, returns the workflow id at once). */
export function registerImportRoutes(router: Router, deps: ImportRouteDeps): void {
  // Each upload holds a socket, a staging file and (for the XNAT route) a wait on its workflow; beyond the limit a
  // client is told to come back rather than queued, so a flood cannot fill the disk or the event loop.
  let active = 0;
  const withSlot = async <T>(work: () => Promise<T>): Promise<T> => {
    if (deps.maxConcurrentUploads !== undefined && active >= deps.maxConcurrentUploads) {
      throw new HttpError(503, `the server is receiving ${active} uploads, its limit (limits.maxConcurrentUploads); retry later`, { 'retry-after': '10', connection: 'close' });
    }
    active++;
    try {
      return await work();
    } finally {
      active--;
    }
  };

  const receive = async (url: URL, req: import('node:http').IncomingMessage, principal: Principal) => {
    // Refused before a byte of the body is read: a declared size over the limit can never succeed.
    const declared = Number(req.headers['content-length']);
    if (Number.isFinite(declared) && declared > deps.uploadMaxBytes) {
      throw new HttpError(413, `upload of ${declared} bytes is over ${deps.uploadMaxBytes} bytes, the configured limit (limits.uploadMaxBytes); split it into smaller archives`, { connection: 'close' });
    }
    const request = parseImportRequest(url.searchParams);
    if (request.handler === 'gradual-DICOM' && request.params.preventAnon) {
      throw new HttpError(400, 'prevent_anon=true is accepted with import-handler=DICOM-zip only (the upload client sends zips); send this file without it');
    }
    const boundary = multipartBoundary(req.headers['content-type']);
    if (request.destination === 'archive' && !request.params.project) throw new HttpError(400, 'an archive upload needs a project: dest=/archive/projects/P or PROJECT_ID=P');
    if (request.params.project) {
      if (!(await deps.repos.projects.get(request.params.project))) {
        throw new HttpError(404, `project ${request.params.project} does not exist; create it first (PUT /data/projects/${request.params.project})`);
      }
    }
    // prevent_anon=true is a claim that the client ran the site and project scripts; it is checked against the
    // project's scripts, so it needs a project.
    if (request.params.preventAnon && !request.params.project) {
      throw new HttpError(400, 'prevent_anon=true needs a project (dest=/archive/projects/P or PROJECT_ID=P): the files are checked against its scripts');
    }
    const method = request.params.preventAnon ? 'client' : 'api';
    // Uploading is a member's right; without a project the session lands in Unassigned, which any user may fill.
    if (request.params.project) requireProjectAccess(principal, request.params.project, 'write');
    if (request.handler === 'gradual-DICOM') {
      const plan = planPasses({ method: 'gradual', destination: request.destination, preventAnon: false, siteEnabled: deps.siteAnonEnabled });
      return { kind: 'gradual' as const, url: await receiveGradualFile({ ...deps, sessionIdleSeconds: deps.sessionIdleSeconds ?? 300 }, req, request, boundary, !plan.site) };
    }
    const uploadId = newId('up');
    // The uploaded archive keeps the key upload.zip whatever its format (zip, tar, tar.gz): the format is read
    // from its first bytes when it is unpacked.
    const archivePath = deps.store.path(deps.store.stagingKey(uploadId, 'upload.zip'));
    const { size } = await saveBody(req, archivePath, deps.uploadMaxBytes, boundary ? new FirstFilePart(boundary) : undefined, deps.store.staged.sealStream()).catch(async (err) => {
      await deps.store.remove(deps.store.stagingKey(uploadId));
      throw err;
    });
    if (size === 0) {
      await deps.store.remove(deps.store.stagingKey(uploadId));
      throw new HttpError(400, 'the request body is empty; send a zip, tar or tar.gz archive as the body or as a multipart file field');
    }
    await deps.repos.uploads.create({ id: uploadId, method, destination: request.destination, projectId: request.params.project, params: request.params, workflowId: importWorkflowId(uploadId) });
    const plan = planPasses({ method, destination: request.destination, preventAnon: !!request.params.preventAnon, siteEnabled: deps.siteAnonEnabled });
    await startImport(deps.client, deps.taskQueue, {
      uploadId,
      destination: request.destination,
      skipSitePass: !plan.site,
      overwrite: request.params.overwrite ?? 'none',
      method,
      projectId: request.params.project,
    });
    return { kind: 'upload' as const, uploadId };
  };

  router.on('POST', '/data/services/import', SIGNED_IN, async ({ req, res, url, principal }) => {
    const received = await withSlot(async () => {
      const r = await receive(url, req, principal);
      return r.kind === 'gradual' ? r : { ...r, outcome: await awaitImport(deps.client, r.uploadId) };
    });
    // gradual-DICOM: the study is still open; XNAT answers with the prearchive URL the session is received into.
    if (received.kind === 'gradual') {
      sendText(res, 200, `${received.url}\n`);
      return;
    }
    const { uploadId, outcome } = received;
    if (outcome.ok) {
      sendText(res, 200, [...outcome.result.sessions.map((s) => s.url), ...outcome.result.prearchived.map((p) => p.url)].join('\n') + '\n');
      return;
    }
    let message = outcome.failure.message;
    if (outcome.failure.type === 'CorruptMemberError') {
      // The member's name is told to the uploader who sent it, but never enters Temporal or the logs.
      const index = Number(/member #(\d+)/.exec(message)?.[1]);
      const name = Number.isFinite(index) ? await archiveMemberName(deps.store.path(deps.store.quarantineKey(uploadId, 'upload.zip')), index, deps.store.staged).catch(() => undefined) : undefined;
      if (name) message = `unable to read DICOM object ${name}: ${message}`;
    }
    sendText(res, STATUS_OF[outcome.failure.type] ?? 500, `${outcome.failure.type}: ${message}\n`);
  });

  router.on('POST', '/api/uploads', SIGNED_IN, async ({ req, res, url, principal }) => {
    // Refused before the body is read: a gradual file sent here would otherwise be received but never answered.
    if (url.searchParams.get('import-handler') === 'gradual-DICOM') throw new HttpError(400, 'POST /api/uploads takes archives; send single files to POST /data/services/import?import-handler=gradual-DICOM');
    const r = await withSlot(() => receive(url, req, principal));
    if (r.kind === 'gradual') throw new HttpError(500, 'a gradual-DICOM file reached the archive upload route');
    sendJson(res, 202, { uploadId: r.uploadId, workflowId: importWorkflowId(r.uploadId), status: `/api/uploads/${r.uploadId}` });
  });

  router.on('GET', '/api/uploads/:id', SIGNED_IN, async ({ res, params, principal }) => {
    const upload = await deps.repos.uploads.get(params.id);
    if (!upload) throw new HttpError(404, `upload ${params.id} is not known`);
    requireProjectAccess(principal, upload.projectId ?? 'Unassigned', 'read');
    // Members skipped under Ignore-Unparsable are reported by number; their names were never stored.
    const audit = await deps.repos.audit.forUpload(upload.id);
    const membersOf = (action: string) => audit.filter((e) => e.action === action).flatMap((e) => (e.detail?.members as number[] | undefined) ?? []);
    const skipped = membersOf('upload.members-skipped');
    // DICOMDIR members are skipped whatever Ignore-Unparsable says (XNAT ignores them too) and reported apart.
    const dicomdirs = membersOf('upload.dicomdir-skipped');
    sendJson(res, 200, { id: upload.id, status: upload.status, destination: upload.destination, project: upload.projectId, files: upload.fileCount, skippedMembers: skipped, skippedDicomdirs: dicomdirs, workflowId: upload.workflowId, error: upload.error ? { type: upload.errorCode, message: upload.error } : null });
  });
}
