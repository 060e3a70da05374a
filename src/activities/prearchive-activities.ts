import { Context } from '@temporalio/activity';
import { openDicom } from '../dicom';
import { autoArchivePlan, prearchiveTimestamp, refusalReason, statusesAllowing, statusesOf, type PrearchiveOperation, type PrearchiveStatus } from '../domain/prearchive-status';
import { PrearchiveStatusError, ProjectNotFoundError, SessionNotFoundError } from '../domain/intake-errors';
import type { Upload, UploadGroup } from '../db/uploads-repo';
import { readFileKeys } from './dicom-header';
import type { ActivityDeps } from './deps';
import { heartbeat } from './heartbeat';
import { currentRun } from './run-ref';
import { freeEndedClaim } from '../client/ended-holders';

const seqName = (seq: number) => `${String(seq).padStart(6, '0')}.dcm`;

/** A session placed in the prearchive, and whether it goes on to the archive by itself. */
export interface PrearchivedSession {
  prearchiveId: string;
  groupId: string;
  url: string;
  autoArchive: boolean;
  overwrite: 'append' | 'delete';
}

/** XNAT's prearchive URL of a session. */
export function prearchiveUrl(project: string | null, timestamp: string, folder: string): string {
  return `/data/prearchive/projects/${project ?? 'Unassigned'}/${timestamp}/${folder}`;
}

/** Store key of a prearchive session's folder: prearchive/<project or Unassigned>/<timestamp>/<folder>. */
export function prearchiveFolderKey(project: string | null, timestamp: string, folder: string): string {
  return ['prearchive', project ?? 'Unassigned', timestamp, folder].join('/');
}

