/**
 * Recursive-descent parser for the DicomEdit 6 grammar (DE6Parser.g4, §1.3). It builds an AST for the whole
 * language, including the parts the interpreter does not run yet, so the checker can validate any script.
 */
import {
  COMPARISON_OPERATORS,
  type Action,
  type ComparisonOperator,
  type Condition,
  type Expression,
  type FunctionCall,
  type IfStatement,
  type ItemSelector,
  type PathSegment,
  type ScriptAst,
  type Statement,
  type TagPath,
} from './ast';
import { assertNever } from '../domain/assert-never';
import { ScriptSyntaxError, type SourcePosition } from './errors';
import { formatTagPattern, tokenize, type Token } from './lexer';

/** Parses a whole script; throws ScriptSyntaxError with the 1-based line and column of the first problem. */
export function parseScript(text: string): ScriptAst {
  return new Parser(tokenize(text)).script();
}

/**
 * Parses a tag path written inside a string, as functions such as `set`, `delete` and `retainPrivateTags` take it.
 * Positions in errors are relative to the string.
 */
export function parseTagPathText(text: string): TagPath {
  // Inside strings DicomEdit also takes private tags by number, e.g. set["(0045,1045)", "x"] (RT set.das).
  const parser = new Parser(tokenize(text, { numericPrivate: true }));
  const path = parser.tagPathOnly();
  return path;
}

function describeToken(t: Token): string {
  switch (t.kind) {
    case 'newline':
      return 'end of line';
    case 'eof':
      return 'end of script';
    case 'string':
      return 'a string';
    case 'integer':
    case 'float':
      return `number ${t.text}`;
    case 'tag':
      return `tag ${t.text}`;
    case 'id':
    case 'keyword':
    case 'symbol':
      return `'${t.text}'`;
    default:
      return assertNever(t);
  }
}


function formatPath(segments: readonly PathSegment[]): string {
  return segments
    .map((s) => {
      if (s.kind === 'level') return s.wildcard;
      const item = s.item === undefined ? '' : s.item.kind === 'all' ? '[%]' : `[${s.item.index}]`;
      return formatTagPattern(s.tag) + item;
    })
    .join('/');
}

class Parser {
  private index = 0;

  constructor(private readonly tokens: readonly Token[]) {}

  private peek(offset = 0): Token {
    return this.tokens[Math.min(this.index + offset, this.tokens.length - 1)]!;
  }

  private advance(): Token {
    const t = this.peek();
    if (t.kind !== 'eof') this.index += 1;
    return t;
  }

  private isSymbol(text: string, offset = 0): boolean {
    const t = this.peek(offset);
    return t.kind === 'symbol' && t.text === text;
  }

  private isKeyword(text: string): boolean {
    const t = this.peek();
    return t.kind === 'keyword' && t.text === text;
  }

  private fail(t: Token, message: string): never {
    throw new ScriptSyntaxError(t.pos.line, t.pos.column, message);
  }

  private expectSymbol(text: string, context: string): Token {
    const t = this.peek();
    if (t.kind === 'symbol' && t.text === text) return this.advance();
    return this.fail(t, `expected '${text}' ${context}, found ${describeToken(t)}`);
  }

  private skipNewlines(): void {
    while (this.peek().kind === 'newline') this.advance();
  }

  script(): ScriptAst {
    const statements: Statement[] = [];
    for (;;) {
      this.skipNewlines();
      if (this.peek().kind === 'eof') break;
      const stmt = this.statement();
      statements.push(stmt);
      const t = this.peek();
      // The grammar lets an if-block be followed directly by the next statement; everything else needs a line break.
      if (stmt.kind !== 'if' && t.kind !== 'newline' && t.kind !== 'eof') {
        this.fail(t, `expected end of line after the statement, found ${describeToken(t)}`);
      }
    }
    return { statements };
  }

  tagPathOnly(): TagPath {
    const t = this.peek();
    if (!this.startsTagPath()) this.fail(t, `expected a tag path, found ${describeToken(t)}`);
    const path = this.tagPath();
    const end = this.peek();
    if (end.kind !== 'eof') this.fail(end, `expected the end of the tag path, found ${describeToken(end)}`);
    return path;
  }

