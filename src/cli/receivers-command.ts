import { parseArgs } from 'node:util';
import { apiJson, apiTarget, report } from './api-request';

const HELP = `Usage: dicom-intake receivers ls|add|set|rm [options] [--json] [--url URL] [--token TOKEN]
The DICOM C-STORE receivers of the running service (site admins only). Changes are saved and applied at once,
without a restart: a new port or AE title rebinds, a removed receiver stops accepting, an association already
open finishes. temporal-dev.yaml (receivers:) only seeds them at the first start; see docs/front-doors.md.

Commands:
  ls                 list the receivers: AE title, address, destination, anonymization, allowed callers
  add                create a receiver (--ae-title and --port are required)
  set ID             change the given settings of receiver ID (the others stay as they are)
  rm ID              remove receiver ID: its port stops answering

Options of add and set:
  --id ID                       stable id (add only; default <ae title>-<port>, lower-case)
  --ae-title AE                 called AE title, 1-16 characters
  --port N                      TCP port, 1-65535
  --host ADDRESS                bind address (default 127.0.0.1, loopback; 0.0.0.0 for all)
  --destination archive|prearchive
  --anonymize on|off            run the site and project scripts on what it receives (default on)
  --enabled on|off              off: saved but not listening
  --allow AE[,AE...]            calling AE titles allowed in; an empty list lets nobody in
  --transfer-syntaxes UID[,UID...]  accepted transfer syntaxes, in order of preference
  --idle SECONDS                session idle time before a study is imported
  --project-rule RULE           routing rule (repeat for several; --project-rule '' clears); likewise
  --subject-rule RULE, --session-rule RULE

Examples:
  dicom-intake receivers ls
  dicom-intake receivers add --ae-title CTSCANNER --port 11113 --allow CT1,CT2 --destination prearchive
  dicom-intake receivers set ctscanner-11113 --allow CT1,CT2,PACS --json
  dicom-intake receivers set ctscanner-11113 --port 11114 --project-rule '(0008,0050):^RT-(.*)'
  dicom-intake receivers rm ctscanner-11113
`;

type Row = { id: string; aeTitle: string; host: string; port: number; destination: string; enabled: boolean; running?: boolean; anonymizationEnabled: boolean; allowedCallingAeTitles: string[] };
const state = (r: Row) => (!r.enabled ? 'disabled' : r.running === false ? 'not running' : 'listening');
const table = (rows: Row[]) =>
  rows.length
    ? ['ID\tAE TITLE\tADDRESS\tSTATE\tDESTINATION\tANONYMIZE\tALLOWED CALLERS', ...rows.map((r) => [r.id, r.aeTitle, `${r.host}:${r.port}`, state(r), r.destination, r.anonymizationEnabled ? 'yes' : 'no', r.allowedCallingAeTitles.join(',') || '(nobody)'].join('\t'))].join('\n') + '\n'
    : 'no receivers (add one: dicom-intake receivers add --ae-title AE --port N --allow CALLER)\n';

const OPTIONS = {
  url: { type: 'string' },
  token: { type: 'string' },
  json: { type: 'boolean', default: false },
  help: { type: 'boolean', short: 'h', default: false },
  id: { type: 'string' },
  'ae-title': { type: 'string' },
  port: { type: 'string' },
  host: { type: 'string' },
  destination: { type: 'string' },
  anonymize: { type: 'string' },
  enabled: { type: 'string' },
  allow: { type: 'string' },
  'transfer-syntaxes': { type: 'string' },
  idle: { type: 'string' },
  'project-rule': { type: 'string', multiple: true },
  'subject-rule': { type: 'string', multiple: true },
  'session-rule': { type: 'string', multiple: true },
} as const;

type Values = ReturnType<typeof parseArgs<{ options: typeof OPTIONS; allowPositionals: true }>>['values'];

/** The receiver fields the options give (only those given), as the API spells them. */
export function receiverFields(v: Values): Record<string, unknown> {
  const onOff = (name: string, x: string | undefined) => {
    if (x === undefined) return undefined;
    if (x !== 'on' && x !== 'off') throw new Error(`--${name} takes on or off, not ${JSON.stringify(x)}`);
    return x === 'on';
  };
  const number = (name: string, x: string | undefined) => {
    if (x === undefined) return undefined;
    if (!/^\d+(\.\d+)?$/.test(x)) throw new Error(`--${name} takes a number, not ${JSON.stringify(x)}`);
    return Number(x);
  };
  const csv = (x: string | undefined) => (x === undefined ? undefined : x.split(',').map((s) => s.trim()).filter(Boolean));
  const rules = (x: string[] | undefined) => (x === undefined ? undefined : x.filter((r) => r.trim()));
  const routing = { project: rules(v['project-rule']), subject: rules(v['subject-rule']), session: rules(v['session-rule']) };
  const fields: Record<string, unknown> = {
    id: v.id,
    aeTitle: v['ae-title'],
    port: number('port', v.port),
    host: v.host,
    destination: v.destination,
    anonymizationEnabled: onOff('anonymize', v.anonymize),
    enabled: onOff('enabled', v.enabled),
    allowedCallingAeTitles: csv(v.allow),
    transferSyntaxes: csv(v['transfer-syntaxes']),
    sessionIdleSeconds: number('idle', v.idle),
  };
  return Object.fromEntries(Object.entries({ ...fields, ...(Object.values(routing).some((r) => r) ? { routing: Object.fromEntries(Object.entries(routing).filter(([, r]) => r)) } : {}) }).filter(([, x]) => x !== undefined));
}

/** `dicom-intake receivers`: list, add, change and remove the C-STORE receivers of the running service. */
export async function runReceivers(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({ args: argv, allowPositionals: true, options: OPTIONS });
  if (values.help) {
    process.stdout.write(HELP);
    return 0;
  }
  const [command, id] = positionals;
  const usage = (why: string) => {
    process.stderr.write(`dicom-intake receivers: ${why}\n\n${HELP}`);
    return 2;
  };
  let fields: Record<string, unknown>;
  try {
    fields = receiverFields(values);
  } catch (err) {
    return usage((err as Error).message);
  }
  const target = () => apiTarget(values.url, values.token);
  const shown = (b: Record<string, unknown>) => table([b.receiver as Row]);
  switch (command) {
    case 'ls':
      return report('receivers ls', await apiJson(target(), 'GET', '/api/receivers'), values.json, (b) => table(b.receivers as Row[]));
    case 'add':
      return report('receivers add', await apiJson(target(), 'POST', '/api/receivers', JSON.stringify(fields)), values.json, shown);
    case 'set':
      if (!id) return usage('set needs the receiver id (dicom-intake receivers ls lists them)');
      if (fields.id !== undefined) return usage("a receiver's id cannot change; add a new receiver and remove this one");
      if (!Object.keys(fields).length) return usage('set needs at least one setting to change');
      return report('receivers set', await apiJson(target(), 'PATCH', `/api/receivers/${encodeURIComponent(id)}`, JSON.stringify(fields)), values.json, shown);
    case 'rm':
      if (!id) return usage('rm needs the receiver id (dicom-intake receivers ls lists them)');
      return report('receivers rm', await apiJson(target(), 'DELETE', `/api/receivers/${encodeURIComponent(id)}`), values.json, () => `receiver ${id} removed; its port no longer answers\n`);
    default:
      return usage(`unknown command ${JSON.stringify(command ?? '')}`);
  }
}
