/**
 * Runs a compiled DicomEdit 6 script against one instance, top to bottom (§1.3). Tag paths reach into sequences
 * at any depth (tag-path-access.ts); the dataset is edited in place through EditableDataset.
 */
import type { Action, Condition, Expression, FunctionCall, Statement } from './ast';
import { assertNever } from '../domain/assert-never';
import type { CompiledScript } from './compile';
import type { EditableDataset } from './dataset';
import { ScriptRuntimeError, type SourcePosition } from './errors';
import { BUILT_IN_FUNCTIONS } from './functions/registry';
import { compileScriptRegex, runRegex } from './functions/regex';
import { EngineFault, NULL_VALUE, type Argument, type RuntimeValue } from './runtime-value';
import { assignmentTargets, deleteMatches, existingTargets, readPath, type ElementRef } from './tag-path-access';
import { CONTEXT_VARIABLES } from './checker';
import { removePrivateTags } from './private-tags';
import type { LookupTables } from './functions/lookup-table';

/** What applying a script to one instance produced. */
export interface ApplyResult {
  /** True when the script called reject[]: the instance must be dropped, not stored. */
  readonly rejected: boolean;
  /** Output of echo statements, in order (collected, never printed: it may hold patient data). */
  readonly echoes: readonly string[];
}

/** What a script may consult besides the instance and its variables. */
export interface ApplyOptions {
  /** Tables for lookup[table, key], as uploaded by the site (see parseLookupTables). */
  readonly lookupTables?: LookupTables;
}

/** Signals reject[]: the rest of the script is skipped because the instance is dropped anyway. */
class Rejected {}

/**
 * Applies a compiled script to one instance. `vars` are the context variables (project, subject, session,
 * and any described ones); undefined means "no value" (null). Throws ScriptRuntimeError on failure, after
 * which the dataset may be partly edited and must be discarded.
 */
export function applyScript(
  script: CompiledScript,
  ds: EditableDataset,
  vars: Readonly<Record<string, string | undefined>>,
  options: ApplyOptions = {},
): ApplyResult {
  const run = new Run(ds, vars, options);
  const before = META_SYNC.map(([dataset]) => ds.getString(dataset));
  try {
    run.block(script.ast.statements);
  } catch (e) {
    if (!(e instanceof Rejected)) throw e;
  }
  if (!run.rejected) syncFileMeta(ds, before);
  return { rejected: run.rejected, echoes: run.echoes };
}

// SOP Class/Instance UID and their copies in the file meta group (PS3.10 §7.1).
const META_SYNC: readonly (readonly [number, number])[] = [
  [0x00080016, 0x00020002],
  [0x00080018, 0x00020003],
];

/**
 * Group-2 sync (DE-30): when the script changed (0008,0016) or (0008,0018), the meta group's copy gets the final
 * value, whatever the script did to the copy itself, so the file never names two different instances.
 */
function syncFileMeta(ds: EditableDataset, before: readonly (string | undefined)[]): void {
  META_SYNC.forEach(([dataset, meta], k) => {
    const now = ds.getString(dataset);
    if (now === undefined || now === before[k] || !ds.has(meta) || ds.getString(meta) === now) return;
    ds.setString(meta, now);
  });
}

function scalar(ds: EditableDataset, v: RuntimeValue, what: string): string | null {
  switch (v.kind) {
    case 'string':
      return v.value;
    case 'path':
      return readPath(ds, v.path);
    case 'null':
      return null;
    case 'boolean':
      return v.value ? 'true' : 'false';
    case 'list':
      throw new EngineFault('BAD_ARGUMENT', `${what} is a list, where a single value is needed`);
    case 'void':
      throw new EngineFault('VOID_VALUE', `${what} is a function call that returns no value`);
    default:
      return assertNever(v);
  }
}

function display(v: RuntimeValue): string {
  switch (v.kind) {
    case 'string':
      return v.value;
    case 'path':
      return v.path.text;
    case 'null':
      return 'null';
    case 'boolean':
      return String(v.value);
    case 'list':
      return `[${v.items.map(display).join(', ')}]`;
    case 'void':
      return '';
    default:
      return assertNever(v);
  }
}

