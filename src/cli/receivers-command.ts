import { parseArgs } from 'node:util';
import { apiJson, apiTarget, report } from './api-request';

const HELP = `Usage: dicom-intake receivers ls [--json] [--url URL] [--token TOKEN]
Lists the DICOM C-STORE receivers the running service has started: AE title, address, port, destination,
anonymization, allowed calling AE titles and routing rules. Receivers are configured in temporal-dev.yaml
(receivers:, see docs/front-doors.md) and started by \`dicom-intake start\`. Site admins only.

Examples:
  dicom-intake receivers ls
  dicom-intake receivers ls --json
`;

type Row = { aeTitle: string; host: string; port: number; destination: string; anonymizationEnabled: boolean; allowedCallingAeTitles: string[] };
const table = (rows: Row[]) =>
  rows.length
    ? ['AE TITLE\tADDRESS\tDESTINATION\tANONYMIZE\tALLOWED CALLERS', ...rows.map((r) => [r.aeTitle, `${r.host}:${r.port}`, r.destination, r.anonymizationEnabled ? 'yes' : 'no', r.allowedCallingAeTitles.join(',') || '(any)'].join('\t'))].join('\n') + '\n'
    : 'no receivers are running (see receivers: in temporal-dev.yaml)\n';

/** `dicom-intake receivers`: what the running service listens on for C-STORE. */
export async function runReceivers(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: { url: { type: 'string' }, token: { type: 'string' }, json: { type: 'boolean', default: false }, help: { type: 'boolean', short: 'h', default: false } },
  });
  if (values.help) {
    process.stdout.write(HELP);
    return 0;
  }
  if (positionals[0] !== 'ls') {
    process.stderr.write(`dicom-intake receivers: unknown command ${JSON.stringify(positionals[0] ?? '')}\n\n${HELP}`);
    return 2;
  }
  return report('receivers ls', await apiJson(apiTarget(values.url, values.token), 'GET', '/api/receivers'), values.json, (b) => table(b.receivers as Row[]));
}
