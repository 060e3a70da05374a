import { parseArgs } from 'node:util';
import { WorkflowNotFoundError, type Client } from '@temporalio/client';
import { connectClient } from '../client/connect-client';
import { listWorkflows, showWorkflow, type WorkflowDetail, type WorkflowRow } from '../client/workflow-views';
import { loadConfig } from '../config/load-config';
import { RETRY_HELP, RETRY_OPTIONS, runRetry } from './retry-command';

const HELP = `Usage: dicom-intake workflows ls [--failed] [--query Q] [--limit N] [--json]
       dicom-intake workflows show WORKFLOW_ID [--json]
       dicom-intake workflows retry WORKFLOW_ID|PREARCHIVE_ID|--all-failed [--json] [--url URL] [--token TOKEN]

ls    lists workflow runs of the configured namespace, newest first, with their search attributes
      (DicomProject, DicomUploadMethod, DicomDestination, DicomStatus) and memo description.
      --failed keeps the failed runs only.
show  prints one workflow's status, decoded input and result or failure, and its history's event types.
retry runs failed archives and edits again once the cause is fixed, through the API (site administrators;
      \`dicom-intake workflows retry --help\` for details; \`dicom-intake archive retry\` is the same command).
ls and show talk to Temporal directly (temporal.address in the configuration); retry to the HTTP API.
Payloads are decrypted with the configured codec keys (docs/operations.md); Temporal itself stores ciphertext.

Examples:
  dicom-intake workflows ls
  dicom-intake workflows ls --query "DicomProject = 'DEMO' AND DicomStatus = 'ARCHIVED'"
  dicom-intake workflows ls --query "DicomStatus = 'ERROR'" --json
  dicom-intake workflows show upload-up_0190f3a2c1_4f9e2b7a1c3d
  dicom-intake workflows retry --all-failed --json
`;

/** `dicom-intake workflows ls|show|retry`: what Temporal holds, decoded through the codec; retry through the API. */
export async function runWorkflows(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      query: { type: 'string', short: 'q' },
      failed: { type: 'boolean', default: false },
      limit: { type: 'string', default: '50' },
      ...RETRY_OPTIONS,
    },
  });
  const [sub, id] = positionals;
  if (sub === 'retry') {
    if (values.help) return (process.stdout.write(RETRY_HELP), 0);
    if (positionals.length > 2) return (process.stderr.write(`dicom-intake workflows retry: one WORKFLOW_ID at a time, or --all-failed\n\n${RETRY_HELP}`), 2);
    return runRetry('workflows retry', id, values);
  }
  if (values.url !== undefined || values.token !== undefined || values['all-failed']) {
    process.stderr.write(`dicom-intake workflows: --url, --token and --all-failed belong to workflows retry; ls and show read Temporal at the configured temporal.address\n\n${HELP}`);
    return 2;
  }
  if (values.help || sub === undefined) {
    process[values.help ? 'stdout' : 'stderr'].write(HELP);
    return values.help ? 0 : 2;
  }
  const limit = Number(values.limit);
  if (!Number.isInteger(limit) || limit <= 0) {
    process.stderr.write(`dicom-intake workflows: --limit must be a positive whole number, not ${JSON.stringify(values.limit)}\n`);
    return 2;
  }
  if (sub !== 'ls' && sub !== 'show') {
    process.stderr.write(`dicom-intake workflows: unknown subcommand ${JSON.stringify(sub)}\n\n${HELP}`);
    return 2;
  }
  if (sub === 'show' && !id) {
    process.stderr.write(`dicom-intake workflows show: a WORKFLOW_ID is required\n\n${HELP}`);
    return 2;
  }
  const config = loadConfig();
  // A failure is said on stderr; with --json also as { ok: false, error } on stdout, so that a script parses either.
  const fail = (message: string) => {
    process.stderr.write(`dicom-intake workflows ${sub}: ${message}\n`);
    if (values.json) process.stdout.write(JSON.stringify({ ok: false, error: message }) + '\n');
    return 1;
  };
  let client: Client;
  try {
    client = await connectClient(config.temporal);
  } catch (err) {
    return fail(`cannot reach Temporal at ${config.temporal.address} (${(err as Error).message}); is \`dicom-intake start\` running, or is Temporal elsewhere (DICOM_INTAKE_TEMPORAL_ADDRESS)?`);
  }
  try {
    if (sub === 'ls') {
      const query = [values.failed ? "ExecutionStatus = 'Failed'" : undefined, values.query ? `(${values.query})` : undefined].filter(Boolean).join(' AND ') || undefined;
      const rows = await listWorkflows(client, query, limit);
      process.stdout.write(values.json ? JSON.stringify(rows) + '\n' : formatRows(rows));
    } else {
      const detail = await showWorkflow(client, id);
      process.stdout.write(values.json ? JSON.stringify(detail) + '\n' : formatDetail(detail));
    }
    return 0;
  } catch (err) {
    if (err instanceof WorkflowNotFoundError) return fail(`no workflow ${JSON.stringify(id)} in namespace ${config.temporal.namespace}; list them with \`dicom-intake workflows ls\``);
    return fail((err as Error).message);
  } finally {
    await client.connection.close();
  }
}

function formatRows(rows: WorkflowRow[]): string {
  if (rows.length === 0) return 'no workflows match\n';
  const table = [['STARTED', 'STATUS', 'TYPE', 'DICOM STATUS', 'PROJECT', 'WORKFLOW ID']].concat(
    rows.map((r) => [r.startTime.slice(0, 19).replace('T', ' '), r.status, r.type, String(r.searchAttributes.DicomStatus ?? '-'), String(r.searchAttributes.DicomProject ?? '-'), r.workflowId]),
  );
  const widths = table[0].map((_, i) => Math.max(...table.map((row) => row[i].length)));
  return table.map((row) => row.map((c, i) => (i === row.length - 1 ? c : c.padEnd(widths[i]))).join('  ')).join('\n') + '\n';
}

function formatDetail(d: WorkflowDetail): string {
  // The service's own attributes; system ones (BuildIds…) stay in --json.
  const sa = Object.entries(d.searchAttributes)
    .filter(([k]) => k.startsWith('Dicom'))
    .sort(([a], [b]) => a.localeCompare(b)) // the server's order varies from call to call
    .map(([k, v]) => `${k}=${String(v)}`)
    .join('  ');
  const lines = [
    `workflow   ${d.workflowId}  (run ${d.runId})`,
    `type       ${d.type}`,
    `status     ${d.status}`,
    `started    ${d.startTime}${d.closeTime ? `   closed ${d.closeTime}` : ''}`,
    `attributes ${sa || '-'}`,
  ];
  if (d.description) lines.push(`about      ${d.description}`);
  if (d.summary && d.summary !== d.description) lines.push(`summary    ${d.summary}`);
  if (d.input !== undefined) lines.push(`input      ${JSON.stringify(d.input)}`);
  if (d.result !== undefined) lines.push(`result     ${JSON.stringify(d.result)}`);
  if (d.failure) lines.push(`failure    ${d.failure.type}: ${d.failure.message}`);
  lines.push(`history    ${d.events.length} events`);
  for (const e of d.events) lines.push(`  ${String(e.id).padStart(4)}  ${e.time}  ${e.type}${e.detail ? `  ${e.detail}` : ''}`);
  return lines.join('\n') + '\n';
}
