import { parseArgs } from 'node:util';
import { prearchiveWorkflowId } from '../workflows/workflow-ids';
import { apiJson, apiTarget, report } from './api-request';
import { UsageError } from './prearchive-command';

const HELP = `Usage: dicom-intake archive retry WORKFLOW_ID|PREARCHIVE_ID|--all-failed [--json] [--url URL] [--token TOKEN]
Retries failed archives once the cause is fixed: commits of prearchive sessions and direct archives (archive-…),
whose sessions wait in the prearchive as ERROR or CONFLICT (rebuilt first, then committed again as a new run of
the same workflow id; the site pass never runs again), and failed metadata edits (from their recorded request).
List them with \`dicom-intake workflows ls --failed\`. Site administrators only.
Examples: dicom-intake archive retry --all-failed
          dicom-intake archive retry archive-grp_1a22ca58ab1_ed05b950c897
          dicom-intake archive retry pre_1a22ca5684d_475855853e64
`;

type Row = Record<string, unknown>;

/** `dicom-intake archive retry`: through the API (POST /api/archive/retry). */
export async function runArchive(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: { 'all-failed': { type: 'boolean', default: false }, url: { type: 'string' }, token: { type: 'string' }, json: { type: 'boolean', default: false }, help: { type: 'boolean', short: 'h', default: false } },
  });
  if (values.help) return (process.stdout.write(HELP), 0);
  const [command, target] = positionals;
  try {
    if (command !== 'retry' || (!target && !values['all-failed'])) throw new UsageError('archive retry needs a workflow id, a prearchive session id or --all-failed');
    const workflowId = target?.startsWith('pre_') ? prearchiveWorkflowId(target) : target;
    const q = values['all-failed'] ? 'all-failed=true' : `workflowId=${encodeURIComponent(workflowId!)}`;
    return report('archive retry', await apiJson(apiTarget(values.url, values.token), 'POST', `/api/archive/retry?${q}`), values.json, (b) =>
      (b.results as Row[]).map((r) => `${String(r.workflowId)}: ${r.ok ? `archived ${String(r.url)}` : `not archived: ${String(r.error)}`}`).join('\n') + `\n${String(b.retried)} retried\n`,
    );
  } catch (err) {
    if (err instanceof UsageError) {
      process.stderr.write(`dicom-intake: ${err.message}\n\n${HELP}`);
      return 2;
    }
    process.stderr.write(`dicom-intake archive retry: ${(err as Error).message}\n`);
    return 1;
  }
}
