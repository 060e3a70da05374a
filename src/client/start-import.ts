import { WorkflowFailedError, type Client } from '@temporalio/client';
import type { Destination, UploadMethod } from '../domain/upload-status';
import { DicomDestination, DicomProject, DicomStatus, DicomUploadMethod } from '../workflows/search-attributes';
import type { ImportUploadInput, ImportUploadResult } from '../workflows/types';

/** Workflow id of an upload's import: readable, and opaque (the upload id is random). */
export const importWorkflowId = (uploadId: string) => `upload-${uploadId}`;

/** The memo description of an import: method, destination and ids only. */
export function importDescription(method: UploadMethod, destination: Destination, uploadId: string, projectId?: string): string {
  const how = { api: 'REST API upload', zip: 'compressed upload', cstore: 'DICOM C-STORE batch', gradual: 'gradual-DICOM batch', client: 'upload client (anonymized on the client)' }[method];
  return `${how} ${uploadId} into the ${destination}${projectId ? ` of project ${projectId}` : ' (project from the files)'}`;
}

/** A failed import, with the domain error type (the wire contract) and its PHI-free message. */
export interface ImportFailure {
  type: string;
  message: string;
}

/** Starts importUpload for a stored upload; a second start of the same upload joins the running one. */
export async function startImport(client: Client, taskQueue: string, args: ImportUploadInput & { method: UploadMethod; projectId?: string }) {
  const { method, projectId, ...input } = args;
  return client.workflow.start('importUpload', {
    taskQueue,
    workflowId: importWorkflowId(input.uploadId),
    args: [input],
    workflowIdConflictPolicy: 'USE_EXISTING',
    typedSearchAttributes: [
      { key: DicomProject, value: projectId ?? 'Unassigned' },
      { key: DicomUploadMethod, value: method },
      { key: DicomDestination, value: input.destination satisfies Destination },
      { key: DicomStatus, value: 'RECEIVED' },
    ],
    staticSummary: `Import upload ${input.uploadId} to ${input.destination}${projectId ? ` of project ${projectId}` : ''}`,
    // A human description for the Web UI; memo is a payload, so the codec encrypts it (search attributes are not).
    memo: { description: importDescription(method, input.destination, input.uploadId, projectId) },
  });
}

/** Waits for an import; resolves to its result or to the failure's domain type and message. */
export async function awaitImport(client: Client, uploadId: string): Promise<{ ok: true; result: ImportUploadResult } | { ok: false; failure: ImportFailure }> {
  try {
    return { ok: true, result: await client.workflow.getHandle(importWorkflowId(uploadId)).result() };
  } catch (err) {
    if (!(err instanceof WorkflowFailedError)) throw err;
    let e: unknown = err.cause;
    while (e) {
      const f = e as { type?: string; message?: string; cause?: unknown };
      if (f.type) return { ok: false, failure: { type: f.type, message: f.message ?? '' } };
      e = f.cause;
    }
    return { ok: false, failure: { type: 'InternalError', message: err.message } };
  }
}
