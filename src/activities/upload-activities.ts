import { DicomReadError, isDicomdir, openDicom } from '../dicom';
import { newId } from '../domain/ids';
import { BadArchiveError, CorruptMemberError, ProjectNotFoundError } from '../domain/intake-errors';
import type { UploadStatus } from '../domain/upload-status';
import { ArchiveRefusedError, extractArchive } from '../storage/archive-extract';
import { readFileKeys } from './dicom-header';
import { identifyFile, routingForUpload } from './identify-file';
import type { ActivityDeps } from './deps';
import { heartbeat } from './heartbeat';
import { currentRun } from './run-ref';

const seqName = (seq: number) => `${String(seq).padStart(6, '0')}.dcm`;

/** Activities that take an upload from its received bytes to identified session groups. */
export function createUploadActivities(deps: ActivityDeps) {
  const { repos, store } = deps;

  return {
    /**
     * Extracts the uploaded zip, tar or tar.gz into staging/<upload>/raw/NNNNNN.dcm and checks that every member is DICOM.
     * Idempotent: a retry starts again from the archive, which stays until the site pass has succeeded.
     * A member that is not DICOM fails the upload (non-retryable) unless Ignore-Unparsable was asked. A DICOMDIR is
     * not an image: it is skipped and reported (audit `upload.dicomdir-skipped`), never archived, as XNAT ignores it.
     */
    async unpackUpload(input: { uploadId: string }): Promise<{ files: number; skipped: number }> {
      const upload = await repos.uploads.get(input.uploadId);
      if (!upload) throw new BadArchiveError(`upload ${input.uploadId} is not known`);
      await repos.uploads.setStatus(upload.id, 'UNPACKING');
      const rawKey = store.stagingKey(upload.id, 'raw');
      const rawPath = (seq: number) => store.path(`${rawKey}/${seqName(seq)}`);
      let members;
      try {
        if (upload.method === 'cstore' || upload.method === 'gradual') {
          // A received study's files were put in raw/ and recorded by sealReceivedStudy: nothing to extract.
          members = (await repos.uploads.files(upload.id)).map((f) => ({ index: f.seq, path: rawPath(f.seq), sha256: f.sha256, size: f.size }));
        } else {
          await store.remove(rawKey);
          members = await extractArchive(store.path(store.stagingKey(upload.id, 'upload.zip')), {
            maxMembers: deps.limits.archiveMaxMembers,
            maxExpandedBytes: deps.limits.archiveMaxExpandedBytes,
            maxRatio: deps.limits.archiveMaxRatio,
          }, (i) => {
            heartbeat({ step: 'extract', done: i });
            return rawPath(i);
          }, store.staged);
        }
      } catch (err) {
        if (err instanceof ArchiveRefusedError) {
          // Nothing of a refused archive is kept beside it: only the upload itself goes to quarantine.
          await store.remove(rawKey);
          throw new BadArchiveError(`upload ${upload.id} refused: ${err.message}`);
        }
        throw err;
      }
      const kept: { seq: number; sha256: string; size: number }[] = [];
      const skippedMembers: number[] = [];
      const dicomdirMembers: number[] = [];
      for (const m of members) {
        heartbeat({ step: 'check', done: m.index });
        try {
          const ds = await openDicom(m.path, { open: store.openStaged });
          if (isDicomdir(ds)) {
            // Its records carry names and IDs and point at the other members by byte offsets: never kept.
            dicomdirMembers.push(m.index);
            await store.remove(store.keyOf(m.path));
            continue;
          }
          if (!readFileKeys(ds).hasUids) throw new DicomReadError('MISSING_UID', 'the Study, Series or SOP Instance UID is missing');
          kept.push({ seq: m.index, sha256: m.sha256, size: m.size });
        } catch (err) {
          // A staged file that does not decrypt (StagedFileDamagedError) is not the uploader's doing: never skipped.
          if (!(err instanceof DicomReadError)) throw err;
          if (!upload.params.ignoreUnparsable) throw new CorruptMemberError(m.index, (err as DicomReadError).code, upload.id);
          skippedMembers.push(m.index);
          await store.remove(store.keyOf(m.path));
        }
      }
      if (!kept.length) {
        throw new BadArchiveError(`upload ${upload.id} holds no DICOM images (${members.length} members, ${skippedMembers.length} unparsable, ${dicomdirMembers.length} DICOMDIR skipped)`);
      }
      const run = currentRun();
      if (dicomdirMembers.length) {
        await repos.audit.append({ actor: 'system', action: 'upload.dicomdir-skipped', uploadId: upload.id, workflowId: run.workflowId, runId: run.runId, detail: { members: dicomdirMembers } });
      }
      const skipped = skippedMembers.length;
      if (skipped) {
        // Reported by member number (names stay with the uploader); Ignore-Unparsable asked for them to be skipped.
        await repos.audit.append({ actor: 'system', action: 'upload.members-skipped', uploadId: upload.id, workflowId: run.workflowId, runId: run.runId, detail: { members: skippedMembers } });
      }
      await repos.uploads.replaceFiles(upload.id, kept);
      await repos.uploads.setStatus(upload.id, 'UNPACKING', { fileCount: kept.length });
      await deps.faultPoint?.('unpack:after-extract');
      return { files: kept.length, skipped };
    },

    /**
     * Groups the site-passed files by study and maps each group to project / subject / session (reference §3.1).
     * Reads headers after the site pass, so labels are what the site script left. Re-running replaces the groups.
     */
    async identifySessions(input: { uploadId: string }): Promise<{ groupIds: string[]; unassigned: number; unassignedGroupIds: string[] }> {
      const upload = (await repos.uploads.get(input.uploadId))!;
      const files = await repos.uploads.files(upload.id);
      const knownProjects = new Set((await repos.projects.list()).map((p) => p.id));
      const routing = await routingForUpload(repos, upload.params, deps.siteRouting);
      const byStudy = new Map<string, { seqs: number[]; ident: ReturnType<typeof identifyFile> }>();
      for (const f of files.filter((x) => x.stage === 'site')) {
        heartbeat({ step: 'identify', done: f.seq });
        const ds = await openDicom(store.path(store.stagingKey(upload.id, 'site', seqName(f.seq))));
        const keys = readFileKeys(ds);
        await repos.uploads.updateFile(upload.id, f.seq, {
          studyUidHash: keys.studyUidHash,
          seriesUidHash: keys.seriesUidHash,
          sopUidHash: keys.sopUidHash,
          seriesNumber: keys.seriesNumber,
        });
        let g = byStudy.get(keys.studyUidHash);
        if (!g) {
          const ident = identifyFile(ds, upload.params, (id) => knownProjects.has(id), routing);
          g = { seqs: [], ident };
          byStudy.set(keys.studyUidHash, g);
        }
        g.seqs.push(f.seq);
      }
      const groups = [...byStudy.entries()].map(([studyUidHash, g]) => ({
        id: newId('grp'),
        uploadId: upload.id,
        projectId: g.ident.project ?? 'Unassigned',
        subjectLabel: g.ident.subject || 'unknown_subject',
        sessionLabel: g.ident.session,
        studyUidHash,
        autoArchive: g.ident.autoArchive ?? null,
        seqs: g.seqs,
      }));
      // A study received over DICOM that names no project cannot be archived; as in XNAT it waits in the
      // Unassigned prearchive for a site admin to move it (importUpload places it there). An upload sent to the
      // archive through the API named its project, so a missing one there is the client's error.
      const received = upload.method === 'cstore' || upload.method === 'gradual';
      if (upload.destination === 'archive' && !received) {
        const missing = groups.filter((g) => g.projectId === 'Unassigned');
        if (missing.length) {
          const asked = upload.params.project;
          throw new ProjectNotFoundError(
            asked
              ? `project ${JSON.stringify(asked)} does not exist; create it first or send the upload to another project`
              : `upload ${upload.id}: no project was given and none could be identified from the files; pass project=ID`,
          );
        }
      }
      await repos.uploads.replaceGroups(upload.id, groups);
      for (const g of groups) for (const seq of g.seqs) await repos.uploads.updateFile(upload.id, seq, { groupId: g.id });
      const unassignedGroupIds = groups.filter((g) => g.projectId === 'Unassigned').map((g) => g.id);
      return { groupIds: groups.map((g) => g.id), unassigned: unassignedGroupIds.length, unassignedGroupIds };
    },

    /** Sets the upload's status (the workflow mirrors it into the DicomStatus search attribute). */
    async setUploadStatus(input: { uploadId: string; status: UploadStatus }): Promise<void> {
      await repos.uploads.setStatus(input.uploadId, input.status);
    },

    /**
     * Ends a failed upload: its staging folder moves to quarantine with a reason file, nothing is dropped,
     * and the upload row records the error. Safe to repeat.
     */
    async quarantineUpload(input: { uploadId: string; errorType: string; message: string }): Promise<void> {
      const from = store.stagingKey(input.uploadId);
      const to = store.quarantineKey(input.uploadId);
      if (await store.exists(from)) {
        await store.remove(to);
        await store.move(from, to);
      }
      const run = currentRun();
      await store.writeDurable(`${to}/reason.json`, JSON.stringify({ errorType: input.errorType, message: input.message, workflowId: run.workflowId, at: new Date().toISOString() }, null, 2));
      await repos.uploads.setStatus(input.uploadId, 'ERROR', { errorCode: input.errorType, error: input.message });
      await repos.audit.append({ actor: 'system', action: 'upload.failed', uploadId: input.uploadId, workflowId: run.workflowId, runId: run.runId, detail: { errorType: input.errorType } });
    },
  };
}
