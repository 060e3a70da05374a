import { rmSync, statSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ExtractLimits } from '../storage/archive-extract';
import { fetchArchivedInstances, fetchEffectiveScripts } from './server-reads';
import { signInHint } from './api-request';
import { anonymizeForUpload, type LocalUpload } from './local-anonymize';
import { progressBar } from './progress-bar';
import { errorText, postFile } from './zip-post';

/** What `dicom-intake upload --anonymize-locally` was asked. */
export interface LocalUploadOptions {
  path: string;
  project: string;
  subject?: string;
  session?: string;
  overwrite?: string;
  base: string;
  token: string | undefined;
  json: boolean;
  limits: ExtractLimits;
  /** Send every file even when the session already holds it (no resume). */
  resendAll: boolean;
}

/**
 * The upload client (XNAT's desktop client protocol, reference §5.5): read the scripts in effect, anonymize here,
 * send the anonymized zip with prevent_anon=true&SOURCE=uploader. The work folder (extracted inputs, anonymized
 * files, the zip) is removed on every exit, Ctrl-C included.
 */
export async function runLocalAnonymizedUpload(o: LocalUploadOptions): Promise<number> {
  const fail = (reason: string, code = 1, extra: Record<string, unknown> = {}) => {
    const message = extra.status === 401 ? `${reason}; ${signInHint({ base: o.base, token: o.token })}` : reason;
    if (o.json) process.stdout.write(JSON.stringify({ ok: false, error: message, ...extra }) + '\n');
    else process.stderr.write(`dicom-intake upload: ${message}\n`);
    return code;
  };
  let scripts;
  // Resume needs a target session; overwrite=delete means "replace", so everything is sent then.
  const resume = !!o.session && !o.resendAll && o.overwrite !== 'delete';
  let archived: Awaited<ReturnType<typeof fetchArchivedInstances>> = { instances: new Map() };
  try {
    scripts = await fetchEffectiveScripts(o.base, o.project, o.token);
    if (resume) archived = await fetchArchivedInstances(o.base, o.project, o.session!, o.token);
  } catch (err) {
    return fail((err as Error).message, 1, { status: (err as { status?: number }).status });
  }
  const workDir = await mkdtemp(join(tmpdir(), 'dicom-intake-upload-'));
  const onSignal = () => {
    rmSync(workDir, { recursive: true, force: true });
    process.exit(130);
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  try {
    const showProgress = !o.json && process.stderr.isTTY;
    let local: LocalUpload;
    try {
      local = await anonymizeForUpload({
        path: o.path,
        workDir,
        scripts,
        ctx: { project: o.project, subject: o.subject, session: o.session },
        limits: o.limits,
        archived: archived.instances,
        progress: (total) => progressBar(process.stderr, 'anonymizing', total, showProgress),
      });
    } catch (err) {
      // Engine and reader errors name tags and positions, not values.
      return fail(`cannot anonymize ${o.path}: ${(err as Error).message}`, 2);
    }
    const summary = {
      files: local.files,
      rejected: local.rejected,
      notDicom: local.notDicom,
      alreadyArchived: local.alreadyArchived,
      scripts: { site: scripts.site ? { id: scripts.site.id, version: scripts.site.version } : null, project: scripts.project ? { id: scripts.project.id, version: scripts.project.version } : null },
    };
    if (!local.files && local.alreadyArchived && archived.subject) {
      // Resumed after everything had arrived (e.g. the answer to an earlier run was lost): nothing left to send.
      const url = `/data/archive/projects/${o.project}/subjects/${archived.subject}/experiments/${o.session}`;
      if (o.json) process.stdout.write(JSON.stringify({ ok: true, status: 200, urls: [url], anonymized: summary }) + '\n');
      else {
        process.stderr.write(`all ${local.alreadyArchived} file(s) are already in the session; nothing was sent\n`);
        process.stdout.write(`${url}\n`);
      }
      return 0;
    }
    if (!local.files) return fail(`nothing to send: ${local.rejected} file(s) rejected by the scripts, ${local.notDicom} not DICOM images`, 1, { anonymized: summary });
    const q = new URLSearchParams({ 'import-handler': 'DICOM-zip', inbody: 'true', dest: `/archive/projects/${o.project}`, prevent_anon: 'true', SOURCE: 'uploader' });
    if (o.subject) q.set('SUBJECT_ID', o.subject);
    if (o.session) q.set('EXPT_LABEL', o.session);
    // Resuming adds the missing files to a session that holds the others byte for byte: that is an append. An
    // explicit --overwrite is kept as asked.
    const overwrite = o.overwrite ?? (local.alreadyArchived ? 'append' : undefined);
    if (overwrite) q.set('overwrite', overwrite);
    const { status, body } = await postFile(`${o.base}/data/services/import?${q}`, local.zipPath, statSync(local.zipPath).size, o.token, showProgress);
    const ok = status >= 200 && status < 300;
    if (ok) {
      if (o.json) process.stdout.write(JSON.stringify({ ok, status, urls: body.trim().split('\n'), anonymized: summary }) + '\n');
      else {
        process.stderr.write(`anonymized ${local.files} file(s) here (site script ${summary.scripts.site?.id ?? 'none'}, project script ${summary.scripts.project?.id ?? 'none'}); ${local.rejected} rejected by a script, ${local.notDicom} not DICOM images, ${local.alreadyArchived} already in the session\n`);
        process.stdout.write(body);
      }
      return 0;
    }
    // The server names a refused file by its number in the zip; say which local file that is (this machine only).
    const error = errorText(body);
    const n = Number(/file #(\d+)/.exec(error)?.[1]);
    const localFile = Number.isInteger(n) ? local.memberLabels[n - 1] : undefined;
    return fail(`the server refused the upload (HTTP ${status}): ${error}${localFile ? ` (file #${n} is ${localFile})` : ''}`, 1, { status, anonymized: summary, ...(localFile && { localFile }) });
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    await rm(workDir, { recursive: true, force: true });
  }
}
