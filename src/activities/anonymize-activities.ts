import { Context } from '@temporalio/activity';
import { openDicom, type DicomEditor } from '../dicom';
import { AnonymizationFailedError } from '../domain/intake-errors';
import type { StoredScript } from '../db/scripts-repo';
import { acceptClientPasses } from './client-claim-activity';
import type { ActivityDeps } from './deps';
import { identifyFile, routingForUpload } from './identify-file';
import { currentRun } from './run-ref';
import { lookupTablesForPass, passContextDigest } from './pass-lookup-tables';
import { passStepsSha256, profileForPass, stepsName, type PassProfile } from './pass-profile';
import { SCRIPT_OR_FILE_ERRORS, runPassOnFile, type ScriptContext } from './script-runner';

const seqName = (seq: number) => `${String(seq).padStart(6, '0')}.dcm`;

/** Summary of one pass over an upload's files. */
export interface PassSummary {
  files: number;
  applied: number;
  reused: number;
  rejected: number;
  skipped: number;
  /** Files whose pass the upload client ran (verified from the file, recorded, not run again here). */
  client?: number;
}

/** The site-wide and project anonymization passes over staged files. */
export function createAnonymizeActivities(deps: ActivityDeps) {
  const { repos, store } = deps;

  /**
   * Moves each file of `files` from stage `from` to stage `to`, applying `profile` then `script` (each when given)
   * with the context computed for it. Exactly once: a file already at stage `to` is skipped (a retry after a crash),
   * and a pass whose key (profile and script, input digest, context digest) is recorded is not recorded again.
   */
  async function pass(args: {
    kind: 'site' | 'project';
    uploadId: string;
    /** Folder holding the stage folders (staging/<upload>, or a prearchive session's folder). */
    baseKey: string;
    sessionId?: string;
    from: 'raw' | 'site';
    to: 'site' | 'project';
    seqs: number[];
    script: StoredScript | undefined;
    /** The PS3.15 profile applied before the script (pass-profile.ts); undefined = none. */
    profile: PassProfile | undefined;
    /** The project whose lookup tables a project pass reads (null for the site pass). */
    projectId: string | null;
    /** The labels the steps see; `input` is the file, opened once for this and for the pass. */
    contextFor: (seq: number, input: DicomEditor) => ScriptContext;
  }): Promise<PassSummary> {
    const run = currentRun();
    const summary: PassSummary = { files: args.seqs.length, applied: 0, reused: 0, rejected: 0, skipped: 0 };
    const files = new Map((await repos.uploads.files(args.uploadId)).map((f) => [f.seq, f]));
    // Read here, from the database: lookup tables are PHI-bearing maps and never travel in workflow payloads.
    const lookup = args.script ? await lookupTablesForPass(repos, args.script, args.kind, args.projectId) : undefined;
    // A pass with neither a script nor a profile only moves files: it has no steps to hash.
    const stepsSha256 = args.script || args.profile ? passStepsSha256(args.profile, args.script) : '';
    for (const seq of args.seqs) {
      const f = files.get(seq)!;
      if (f.stage !== args.from) {
        summary.skipped++;
        continue;
      }
      const inKey = `${args.baseKey}/${args.from}/${seqName(seq)}`;
      const outKey = `${args.baseKey}/${args.to}/${seqName(seq)}`;
      if (!args.script && !args.profile) {
        await store.unsealMove(inKey, outKey);
        await repos.uploads.updateFile(args.uploadId, seq, { stage: args.to });
        continue;
      }
      let key;
      let known;
      let result;
      try {
        // The context is read from the file as well (identification): a file the reader or the text decoder
        // refuses (e.g. an ISO 2022 PatientName, UNSUPPORTED_CHARSET) must fail here as a file error, not escape
        // as a retryable one and be retried for minutes while the upload looks hung.
        const input = await openDicom(store.path(inKey), { open: store.openStaged });
        const ctx = args.contextFor(seq, input);
        key = { kind: args.kind, scriptSha256: stepsSha256, inputSha256: f.sha256, contextSha256: passContextDigest(ctx, lookup) };
        known = await repos.passes.find(key);
        result = await runPassOnFile({ profile: args.profile, script: args.script }, input, store.path(outKey), ctx, { lookupTables: lookup?.tables });
      } catch (err) {
        const e = err as Error;
        // I/O errors are retried; a script or a file the engine cannot handle is not (retrying cannot fix it).
        if (!SCRIPT_OR_FILE_ERRORS.has(e.name)) throw err;
        // Engine and reader messages name tags and positions, never values.
        throw new AnonymizationFailedError(`${args.kind} ${stepsName(args.profile, args.script)} failed on file #${seq} of upload ${args.uploadId}: ${e.name}: ${e.message}`);
      }
      if (result.kind === 'already-applied') {
        await store.unsealMove(inKey, outKey);
        await repos.uploads.updateFile(args.uploadId, seq, { stage: args.to });
        summary.skipped++;
        continue;
      }
      if (known) summary.reused++;
      else summary.applied++;
      await repos.passes.record({
        ...key,
        // 0: a profile-only pass (no script row); profileId names what ran.
        scriptId: args.script?.id ?? 0,
        profileId: args.profile?.setting.id ?? null,
        lookupSha256: lookup?.sha256 ?? null,
        outputSha256: result.kind === 'written' ? result.sha256 : null,
        rejected: result.kind === 'rejected',
        uploadId: args.uploadId,
        sessionId: args.sessionId ?? null,
        workflowId: run.workflowId,
        runId: run.runId,
      });
      if (result.kind === 'rejected') {
        summary.rejected++;
        await repos.uploads.updateFile(args.uploadId, seq, { stage: 'rejected' });
      } else {
        await repos.uploads.updateFile(args.uploadId, seq, { stage: args.to, sha256: result.sha256, size: result.size });
      }
      // The input is deleted only once its successor is durable and recorded. A project pass keeps its site-pass
      // input until the session is archived: if the archive fails, the pass is rolled back to it
      // (discardProjectPass), so the retry runs the fixed script once on every file, not on the rest only.
      if (args.kind === 'site') await store.remove(inKey);
      await deps.faultPoint?.(`${args.kind}-pass:after-file`);
      Context.current().heartbeat({ seq });
    }
    return summary;
  }

  return {
    /**
     * The site-wide pass on every file of an upload (unless switched off or the client anonymized already).
     * The script's project/subject/session come from identification on the raw header, in memory only.
     * Afterwards the raw bytes and the uploaded archive are deleted (DESIGN invariant 2).
     * An upload sent with prevent_anon=true claims that the client ran the scripts: the claim is checked from each
     * file's (0012,0064) items and recorded as client passes, or the whole upload is refused (client-claim-activity).
     */
    async runSitePass(input: { uploadId: string; skip: boolean }): Promise<PassSummary> {
      const upload = (await repos.uploads.get(input.uploadId))!;
      await repos.uploads.setStatus(upload.id, 'ANONYMIZING');
      if (upload.params.preventAnon) {
        const accepted = await acceptClientPasses(deps, upload);
        await store.remove(store.stagingKey(upload.id, 'raw'));
        await store.remove(store.stagingKey(upload.id, 'upload.zip'));
        return { files: accepted.files, applied: 0, reused: 0, rejected: 0, skipped: 0, client: accepted.files };
      }
      const script = input.skip ? undefined : await repos.scripts.current('site', null);
      const knownProjects = new Set((await repos.projects.list()).map((p) => p.id));
      const routing = await routingForUpload(repos, upload.params, deps.siteRouting);
      const files = await repos.uploads.files(upload.id);
      const summary = await pass({
        kind: 'site',
        uploadId: upload.id,
        baseKey: store.stagingKey(upload.id),
        from: 'raw',
        to: 'site',
        seqs: files.map((f) => f.seq),
        script: script?.enabled ? script : undefined,
        profile: input.skip ? undefined : await profileForPass(repos, 'site', null),
        projectId: null,
        contextFor: (_seq, input) => {
          const ident = identifyFile(input, upload.params, (id) => knownProjects.has(id), routing);
          return { project: ident.project ?? 'Unassigned', subject: ident.subject, session: ident.session };
        },
      });
      await store.remove(store.stagingKey(upload.id, 'raw'));
      await store.remove(store.stagingKey(upload.id, 'upload.zip'));
      return summary;
    },

    /** The project pass on one session group, with the group's labels as project/subject/session. */
    async runProjectPass(input: { uploadId: string; groupId: string }): Promise<PassSummary> {
      const group = (await repos.uploads.group(input.groupId))!;
      const project = await repos.projects.get(group.projectId);
      const upload = (await repos.uploads.get(input.uploadId))!;
      // A client-anonymized upload had its project pass verified and recorded by runSitePass: it is never repeated.
      const clientRan = !!upload.params.preventAnon;
      const projectPassOn = !clientRan && !!project?.anonEnabled && !upload.params.anonymizationDisabled;
      const script = projectPassOn ? await repos.scripts.current('project', group.projectId) : undefined;
      const files = await repos.uploads.files(input.uploadId, input.groupId);
      const ctx = { project: group.projectId, subject: group.subjectLabel, session: group.sessionLabel };
      const summary = await pass({
        kind: 'project',
        uploadId: input.uploadId,
        baseKey: group.baseKey ?? store.stagingKey(input.uploadId),
        from: 'site',
        to: 'project',
        seqs: files.map((f) => f.seq),
        script: script?.enabled ? script : undefined,
        profile: projectPassOn ? await profileForPass(repos, 'project', group.projectId) : undefined,
        projectId: group.projectId,
        contextFor: () => ctx,
      });
      return clientRan ? { ...summary, client: summary.files } : summary;
    },

    /**
     * Rolls a session group's project pass back after its archive failed: each file the pass wrote (or rejected)
     * goes back to its site-pass version, which the pass kept, and the pass records are marked discarded. So the
     * retry, once the script is fixed, runs the project pass exactly once on every file that gets archived, with
     * one script version. Idempotent: a file already back at stage `site` is left alone; a crash between deleting
     * the output and updating the row is finished by the next attempt (the site version is still there).
     */
    async discardProjectPass(input: { uploadId: string; groupId: string }): Promise<{ files: number; discarded: number }> {
      const group = (await repos.uploads.group(input.groupId))!;
      const base = group.baseKey ?? store.stagingKey(input.uploadId);
      const inputs: string[] = [];
      let files = 0;
      for (const f of await repos.uploads.files(input.uploadId, input.groupId)) {
        if (f.stage !== 'project' && f.stage !== 'rejected') continue;
        const siteKey = `${base}/site/${seqName(f.seq)}`;
        const projectKey = `${base}/project/${seqName(f.seq)}`;
        if (await store.exists(siteKey)) {
          await store.remove(projectKey);
          const { sha256, size } = await store.digest(siteKey);
          await repos.uploads.updateFile(input.uploadId, f.seq, { stage: 'site', sha256, size });
          inputs.push(sha256);
        } else if (f.stage === 'project' && (await store.exists(projectKey))) {
          // Moved unchanged (no project script, or the script had run already): move it back.
          await store.move(projectKey, siteKey);
          await repos.uploads.updateFile(input.uploadId, f.seq, { stage: 'site' });
        } else {
          continue; // rejected by the site pass: it never had a site version to go back to
        }
        files++;
        Context.current().heartbeat({ seq: f.seq });
      }
      const discarded = await repos.passes.discardProjectPasses(inputs);
      if (files) {
        const run = currentRun();
        await repos.audit.appendOnce({ actor: 'system', action: 'project-pass.discarded', projectId: group.projectId, uploadId: input.uploadId, workflowId: run.workflowId, runId: run.runId, detail: { groupId: group.id, files, discarded } });
      }
      return { files, discarded };
    },
  };
}
