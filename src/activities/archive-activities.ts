import { SessionConflictError } from '../domain/intake-errors';
import type { CatalogEntry } from '../db/archive-repo';
import type { ActivityDeps } from './deps';
import { heartbeat } from './heartbeat';
import { currentRun } from './run-ref';

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
     * Moves one group's project-passed files into the archive and writes the catalog.
     * Order matters for crash safety: files are renamed to content-addressed keys first (a rename that already
     * happened is seen and skipped), then the catalog is written in one transaction, then staging is cleared.
     * A repeated commit of identical content changes nothing. With overwrite=none, different content for an
     * existing session is a conflict and nothing moves.
     */
    async commitGroupToArchive(input: { uploadId: string; groupId: string; overwrite: Overwrite }): Promise<{ sessionId: string; url: string; added: number; replaced: number; unchanged: number }> {
      const run = currentRun();
      const group = (await repos.uploads.group(input.groupId))!;
      const files = (await repos.uploads.files(input.uploadId, input.groupId)).filter((f) => f.stage === 'project' || f.stage === 'archived');
      const existing = await repos.archive.sessionByLabel(group.projectId, group.sessionLabel);
      if (existing) {
        const current = new Map((await repos.archive.instances(existing.id)).map((i) => [i.sopUidHash, i.contentSha256]));
        const differs = files.filter((f) => current.get(f.sopUidHash!) !== f.sha256);
        if (input.overwrite === 'none' && differs.length) {
          throw new SessionConflictError(
            `session ${group.sessionLabel} already exists in project ${group.projectId} and ${differs.length} of the ${files.length} uploaded files are new or different; upload with overwrite=append to add files or overwrite=delete to replace them`,
          );
        }
        if (existing.subjectLabel !== group.subjectLabel) {
          throw new SessionConflictError(`session ${group.sessionLabel} in project ${group.projectId} belongs to another subject; relabel the upload or move the session first`);
        }
      }
      const entries: CatalogEntry[] = [];
      for (const f of files) {
        heartbeat({ step: 'move', done: f.seq });
        const fileName = `${f.sopUidHash!.slice(0, 24)}-${f.sha256.slice(0, 12)}.dcm`;
        const archiveKey = store.archiveKey(group.projectId, group.subjectLabel, group.sessionLabel, f.seriesNumber ?? '0', fileName);
        const stagingKey = store.stagingKey(input.uploadId, 'project', seqName(f.seq));
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
      });
      await repos.uploads.setGroup(group.id, { status: 'ARCHIVED', sessionId: result.sessionId });
      await repos.audit.append({
        actor: 'system',
        action: 'session.archived',
        projectId: group.projectId,
        sessionId: result.sessionId,
        uploadId: input.uploadId,
        workflowId: run.workflowId,
        runId: run.runId,
        detail: { added: result.added, replaced: result.replaced, unchanged: result.unchanged },
      });
      await deps.faultPoint?.('commit:after-catalog');
      return { ...result, url: archiveUrl(group.projectId, group.subjectLabel, group.sessionLabel) };
    },

    /** Removes what is left of an upload's staging folder once every group is archived. */
    async clearStaging(input: { uploadId: string }): Promise<void> {
      await store.remove(store.stagingKey(input.uploadId));
    },
  };
}
