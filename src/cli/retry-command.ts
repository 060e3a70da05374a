import { parseArgs } from 'node:util';
import { prearchiveWorkflowId } from '../workflows/workflow-ids';
import { apiJson, apiTarget, report } from './api-request';

/** Help for `dicom-intake workflows retry` (and its alias `dicom-intake archive retry`). */
export const RETRY_HELP = `Usage: dicom-intake workflows retry WORKFLOW_ID|PREARCHIVE_ID|--all-failed [--json] [--url URL] [--token TOKEN]
       dicom-intake archive retry …   (the same command under its earlier name)
Retries failed archives once the cause is fixed: commits of prearchive sessions and direct archives (archive-…),
whose sessions wait in the prearchive as ERROR or CONFLICT (rebuilt first, then committed again as a new run of
the same workflow id; the site pass never runs again), and failed metadata edits (from their recorded request).
List them with \`dicom-intake workflows ls --failed\`. Needs a site administrator's token.
--json prints { ok, status, retried, results: [{ workflowId, ok, url | error }] }; exit 1 when the server refuses.
Examples: dicom-intake workflows retry --all-failed
          dicom-intake workflows retry archive-grp_1a22ca58ab1_ed05b950c897 --json
          dicom-intake workflows retry pre_1a22ca5684d_475855853e64
`;

/** The options of the retry command, shared by the commands that offer it. */
export const RETRY_OPTIONS = {
  'all-failed': { type: 'boolean', default: false },
  url: { type: 'string' },
  token: { type: 'string' },
  json: { type: 'boolean', default: false },
  help: { type: 'boolean', short: 'h', default: false },
} as const;

type Row = Record<string, unknown>;

/** What the retry command reads from its parsed options. */
export interface RetryArgs {
  'all-failed'?: boolean;
  url?: string;
  token?: string;
  json?: boolean;
}

/**
 * Retries one failed workflow (by its id, or a prearchive session's id) or all failed ones through the API
 * (POST /api/archive/retry); `command` is the name the person typed, for messages. Resolves to the exit code.
 */
export async function runRetry(command: string, target: string | undefined, values: RetryArgs): Promise<number> {
  if (!target === !values['all-failed']) {
    process.stderr.write(`dicom-intake ${command}: name one workflow id or prearchive session id, or --all-failed (list failed runs with \`dicom-intake workflows ls --failed\`)\n\n${RETRY_HELP}`);
    return 2;
  }
  try {
    const workflowId = target?.startsWith('pre_') ? prearchiveWorkflowId(target) : target;
    const q = values['all-failed'] ? 'all-failed=true' : `workflowId=${encodeURIComponent(workflowId!)}`;
    return report(command, await apiJson(apiTarget(values.url, values.token), 'POST', `/api/archive/retry?${q}`), values.json ?? false, (b) =>
      (b.results as Row[]).map((r) => `${String(r.workflowId)}: ${r.ok ? `archived ${String(r.url)}` : `not archived: ${String(r.error)}`}`).join('\n') + `\n${String(b.retried)} retried\n`,
    );
  } catch (err) {
    process.stderr.write(`dicom-intake ${command}: ${(err as Error).message}\n`);
    return 1;
  }
}

/** `dicom-intake archive retry`: the earlier name of `dicom-intake workflows retry`, kept for scripts that use it. */
export async function runArchive(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({ args: argv, allowPositionals: true, options: RETRY_OPTIONS });
  if (values.help) return (process.stdout.write(RETRY_HELP), 0);
  const [sub, target, extra] = positionals;
  if (sub !== 'retry' || extra !== undefined) {
    process.stderr.write(`dicom-intake archive: the only command is retry (also \`dicom-intake workflows retry\`)\n\n${RETRY_HELP}`);
    return 2;
  }
  return runRetry('archive retry', target, values);
}