/** Activities of the prearchive: placing identified sessions there, the session lock, and the operations on it. */
export function createPrearchiveActivities(deps: ActivityDeps) {
  const { repos, store } = deps;

  const owner = () => {
    const id = currentRun().workflowId;
    if (!id) throw new Error('prearchive activities run inside a workflow');
    return id;
  };
  const audit = async (action: string, projectId: string | null, detail: Record<string, unknown>) => {
    const run = currentRun();
    await repos.audit.append({ actor: 'system', action, projectId, workflowId: run.workflowId, runId: run.runId, detail });
  };

  /**
   * Moves a group's site-passed files from staging into a new prearchive folder
   * (prearchive/<project or Unassigned>/<timestamp>/<session label>/site/NNNNNN.dcm) and records the session.
   * A file already moved (a retry after a crash) is skipped; the row is written last, so it names a full folder.
   */
  const placeGroup = async (upload: Upload, group: UploadGroup, initial: { status: 'READY' } | { status: 'ERROR' | 'CONFLICT'; reason: string }) => {
    const project = group.projectId === 'Unassigned' ? null : group.projectId;
    // The upload's creation time names the folder, so that a retry picks the same name.
    const timestamp = prearchiveTimestamp(new Date(upload.createdAt));
    let folder = group.sessionLabel;
    for (let n = 2; await repos.prearchive.byAddress(project ?? 'Unassigned', timestamp, folder); n++) folder = `${group.sessionLabel}_${n}`;
    const base = prearchiveFolderKey(project, timestamp, folder);
    for (const f of await repos.uploads.files(upload.id, group.id)) {
      if (f.stage !== 'site') continue;
      const from = store.stagingKey(upload.id, 'site', seqName(f.seq));
      if (await store.exists(from)) await store.move(from, `${base}/site/${seqName(f.seq)}`);
      heartbeat({ step: 'prearchive', done: f.seq });
    }
    await repos.uploads.setGroup(group.id, { baseKey: base, status: 'PREARCHIVED' });
    const pre = await repos.prearchive.create({ projectId: project, timestamp, folder, subjectLabel: group.subjectLabel, uploadId: upload.id, groupId: group.id, source: upload.params.source, preventAnon: upload.params.preventAnon, ...initial });
    await audit('prearchive.received', project, { prearchiveId: pre.id, uploadId: upload.id, status: initial.status });
    await deps.faultPoint?.('prearchive:after-place');
    return pre;
  };

  return {
    /**
     * Moves each identified group of an upload from staging into its prearchive folder
     * (prearchive/<project or Unassigned>/<timestamp>/<session label>/site/NNNNNN.dcm) and records a READY
     * prearchive session. Idempotent: a group already placed is returned as it is. Whether a session goes on to
     * the archive by itself follows `AA:` and the project's prearchive code (0 manual, 4/5 auto). `groupIds`
     * limits it to some groups (the Unassigned ones of a received study bound for the archive).
     */
    async prearchiveGroups(input: { uploadId: string; groupIds?: string[] }): Promise<{ sessions: PrearchivedSession[] }> {
      const upload = (await repos.uploads.get(input.uploadId))!;
      const sessions: PrearchivedSession[] = [];
      for (const group of await repos.uploads.groups(upload.id)) {
        if (input.groupIds && !input.groupIds.includes(group.id)) continue;
        const project = group.projectId === 'Unassigned' ? null : group.projectId;
        const pre = (await repos.prearchive.byGroup(group.id)) ?? (await placeGroup(upload, group, { status: 'READY' }));
        const projectRow = project ? await repos.projects.get(project) : undefined;
        // Unassigned sessions never archive by themselves: they need a project first (reference §4.5).
        const plan = projectRow ? autoArchivePlan(projectRow.prearchiveCode, group.autoArchive ?? undefined) : { auto: false, overwrite: 'append' as const };
        sessions.push({ prearchiveId: pre.id, groupId: group.id, url: prearchiveUrl(pre.projectId, pre.timestamp, pre.folder), autoArchive: plan.auto, overwrite: plan.overwrite });
      }
      return { sessions };
    },

    /**
     * Keeps a session whose direct archive failed (dest=/archive, a receiver to the archive) in the prearchive, as
     * XNAT does, with status ERROR or CONFLICT and the reason, so that it can be committed again once the cause is
     * fixed instead of being uploaded again. Its files are the site-pass versions (the project pass was rolled back
     * first). Idempotent: a group already placed is returned as it is, whatever a person did with it since.
     */
    async keepFailedArchive(input: { uploadId: string; groupId: string; status: 'ERROR' | 'CONFLICT'; reason: string }): Promise<{ prearchiveId: string }> {
      const existing = await repos.prearchive.byGroup(input.groupId);
      if (existing) return { prearchiveId: existing.id };
      const upload = (await repos.uploads.get(input.uploadId))!;
      const group = (await repos.uploads.group(input.groupId))!;
      const pre = await placeGroup(upload, group, { status: input.status, reason: input.reason });
      await audit(`prearchive.${input.status.toLowerCase()}`, pre.projectId, { prearchiveId: pre.id, uploadId: upload.id });
      return { prearchiveId: pre.id };
    },

    /**
     * Takes the session's lock for `op`: from a status that allows it to QUEUED_<op>, owned by this workflow.
     * A retry of the same workflow finds the lock its own. Refused (non-retryable) when the status does not allow
     * the operation, so two operations on one session never interleave. Returns what the workflow needs to run it.
     */
    async claimPrearchive(input: { prearchiveId: string; op: PrearchiveOperation }): Promise<{ uploadId: string; groupId: string; projectId: string | null }> {
      const { queued } = statusesOf(input.op);
      const claim = () => repos.prearchive.claim(input.prearchiveId, { owner: owner(), from: statusesAllowing(input.op), to: queued });
      let { held, session } = await claim();
      // Claimed by a workflow that has ended without finishing: the session becomes ERROR (src/client/ended-holders.ts).
      if (!held && session?.lockedBy) {
        const freed = await freeEndedClaim(() => Context.current().client, repos, session, 'system');
        if (freed.lockedBy === null) ({ held, session } = await claim());
      }
      if (!session) throw new SessionNotFoundError(`prearchive session ${input.prearchiveId} does not exist (deleted or archived meanwhile)`);
      if (!held) throw new PrearchiveStatusError(`cannot ${input.op} prearchive session ${input.prearchiveId}: ${refusalReason(session.status, input.op)}`);
      if (input.op === 'commit' && !session.projectId) {
        await repos.prearchive.release(session.id, owner(), { status: 'READY' });
        throw new PrearchiveStatusError(`prearchive session ${session.id} is Unassigned; move it to a project first (action=move&newProject=P)`);
      }
      return { uploadId: session.uploadId!, groupId: session.groupId!, projectId: session.projectId };
    },

    /** The queued operation starts: QUEUED_<op> becomes the running status (ARCHIVING, MOVING, DELETING, BUILDING). */
    async beginPrearchive(input: { prearchiveId: string; op: PrearchiveOperation }): Promise<void> {
      await repos.prearchive.advance(input.prearchiveId, owner(), statusesOf(input.op).running);
    },

    /** Ends an operation that failed or left the session in the prearchive: final status, reason, lock freed. */
    async releasePrearchive(input: { prearchiveId: string; status: PrearchiveStatus; reason?: string }): Promise<void> {
      await repos.prearchive.release(input.prearchiveId, owner(), { status: input.status, reason: input.reason ?? null });
      if (input.status === 'CONFLICT' || input.status === 'ERROR') {
        const pre = await repos.prearchive.get(input.prearchiveId);
        await audit(`prearchive.${input.status.toLowerCase()}`, pre?.projectId ?? null, { prearchiveId: input.prearchiveId });
      }
    },

    /** After a commit: the prearchive session's folder and row are removed (its files are in the archive now). */
    async finishPrearchiveCommit(input: { prearchiveId: string }): Promise<void> {
      const pre = await repos.prearchive.get(input.prearchiveId);
      if (!pre) return;
      await store.remove(prearchiveFolderKey(pre.projectId, pre.timestamp, pre.folder));
      await repos.prearchive.remove(pre.id);
    },

    /**
     * Moves a prearchive session to another project (also out of Unassigned). Files move with it; no script runs
     * (the new project's script runs at archive, as in XNAT). Idempotent: a retry finds the folder moved.
     */
    async movePrearchiveSession(input: { prearchiveId: string; projectId: string }): Promise<{ url: string }> {
      const pre = await repos.prearchive.get(input.prearchiveId);
      if (!pre) throw new SessionNotFoundError(`prearchive session ${input.prearchiveId} does not exist`);
      if (!(await repos.projects.get(input.projectId))) throw new ProjectNotFoundError(`project ${input.projectId} does not exist; create it first or choose another project`);
      const from = prearchiveFolderKey(pre.projectId, pre.timestamp, pre.folder);
      const to = prearchiveFolderKey(input.projectId, pre.timestamp, pre.folder);
      if (from !== to && (await store.exists(from))) {
        if (await repos.prearchive.byAddress(input.projectId, pre.timestamp, pre.folder)) {
          throw new PrearchiveStatusError(`project ${input.projectId} already holds a prearchive session ${pre.timestamp}/${pre.folder}; delete or commit that one first`);
        }
        await store.move(from, to);
      }
      await deps.faultPoint?.('prearchive-move:after-files');
      await repos.uploads.setGroup(pre.groupId!, { baseKey: to, projectId: input.projectId });
      await repos.prearchive.update(pre.id, { projectId: input.projectId });
      await repos.prearchive.release(pre.id, owner(), { status: 'READY' });
      await audit('prearchive.moved', input.projectId, { prearchiveId: pre.id, from: pre.projectId ?? 'Unassigned' });
      return { url: prearchiveUrl(input.projectId, pre.timestamp, pre.folder) };
    },

    /** Deletes a prearchive session: its files, its group and file rows, and its row. Nothing of it remains. */
    async deletePrearchiveSession(input: { prearchiveId: string }): Promise<void> {
      const pre = await repos.prearchive.get(input.prearchiveId);
      if (!pre) return;
      await store.remove(prearchiveFolderKey(pre.projectId, pre.timestamp, pre.folder));
      await deps.faultPoint?.('prearchive-delete:after-files');
      if (pre.groupId) await repos.uploads.removeGroup(pre.groupId);
      await repos.prearchive.remove(pre.id);
      await audit('prearchive.deleted', pre.projectId, { prearchiveId: pre.id });
    },

    /**
     * Rebuilds a session from its files (XNAT rebuilds the session XML from the DICOM): re-reads each file's keys
     * and digest, forgets rows whose file is gone, and makes the session READY again with no reason.
     */
    async rebuildPrearchiveSession(input: { prearchiveId: string }): Promise<{ files: number }> {
      const pre = await repos.prearchive.get(input.prearchiveId);
      if (!pre) throw new SessionNotFoundError(`prearchive session ${input.prearchiveId} does not exist`);
      const base = prearchiveFolderKey(pre.projectId, pre.timestamp, pre.folder);
      let files = 0;
      for (const f of await repos.uploads.files(pre.uploadId!, pre.groupId!)) {
        const stage = f.stage === 'project' ? 'project' : 'site';
        const key = `${base}/${stage}/${seqName(f.seq)}`;
        if (!(await store.exists(key))) {
          await repos.uploads.updateFile(pre.uploadId!, f.seq, { stage: 'rejected' });
          continue;
        }
        const keys = readFileKeys(await openDicom(store.path(key)));
        const { sha256, size } = await store.digest(key);
        await repos.uploads.updateFile(pre.uploadId!, f.seq, { stage, sha256, size, seriesUidHash: keys.seriesUidHash, sopUidHash: keys.sopUidHash, seriesNumber: keys.seriesNumber });
        files++;
        heartbeat({ step: 'rebuild', done: f.seq });
      }
      await repos.prearchive.release(pre.id, owner(), { status: files ? 'READY' : 'ERROR', reason: files ? null : 'the session holds no readable files; delete it' });
      await audit('prearchive.rebuilt', pre.projectId, { prearchiveId: pre.id, files });
      return { files };
    },
  };
}
