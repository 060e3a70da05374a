import { createHash } from 'node:crypto';
import { openDicom } from '../dicom';
import { checkClientClaim } from '../domain/client-claim';
import { ClientClaimRejectedError } from '../domain/intake-errors';
import { effectiveProfiles, effectiveScripts, expectedClientItems, type EffectiveScript } from '../db/effective-scripts';
import type { Upload } from '../db/uploads-repo';
import type { ActivityDeps } from './deps';
import { heartbeat } from './heartbeat';
import { currentRun } from './run-ref';

const seqName = (seq: number) => `${String(seq).padStart(6, '0')}.dcm`;

/**
 * The context digest of a client pass. The labels the client gave its scripts are not known to the server (and
 * need not be): the pass is keyed by the file the server received, under this fixed marker.
 */
export const CLIENT_CONTEXT_SHA256 = createHash('sha256').update('dicom-intake:client-pass').digest('hex');

/** Summary of accepting a client's passes. */
export interface ClientClaimSummary {
  /** Files verified and moved on by this attempt. */
  files: number;
  /** Pass records written (site and project together); a re-sent file reuses its earlier records. */
  recorded: number;
}

/**
 * Verifies an upload sent as anonymized on the client (prevent_anon=true) and records the client's passes instead
 * of running them. Every file must end its (0012,0064) items with the ids of the scripts in effect now (site, then
 * project); one file that does not refuses the whole upload before anything is recorded or moved, so nothing of it
 * can reach the archive. Idempotent: files already past the raw stage were verified by an earlier attempt.
 */
export async function acceptClientPasses(deps: ActivityDeps, upload: Upload): Promise<ClientClaimSummary> {
  const { repos, store } = deps;
  const projectId = upload.params.project;
  if (!projectId) throw new ClientClaimRejectedError(`upload ${upload.id} is marked prevent_anon=true but names no project, so its scripts cannot be checked; send PROJECT_ID=P`);
  // A PS3.15 profile in effect cannot have been applied by the client (it has no secret): the claim is refused whole.
  const profiles = await effectiveProfiles(repos, deps.siteAnonEnabled, projectId);
  if (profiles.site || profiles.project) {
    throw new ClientClaimRejectedError(
      `upload ${upload.id} refused: it is marked prevent_anon=true, but ${profiles.site ? 'the site' : `project ${projectId}`} de-identifies with the PS3.15 profile, ` +
        'which only the server can apply (its UID remap is keyed by a secret the client does not hold); nothing was archived. Send the files without prevent_anon (upload without --anonymize-locally).',
    );
  }
  const scripts = await effectiveScripts(repos, deps.siteAnonEnabled, projectId);
  const expected = expectedClientItems(scripts);
  const files = (await repos.uploads.files(upload.id)).filter((f) => f.stage === 'raw');
  const rawPath = (seq: number) => store.path(store.stagingKey(upload.id, 'raw', seqName(seq)));

  const refused: { seq: number; found: string[] }[] = [];
  for (const f of files) {
    heartbeat({ step: 'verify-client', done: f.seq });
    const check = checkClientClaim((await openDicom(rawPath(f.seq), { open: store.openStaged })).getDeidentificationMethodCodes(), expected);
    if (!check.ok) refused.push({ seq: f.seq, found: check.found });
  }
  if (refused.length) {
    const [first] = refused;
    const more = refused.length > 1 ? ` (and ${refused.length - 1} other file${refused.length > 2 ? 's' : ''})` : '';
    // Script ids only: the found CodeValues are masked unless they look like ids (domain/client-claim.ts).
    throw new ClientClaimRejectedError(
      `upload ${upload.id} refused: file #${first.seq}${more} does not carry the anonymization claimed by prevent_anon=true: ` +
        `its (0012,0064) items must end with script ids [${expected.join(', ')}] (${describe(scripts.site, 'site')}, ${describe(scripts.project, `project ${projectId}`)}), found [${first.found.join(', ')}]. ` +
        'The scripts changed since the client read them, or the file was not anonymized by them; nothing was archived. ' +
        'Anonymize again with the current scripts (dicom-intake upload --anonymize-locally reads them) and resend.',
    );
  }

  const run = currentRun();
  let recorded = 0;
  for (const f of files) {
    for (const [kind, script] of [['site', scripts.site], ['project', scripts.project]] as const) {
      if (!script?.effective) continue;
      const key = { kind, scriptSha256: script.sha256, inputSha256: f.sha256, contextSha256: CLIENT_CONTEXT_SHA256 };
      if (await repos.passes.find(key)) continue;
      await repos.passes.record({ ...key, scriptId: script.id, outputSha256: f.sha256, rejected: false, uploadId: upload.id, sessionId: null, workflowId: run.workflowId, runId: run.runId, performedBy: 'client' });
      recorded++;
    }
    await store.unsealMove(store.stagingKey(upload.id, 'raw', seqName(f.seq)), store.stagingKey(upload.id, 'site', seqName(f.seq)));
    await repos.uploads.updateFile(upload.id, f.seq, { stage: 'site' });
    await deps.faultPoint?.('client-pass:after-file');
    heartbeat({ step: 'record-client', done: f.seq });
  }
  if (files.length) {
    // Which script versions the client ran, for the audit trail (the pass rows hold the same per file).
    const ran = (x: EffectiveScript | null) => (x?.effective ? { id: x.id, version: x.version, sha256: x.sha256 } : null);
    await repos.audit.append({ actor: 'system', action: 'upload.client-passes-verified', projectId, uploadId: upload.id, workflowId: run.workflowId, runId: run.runId, detail: { files: files.length, site: ran(scripts.site), project: ran(scripts.project) } });
  }
  return { files: files.length, recorded };
}

function describe(script: EffectiveScript | null, what: string): string {
  if (!script) return `no ${what} script`;
  return script.effective ? `${what} script ${script.id} v${script.version}` : `${what} script off`;
}
