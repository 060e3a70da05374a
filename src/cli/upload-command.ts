import { statSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { loadConfig } from '../config/load-config';
import { apiTarget, signInHint } from './api-request';
import { runLocalAnonymizedUpload } from './local-upload';
import { errorText, postFile } from './zip-post';

const HELP = `Usage: dicom-intake upload ZIP --project P [--subject S] [--session E] [--overwrite none|append|delete]
                            [--url URL] [--token TOKEN] [--json]
       dicom-intake upload PATH --project P [--subject S] [--session E] --anonymize-locally [--resend-all] [...]
Sends ZIP to POST /data/services/import?import-handler=DICOM-zip&dest=/archive/projects/P and prints the
archive URL of each session. Progress is shown while the file is sent.
With --anonymize-locally, PATH is a folder of DICOM files, a zip/tar/tar.gz or one file: the site and project
scripts in effect are read from the server and run here (variables project, subject, session), with a progress
bar; only the anonymized files are sent (prevent_anon=true, SOURCE=uploader), and the server checks from each file
that it carries those scripts. Files a script rejects are left out and counted. Nothing anonymized is written
outside a temporary folder, which is removed. With --session, files the session already holds byte for byte are
not sent again (resume; the rest is sent with overwrite=append unless --overwrite says otherwise); --resend-all
sends everything.
Signs in with --token, else $DICOM_INTAKE_TOKEN, else the token \`dicom-intake start\` saved in the data folder.

Examples:
  dicom-intake upload study.zip --project DEMO --subject S01 --session S01_MR1
  dicom-intake upload study.zip --project DEMO --overwrite append --json
  dicom-intake upload study.zip --project DEMO --url http://intake.example:8080
  dicom-intake upload ./dicom-folder --project DEMO --subject S01 --session S01_MR1 --anonymize-locally
`;

/** `dicom-intake upload`: posts a zip to the import service. */
export async function runUpload(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      project: { type: 'string' },
      subject: { type: 'string' },
      session: { type: 'string' },
      overwrite: { type: 'string' },
      url: { type: 'string' },
      token: { type: 'string' },
      json: { type: 'boolean', default: false },
      'anonymize-locally': { type: 'boolean', default: false },
      'resend-all': { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  if (values.help) {
    process.stdout.write(HELP);
    return 0;
  }
  const [zip] = positionals;
  if (!zip || !values.project) {
    process.stderr.write(`dicom-intake upload: a ZIP file and --project are required\n\n${HELP}`);
    return 2;
  }
  const target = apiTarget(values.url, values.token);
  if (values['anonymize-locally']) {
    const config = loadConfig();
    return runLocalAnonymizedUpload({
      path: zip,
      project: values.project,
      subject: values.subject,
      session: values.session,
      overwrite: values.overwrite,
      base: target.base,
      token: target.token,
      json: values.json,
      resendAll: values['resend-all'],
      limits: { maxMembers: config.limits.archiveMaxMembers, maxExpandedBytes: config.limits.archiveMaxExpandedBytes, maxRatio: config.limits.archiveMaxRatio },
    });
  }
  let size: number;
  try {
    size = statSync(zip).size;
  } catch {
    process.stderr.write(`dicom-intake upload: cannot read ${zip}; check the path\n`);
    return 2;
  }
  const q = new URLSearchParams({ 'import-handler': 'DICOM-zip', inbody: 'true', dest: `/archive/projects/${values.project}` });
  if (values.subject) q.set('SUBJECT_ID', values.subject);
  if (values.session) q.set('EXPT_LABEL', values.session);
  if (values.overwrite) q.set('overwrite', values.overwrite);
  const { status, body } = await postFile(`${target.base}/data/services/import?${q}`, zip, size, target.token, !values.json && process.stderr.isTTY);
  const ok = status >= 200 && status < 300;
  const error = ok ? undefined : status === 401 ? `${errorText(body)}; ${signInHint(target)}` : errorText(body);
  if (values.json) {
    process.stdout.write(JSON.stringify(ok ? { ok, status, urls: body.trim().split('\n') } : { ok, status, error }) + '\n');
  } else if (ok) {
    process.stdout.write(body);
  } else {
    process.stderr.write(`dicom-intake upload: the server refused the upload (HTTP ${status}): ${error}\n`);
  }
  return ok ? 0 : 1;
}
