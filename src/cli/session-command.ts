import { parseArgs } from 'node:util';
import { apiJson, apiTarget, report } from './api-request';
import { UsageError } from './prearchive-command';

const HELP = `Usage: dicom-intake session COMMAND PROJECT LABEL VALUE [options]
  relabel P SESSION NEW                  give an archived session a new label
  relabel --subject P SUBJECT NEW        give a subject a new label (all its sessions)
  move P SESSION Q                       move a session to project Q (Q's project script runs)
  reassign P SESSION SUBJECT             assign a session to another subject of P
Each edit re-runs the project script with the new labels (unless rerunProjectAnonOnRename is off); the site
script never re-runs. Options: --json, --async (print the workflow id, do not wait), --url URL, --token TOKEN
Example: dicom-intake session relabel DEMO S01_MR1 S01_MR1_B
`;

/** `dicom-intake session`: the metadata edits through the JSON API. */
export async function runSession(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      subject: { type: 'boolean', default: false },
      url: { type: 'string' },
      token: { type: 'string' },
      json: { type: 'boolean', default: false },
      async: { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  if (values.help) {
    process.stdout.write(HELP);
    return 0;
  }
  const [command, project, label, value] = positionals;
  try {
    if (!command || !project || !label || !value) throw new UsageError('session edits need COMMAND PROJECT LABEL VALUE');
    const p = encodeURIComponent(project);
    const l = encodeURIComponent(label);
    const q = (name: string) => new URLSearchParams({ [name]: value, ...(values.async ? {} : { wait: 'true' }) }).toString();
    let path: string;
    switch (command) {
      case 'relabel':
        path = values.subject ? `/api/archive/projects/${p}/subjects/${l}/relabel?${q('label')}` : `/api/archive/projects/${p}/sessions/${l}/relabel?${q('label')}`;
        break;
      case 'move':
        path = `/api/archive/projects/${p}/sessions/${l}/move?${q('project')}`;
        break;
      case 'reassign':
        path = `/api/archive/projects/${p}/sessions/${l}/reassign?${q('subject')}`;
        break;
      default:
        throw new UsageError(`unknown session command ${JSON.stringify(command)}`);
    }
    return report(`session ${command}`, await apiJson(apiTarget(values.url, values.token), 'POST', path), values.json, (b) =>
      values.async ? `started edit ${String(b.editId)} as workflow ${String(b.workflowId)}\n` : `edit ${String(b.editId)} done: ${JSON.stringify(b.result)}\n`,
    );
  } catch (err) {
    if (err instanceof UsageError) {
      process.stderr.write(`dicom-intake: ${err.message}\n\n${HELP}`);
      return 2;
    }
    process.stderr.write(`dicom-intake session ${command}: ${(err as Error).message}\n`);
    return 1;
  }
}
