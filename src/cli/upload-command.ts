import { createReadStream, statSync } from 'node:fs';
import { request } from 'node:http';
import { parseArgs } from 'node:util';
import { loadConfig } from '../config/load-config';
import { resolveCliToken } from './credentials';

const HELP = `Usage: dicom-intake upload ZIP --project P [--subject S] [--session E] [--overwrite none|append|delete]
                            [--url URL] [--token TOKEN] [--json]
Sends ZIP to POST /data/services/import?import-handler=DICOM-zip&dest=/archive/projects/P and prints the
archive URL of each session. Progress is shown while the file is sent.
Signs in with --token, else $DICOM_INTAKE_TOKEN, else the token \`dicom-intake start\` saved in the data folder.

Examples:
  dicom-intake upload study.zip --project DEMO --subject S01 --session S01_MR1
  dicom-intake upload study.zip --project DEMO --overwrite append --json
  dicom-intake upload study.zip --project DEMO --url http://intake.example:8080
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
  let size: number;
  try {
    size = statSync(zip).size;
  } catch {
    process.stderr.write(`dicom-intake upload: cannot read ${zip}; check the path\n`);
    return 2;
  }
  const config = loadConfig();
  const base = values.url ?? `http://${config.http.host}:${config.http.port}`;
  const q = new URLSearchParams({ 'import-handler': 'DICOM-zip', inbody: 'true', dest: `/archive/projects/${values.project}` });
  if (values.subject) q.set('SUBJECT_ID', values.subject);
  if (values.session) q.set('EXPT_LABEL', values.session);
  if (values.overwrite) q.set('overwrite', values.overwrite);
  const token = resolveCliToken(values.token, config.dataDir);
  const { status, body } = await postFile(`${base}/data/services/import?${q}`, zip, size, token, !values.json && process.stderr.isTTY);
  const ok = status >= 200 && status < 300;
  const error = ok ? undefined : errorText(body);
  if (values.json) {
    process.stdout.write(JSON.stringify(ok ? { ok, status, urls: body.trim().split('\n') } : { ok, status, error }) + '\n');
  } else if (ok) {
    process.stdout.write(body);
  } else {
    process.stderr.write(`dicom-intake upload: the server refused the upload (HTTP ${status}): ${error}\n`);
  }
  return ok ? 0 : 1;
}

/** The API answers errors as JSON `{ error }` or, on XNAT's endpoints, as text. */
function errorText(body: string): string {
  try {
    const parsed = JSON.parse(body) as { error?: unknown };
    if (typeof parsed.error === 'string') return parsed.error;
  } catch {
    // plain text
  }
  return body.trim();
}

function postFile(url: string, path: string, size: number, token: string | undefined, showProgress: boolean): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request(url, { method: 'POST', headers: { 'content-type': 'application/zip', 'content-length': size, ...(token && { authorization: `Bearer ${token}` }) } }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }));
    });
    req.on('error', (err) => reject(new Error(`cannot reach ${new URL(url).origin} (${err.message}); is \`dicom-intake start\` running?`)));
    let sent = 0;
    const file = createReadStream(path);
    file.on('data', (c) => {
      sent += c.length;
      if (showProgress) process.stderr.write(`\rsending ${Math.round((sent / size) * 100)}% (${sent}/${size} bytes)`);
    });
    file.on('end', () => showProgress && process.stderr.write('\nwaiting for the archive...\n'));
    file.pipe(req);
  });
}
