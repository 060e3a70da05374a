import type { IncomingMessage } from 'node:http';
import type { Client } from '@temporalio/client';
import { prearchiveUrl } from '../activities/prearchive-activities';
import { signalStudy } from '../client/start-study';
import type { Repositories } from '../db/repositories';
import { newId } from '../domain/ids';
import type { FileStore } from '../storage/file-store';
import { markStudyReceiving, quarantineReceivedFile, receivedStudyKey, studyOfReceivedFile } from '../storage/received-file';
import { saveBody } from './http-io';
import type { ImportRequest } from './import-params';
import { FirstFilePart } from './multipart-body';
import { HttpError } from './router';

/** The receiver id gradual-DICOM files are recorded under (received_files.receiver_id); no receiver has it. */
export const GRADUAL_DOOR = 'gradual-DICOM';

/** What a gradual-DICOM request needs. */
export interface GradualDeps {
  repos: Repositories;
  store: FileStore;
  client: Client;
  taskQueue: string;
  uploadMaxBytes: number;
  /** XNAT's session idle time (dicom.sessionIdleSeconds): a study is imported this long after its last file. */
  sessionIdleSeconds: number;
}

/**
 * XNAT's gradual-DICOM import: one DICOM file per request (the body, or the first file of a multipart body). The
 * file is stored durably and recorded like a C-STORE file, then its study's intake workflow is signalled with
 * start, keyed by a hash of this front door, the project (or none), the destination and the StudyInstanceUID; so
 * the files of one study, sent one by one, become one session once no file has come for the idle time. The answer
 * is the study's prearchive URL, where it is listed as RECEIVING until then. A file that is not readable DICOM, or
 * lacks its UIDs, is kept in quarantine/gradual/<file id>/ with the reason and answered 400 as XNAT does.
 */
export async function receiveGradualFile(deps: GradualDeps, req: IncomingMessage, request: ImportRequest, boundary: string | undefined, skipSitePass: boolean): Promise<string> {
  const { params, destination } = request;
  const fileId = newId('gr');
  const objectKey = deps.store.stagingKey('gradual', `${fileId}.dcm`);
  const path = deps.store.path(objectKey);
  // Size and digest of the plaintext (the body is sealed at rest when a staging key is configured).
  const saved = await saveBody(req, path, deps.uploadMaxBytes, boundary ? new FirstFilePart(boundary) : undefined, deps.store.staged.sealStream(), true);
  const { size } = saved;
  const sha256 = saved.sha256!;
  if (size === 0) {
    await deps.store.remove(objectKey);
    throw new HttpError(400, 'the request body is empty; send one DICOM file as the body (inbody=true) or as a multipart file field');
  }
  const read = await studyOfReceivedFile(path, deps.store.openStaged);
  if ('refused' in read) {
    await quarantineReceivedFile(deps.store, ['gradual'], fileId, objectKey, { code: read.refused, status: '400', door: GRADUAL_DOOR });
    const why = read.refused === 'MISSING_UID' ? 'it lacks its Study, Series or SOP Instance UID' : `reader error ${read.refused}`;
    throw new HttpError(400, `unable to read DICOM object: ${why}; the file is kept in quarantine as ${fileId}`);
  }
  const project = params.project ?? null;
  const studyKey = receivedStudyKey(`${GRADUAL_DOOR}\u0000${project ?? ''}\u0000${destination}`, read.studyUid);
  await deps.repos.receivedFiles.add({ id: fileId, receiverId: GRADUAL_DOOR, studyKey, objectKey, sha256, size, params }).catch(async (err) => {
    await deps.store.remove(objectKey);
    throw err;
  });
  const pre = await markStudyReceiving(deps.repos, { studyKey, projectId: project, source: params.source }, () => undefined);
  await signalStudy(
    deps.client,
    deps.taskQueue,
    { studyKey, receiverId: GRADUAL_DOOR, destination, skipSitePass, anonymize: true, idleMs: Math.round(deps.sessionIdleSeconds * 1000), method: 'gradual' },
    1,
  );
  const row = pre ?? (await deps.repos.prearchive.byStudyKey(studyKey));
  // No row although the file was recorded: the study was deleted (or built) in between, and the file went with it.
  if (!row) throw new HttpError(409, `file ${fileId} arrived just as study ${studyKey} was deleted or built, and went with it: if the prearchive shows no built session with it, send it again`);
  return prearchiveUrl(row.projectId, row.timestamp, row.folder);
}
