/** Turns script text into a CompiledScript, refusing anything the checker reports as an error. */
import { createHash } from 'node:crypto';
import type { ScriptAst } from './ast';
import { checkScript } from './checker';
import { ScriptCheckError, ScriptSyntaxError, type Diagnostic } from './errors';
import type { SupportedVersion } from './versions';

/** A checked script, ready for applyScript. Plain data (JSON-serialisable). */
export interface CompiledScript {
  readonly ast: ScriptAst;
  readonly version: SupportedVersion;
  /** SHA-256 (hex) of the exact script text, to tell script revisions apart. */
  readonly sha256: string;
  /** Non-blocking findings, e.g. functions this engine does not execute yet. */
  readonly warnings: readonly Diagnostic[];
}

/** Parses and checks a DicomEdit 6 script; throws ScriptSyntaxError or ScriptCheckError. */
export function compileScript(text: string): CompiledScript {
  const result = checkScript(text);
  const errors = result.diagnostics.filter((d) => d.severity === 'error');
  const syntax = errors.find((d) => d.code === 'SYNTAX');
  if (syntax !== undefined) throw new ScriptSyntaxError(syntax.line, syntax.column, syntax.message);
  if (errors.length > 0 || result.ast === undefined || result.version === undefined) {
    throw new ScriptCheckError(result.diagnostics);
  }
  return {
    ast: result.ast,
    version: result.version,
    sha256: createHash('sha256').update(text, 'utf8').digest('hex'),
    warnings: result.diagnostics.filter((d) => d.severity === 'warning'),
  };
}
