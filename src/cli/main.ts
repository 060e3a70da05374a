import { runKeys } from './keys-command';
import { runStart } from './start-command';
import { runUpload } from './upload-command';
import { runWorker } from './worker-command';
import { runWorkflows } from './workflows-command';

const USAGE = `dicom-intake: DICOM intake and de-identification on Temporal

Usage:
  dicom-intake start                 start the embedded stack (Temporal dev server + Web UI, worker, HTTP API)
                                     and load the demo project; Ctrl-C stops everything it started
  dicom-intake upload ZIP --project P [--subject S] [--session E] [--overwrite none|append|delete]
                                     [--url http://127.0.0.1:8080] [--json]
                                     send a zip of DICOM files to the archive of project P
  dicom-intake worker                run only a worker against the configured Temporal server
  dicom-intake workflows ls [--query Q] [--limit N] [--json]
                                     list workflow runs with their search attributes
  dicom-intake workflows show ID [--json]
                                     one run: status, decoded input and outcome, history event types
  dicom-intake keys ls|rotate        payload encryption keys: ids in effect; add a new key

Every command takes --help. Configuration: temporal-dev.yaml (or DICOM_INTAKE_CONFIG), each key overridable by its
environment variable; logs are JSON lines on stderr (DICOM_INTAKE_LOG_LEVEL). See docs/operations.md.

Examples:
  dicom-intake start
  dicom-intake upload study.zip --project DEMO --subject S01 --session S01_MR1
  dicom-intake workflows ls --query "DicomProject = 'DEMO' AND DicomStatus = 'ERROR'"
  dicom-intake workflows show upload-up_0190f3a2c1_4f9e2b7a1c3d
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
    case 'workflows':
      return runWorkflows(rest);
    case 'keys':
      return runKeys(rest);
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
