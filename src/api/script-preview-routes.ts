import { compileScript, ScriptCheckError, ScriptRuntimeError, ScriptSyntaxError } from '../anonymize';
import { layerLookupTables, scriptUsesLookup } from '../anonymize/lookup-layers';
import { previewScript } from '../anonymize/script-preview';
import type { Repositories } from '../db/repositories';
import { DicomEditError, DicomReadError, openDicom, openDicomBytes, type DicomEditor } from '../dicom';
import type { Principal } from '../domain/access';
import type { FileStore } from '../storage/file-store';
import { requireProjectAccess, SIGNED_IN } from './access';
import { readFormData } from './form-data-body';
import { sendJson } from './http-io';
import { HttpError, type Router } from './router';

// A preview holds the file in memory: one modest instance, not a study.
const MAX_PREVIEW_BYTES = 64 * 1024 * 1024;

/**
 * `POST /api/scripts/preview`: runs a script (form field `script`) over one DICOM file in memory and answers every
 * element it would change, add or delete (`dicom-intake script preview` over HTTP, for the pages' Preview button).
 * The file is either uploaded (form field `file`) or the first file of an archived session the caller may read
 * (form field `session`, its id); the script sees that session's labels, or `project`, `subject` and `session-label`
 * fields for an upload. Fields `var.NAME` set any other script variable (`dicom-intake scripts preview --var`). A
 * script that calls lookup[] reads the stored site table and, with a project, that project's table, as its pass would.
 * Nothing is written: an upload is read from the request's bytes in memory.
 */
export function registerScriptPreviewRoutes(router: Router, deps: { repos: Repositories; store: FileStore }): void {
  const { repos, store } = deps;
  // The tables the pass would read: the site's, overlaid by the project's (read access to it needed, as for check).
  const lookupFor = async (text: string, project: string | undefined, principal: Principal) => {
    if (!scriptUsesLookup(text)) return undefined;
    if (project !== undefined) requireProjectAccess(principal, project, 'read');
    const layered = layerLookupTables(await repos.lookupTables.current('site', null), project === undefined ? undefined : await repos.lookupTables.current('project', project));
    return layered?.tables;
  };
  router.on('POST', '/api/scripts/preview', SIGNED_IN, async ({ req, res, principal }) => {
    const form = await readFormData(req, MAX_PREVIEW_BYTES);
    const field = (name: string) => form.get(name)?.data.toString('utf8').trim() || undefined;
    const text = form.get('script')?.data.toString('utf8');
    if (!text?.trim()) throw new HttpError(400, 'the form needs the script text (field "script")');
    let open: () => Promise<DicomEditor>;
    let vars: Record<string, string | undefined>;
    const upload = form.get('file');
    if (upload?.data.length) {
      // Read from the request's bytes: nothing of the upload is written anywhere.
      open = () => openDicomBytes('the uploaded file', upload.data, Date.now());
      vars = { project: field('project'), subject: field('subject'), session: field('session-label') };
    } else if (field('session')) {
      const session = await repos.archive.session(field('session')!);
      if (!session) throw new HttpError(404, `archived session ${field('session')} does not exist`);
      requireProjectAccess(principal, session.projectId, 'read');
      const [first] = await repos.archive.instances(session.id);
      if (!first) throw new HttpError(404, `archived session ${session.label} has no files`);
      open = () => openDicom(store.path(first.objectKey));
      vars = { project: session.projectId, subject: session.subjectLabel, session: session.label };
    } else {
      throw new HttpError(400, 'choose a DICOM file to upload (field "file") or an archived session (field "session")');
    }
    for (const [name, part] of form) if (name.startsWith('var.') && name.length > 4) vars[name.slice(4)] = part.data.toString('utf8');
    try {
      const compiled = compileScript(text);
      const preview = previewScript(compiled, await open(), vars, { lookupTables: await lookupFor(text, vars.project, principal) });
      sendJson(res, 200, { ok: true, ...preview });
    } catch (e) {
      if (e instanceof ScriptSyntaxError || e instanceof ScriptCheckError) throw new HttpError(400, `the script is not valid: ${e.message}; use Check for every finding`);
      if (e instanceof DicomReadError || e instanceof DicomEditError) throw new HttpError(422, `the file cannot be read as DICOM (${e.code}): ${e.message}`);
      if (e instanceof ScriptRuntimeError) throw new HttpError(422, `the script failed on this file (${e.code}): ${e.message}`);
      throw e;
    }
  });
}
