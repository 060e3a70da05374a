import { compileProfileSetting } from '../anonymize/profile/profile-setting';
import type { SessionEdit } from '../db/edits-repo';
import { openDicom } from '../dicom';
import { placeAfterEdit, type SessionPlace } from '../domain/edit-kind';
import { AnonymizationFailedError, LabelTakenError, ProjectNotFoundError, SessionBusyError, SessionNotFoundError } from '../domain/intake-errors';
import type { ActivityDeps } from './deps';
import { heartbeat } from './heartbeat';
import { currentRun } from './run-ref';
import { currentLookupIds, passContextDigest, pinnedLookupTables } from './pass-lookup-tables';
import { codesCoverProfile, passProfileOf, passStepsSha256, stepsName, type PassProfile } from './pass-profile';
import { SCRIPT_OR_FILE_ERRORS, runPassOnFile } from './script-runner';
import { acquireSessionLocks } from './session-locks';

/** Activities of a metadata edit: lock and check, re-pass every file into staging, apply in one transaction, purge later. */
export function createEditActivities(deps: ActivityDeps) {
  const { repos, store } = deps;

  const editOf = async (editId: string): Promise<SessionEdit> => {
    const edit = await repos.edits.get(editId);
    if (!edit) throw new SessionNotFoundError(`edit ${editId} is not known`);
    return edit;
  };
  const sessionIdsOf = async (edit: SessionEdit) => (edit.kind === 'subject-relabel' ? repos.edits.sessionIdsOfSubject(edit.subjectId!) : [edit.sessionId!]);
  const placeOf = async (sessionId: string): Promise<SessionPlace> => {
    const s = await repos.archive.session(sessionId);
    if (!s) throw new SessionNotFoundError(`archived session ${sessionId} does not exist`);
    return { projectId: s.projectId, subjectLabel: s.subjectLabel, sessionLabel: s.label };
  };
  const stagedKey = (editId: string, instanceId: string) => store.stagingKey(`edit-${editId}`, `${instanceId}.dcm`);
  const contextOf = (p: SessionPlace) => ({ project: p.projectId, subject: p.subjectLabel, session: p.sessionLabel });
  /**
   * A session moving into a project with a PS3.15 profile must not arrive less de-identified than that project's
   * own archive pass makes its sessions: the profile setting to apply when some file's (0012,0064) items show no
   * application of it (codesCoverProfile), else null. Applying it to files that had another project's profile
   * remaps their UIDs and shifts their dates again, keyed by this project's secret (docs/profile.md).
   */
  const destinationProfileId = async (sessionIds: string[], projectId: string): Promise<number | null> => {
    const setting = await repos.profiles.current('project', projectId);
    const compiled = setting && compileProfileSetting(setting);
    if (!setting || !compiled) return null;
    for (const sessionId of sessionIds) {
      for (const inst of await repos.archive.instances(sessionId)) {
        if (!codesCoverProfile((await openDicom(store.path(inst.objectKey))).getDeidentificationMethodCodes(), compiled)) return setting.id;
      }
    }
    return null;
  };
  /** The pinned profile, ready to apply with the destination project's secret; undefined when none is pinned. */
  const pinnedProfile = async (edit: SessionEdit): Promise<PassProfile | undefined> => {
    if (edit.profileId === null) return undefined;
    const setting = await repos.profiles.byId(edit.profileId);
    const profile = setting && (await passProfileOf(repos, setting));
    if (!profile) throw new Error(`internal: profile setting ${edit.profileId} pinned by edit ${edit.id} is gone or empty`);
    return profile;
  };

  return {
    /**
     * Takes the locks of every session the edit touches (an archive or another edit of them waits, or this one
     * waits: SessionBusyError is retryable), then checks the edit under the locks: the new label is free, the
     * project exists. Pins the project script version the re-pass will use (none when `rerunProjectAnon` is off,
     * the target project's anonymization is off, or it has no enabled script).
     */
    async beginEdit(input: { editId: string; rerunProjectAnon: boolean }): Promise<{ sessionIds: string[]; scriptId: number | null; profileId: number | null }> {
      const edit = await editOf(input.editId);
      const sessionIds = await sessionIdsOf(edit);
      const owner = currentRun().workflowId!;
      const lock = await acquireSessionLocks(deps, sessionIds, owner);
      if (!lock.ok) throw new SessionBusyError(`archived session ${lock.sessionId} is held by workflow ${lock.heldBy}; edit ${edit.id} waits for it`);
      if (edit.status === 'DONE') return { sessionIds, scriptId: edit.scriptId, profileId: edit.profileId };
      const t = edit.target;
      switch (edit.kind) {
        case 'subject-relabel':
          if (await repos.archive.subjectByLabel(edit.projectId, t.subjectLabel!)) throw new LabelTakenError(`subject ${t.subjectLabel} already exists in project ${edit.projectId}; choose another label or reassign the sessions to it`);
          break;
        case 'session-relabel':
          if (await repos.archive.sessionByLabel(edit.projectId, t.sessionLabel!)) throw new LabelTakenError(`session ${t.sessionLabel} already exists in project ${edit.projectId}; choose another label`);
          break;
        case 'move': {
          if (!(await repos.projects.get(t.projectId!))) throw new ProjectNotFoundError(`project ${t.projectId} does not exist; create it first`);
          const now = await placeOf(edit.sessionId!);
          if (await repos.archive.sessionByLabel(t.projectId!, now.sessionLabel)) throw new LabelTakenError(`project ${t.projectId} already has a session ${now.sessionLabel}; relabel one of them first`);
          break;
        }
        case 'reassign':
          break;
      }
      const targetProject = edit.kind === 'move' ? edit.target.projectId! : edit.projectId;
      const project = await repos.projects.get(targetProject);
      const script = input.rerunProjectAnon && project?.anonEnabled ? await repos.scripts.current('project', targetProject) : undefined;
      const scriptId = script?.enabled ? script.id : null;
      // As in the archive pass, a project whose anonymization is off gets neither its profile nor its script.
      const profileId = edit.kind === 'move' && project?.anonEnabled ? await destinationProfileId(sessionIds, targetProject) : null;
      // The lookup table versions are pinned with the script: the re-pass and the apply step read the same ones.
      await repos.edits.pinScript(edit.id, scriptId, scriptId === null ? undefined : await currentLookupIds(repos, targetProject), profileId);
      return { sessionIds, scriptId, profileId };
    },

    /**
     * Re-runs the pinned project script on every current file of one session, with the labels the session will
     * have, writing the results to staging/edit-<edit>/. Exactly once: a file whose pass (script, input digest,
     * context digest) is recorded and whose output is staged is not run again. The catalog is not touched here.
     * The project's PS3.15 profile is not applied again on a relabel or reassign (docs/profile.md): it does not depend
     * on labels and is not idempotent (a second keyed remap would change every UID, a second shift every date), so
     * its result stays as the archive pass made it and only the script runs with the new labels. A move into a
     * project whose profile the files did not get applies that profile first (pinned by beginEdit).
     */
    async repassSessionForEdit(input: { editId: string; sessionId: string }): Promise<{ files: number; applied: number; reused: number }> {
      const edit = await editOf(input.editId);
      const script = edit.scriptId === null ? undefined : await repos.scripts.byId(edit.scriptId);
      const profile = await pinnedProfile(edit);
      const summary = { files: 0, applied: 0, reused: 0 };
      if ((!script && !profile) || edit.status === 'DONE') return summary;
      const ctx = contextOf(placeAfterEdit(edit.kind, edit.target, await placeOf(input.sessionId)));
      const run = currentRun();
      // The pinned table versions (read from the database, never passed by the workflow).
      const lookup = script && (await pinnedLookupTables(repos, script, { siteId: edit.lookupSiteId, projectId: edit.lookupProjectId }));
      const contextSha256 = passContextDigest(ctx, lookup);
      const steps = `project ${stepsName(profile, script)}`;
      for (const inst of await repos.archive.instances(input.sessionId)) {
        summary.files++;
        const out = stagedKey(edit.id, inst.id);
        const key = { kind: 'project' as const, scriptSha256: passStepsSha256(profile, script), inputSha256: inst.contentSha256, contextSha256 };
        const known = await repos.passes.find(key);
        if (known?.outputSha256 && (await store.exists(out)) && (await store.digest(out)).sha256 === known.outputSha256) {
          summary.reused++;
          continue;
        }
        let result;
        try {
          result = await runPassOnFile({ profile, script }, store.path(inst.objectKey), store.path(out), ctx, { rerun: true, lookupTables: lookup?.tables });
        } catch (err) {
          const e = err as Error;
          if (!SCRIPT_OR_FILE_ERRORS.has(e.name)) throw err;
          throw new AnonymizationFailedError(`${steps} failed on instance ${inst.id} of session ${input.sessionId} during edit ${edit.id}: ${e.name}: ${e.message}; nothing was changed`);
        }
        if (result.kind !== 'written') {
          throw new AnonymizationFailedError(`${steps} rejected instance ${inst.id} of session ${input.sessionId} during edit ${edit.id}; an edit never drops files, so nothing was changed`);
        }
        await repos.passes.record({
          ...key,
          scriptId: script?.id ?? 0, // 0: a profile and no script (passes-repo.ts)
          profileId: profile?.setting.id ?? null,
          lookupSha256: lookup?.sha256 ?? null,
          outputSha256: result.sha256,
          rejected: false,
          uploadId: null,
          sessionId: input.sessionId,
          workflowId: run.workflowId,
          runId: run.runId,
        });
        summary.applied++;
        await deps.faultPoint?.('edit-pass:after-file');
        heartbeat({ step: 'edit-pass', done: summary.files });
      }
      return summary;
    },

    /**
     * Applies the edit: moves the staged files to their archive keys under the new labels (content-addressed, so
     * a move that already happened is seen), then changes labels, file versions, the edit's status and the audit
     * in one transaction. Returns how many files got a new version.
     */
    async applyEdit(input: { editId: string }): Promise<{ sessions: number; files: number; applied: boolean }> {
      const edit = await editOf(input.editId);
      const sessionIds = await sessionIdsOf(edit);
      // Already applied (a retry after a crash past the transaction): answer as the first attempt would have.
      if (edit.status === 'DONE') {
        await store.remove(store.stagingKey(`edit-${edit.id}`));
        return { sessions: sessionIds.length, files: await repos.edits.supersededCount(edit.id), applied: false };
      }
      const script = edit.scriptId === null ? undefined : await repos.scripts.byId(edit.scriptId);
      const profile = await pinnedProfile(edit);
      const moves = [];
      const versions = [];
      // The pinned table versions depend on the edit only, not on the session.
      const lookup = script && (await pinnedLookupTables(repos, script, { siteId: edit.lookupSiteId, projectId: edit.lookupProjectId }));
      for (const sessionId of sessionIds) {
        const after = placeAfterEdit(edit.kind, edit.target, await placeOf(sessionId));
        moves.push({ sessionId, ...after });
        if (!script && !profile) continue;
        const contextSha256 = passContextDigest(contextOf(after), lookup);
        for (const inst of await repos.archive.instances(sessionId)) {
          const pass = await repos.passes.find({ kind: 'project', scriptSha256: passStepsSha256(profile, script), inputSha256: inst.contentSha256, contextSha256 });
          if (!pass?.outputSha256) throw new Error(`instance ${inst.id} has no re-pass recorded for edit ${edit.id}; the re-pass step must run first`);
          const staged = stagedKey(edit.id, inst.id);
          const finalKey = store.archiveKey(after.projectId, after.subjectLabel, after.sessionLabel, inst.scanLabel, `${inst.sopUidHash.slice(0, 24)}-${pass.outputSha256.slice(0, 12)}.dcm`);
          if (await store.exists(staged)) {
            if (await store.exists(finalKey)) await store.remove(staged);
            else await store.move(staged, finalKey);
          }
          const { size } = await store.digest(finalKey);
          heartbeat({ step: 'edit-move', done: versions.length });
          versions.push({ instanceId: inst.id, objectKey: finalKey, sha256: pass.outputSha256, size, producedByPassId: pass.id });
        }
      }
      await deps.faultPoint?.('edit:after-move');
      const run = currentRun();
      const applied = await repos.edits.apply({
        editId: edit.id,
        subjectRename: edit.kind === 'subject-relabel' ? { subjectId: edit.subjectId!, label: edit.target.subjectLabel! } : undefined,
        moves,
        versions,
        workflowId: run.workflowId,
        runId: run.runId,
      });
      await deps.faultPoint?.('edit:after-catalog');
      await store.remove(store.stagingKey(`edit-${edit.id}`));
      return { sessions: sessionIds.length, files: versions.length, applied };
    },

    /** Ends a failed edit: its staged files go, the edit is FAILED with the reason; the catalog was never touched. */
    async abortEdit(input: { editId: string; reason: string }): Promise<void> {
      await store.remove(store.stagingKey(`edit-${input.editId}`));
      await repos.edits.fail(input.editId, input.reason);
    },

    /** Deletes the files of the versions an edit superseded, once their retention is over, and audits it. */
    async purgeEditVersions(input: { editId: string }): Promise<{ purged: number }> {
      const old = await repos.edits.supersededBy(input.editId);
      for (const [i, v] of old.entries()) {
        await store.remove(v.objectKey);
        heartbeat({ step: 'purge', done: i });
      }
      await repos.edits.markPurged(old.map((v) => v.id));
      const edit = await repos.edits.get(input.editId);
      const run = currentRun();
      if (old.length) {
        await repos.audit.append({ actor: 'system', action: 'file-versions.purged', projectId: edit?.projectId ?? null, sessionId: edit?.sessionId ?? null, workflowId: run.workflowId, runId: run.runId, detail: { editId: input.editId, versions: old.length } });
      }
      return { purged: old.length };
    },
  };
}