  private statement(): Statement {
    const t = this.peek();
    if (t.kind === 'keyword') {
      const word = t.text;
      switch (word) {
        case 'version': {
          this.advance();
          const v = this.peek();
          if (v.kind !== 'string') this.fail(v, `expected a version string such as "6.3" after 'version', found ${describeToken(v)}`);
          this.advance();
          return { kind: 'version', pos: t.pos, version: v.value, valuePos: v.pos };
        }
        case 'removeAllPrivateTags':
          this.advance();
          return { kind: 'removeAllPrivateTags', pos: t.pos };
        case 'describe':
          return this.describe();
        case 'export': {
          this.advance();
          const name = this.expectId("after 'export'");
          const field = this.peek();
          if (field.kind !== 'string') this.fail(field, `expected the export field as a string after 'export ${name}', found ${describeToken(field)}`);
          this.advance();
          return { kind: 'export', pos: t.pos, name, field: field.value };
        }
        case 'if':
          return this.ifStatement();
        case 'elseif':
        case 'else':
          return this.fail(t, `'${word}' without a preceding 'if' block`);
        case 'echo':
        case 'hidden':
        case 'const':
        case 'immutable':
          break;
        default:
          return assertNever(word);
      }
    }
    return this.actionOrConditional(true);
  }

  private expectId(context: string): string {
    const t = this.peek();
    if (t.kind !== 'id') this.fail(t, `expected a variable name ${context}, found ${describeToken(t)}`);
    this.advance();
    return t.text;
  }

  private describe(): Statement {
    const start = this.advance();
    const name = this.expectId("after 'describe'");
    const t = this.peek();
    if (t.kind === 'string') {
      this.advance();
      return { kind: 'describe', pos: start.pos, name, form: 'label', label: t.value };
    }
    if (t.kind === 'keyword' && (t.text === 'hidden' || t.text === 'const' || t.text === 'immutable')) {
      this.advance();
      return { kind: 'describe', pos: start.pos, name, form: t.text };
    }
    return this.fail(t, `expected a label string, 'hidden', 'const' or 'immutable' after 'describe ${name}', found ${describeToken(t)}`);
  }

  private ifStatement(): IfStatement {
    const start = this.advance();
    const branches: { condition: Condition; body: Statement[] }[] = [];
    branches.push(this.ifBranch("after 'if'"));
    let otherwise: Statement[] | undefined;
    for (;;) {
      // Separators may stand between a block and the next 'elseif'/'else'; if neither follows, leave them.
      const mark = this.index;
      this.skipNewlines();
      if (this.isKeyword('elseif')) {
        this.advance();
        branches.push(this.ifBranch("after 'elseif'"));
        continue;
      }
      if (this.isKeyword('else')) {
        this.advance();
        this.skipNewlines();
        otherwise = this.block();
        break;
      }
      this.index = mark;
      break;
    }
    return otherwise === undefined
      ? { kind: 'if', pos: start.pos, branches }
      : { kind: 'if', pos: start.pos, branches, otherwise };
  }

  private ifBranch(context: string): { condition: Condition; body: Statement[] } {
    this.expectSymbol('(', context);
    const condition = this.condition();
    this.expectSymbol(')', 'to close the condition');
    this.skipNewlines();
    return { condition, body: this.block() };
  }

  private block(): Statement[] {
    const open = this.expectSymbol('{', 'to open the block');
    const body: Statement[] = [];
    for (;;) {
      this.skipNewlines();
      const t = this.peek();
      if (t.kind === 'symbol' && t.text === '}') {
        this.advance();
        return body;
      }
      if (t.kind === 'eof') this.fail(t, `expected '}' to close the block opened at line ${open.pos.line}, column ${open.pos.column}`);
      body.push(this.statement());
    }
  }

