import { Context } from '@temporalio/activity';
import { importWorkflowId } from '../client/start-import';
import type { Destination } from '../domain/upload-status';
import type { ActivityDeps } from './deps';
import { currentRun } from './run-ref';

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
    async sealReceivedStudy(input: { studyKey: string; receiverId: string; uploadId: string; destination: Destination; anonymize: boolean; method?: 'cstore' | 'gradual' }): Promise<{ files: number }> {
      const files = await repos.receivedFiles.claim(input.studyKey, input.uploadId);
      if (!files.length) return { files: 0 };
      // The study's RECEIVING row shows BUILDING while its files are imported (XNAT's status after the idle time).
      await repos.prearchive.setReceivingStatus(input.studyKey, 'BUILDING');
      if (!(await repos.uploads.get(input.uploadId))) {
        const method = input.method ?? 'cstore';
        // A gradual-DICOM study takes the request parameters of its first file (project, subject, session, …);
        // a C-STORE study is identified through its receiver's rules.
        const given = files.find((f) => f.params)?.params;
        const params = method === 'gradual' ? { ...given, overwrite: 'append' as const } : { overwrite: 'append' as const, receiverId: input.receiverId, ...(input.anonymize ? {} : { anonymizationDisabled: true }) };
        await repos.uploads.create({
          id: input.uploadId,
          method,
          destination: input.destination,
          projectId: method === 'gradual' ? given?.project : undefined,
          params,
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

    /**
     * Step 1 of the delete of a RECEIVING study: the cut-off (see PrearchiveRepo.cutReceiving). Files recorded
     * before it are deleted with the study; files recorded after it start a new RECEIVING study.
     */
    async cutReceivingStudy(input: { studyKey: string; discardId: string }): Promise<{ prearchiveId: string | null }> {
      const cut = await repos.prearchive.cutReceiving(input.studyKey, input.discardId);
      return { prearchiveId: cut.prearchiveId };
    },

    /**
     * Step 2: audits `prearchive.deleted` (ids and a count only; the cut is made, so the session is gone for its
     * users), then removes the files given to `discardId` from staging, their rows and the DELETING row.
     * Idempotent: a retry finds the audit of this run and the files already removed.
     */
    async removeDiscardedStudy(input: { discardId: string; prearchiveId: string | null }): Promise<{ files: number }> {
      const files = await repos.receivedFiles.byUpload(input.discardId);
      const pre = input.prearchiveId ? await repos.prearchive.get(input.prearchiveId) : undefined;
      const run = currentRun();
      await repos.audit.appendOnce({
        actor: 'system',
        action: 'prearchive.deleted',
        projectId: pre?.projectId ?? null,
        sessionId: input.prearchiveId,
        workflowId: run.workflowId,
        runId: run.runId,
        detail: { prearchiveId: input.prearchiveId, status: 'RECEIVING', files: files.length },
      });
      for (const f of files) await store.remove(f.objectKey);
      await deps.faultPoint?.('receiving-discard:after-files');
      await repos.receivedFiles.removeByUpload(input.discardId);
      if (input.prearchiveId) await repos.prearchive.remove(input.prearchiveId);
      return { files: files.length };
    },

    /** After an import of the study: its RECEIVING row stays (more files came) or goes (see settleReceiving). */
    async settleReceivingStudy(input: { studyKey: string }): Promise<void> {
      await repos.prearchive.settleReceiving(input.studyKey);
    },
  };
}