function located(pos: SourcePosition, prefix: string, run: () => void): void {
  try {
    run();
  } catch (e) {
    if (e instanceof EngineFault) throw new ScriptRuntimeError(e.code, pos.line, pos.column, prefix + e.detail);
    // The dataset refused an edit (a value invalid for its VR, a character the character set cannot encode, a
    // structural element): say which statement did it. Matched by name, so the engine does not import the byte layer.
    if (e instanceof Error && e.name === 'DicomEditError') {
      const code = (e as Error & { code?: unknown }).code;
      throw new ScriptRuntimeError('EDIT_REFUSED', pos.line, pos.column, `${prefix}${e.message}${typeof code === 'string' ? ` (${code})` : ''}`);
    }
    throw e;
  }
}

class Run {
  readonly echoes: string[] = [];
  rejected = false;
  private readonly vars = new Map<string, RuntimeValue>();

  constructor(
    private readonly ds: EditableDataset,
    vars: Readonly<Record<string, string | undefined>>,
    private readonly options: ApplyOptions,
  ) {
    for (const name of CONTEXT_VARIABLES) this.vars.set(name, NULL_VALUE);
    for (const [name, value] of Object.entries(vars)) {
      this.vars.set(name, value === undefined ? NULL_VALUE : { kind: 'string', value });
    }
  }

  block(statements: readonly Statement[]): void {
    for (const s of statements) located(s.pos, '', () => this.statement(s));
  }

  private statement(s: Statement): void {
    switch (s.kind) {
      case 'version':
      case 'export':
        return;
      case 'describe':
        // A described variable the caller did not supply is null rather than unknown.
        if (!this.vars.has(s.name)) this.vars.set(s.name, NULL_VALUE);
        return;
      case 'conditional': {
        // Errors in a branch point at the branch, not at the start of the line.
        const chosen = this.test(s.condition) ? s.then : s.otherwise;
        if (chosen) located(chosen.pos, '', () => this.action(chosen));
        return;
      }
      case 'if': {
        const branch = s.branches.find((b) => this.test(b.condition));
        // Blocks share the script's variables: what a block sets stays visible afterwards (ifElseVariableScope).
        if (branch) this.block(branch.body);
        else if (s.otherwise) this.block(s.otherwise);
        return;
      }
      case 'removeAllPrivateTags':
        removePrivateTags(this.ds);
        return;
      default:
        this.action(s);
    }
  }

  private action(a: Action): void {
    switch (a.kind) {
      case 'assign': {
        const value = scalar(this.ds, this.evaluate(a.value), 'the assigned value');
        // A missing value creates nothing, not even a private creator block.
        this.write(assignmentTargets(this.ds, a.target, value !== null), value, a.target.text);
        return;
      }
      case 'assignIfExists': {
        const value = scalar(this.ds, this.evaluate(a.value), 'the assigned value');
        this.write(existingTargets(this.ds, a.target), value, a.target.text);
        return;
      }
      case 'initialize': {
        const value = this.evaluate(a.value);
        if (value.kind === 'void') throw new EngineFault('VOID_VALUE', `the value of ${a.name} is a function call that returns no value`);
        this.vars.set(a.name, value);
        return;
      }
      case 'delete':
        deleteMatches(this.ds, a.target);
        return;
      case 'callStatement':
        this.call(a.call, true);
        return;
      case 'echo':
        this.echoes.push(a.value === undefined ? '' : display(this.evaluate(a.value)));
        return;
      default:
        assertNever(a);
    }
  }

  /**
   * Writes a value. DE-47 (assigning a missing value) is resolved this way: a missing value never creates an
   * element; replacing a present element with "nothing" is an error, because keeping the original value could
   * leave patient data in place while the script author believes it was replaced.
   */
  private write(targets: readonly ElementRef[], value: string | null, target: string): void {
    if (value === null) {
      if (targets.some((t) => this.ds.hasAt(t.item, t.tag))) {
        throw new EngineFault('NULL_ASSIGNMENT', `the value assigned to ${target} is missing (null) while the element is present; refusing to keep its original value`);
      }
      return;
    }
    for (const t of targets) this.ds.setStringAt(t.item, t.tag, value);
  }

