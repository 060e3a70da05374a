import { parseArgs } from 'node:util';
import { apiJson, apiTarget, report } from './api-request';
import { UsageError } from './prearchive-command';
import { prearchiveWorkflowId } from '../workflows/workflow-ids';

const WORKFLOWS_HELP = `Usage: dicom-intake workflows ls --failed [--type archiveSession] [--json] [--url URL] [--token TOKEN]
Lists the workflows whose latest run failed (from Temporal visibility), with their ids and project.
`;
const ARCHIVE_HELP = `Usage: dicom-intake archive retry WORKFLOW_ID|PREARCHIVE_ID|--all-failed [--json] [--url URL] [--token TOKEN]
Retries failed commits of prearchive sessions once the cause is fixed (an ERROR session is rebuilt first).
Example: dicom-intake archive retry --all-failed
`;

type Row = Record<string, unknown>;

/** `dicom-intake workflows ls --failed`. */
export async function runWorkflows(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({ args: argv, allowPositionals: true, options: { failed: { type: 'boolean', default: false }, type: { type: 'string' }, url: { type: 'string' }, token: { type: 'string' }, json: { type: 'boolean', default: false }, help: { type: 'boolean', short: 'h', default: false } } });
  if (values.help) return (process.stdout.write(WORKFLOWS_HELP), 0);
  if (positionals[0] !== 'ls' || !values.failed) return (process.stderr.write(WORKFLOWS_HELP), 2);
  const q = new URLSearchParams({ failed: 'true', ...(values.type ? { type: values.type } : {}) });
  try {
    return report('workflows ls', await apiJson(apiTarget(values.url, values.token), 'GET', `/api/workflows?${q}`), values.json, (b) => {
      const rows = b.workflows as Row[];
      return rows.length ? ['WORKFLOW ID\tTYPE\tPROJECT\tCLOSED', ...rows.map((r) => [r.workflowId, r.type, r.project ?? '', r.closedAt ?? ''].join('\t'))].join('\n') + '\n' : 'no failed workflows\n';
    });
  } catch (err) {
    process.stderr.write(`dicom-intake workflows ls: ${(err as Error).message}\n`);
    return 1;
  }
}

/** `dicom-intake archive retry`. */
export async function runArchive(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({ args: argv, allowPositionals: true, options: { 'all-failed': { type: 'boolean', default: false }, url: { type: 'string' }, token: { type: 'string' }, json: { type: 'boolean', default: false }, help: { type: 'boolean', short: 'h', default: false } } });
  if (values.help) return (process.stdout.write(ARCHIVE_HELP), 0);
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
      process.stderr.write(`dicom-intake: ${err.message}\n\n${ARCHIVE_HELP}`);
      return 2;
    }
    process.stderr.write(`dicom-intake archive retry: ${(err as Error).message}\n`);
    return 1;
  }
}
