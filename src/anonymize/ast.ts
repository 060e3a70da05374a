/**
 * The syntax tree of a DicomEdit 6 script. Every node carries the position of its first token so that
 * checker and runtime errors can point at the script, never at data.
 */
import type { SourcePosition } from './errors';

/** One `(gggg,eeee)` or `(gggg,{creator}ee)` pattern; digits may be the wildcards X (any), # (odd), @ (even). */
export interface TagPattern {
  /** Four characters from 0-9 A-F X # @, upper-cased. */
  readonly group: string;
  /** Four characters for public tags; two (the low byte) for private tags with a creator. */
  readonly element: string;
  /** The private creator name, present only for the `{creator}` form. */
  readonly creator?: string;
}

/** `[n]` or `[%]` after a sequence element. */
export type ItemSelector = { readonly kind: 'index'; readonly index: number } | { readonly kind: 'all' };

/** The level wildcards of §1.4: `*` root and any depth, `+` any depth below root, `.` exactly one level. */
export const LEVEL_WILDCARDS = ['*', '+', '.'] as const;
/** A level wildcard character. */
export type LevelWildcard = (typeof LEVEL_WILDCARDS)[number];

/** One step of a tag path. */
export type PathSegment =
  | { readonly kind: 'element'; readonly tag: TagPattern; readonly item?: ItemSelector }
  | { readonly kind: 'level'; readonly wildcard: LevelWildcard };

/** A tag path such as `(0010,0010)`, `*\/(0010,0020)` or `(0008,1115)[0]/(0008,1140)[%]/(0008,1155)`. */
export interface TagPath {
  readonly kind: 'tagPath';
  readonly pos: SourcePosition;
  readonly segments: readonly PathSegment[];
  /** Canonical text of the path, used in messages. */
  readonly text: string;
}

/** A double-quoted string; `value` is what the script means (quotes stripped, `\\` turned into `\`). */
export interface StringLiteral {
  readonly kind: 'string';
  readonly pos: SourcePosition;
  readonly value: string;
}

/** An integer or decimal number; kept as written because DicomEdit passes numbers on as strings. */
export interface NumberLiteral {
  readonly kind: 'number';
  readonly pos: SourcePosition;
  readonly text: string;
  readonly isInteger: boolean;
}

/** A reference to a script or context variable. */
export interface VariableRef {
  readonly kind: 'variable';
  readonly pos: SourcePosition;
  readonly name: string;
}

/** `name[arg, ...]`. */
export interface FunctionCall {
  readonly kind: 'call';
  readonly pos: SourcePosition;
  readonly name: string;
  readonly args: readonly Expression[];
}

/** `{a, b, ...}` (6.6). */
export interface ListLiteral {
  readonly kind: 'list';
  readonly pos: SourcePosition;
  readonly items: readonly Expression[];
}

/** Anything that can stand where the grammar says `value` or `argument`. */
export type Expression = StringLiteral | NumberLiteral | VariableRef | TagPath | FunctionCall | ListLiteral;

/** The comparison operators of conditions. */
export const COMPARISON_OPERATORS = ['=', '!=', '~', '!~'] as const;
/** A comparison operator. */
export type ComparisonOperator = (typeof COMPARISON_OPERATORS)[number];

/** A condition: `value op value`, or a function that yields a boolean. */
export type Condition =
  | {
      readonly kind: 'compare';
      readonly pos: SourcePosition;
      readonly op: ComparisonOperator;
      readonly left: Expression;
      readonly right: Expression;
    }
  | { readonly kind: 'callCondition'; readonly pos: SourcePosition; readonly call: FunctionCall };

/** `tagpath := value`. */
export interface AssignStatement {
  readonly kind: 'assign';
  readonly pos: SourcePosition;
  readonly target: TagPath;
  readonly value: Expression;
}

/** `tagpath ?= value`: assign only where the element exists. */
export interface AssignIfExistsStatement {
  readonly kind: 'assignIfExists';
  readonly pos: SourcePosition;
  readonly target: TagPath;
  readonly value: Expression;
}

/** `name := value` (variable initialisation). */
export interface InitializeStatement {
  readonly kind: 'initialize';
  readonly pos: SourcePosition;
  readonly name: string;
  readonly value: Expression;
}

/** `-tagpath`. */
export interface DeleteStatement {
  readonly kind: 'delete';
  readonly pos: SourcePosition;
  readonly target: TagPath;
}

/** A function called for its effect, e.g. `removeTags[(0010,1000)]`. */
export interface CallStatement {
  readonly kind: 'callStatement';
  readonly pos: SourcePosition;
  readonly call: FunctionCall;
}

/** `echo` or `echo value`. */
export interface EchoStatement {
  readonly kind: 'echo';
  readonly pos: SourcePosition;
  readonly value?: Expression;
}

/** The statements allowed in ternary branches. */
export type Action =
  | AssignStatement
  | AssignIfExistsStatement
  | InitializeStatement
  | DeleteStatement
  | CallStatement
  | EchoStatement;

/** `condition ? action : action`. */
export interface ConditionalStatement {
  readonly kind: 'conditional';
  readonly pos: SourcePosition;
  readonly condition: Condition;
  readonly then: Action;
  readonly otherwise?: Action;
}

/** `if (c) {…} elseif (c) {…} else {…}` (6.4). */
export interface IfStatement {
  readonly kind: 'if';
  readonly pos: SourcePosition;
  readonly branches: readonly { readonly condition: Condition; readonly body: readonly Statement[] }[];
  readonly otherwise?: readonly Statement[];
}

/** The attribute forms of `describe`. */
export const DESCRIBE_FORMS = ['label', 'hidden', 'const', 'immutable'] as const;
/** What a `describe` statement attaches. */
export type DescribeForm = (typeof DESCRIBE_FORMS)[number];

/** `describe name "label"` / `describe name hidden|const|immutable`: UI metadata only. */
export interface DescribeStatement {
  readonly kind: 'describe';
  readonly pos: SourcePosition;
  readonly name: string;
  readonly form: DescribeForm;
  readonly label?: string;
}

/** `export name "field"`: an XNAT field mapping, metadata only. */
export interface ExportStatement {
  readonly kind: 'export';
  readonly pos: SourcePosition;
  readonly name: string;
  readonly field: string;
}

/** `removeAllPrivateTags`. */
export interface RemoveAllPrivateTagsStatement {
  readonly kind: 'removeAllPrivateTags';
  readonly pos: SourcePosition;
}

/** `version "6.x"`. */
export interface VersionStatement {
  readonly kind: 'version';
  readonly pos: SourcePosition;
  readonly version: string;
  /** Position of the version string, for "Unsupported version" diagnostics. */
  readonly valuePos: SourcePosition;
}

/** Any statement. */
export type Statement =
  | Action
  | ConditionalStatement
  | IfStatement
  | DescribeStatement
  | ExportStatement
  | RemoveAllPrivateTagsStatement
  | VersionStatement;

/** A parsed script. */
export interface ScriptAst {
  readonly statements: readonly Statement[];
}
