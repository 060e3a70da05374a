/**
 * Static checks of a DicomEdit 6 script, without data: version, syntax, function names and arities, argument
 * kinds that the text decides, variables used before initialisation, and regexes written as literals.
 * Errors make compileScript refuse the script; warnings (features newer than the declared version, parts this
 * engine does not execute yet) are reported but do not block.
 */
import type { Condition, Expression, FunctionCall, ScriptAst, Statement, TagPath } from './ast';
import { assertNever } from '../domain/assert-never';
import { ScriptSyntaxError, type Diagnostic, type DiagnosticCode, type SourcePosition } from './errors';
import { BUILT_IN_FUNCTIONS } from './functions/registry';
import type { ArgRule } from './functions/types';
import { compileJavaRegex, JavaRegexError } from './java-regex';
import { parseScript, parseTagPathText } from './parser';
import { isSingularPath } from './tag-pattern';
import {
  MISSING_VERSION_MESSAGE,
  isOlderVersion,
  isSupportedVersion,
  startsWithVersionLine,
  unsupportedVersionMessage,
  type SupportedVersion,
} from './versions';

/** The outcome of checking a script. `ok` is false when any diagnostic is an error. */
export interface CheckResult {
  readonly ok: boolean;
  /** The declared version when it is supported. */
  readonly version?: SupportedVersion;
  readonly diagnostics: readonly Diagnostic[];
  /** The syntax tree, when the script parsed. */
  readonly ast?: ScriptAst;
}

/** Variables XNAT always supplies (§1.5), so scripts may use them without initialising them. */
export const CONTEXT_VARIABLES = ['project', 'subject', 'session'] as const;

/** Checks a script text without any data. */
export function checkScript(text: string): CheckResult {
  if (!startsWithVersionLine(text)) {
    const firstLine = text.split(/\r?\n/).findIndex((l) => l.trim() !== '' && !l.trim().startsWith('//'));
    const diagnostic: Diagnostic = {
      line: firstLine < 0 ? 1 : firstLine + 1,
      column: 1,
      severity: 'error',
      code: 'MISSING_VERSION',
      message: MISSING_VERSION_MESSAGE,
    };
    return { ok: false, diagnostics: [diagnostic] };
  }
  let ast: ScriptAst;
  try {
    ast = parseScript(text);
  } catch (e) {
    if (!(e instanceof ScriptSyntaxError)) throw e;
    return { ok: false, diagnostics: [{ line: e.line, column: e.column, severity: 'error', code: 'SYNTAX', message: e.detail }] };
  }
  return checkAst(ast);
}

/** Checks an already parsed script. */
export function checkAst(ast: ScriptAst): CheckResult {
  const checker = new Checker(ast);
  checker.run();
  const diagnostics = checker.diagnostics;
  const result = { ok: !diagnostics.some((d) => d.severity === 'error'), diagnostics, ast };
  return checker.version === undefined ? result : { ...result, version: checker.version };
}

type Usage = 'value' | 'argument' | 'condition' | 'statement';

class Checker {
  readonly diagnostics: Diagnostic[] = [];
  version: SupportedVersion | undefined;
  private readonly defined = new Set<string>(CONTEXT_VARIABLES);

  constructor(private readonly ast: ScriptAst) {
    // `describe` declares variables the upload client prompts for, wherever it appears.
    const visit = (stmts: readonly Statement[]): void => {
      for (const s of stmts) {
        if (s.kind === 'describe') this.defined.add(s.name);
        if (s.kind === 'if') {
          s.branches.forEach((b) => visit(b.body));
          if (s.otherwise) visit(s.otherwise);
        }
      }
    };
    visit(ast.statements);
  }

  private report(pos: SourcePosition, severity: Diagnostic['severity'], code: DiagnosticCode, message: string): void {
    this.diagnostics.push({ line: pos.line, column: pos.column, severity, code, message });
  }

  private requireVersion(pos: SourcePosition, feature: string, since: SupportedVersion): void {
    if (this.version !== undefined && isOlderVersion(this.version, since)) {
      this.report(pos, 'warning', 'NEWER_VERSION_FEATURE', `${feature} arrived in DicomEdit ${since}, but the script declares version "${this.version}"`);
    }
  }

