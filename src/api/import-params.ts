import { isValidLabel } from '../domain/labels';
import type { Destination } from '../domain/upload-status';
import type { UploadParams } from '../db/uploads-repo';
import { HttpError } from './router';

/** The parsed parameters of POST /data/services/import. */
export interface ImportRequest {
  handler: 'DICOM-zip' | 'gradual-DICOM';
  destination: Destination;
  params: UploadParams;
}

const truthy = (v: string | null) => v !== null && /^(true|1|yes)$/i.test(v);

/**
 * Reads XNAT's import parameters (reference §5.3): import-handler, dest, PROJECT_ID/project, SUBJECT_ID/subject,
 * EXPT_LABEL/session, overwrite, prevent_anon, Ignore-Unparsable, SOURCE. `dest` wins over the separate
 * parameters where both are given, as in XNAT.
 */
export function parseImportRequest(q: URLSearchParams): ImportRequest {
  const handler = q.get('import-handler') ?? 'DICOM-zip';
  if (handler !== 'DICOM-zip' && handler !== 'gradual-DICOM') {
    throw new HttpError(400, `import-handler=${handler} is not supported; use DICOM-zip or gradual-DICOM`);
  }
  // An empty value (a form left blank) means "not given", so identification falls back to the headers.
  const given = (...names: string[]) => names.map((n) => q.get(n)?.trim()).find((v) => !!v) || undefined;
  const params: UploadParams = {
    project: given('PROJECT_ID', 'project'),
    subject: given('SUBJECT_ID', 'subject'),
    session: given('EXPT_LABEL', 'session'),
    preventAnon: truthy(q.get('prevent_anon')),
    ignoreUnparsable: truthy(q.get('Ignore-Unparsable')),
    source: q.get('SOURCE') ?? undefined,
  };
  const overwrite = q.get('overwrite') ?? 'none';
  if (overwrite !== 'none' && overwrite !== 'append' && overwrite !== 'delete') {
    throw new HttpError(400, `overwrite=${overwrite} is not one of none, append, delete`);
  }
  params.overwrite = overwrite;
  let destination: Destination = 'prearchive';
  const dest = q.get('dest');
  if (dest) {
    const a = /^\/archive(?:\/projects\/([^/]+)(?:\/subjects\/([^/]+)(?:\/experiments\/([^/]+))?)?)?\/?$/.exec(dest);
    const p = /^\/prearchive(?:\/projects\/([^/]+))?\/?$/.exec(dest);
    if (a) {
      destination = 'archive';
      params.project = a[1] ?? params.project;
      params.subject = a[2] ?? params.subject;
      params.session = a[3] ?? params.session;
    } else if (p) {
      params.project = p[1] ?? params.project;
    } else {
      throw new HttpError(400, `dest=${dest} is not /archive/projects/P[/subjects/S[/experiments/E]] or /prearchive[/projects/P]`);
    }
  }
  for (const [name, v] of [['project', params.project], ['subject', params.subject], ['session', params.session]] as const) {
    if (v !== undefined && !isValidLabel(v)) throw new HttpError(400, `${name} label is not valid: use letters, digits, '_' and '-' (at most 64)`);
  }
  return { handler, destination, params };
}
