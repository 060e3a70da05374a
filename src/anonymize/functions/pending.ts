/**
 * Built-ins that the checker knows but the interpreter does not run yet: they need sequences, whole-dataset
 * visits, pixel data or I/O, which the top-level EditableDataset cannot give. Calling one at run time fails
 * with NOT_IMPLEMENTED rather than silently leaving data in place.
 */
import type { FunctionSpec } from './types';

/** Functions parsed and checked but not executed yet. */
export const PENDING_FUNCTIONS: readonly FunctionSpec[] = [
  { name: 'hashUIDList', minArgs: 1, maxArgs: Infinity, since: '6.6', returns: 'void', argRules: ['tagPathLike'] },
  { name: 'getURL', minArgs: 1, maxArgs: 1, since: '6.0', returns: 'string', argRules: ['any'] },
  { name: 'retainPrivateTags', minArgs: 1, maxArgs: Infinity, since: '6.3', returns: 'void', argRules: ['privateTagPathLike'] },
  { name: 'lookup', minArgs: 2, maxArgs: 2, since: '6.0', returns: 'string', argRules: ['any', 'any'] },
  { name: 'shiftDateTimeSequenceByIncrement', minArgs: 2, maxArgs: 2, since: '6.3', returns: 'void', argRules: ['integer', 'tagPathLike'] },
  // Registered in DicomEdit's FunctionManager; its arguments are not documented (§1.6), so none are checked.
  { name: 'mapUID', minArgs: 0, maxArgs: Infinity, since: '6.0', returns: 'string', argRules: [] },
  { name: 'mapReferencedUIDs', minArgs: 2, maxArgs: Infinity, since: '6.2', returns: 'void', argRules: ['any', 'tagPathLike'] },
  { name: 'alterPixels', minArgs: 4, maxArgs: 4, since: '6.3', returns: 'void', argRules: ['any', 'any', 'any', 'any'] },
  { name: 'scalePatientAgeAndDobFromStudyDate', minArgs: 0, maxArgs: 0, since: '6.6', returns: 'void', argRules: [] },
  { name: 'blankValues', minArgs: 1, maxArgs: Infinity, since: '6.6', returns: 'void', argRules: ['any'] },
];