  run(): void {
    const [first] = this.ast.statements;
    if (first === undefined || first.kind !== 'version') {
      this.report(first?.pos ?? { line: 1, column: 1 }, 'error', 'MISSING_VERSION', MISSING_VERSION_MESSAGE);
    } else if (isSupportedVersion(first.version)) {
      this.version = first.version;
    } else {
      this.report(first.valuePos, 'error', 'UNSUPPORTED_VERSION', unsupportedVersionMessage(first.version));
    }
    this.ast.statements.forEach((s, k) => this.statement(s, k === 0));
  }

  private statement(s: Statement, isFirst: boolean): void {
    switch (s.kind) {
      case 'version':
        if (!isFirst) this.report(s.pos, 'error', 'MISPLACED_VERSION', 'the version line must be the first statement, and appear only once');
        return;
      case 'assign':
      case 'assignIfExists':
        this.target(s.target);
        if (s.kind === 'assign' && !isSingularPath(s.target)) {
          this.report(s.target.pos, 'error', 'PLURAL_TAGPATH', `cannot assign to ${s.target.text}: the path can match several elements; use ?= to change every existing match`);
        }
        if (s.value.kind === 'list') this.report(s.value.pos, 'error', 'LIST_NOT_ALLOWED', `a list cannot be assigned to ${s.target.text}`);
        this.expression(s.value, 'value');
        return;
      case 'initialize':
        this.expression(s.value, 'value');
        this.defined.add(s.name);
        return;
      case 'delete':
        this.target(s.target);
        return;
      case 'callStatement':
        this.call(s.call, 'statement');
        return;
      case 'echo':
        if (s.value) this.expression(s.value, 'value');
        return;
      case 'conditional':
        this.condition(s.condition);
        this.statement(s.then, false);
        if (s.otherwise) this.statement(s.otherwise, false);
        return;
      case 'if':
        this.requireVersion(s.pos, 'if/elseif/else blocks', '6.4');
        for (const branch of s.branches) {
          this.condition(branch.condition);
          branch.body.forEach((b) => this.statement(b, false));
        }
        s.otherwise?.forEach((b) => this.statement(b, false));
        return;
      case 'describe':
      case 'export':
      case 'removeAllPrivateTags':
        return;
      default:
        assertNever(s);
    }
  }

  private target(path: TagPath): void {
    const last = path.segments[path.segments.length - 1];
    if (last?.kind === 'level') this.report(path.pos, 'error', 'SYNTAX', `the tag path ${path.text} must end with a tag, not a level wildcard`);
  }

  private condition(c: Condition): void {
    switch (c.kind) {
      case 'compare':
        this.expression(c.left, 'value');
        this.expression(c.right, 'value');
        if ((c.op === '~' || c.op === '!~') && c.right.kind === 'string') this.regexLiteral(c.right.value, c.right.pos);
        return;
      case 'callCondition':
        this.call(c.call, 'condition');
        return;
      default:
        assertNever(c);
    }
  }

  private regexLiteral(pattern: string, pos: SourcePosition): void {
    try {
      compileJavaRegex(pattern);
    } catch (e) {
      if (!(e instanceof JavaRegexError)) throw e;
      this.report(pos, 'error', 'BAD_REGEX', `invalid regular expression: ${e.message}`);
    }
  }

  private expression(e: Expression, usage: Usage): void {
    switch (e.kind) {
      case 'string':
      case 'number':
        return;
      case 'variable':
        if (!this.defined.has(e.name)) {
          this.report(e.pos, 'error', 'UNDEFINED_VARIABLE', `unknown variable '${e.name}': initialise it first (${e.name} := ...) or declare it with describe`);
        }
        return;
      case 'tagPath':
        if (usage === 'value' && !isSingularPath(e)) {
          this.report(e.pos, 'error', 'PLURAL_TAGPATH', `Path matching multiple tags not allowed as term: ${e.text}`);
        }
        return;
      case 'call':
        this.call(e, usage);
        return;
      case 'list':
        this.requireVersion(e.pos, 'lists', '6.6');
        e.items.forEach((item) => this.expression(item, 'argument'));
        return;
      default:
        assertNever(e);
    }
  }

