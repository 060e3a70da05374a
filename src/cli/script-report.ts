// How `script check|preview` (offline, bundled by esbuild) and `scripts check|preview` (through the server) print
// their results, so that a finding or a change reads the same whichever way it was computed. Types only: nothing
// here may pull server code into the offline bundles.

import type { ElementChange } from '../anonymize/dataset-diff';
import type { Diagnostic } from '../anonymize/errors';

/** A checker result as the engine and POST /api/scripts/check give it. */
export interface CheckReport {
  ok: boolean;
  version?: string | null;
  diagnostics: readonly Diagnostic[];
}

/** A preview as the engine and POST /api/scripts/preview give it. */
export interface PreviewReport {
  rejected: boolean;
  changes: readonly ElementChange[];
  echoes: readonly string[];
  pixelsAltered?: boolean;
}

/** Each finding as `NAME:line:column: severity CODE: message`, then a one-line verdict. */
export function checkText(name: string, result: CheckReport): string {
  const lines = result.diagnostics.map((d) => `${name}:${d.line}:${d.column}: ${d.severity} ${d.code}: ${d.message}`);
  const errors = result.diagnostics.filter((d) => d.severity === 'error').length;
  const warnings = result.diagnostics.length - errors;
  lines.push(result.ok ? `${name}: accepted (DicomEdit ${String(result.version)}), ${warnings} warning(s)` : `${name}: refused, ${errors} error(s)`);
  return lines.join('\n') + '\n';
}

function quote(value: string | undefined): string {
  return value === undefined ? '' : JSON.stringify(value);
}

function describeChange(c: ElementChange): string {
  switch (c.kind) {
    case 'changed':
      return `${c.path} ${c.vr} changed ${quote(c.before)} -> ${quote(c.after)}`;
    case 'added':
      return `${c.path} ${c.vr} added ${quote(c.after)}`;
    case 'deleted':
      return `${c.path} ${c.vr} deleted (was ${quote(c.before)})`;
  }
}

/** The echo lines, then every changed element (or the rejection), then a one-line summary naming `dicomPath`. */
export function previewText(dicomPath: string, p: PreviewReport): string {
  const lines = p.echoes.map((line) => `echo: ${line}`);
  if (p.rejected) {
    lines.push(`${dicomPath}: rejected by the script (reject[]); it would not be stored`);
  } else {
    lines.push(...p.changes.map(describeChange));
    if (p.pixelsAltered) lines.push('(7FE0,0010) pixel data altered (alterPixels)');
    lines.push(`${dicomPath}: ${p.changes.length} element(s) would change; nothing was written`);
  }
  return lines.join('\n') + '\n';
}

/** `--var name=value` pairs as script variables; undefined (after saying why on stderr) when one has no name. */
export function parseVarPairs(command: string, pairs: readonly string[]): Record<string, string> | undefined {
  const vars: Record<string, string> = {};
  for (const pair of pairs) {
    const at = pair.indexOf('=');
    if (at <= 0) {
      process.stderr.write(`dicom-intake ${command}: --var takes name=value, e.g. --var subject=S01\n`);
      return undefined;
    }
    vars[pair.slice(0, at)] = pair.slice(at + 1);
  }
  return vars;
}
