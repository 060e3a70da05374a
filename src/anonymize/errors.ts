/**
 * Error classes of the DicomEdit engine. Their `name` and `code` are wire contracts (workflows branch on the
 * failure type), so they never change. Messages name a script position and a tag, never an element value,
 * because element values can be patient data.
 */

/** A position in the script text, both 1-based. */
export interface SourcePosition {
  readonly line: number;
  readonly column: number;
}

/** One finding of the checker. `code` is stable; `message` is for people. */
export interface Diagnostic extends SourcePosition {
  readonly severity: 'error' | 'warning';
  readonly code: DiagnosticCode;
  readonly message: string;
}

/** Stable codes of checker diagnostics. */
export const DIAGNOSTIC_CODES = [
  'SYNTAX',
  'MISSING_VERSION',
  'UNSUPPORTED_VERSION',
  'MISPLACED_VERSION',
  'UNKNOWN_FUNCTION',
  'ARGUMENT_COUNT',
  'ARGUMENT_KIND',
  'NO_VALUE',
  'NOT_BOOLEAN',
  'UNDEFINED_VARIABLE',
  'PLURAL_TAGPATH',
  'LIST_NOT_ALLOWED',
  'BAD_REGEX',
  'NEWER_VERSION_FEATURE',
  'NOT_IMPLEMENTED',
  'UNKNOWN_LOOKUP_TABLE',
] as const;
/** Stable code of a checker diagnostic. */
export type DiagnosticCode = (typeof DIAGNOSTIC_CODES)[number];

function at(pos: SourcePosition, message: string): string {
  return `line ${pos.line}, column ${pos.column}: ${message}`;
}

/** The script text does not follow the DicomEdit 6 grammar. */
export class ScriptSyntaxError extends Error {
  override readonly name = 'ScriptSyntaxError';
  readonly code = 'SCRIPT_SYNTAX';
  /** The message without the "line L, column C: " prefix. */
  readonly detail: string;
  constructor(
    readonly line: number,
    readonly column: number,
    detail: string,
  ) {
    super(at({ line, column }, detail));
    this.detail = detail;
  }
}

/** The script parses but the checker found errors (bad version, unknown function, undefined variable, ...). */
export class ScriptCheckError extends Error {
  override readonly name = 'ScriptCheckError';
  readonly code = 'SCRIPT_CHECK';
  /** Position of the first error, for callers that show one location. */
  readonly line: number;
  readonly column: number;
  constructor(readonly diagnostics: readonly Diagnostic[]) {
    const errors = diagnostics.filter((d) => d.severity === 'error');
    const first = errors[0] ?? { line: 1, column: 1, message: 'the script was refused' };
    const more = errors.length > 1 ? ` (and ${errors.length - 1} more error${errors.length > 2 ? 's' : ''})` : '';
    super(at(first, first.message) + more);
    this.line = first.line;
    this.column = first.column;
  }
}

/** Stable codes of runtime failures. */
export const RUNTIME_ERROR_CODES = [
  'NOT_IMPLEMENTED',
  // No longer raised (sequence paths are supported); kept because codes are wire contracts.
  'UNSUPPORTED_PATH',
  'NULL_ASSIGNMENT',
  'VOID_VALUE',
  'UNKNOWN_VARIABLE',
  'UNKNOWN_FUNCTION',
  'BAD_ARGUMENT',
  'BAD_REGEX',
  'PLURAL_TAGPATH',
  'PRIVATE_BLOCK_MISSING',
  'NOT_BOOLEAN',
  'UNSUPPORTED_PIXEL_DATA',
  // The dataset refused an edit (DicomEditError from the byte layer), at this statement.
  'EDIT_REFUSED',
] as const;
/** Stable code of a runtime failure. */
export type RuntimeErrorCode = (typeof RUNTIME_ERROR_CODES)[number];

/** Applying a compiled script to one instance failed; the instance must not be stored as anonymized. */
export class ScriptRuntimeError extends Error {
  override readonly name = 'ScriptRuntimeError';
  /** The message without the "line L, column C: " prefix. */
  readonly detail: string;
  constructor(
    readonly code: RuntimeErrorCode,
    readonly line: number,
    readonly column: number,
    detail: string,
  ) {
    super(at({ line, column }, detail));
    this.detail = detail;
  }
}
