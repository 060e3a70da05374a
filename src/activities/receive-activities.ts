import { Context } from '@temporalio/activity';
import { importWorkflowId } from '../client/start-import';
import type { Destination } from '../domain/upload-status';
import type { ActivityDeps } from './deps';

const seqName = (seq: number) => `${String(seq).padStart(6, '0')}.dcm`;

/** Activities of the DICOM receivers' study intake. */
export function createReceiveActivities(deps: ActivityDeps) {
  const { repos, store } = deps;
  return {
    /**
     * Turns the study's received, not yet sealed files into upload `uploadId` (method cstore): claims their rows,
     * moves each file to staging/<upload>/raw/NNNNNN.dcm and records them as the upload's raw files, so that the
     * import path (unpack check, site pass, identify, archive) handles them as it handles an unpacked zip.
     * Idempotent: a retry claims the same rows again (plus any newer ones) and skips files already moved.
     */
    async sealReceivedStudy(input: { studyKey: string; receiverId: string; uploadId: string; destination: Destination; anonymize: boolean }): Promise<{ files: number }> {
      const files = await repos.receivedFiles.claim(input.studyKey, input.uploadId);
      if (!files.length) return { files: 0 };
      if (!(await repos.uploads.get(input.uploadId))) {
        await repos.uploads.create({
          id: input.uploadId,
          method: 'cstore',
          destination: input.destination,
          params: { overwrite: 'append', receiverId: input.receiverId, ...(input.anonymize ? {} : { anonymizationDisabled: true }) },
          workflowId: importWorkflowId(input.uploadId),
        });
      }
      const rows: { seq: number; sha256: string; size: number }[] = [];
      for (const [i, f] of files.entries()) {
        const target = store.stagingKey(input.uploadId, 'raw', seqName(i + 1));
        if (await store.exists(f.objectKey)) await store.move(f.objectKey, target);
        else if (!(await store.exists(target))) throw new Error(`received file ${f.id} of upload ${input.uploadId} is missing from staging`);
        rows.push({ seq: i + 1, sha256: f.sha256, size: f.size });
        if (i % 100 === 99) Context.current().heartbeat({ moved: i + 1 });
      }
      await repos.uploads.replaceFiles(input.uploadId, rows);
      await repos.uploads.setStatus(input.uploadId, 'RECEIVED', { fileCount: rows.length });
      return { files: rows.length };
    },
  };
}