  private call(call: FunctionCall, usage: Usage): void {
    const spec = BUILT_IN_FUNCTIONS.get(call.name);
    call.args.forEach((a) => this.expression(a, 'argument'));
    if (spec === undefined) {
      const hint =
        call.name === 'urlEncode'
          ? 'urlEncode exists only in DicomEdit 4; DicomEdit 6 has no urlEncode'
          : `unknown function '${call.name}': it is not a DicomEdit 6 built-in`;
      this.report(call.pos, 'error', 'UNKNOWN_FUNCTION', hint);
      return;
    }
    const n = call.args.length;
    if (n < spec.minArgs || n > spec.maxArgs) {
      const expected =
        spec.minArgs === spec.maxArgs
          ? `${spec.minArgs}`
          : spec.maxArgs === Infinity
            ? `at least ${spec.minArgs}`
            : `${spec.minArgs} to ${spec.maxArgs}`;
      this.report(call.pos, 'error', 'ARGUMENT_COUNT', `${call.name} takes ${expected} argument${expected === '1' ? '' : 's'}, got ${n}`);
    }
    call.args.forEach((arg, k) => {
      const rule = spec.argRules[Math.min(k, spec.argRules.length - 1)];
      if (rule !== undefined) this.argument(call.name, k, arg, rule);
    });
    if ((call.name === 'match' || call.name === 'ismatch') && call.args[1]?.kind === 'string') {
      this.regexLiteral(call.args[1].value, call.args[1].pos);
    }
    if ((usage === 'value' || usage === 'argument') && spec.returns === 'void') {
      this.report(call.pos, 'error', 'NO_VALUE', `${call.name} returns no value, so it can only be called as a statement`);
    }
    if (usage === 'condition' && spec.returns !== 'boolean') {
      this.report(call.pos, 'error', 'NOT_BOOLEAN', `${call.name} does not yield a boolean, so it cannot be a condition; compare its value instead`);
    }
    this.requireVersion(call.pos, `the function ${call.name}`, spec.since);
    if (spec.run === undefined) {
      this.report(call.pos, 'warning', 'NOT_IMPLEMENTED', `${call.name} is not supported by this engine (see docs/dicomedit.md); applying the script will fail`);
    }
  }

  private argument(fn: string, k: number, arg: Expression, rule: ArgRule): void {
    const where = `argument ${k + 1} of ${fn}`;
    switch (rule) {
      case 'any':
        return;
      case 'integer':
        if ((arg.kind === 'number' && !arg.isInteger) || (arg.kind === 'string' && !/^[+-]?\d+$/.test(arg.value.trim())) || arg.kind === 'list') {
          this.report(arg.pos, 'error', 'ARGUMENT_KIND', `${where} must be a whole number`);
        }
        return;
      case 'tagPathLike':
      case 'privateTagPathLike':
        this.tagPathArgument(where, arg, rule === 'privateTagPathLike');
        return;
      default:
        assertNever(rule);
    }
  }

  private tagPathArgument(where: string, arg: Expression, mustBePrivate: boolean): void {
    let path: TagPath | undefined;
    switch (arg.kind) {
      case 'number':
        this.report(arg.pos, 'error', 'ARGUMENT_KIND', `${where} must be a tag path, not a number`);
        return;
      case 'string':
        try {
          path = parseTagPathText(arg.value);
        } catch (e) {
          if (!(e instanceof ScriptSyntaxError)) throw e;
          this.report(arg.pos, 'error', 'ARGUMENT_KIND', `${where} is not a valid tag path: ${e.detail}`);
          return;
        }
        break;
      case 'tagPath':
        path = arg;
        break;
      case 'list':
        arg.items.forEach((item) => this.tagPathArgument(where, item, mustBePrivate));
        return;
      case 'variable':
      case 'call':
        return;
      default:
        assertNever(arg);
    }
    const last = path.segments[path.segments.length - 1];
    // A trailing level wildcard keeps everything below a private sequence: (0019,{pb1}F0)/(0023,{pb2}15)[%]/*.
    const underPrivate = last?.kind === 'level' && path.segments.some((s) => s.kind === 'element' && s.tag.creator !== undefined);
    if (mustBePrivate && !underPrivate && (last === undefined || last.kind !== 'element' || last.tag.creator === undefined)) {
      this.report(arg.pos, 'error', 'ARGUMENT_KIND', `${where} must be a private tag path with a creator, e.g. (0029,{SIEMENS CSA HEADER}XX); ${path.text} is not`);
    }
  }
}