  private test(c: Condition): boolean {
    switch (c.kind) {
      case 'compare': {
        const left = scalar(this.ds, this.evaluate(c.left), 'the left side of the condition');
        const right = scalar(this.ds, this.evaluate(c.right), 'the right side of the condition');
        // Null-safe as in DicomEdit: a missing left side never equals or matches anything.
        switch (c.op) {
          case '=':
            return left !== null && left === right;
          case '!=':
            return left === null || left !== right;
          case '~':
          case '!~': {
            if (right === null) throw new EngineFault('BAD_ARGUMENT', `the regular expression on the right of '${c.op}' is missing (null)`);
            const regex = cachedRegex(right);
            const matches = left !== null && runRegex(() => regex.matchesWhole(left));
            return c.op === '~' ? matches : !matches;
          }
          default:
            return assertNever(c.op);
        }
      }
      case 'callCondition': {
        const v = this.call(c.call, false);
        if (v.kind === 'boolean') return v.value;
        if (v.kind === 'string' && (v.value === 'true' || v.value === 'false')) return v.value === 'true';
        throw new EngineFault('NOT_BOOLEAN', `${c.call.name} did not yield a boolean`);
      }
      default:
        return assertNever(c);
    }
  }

  private evaluate(e: Expression): RuntimeValue {
    switch (e.kind) {
      case 'string':
        return { kind: 'string', value: e.value };
      case 'number':
        // DicomEdit passes numbers on as the text written in the script.
        return { kind: 'string', value: e.text };
      case 'variable': {
        const v = this.vars.get(e.name);
        if (v === undefined) throw new EngineFault('UNKNOWN_VARIABLE', `Unknown variable: ${e.name}`);
        return v;
      }
      case 'tagPath': {
        const v = readPath(this.ds, e);
        return v === null ? NULL_VALUE : { kind: 'string', value: v };
      }
      case 'call':
        return this.call(e, false);
      case 'list':
        // A path inside a list stays a path: removeTags[{(0010,0010), (0010,0020)}].
        return { kind: 'list', items: e.items.map((item) => this.argument(item)) };
      default:
        return assertNever(e);
    }
  }

  /** Tag paths reach functions as paths (DicomEdit's visitTagpathArgument); everything else as values. */
  private argument(e: Expression): Argument {
    return e.kind === 'tagPath' ? { kind: 'path', path: e } : this.evaluate(e);
  }

  private call(call: FunctionCall, asStatement: boolean): RuntimeValue {
    const spec = BUILT_IN_FUNCTIONS.get(call.name);
    let result: RuntimeValue = NULL_VALUE;
    located(call.pos, `${call.name}: `, () => {
      if (spec === undefined) throw new EngineFault('UNKNOWN_FUNCTION', `Failed to find function: ${call.name}`);
      if (spec.run === undefined) throw new EngineFault('NOT_IMPLEMENTED', `function ${call.name} is not supported by this engine (see docs/dicomedit.md)`);
      const args = call.args.map((a) => this.argument(a));
      result = spec.run(args, {
        name: call.name,
        ds: this.ds,
        asStatement,
        lookupTables: this.options.lookupTables,
        reject: () => {
          this.rejected = true;
        },
      });
    });
    if (this.rejected) throw new Rejected();
    return result;
  }
}

const REGEX_CACHE = new Map<string, ReturnType<typeof compileScriptRegex>>();

function cachedRegex(pattern: string): ReturnType<typeof compileScriptRegex> {
  let regex = REGEX_CACHE.get(pattern);
  if (regex === undefined) {
    regex = compileScriptRegex(pattern);
    // A small bound: scripts have few distinct patterns, but values used as patterns could be many.
    if (REGEX_CACHE.size >= 256) REGEX_CACHE.clear();
    REGEX_CACHE.set(pattern, regex);
  }
  return regex;
}
