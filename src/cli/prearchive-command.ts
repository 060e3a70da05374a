import { parseArgs } from 'node:util';
import { apiJson, apiTarget, report } from './api-request';

const HELP = `Usage: dicom-intake prearchive COMMAND [options]
  ls [--project P]                       list prearchive sessions (P may be Unassigned)
  show ID                                scans, file counts, passes that ran, reason of ERROR/CONFLICT
  commit ID [--overwrite none|append|delete]
                                         archive the session (project script runs now)
  move ID --project P                    give the session another project (also out of Unassigned)
  delete ID                              delete the session's files and rows
  rebuild ID                             re-read the session's files; ERROR/CONFLICT become READY
Options: --json (machine-readable output), --async (print the workflow id, do not wait), --url URL, --token TOKEN
(else $DICOM_INTAKE_TOKEN, else the token \`dicom-intake start\` saved)
Example: dicom-intake prearchive commit pre_0190f3a2c1_4f9e2b7a1c3d --overwrite append
`;

type Row = Record<string, unknown>;
const table = (rows: Row[]) =>
  rows.length
    ? ['ID\tPROJECT\tTIMESTAMP\tSESSION\tSUBJECT\tSTATUS\tREASON', ...rows.map((r) => [r.id, r.project, r.timestamp, r.folderName, r.subject, r.status, r.reason ?? ''].join('\t'))].join('\n') + '\n'
    : 'no prearchive sessions\n';

/** `dicom-intake prearchive`: the prearchive operations through the JSON API. */
export async function runPrearchive(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      project: { type: 'string' },
      overwrite: { type: 'string' },
      url: { type: 'string' },
      token: { type: 'string' },
      json: { type: 'boolean', default: false },
      async: { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  const [command, id] = positionals;
  if (values.help || !command) {
    (values.help ? process.stdout : process.stderr).write(HELP);
    return values.help ? 0 : 2;
  }
  const base = apiTarget(values.url, values.token);
  const wait = values.async ? '' : 'wait=true';
  const needId = () => {
    if (!id) throw new UsageError(`prearchive ${command} needs the session id (see dicom-intake prearchive ls)`);
    return encodeURIComponent(id);
  };
  const done = (b: Row) => (values.async ? `started workflow ${String(b.workflowId)}\n` : `${command} done: ${JSON.stringify(b.result)}\n`);
  try {
    switch (command) {
      case 'ls':
        return report('prearchive ls', await apiJson(base, 'GET', `/api/prearchive${values.project ? `?project=${encodeURIComponent(values.project)}` : ''}`), values.json, (b) => table(b.sessions as Row[]));
      case 'show':
        return report('prearchive show', await apiJson(base, 'GET', `/api/prearchive/${needId()}`), values.json, (b) => JSON.stringify(b, null, 2) + '\n');
      case 'commit': {
        const q = new URLSearchParams({ overwrite: values.overwrite ?? 'none' });
        if (!values.async) q.set('wait', 'true');
        return report('prearchive commit', await apiJson(base, 'POST', `/api/prearchive/${needId()}/commit?${q}`), values.json, done);
      }
      case 'move': {
        if (!values.project) throw new UsageError('prearchive move needs --project P');
        const q = new URLSearchParams({ project: values.project });
        if (!values.async) q.set('wait', 'true');
        return report('prearchive move', await apiJson(base, 'POST', `/api/prearchive/${needId()}/move?${q}`), values.json, done);
      }
      case 'delete':
        return report('prearchive delete', await apiJson(base, 'DELETE', `/api/prearchive/${needId()}?${wait}`), values.json, done);
      case 'rebuild':
        return report('prearchive rebuild', await apiJson(base, 'POST', `/api/prearchive/${needId()}/rebuild?${wait}`), values.json, done);
      default:
        throw new UsageError(`unknown prearchive command ${JSON.stringify(command)}`);
    }
  } catch (err) {
    if (err instanceof UsageError) {
      process.stderr.write(`dicom-intake: ${err.message}\n\n${HELP}`);
      return 2;
    }
    process.stderr.write(`dicom-intake prearchive ${command}: ${(err as Error).message}\n`);
    return 1;
  }
}

/** Wrong arguments: usage is printed and the exit code is 2. */
export class UsageError extends Error {
  override readonly name = 'UsageError';
}