  private condition(): Condition {
    const t = this.peek();
    if (!this.startsValue()) this.fail(t, `expected a condition, found ${describeToken(t)}`);
    const left = this.value();
    const op = this.comparisonOperator();
    if (op !== undefined) {
      this.advance();
      return { kind: 'compare', pos: left.pos, op, left, right: this.valueAfter(`'${op}'`) };
    }
    if (left.kind === 'call') return { kind: 'callCondition', pos: left.pos, call: left };
    return this.fail(this.peek(), `expected a comparison operator (=, !=, ~, !~) in the condition, found ${describeToken(this.peek())}`);
  }

  private comparisonOperator(): ComparisonOperator | undefined {
    const t = this.peek();
    if (t.kind !== 'symbol') return undefined;
    return COMPARISON_OPERATORS.find((op) => op === t.text);
  }

  /**
   * Statements that start with a value: assignments, calls, and (when allowed) ternary conditionals.
   * Ternary branches call this with allowConditional=false, as only actions may appear there.
   */
  private actionOrConditional(allowConditional: boolean): Statement {
    const t = this.peek();
    if (t.kind === 'symbol' && t.text === '-') {
      this.advance();
      if (!this.startsTagPath()) this.fail(this.peek(), `expected a tag path after '-', found ${describeToken(this.peek())}`);
      return { kind: 'delete', pos: t.pos, target: this.tagPath() };
    }
    if (t.kind === 'keyword' && t.text === 'echo') {
      this.advance();
      if (this.startsValue()) return { kind: 'echo', pos: t.pos, value: this.value() };
      return { kind: 'echo', pos: t.pos };
    }
    if (t.kind === 'id' && this.isSymbol(':=', 1)) {
      this.advance();
      this.advance();
      return { kind: 'initialize', pos: t.pos, name: t.text, value: this.valueAfter(`'${t.text} :='`) };
    }
    if (!this.startsValue()) this.fail(t, `expected a statement, found ${describeToken(t)}`);
    const first = this.value();
    const next = this.peek();
    if (first.kind === 'tagPath' && next.kind === 'symbol' && (next.text === ':=' || next.text === '?=')) {
      this.advance();
      const value = this.valueAfter(`'${next.text}'`);
      return next.text === ':='
        ? { kind: 'assign', pos: first.pos, target: first, value }
        : { kind: 'assignIfExists', pos: first.pos, target: first, value };
    }
    if (allowConditional) {
      const op = this.comparisonOperator();
      let condition: Condition | undefined;
      if (op !== undefined) {
        this.advance();
        condition = { kind: 'compare', pos: first.pos, op, left: first, right: this.valueAfter(`'${op}'`) };
      } else if (first.kind === 'call' && this.isSymbol('?')) {
        condition = { kind: 'callCondition', pos: first.pos, call: first };
      }
      if (condition !== undefined) {
        this.expectSymbol('?', 'after the condition');
        const then = this.action();
        if (this.isSymbol(':')) {
          this.advance();
          return { kind: 'conditional', pos: first.pos, condition, then, otherwise: this.action() };
        }
        return { kind: 'conditional', pos: first.pos, condition, then };
      }
    }
    if (first.kind === 'call') return { kind: 'callStatement', pos: first.pos, call: first };
    switch (first.kind) {
      case 'tagPath':
        return this.fail(next, `expected ':=', '?=' or a comparison operator after tag ${first.text}, found ${describeToken(next)}`);
      case 'variable':
        return this.fail(next, `expected ':=', '[' or a comparison operator after '${first.name}', found ${describeToken(next)}`);
      case 'string':
      case 'number':
      case 'list':
        return this.fail(next, `expected a comparison operator (=, !=, ~, !~) after the value, found ${describeToken(next)}`);
      default:
        return assertNever(first);
    }
  }

  private action(): Action {
    const t = this.peek();
    const stmt = this.actionOrConditional(false);
    switch (stmt.kind) {
      case 'assign':
      case 'assignIfExists':
      case 'initialize':
      case 'delete':
      case 'callStatement':
      case 'echo':
        return stmt;
      default:
        return this.fail(t, 'only an assignment, deletion, function call or echo may follow ? or :');
    }
  }

  private startsTagPath(): boolean {
    const t = this.peek();
    return t.kind === 'tag' || (t.kind === 'symbol' && (t.text === '*' || t.text === '+' || t.text === '.'));
  }

