import { rmSync, statSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ExtractLimits } from '../storage/archive-extract';
import { fetchEffectiveScripts } from './effective-scripts-client';
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
}

/**
 * The upload client (XNAT's desktop client protocol, reference §5.5): read the scripts in effect, anonymize here,
 * send the anonymized zip with prevent_anon=true&SOURCE=uploader. The work folder (extracted inputs, anonymized
 * files, the zip) is removed on every exit, Ctrl-C included.
 */
export async function runLocalAnonymizedUpload(o: LocalUploadOptions): Promise<number> {
  const fail = (message: string, code = 1, extra: Record<string, unknown> = {}) => {
    if (o.json) process.stdout.write(JSON.stringify({ ok: false, error: message, ...extra }) + '\n');
    else process.stderr.write(`dicom-intake upload: ${message}\n`);
    return code;
  };
  let scripts;
  try {
    scripts = await fetchEffectiveScripts(o.base, o.project, o.token);
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
      scripts: { site: scripts.site ? { id: scripts.site.id, version: scripts.site.version } : null, project: scripts.project ? { id: scripts.project.id, version: scripts.project.version } : null },
    };
    if (!local.files) return fail(`nothing to send: ${local.rejected} file(s) rejected by the scripts, ${local.notDicom} not DICOM images`, 1, { anonymized: summary });
    const q = new URLSearchParams({ 'import-handler': 'DICOM-zip', inbody: 'true', dest: `/archive/projects/${o.project}`, prevent_anon: 'true', SOURCE: 'uploader' });
    if (o.subject) q.set('SUBJECT_ID', o.subject);
    if (o.session) q.set('EXPT_LABEL', o.session);
    if (o.overwrite) q.set('overwrite', o.overwrite);
    const { status, body } = await postFile(`${o.base}/data/services/import?${q}`, local.zipPath, statSync(local.zipPath).size, o.token, showProgress);
    const ok = status >= 200 && status < 300;
    if (ok) {
      if (o.json) process.stdout.write(JSON.stringify({ ok, status, urls: body.trim().split('\n'), anonymized: summary }) + '\n');
      else {
        process.stderr.write(`anonymized ${local.files} file(s) here (site script ${summary.scripts.site?.id ?? 'none'}, project script ${summary.scripts.project?.id ?? 'none'}); ${local.rejected} rejected by a script, ${local.notDicom} not DICOM images\n`);
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
