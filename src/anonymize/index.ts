/**
 * The DicomEdit 6 engine: compile a script once, apply it to many instances. Pure: no I/O, no clock, no
 * Node built-ins except node:crypto for hashes. DicomEdit 4 scripts (no version line) are refused.
 */
export type { EditableDataset, ItemPath, ItemStep, PixelGeometry, PixelRectangle } from './dataset';
export type { ScriptAst } from './ast';
export { compileScript, type CompiledScript } from './compile';
export { checkScript, CONTEXT_VARIABLES, type CheckResult } from './checker';
export { applyScript, type ApplyResult, type ApplyOptions } from './interpreter';
export { parseLookupTables, type LookupTables } from './functions/lookup-table';
export { parseScript } from './parser';
export {
  ScriptSyntaxError,
  ScriptCheckError,
  ScriptRuntimeError,
  DIAGNOSTIC_CODES,
  RUNTIME_ERROR_CODES,
  type Diagnostic,
  type DiagnosticCode,
  type RuntimeErrorCode,
  type SourcePosition,
} from './errors';
export { SUPPORTED_VERSIONS, type SupportedVersion } from './versions';
export { NOT_YET_IMPLEMENTED } from './functions/registry';
export { hashUid } from './functions/uid-hash';
