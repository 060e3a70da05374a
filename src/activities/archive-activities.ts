import { EmptySessionError, SessionBusyError, SessionConflictError } from '../domain/intake-errors';
import type { CatalogEntry } from '../db/archive-repo';
import type { ActivityDeps } from './deps';
import { heartbeat } from './heartbeat';
import { currentRun } from './run-ref';
import { acquireSessionLocks } from './session-locks';

const seqName = (seq: number) => `${String(seq).padStart(6, '0')}.dcm`;

/** XNAT's archive URL of a session, the answer of the import service. */
export function archiveUrl(projectId: string, subject: string, session: string): string {
  return `/data/archive/projects/${projectId}/subjects/${subject}/experiments/${session}`;
}

/** Overwrite modes of XNAT's import and archive services. */
export type Overwrite = 'none' | 'append' | 'delete';

/** Activities that put a session's anonymized files into the archive. */
export function createArchiveActivities(deps: ActivityDeps) {
  const { repos, store } = deps;
  return {
    /**
     * Locks the archived session a group will be committed into, if it exists, so that a metadata edit of that
     * session and this archive never interleave. A lock held by another workflow is a retryable SessionBusyError:
     * the activity's retry policy is how this archive waits its turn.
     */
    async lockArchiveTarget(input: { groupId: string }): Promise<{ sessionId: string | null }> {
      const group = (await repos.uploads.group(input.groupId))!;
      const existing = await repos.archive.sessionByLabel(group.projectId, group.sessionLabel);
      if (!existing) return { sessionId: null };
      const owner = currentRun().workflowId!;
      const r = await acquireSessionLocks(deps, [existing.id], owner);
      if (!r.ok) throw new SessionBusyError(`archived session ${existing.id} is being changed by workflow ${r.heldBy}; this archive waits for it`);
      return { sessionId: existing.id };
    },

    /** Frees every session lock this workflow holds (safe to repeat). */
    async releaseSessionLocks(): Promise<void> {
      await repos.sessionLocks.releaseAll(currentRun().workflowId!);
    },

    /**
     * Moves one group's project-passed files into the archive and writes the catalog.
     * Order matters for crash safety: files are renamed to content-addressed keys first (a rename that already
     * happened is seen and skipped), then the catalog is written in one transaction, then staging is cleared.
     * A repeated commit of identical content changes nothing. An existing session of the same label is never
     * merged silently: overwrite=none refuses any new or different file (CONFLICT), append adds new instances but
     * refuses different content for an existing one, delete replaces the session's instances.
     */
    async commitGroupToArchive(input: { uploadId: string; groupId: string; overwrite: Overwrite }): Promise<{ sessionId: string; url: string; added: number; replaced: number; unchanged: number; removed: number }> {
      const run = currentRun();
      const group = (await repos.uploads.group(input.groupId))!;
      const all = await repos.uploads.files(input.uploadId, input.groupId);
      const files = all.filter((f) => f.stage === 'project' || f.stage === 'archived');
      if (!files.length) {
        throw new EmptySessionError(`Empty sessions cannot be archived: the project script of ${group.projectId} rejected all ${all.length} files of session group ${group.id}; fix the script or delete the session`);
      }
      const existing = await repos.archive.sessionByLabel(group.projectId, group.sessionLabel);
      if (existing) {
        const current = new Map((await repos.archive.instances(existing.id)).map((i) => [i.sopUidHash, i.contentSha256]));
        const fresh = files.filter((f) => !current.has(f.sopUidHash!));
        const changed = files.filter((f) => current.has(f.sopUidHash!) && current.get(f.sopUidHash!) !== f.sha256);
        const where = `session ${group.sessionLabel} already exists in the archive of project ${group.projectId}`;
        if (input.overwrite === 'none' && (fresh.length || changed.length)) {
          throw new SessionConflictError(`${where} and ${fresh.length + changed.length} of the ${files.length} files are new or different; commit with overwrite=append to add files, overwrite=delete to replace the session, or give the session another label`);
        }
        if (input.overwrite === 'append' && changed.length) {
          throw new SessionConflictError(`${where} and ${changed.length} of its files would be replaced by different content; commit with overwrite=delete to replace them`);
        }
        if (existing.subjectLabel !== group.subjectLabel) {
          throw new SessionConflictError(`${where} and belongs to another subject; relabel the session or move the archived one first`);
        }
      }
      const entries: CatalogEntry[] = [];
      const base = group.baseKey ?? store.stagingKey(input.uploadId);
      for (const f of files) {
        heartbeat({ step: 'move', done: f.seq });
        const fileName = `${f.sopUidHash!.slice(0, 24)}-${f.sha256.slice(0, 12)}.dcm`;
        const archiveKey = store.archiveKey(group.projectId, group.subjectLabel, group.sessionLabel, f.seriesNumber ?? '0', fileName);
        const stagingKey = `${base}/project/${seqName(f.seq)}`;
        if (f.stage === 'project') {
          if (await store.exists(archiveKey)) await store.remove(stagingKey); // same name = same content, already there
          else await store.move(stagingKey, archiveKey);
          await repos.uploads.updateFile(input.uploadId, f.seq, { stage: 'archived' });
        }
        entries.push({ scanLabel: f.seriesNumber ?? '0', seriesUidHash: f.seriesUidHash!, sopUidHash: f.sopUidHash!, objectKey: archiveKey, sha256: f.sha256, size: f.size, producedByPassId: (await repos.passes.byOutput('project', f.sha256))?.id ?? null });
      }
      await deps.faultPoint?.('commit:after-move');
      const result = await repos.archive.commitSession({
        projectId: group.projectId,
        subjectLabel: group.subjectLabel,
        sessionLabel: group.sessionLabel,
        studyUidHash: group.studyUidHash,
        entries,
        removeOthers: input.overwrite === 'delete',
      });
      // overwrite=delete: the replaced session's other files go once the catalog no longer names them.
      const removedKeys = result.removedKeys ?? [];
      for (const key of removedKeys) if (!entries.some((e) => e.objectKey === key)) await store.remove(key);
      await repos.uploads.setGroup(group.id, { status: 'ARCHIVED', sessionId: result.sessionId });
      // The site-pass versions the project pass kept for a rollback are not needed once the catalog names the files.
      for (const f of all) await store.remove(`${base}/site/${seqName(f.seq)}`);
      // Once per run: a retry after a crash below must not record the archive twice.
      await repos.audit.appendOnce({
        actor: 'system',
        action: 'session.archived',
        projectId: group.projectId,
        sessionId: result.sessionId,
        uploadId: input.uploadId,
        workflowId: run.workflowId,
        runId: run.runId,
        detail: { added: result.added, replaced: result.replaced, unchanged: result.unchanged, removed: removedKeys.length, overwrite: input.overwrite },
      });
      await deps.faultPoint?.('commit:after-catalog');
      return { sessionId: result.sessionId, added: result.added, replaced: result.replaced, unchanged: result.unchanged, removed: removedKeys.length, url: archiveUrl(group.projectId, group.subjectLabel, group.sessionLabel) };
    },

    /** Removes what is left of an upload's staging folder once every group is archived. */
    async clearStaging(input: { uploadId: string }): Promise<void> {
      await store.remove(store.stagingKey(input.uploadId));
    },
  };
}