  private startsValue(): boolean {
    const t = this.peek();
    switch (t.kind) {
      case 'string':
      case 'integer':
      case 'float':
      case 'id':
      case 'tag':
        return true;
      case 'symbol':
        return t.text === '{' || t.text === '*' || t.text === '+' || t.text === '.';
      case 'keyword':
      case 'newline':
      case 'eof':
        return false;
      default:
        return assertNever(t);
    }
  }

  private valueAfter(context: string): Expression {
    const t = this.peek();
    if (!this.startsValue()) this.fail(t, `expected a value after ${context}, found ${describeToken(t)}`);
    return this.value();
  }

  private value(): Expression {
    const t = this.peek();
    switch (t.kind) {
      case 'string':
        this.advance();
        return { kind: 'string', pos: t.pos, value: t.value };
      case 'integer':
      case 'float':
        this.advance();
        return { kind: 'number', pos: t.pos, text: t.text, isInteger: t.kind === 'integer' };
      case 'id':
        this.advance();
        if (this.isSymbol('[')) return this.callAfterName(t.text, t.pos);
        return { kind: 'variable', pos: t.pos, name: t.text };
      case 'tag':
        return this.tagPath();
      case 'symbol':
        if (t.text === '{') return this.list();
        if (this.startsTagPath()) return this.tagPath();
        return this.fail(t, `expected a value, found ${describeToken(t)}`);
      case 'keyword':
      case 'newline':
      case 'eof':
        return this.fail(t, `expected a value, found ${describeToken(t)}`);
      default:
        return assertNever(t);
    }
  }

  private callAfterName(name: string, pos: SourcePosition): FunctionCall {
    this.advance(); // '['
    const args: Expression[] = [];
    if (!this.isSymbol(']')) {
      for (;;) {
        args.push(this.valueAfter(args.length === 0 ? `'${name}['` : "','"));
        if (this.isSymbol(',')) {
          this.advance();
          continue;
        }
        break;
      }
    }
    this.expectSymbol(']', `to close the arguments of ${name}`);
    return { kind: 'call', pos, name, args };
  }

  private list(): Expression {
    const open = this.advance();
    const items: Expression[] = [];
    this.skipNewlines();
    if (!this.isSymbol('}')) {
      for (;;) {
        this.skipNewlines();
        items.push(this.valueAfter(items.length === 0 ? "'{'" : "','"));
        this.skipNewlines();
        if (this.isSymbol(',')) {
          this.advance();
          continue;
        }
        break;
      }
    }
    this.expectSymbol('}', `to close the list opened at line ${open.pos.line}, column ${open.pos.column}`);
    return { kind: 'list', pos: open.pos, items };
  }

  private tagPath(): TagPath {
    const start = this.peek();
    const segments: PathSegment[] = [this.pathSegment()];
    while (this.isSymbol('/')) {
      this.advance();
      if (!this.startsTagPath()) this.fail(this.peek(), `expected a tag or a level wildcard (* + .) after '/', found ${describeToken(this.peek())}`);
      segments.push(this.pathSegment());
    }
    return { kind: 'tagPath', pos: start.pos, segments, text: formatPath(segments) };
  }

  private pathSegment(): PathSegment {
    const t = this.advance();
    if (t.kind === 'symbol' && (t.text === '*' || t.text === '+' || t.text === '.')) {
      return { kind: 'level', wildcard: t.text };
    }
    if (t.kind !== 'tag') return this.fail(t, `expected a tag, found ${describeToken(t)}`);
    if (!this.isSymbol('[')) return { kind: 'element', tag: t.tag };
    this.advance();
    const n = this.advance();
    let item: ItemSelector;
    if (n.kind === 'symbol' && n.text === '%') item = { kind: 'all' };
    else if (n.kind === 'integer' && !n.text.startsWith('-')) item = { kind: 'index', index: Number(n.text) };
    else return this.fail(n, `expected an item number (0, 1, ...) or % after '[', found ${describeToken(n)}`);
    this.expectSymbol(']', 'to close the item selector');
    return { kind: 'element', tag: t.tag, item };
  }
}

