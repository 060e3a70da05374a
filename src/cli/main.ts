import { runPrearchive } from './prearchive-command';
import { runSession } from './session-command';
import { runScript } from './script-command';
import { runStart } from './start-command';
import { runUpload } from './upload-command';
import { runWorker } from './worker-command';
import { runArchive, runWorkflows } from './workflows-command';

const USAGE = `dicom-intake: DICOM intake and de-identification on Temporal

Usage:
  dicom-intake start                 start the embedded stack (Temporal dev server + Web UI, worker, HTTP API)
                                     and load the demo project; Ctrl-C stops everything it started
  dicom-intake upload ZIP --project P [--subject S] [--session E] [--overwrite none|append|delete]
                                     [--url http://127.0.0.1:8080] [--json]
                                     send a zip of DICOM files to the archive of project P
  dicom-intake prearchive ls|show|commit|move|delete|rebuild [ID] [--json]
                                     review prearchive sessions and archive, move, delete or rebuild them
  dicom-intake session relabel|move|reassign PROJECT LABEL VALUE [--subject] [--json]
                                     metadata edits; the project script re-runs with the new labels
  dicom-intake workflows ls --failed [--json]
                                     workflows whose latest run failed (Temporal visibility)
  dicom-intake archive retry WORKFLOW_ID|PREARCHIVE_ID|--all-failed [--json]
                                     retry failed prearchive commits once the cause is fixed
  dicom-intake worker                run only a worker against the configured Temporal server
  dicom-intake script check SCRIPT   check a DicomEdit 6 script without running it
  dicom-intake script preview SCRIPT DICOM [--var name=value]... [--lookup FILE]
                                     show what the script would change in one file; nothing is written

Configuration: temporal-dev.yaml (or DICOM_INTAKE_CONFIG), each key overridable by its environment variable.

Examples:
  dicom-intake start
  dicom-intake upload study.zip --project DEMO --subject S01 --session S01_MR1
`;

/** Entry point of the CLI; resolves to the exit code. */
export async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  switch (command) {
    case 'start':
      return runStart(rest);
    case 'upload':
      return runUpload(rest);
    case 'worker':
      return runWorker(rest);
    case 'prearchive':
      return runPrearchive(rest);
    case 'session':
      return runSession(rest);
    case 'workflows':
      return runWorkflows(rest);
    case 'archive':
      return runArchive(rest);
    case 'script':
      return runScript(rest);
    case undefined:
    case 'help':
    case '--help':
    case '-h':
      process.stdout.write(USAGE);
      return command === undefined ? 2 : 0;
    default:
      process.stderr.write(`dicom-intake: unknown command ${JSON.stringify(command)}\n\n${USAGE}`);
      return 2;
  }
}
