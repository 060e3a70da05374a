import { describe, expect, it } from 'vitest';
import { parseScript, ScriptSyntaxError } from '../../src/anonymize';
import type { Statement } from '../../src/anonymize/ast';

const V = 'version "6.7"\n';

function statements(body: string): readonly Statement[] {
  return parseScript(V + body).statements.slice(1);
}

function syntaxError(text: string): ScriptSyntaxError {
  try {
    parseScript(text);
  } catch (e) {
    if (e instanceof ScriptSyntaxError) return e;
    throw e;
  }
  throw new Error('expected a syntax error');
}

describe('DicomEdit 6 parser', () => {
  it('When a script has a version line, then it is the first statement with its value', () => {
    const [v] = parseScript('version "6.3"').statements;
    expect(v).toMatchObject({ kind: 'version', version: '6.3', pos: { line: 1, column: 1 }, valuePos: { line: 1, column: 9 } });
  });

  it('When each statement form is written, then each parses to its node kind', () => {
    const kinds = statements(
      [
        '(0010,0010) := "x"',
        '(0010,0010) ?= "x"',
        'name := "x"',
        '-(0010,1000)',
        'removeTags[(0010,1000)]',
        'echo "hi"',
        'echo',
        '(0008,0060) = "MR" ? (0008,103E) := "a" : (0008,103E) := "b"',
        'if ((0008,0060) = "MR") {',
        '  (0010,0010) := "y"',
        '} elseif (project != "X") {',
        '} else {',
        '}',
        'describe name "Label"',
        'describe name hidden',
        'export name "xnat:field"',
        'removeAllPrivateTags',
      ].join('\n'),
    ).map((s) => s.kind);
    expect(kinds).toEqual([
      'assign', 'assignIfExists', 'initialize', 'delete', 'callStatement', 'echo', 'echo', 'conditional', 'if',
      'describe', 'describe', 'export', 'removeAllPrivateTags',
    ]);
  });

  it('When a ternary has no else branch, then otherwise is absent', () => {
    const [s] = statements('project != "Unassigned" ? (0008,1030) := project');
    expect(s).toMatchObject({ kind: 'conditional', condition: { kind: 'compare', op: '!=' }, then: { kind: 'assign' } });
    expect(s).not.toHaveProperty('otherwise');
  });

  it('When a function is the condition, then it parses as a call condition', () => {
    const [s] = statements('isPresent[(0010,0010)] ? -(0010,0010)');
    expect(s).toMatchObject({ kind: 'conditional', condition: { kind: 'callCondition', call: { name: 'isPresent' } } });
  });

  it('When elseif and else sit on their own lines, then they still belong to the if block', () => {
    const [s] = statements('if (true[])\n{\n  echo "a"\n}\nelseif (false[]) {\n}\nelse\n{\n  echo "c"\n}\necho "after"');
    expect(s).toMatchObject({ kind: 'if', branches: [{}, {}], otherwise: [{ kind: 'echo' }] });
  });

  it('When a block holds nested ifs, then they nest in the AST', () => {
    const [s] = statements('if (true[]) {\n if (false[]) { reject[] }\n}');
    expect(s).toMatchObject({ kind: 'if', branches: [{ body: [{ kind: 'if', branches: [{ body: [{ kind: 'callStatement' }] }] }] }] });
  });

  it('When "//" appears inside a string, then it is text, and a trailing comment is dropped', () => {
    const [s] = statements('(0008,0100) := "https://stillnotacomment" // a real comment');
    expect(s).toMatchObject({ kind: 'assign', value: { kind: 'string', value: 'https://stillnotacomment' } });
  });

  it('When a string holds escapes, then "\\\\" becomes one backslash and other escapes are kept for regexes', () => {
    const [s] = statements('(0008,0100) := "\\\\d{8} \\( \\n \\101"');
    expect(s).toMatchObject({ value: { value: '\\d{8} \\( \\n \\101' } });
  });

  it('When a string or a statement is continued with a backslash-newline, then the pieces join', () => {
    const [a, b] = statements('(0008,0100) := "INSERTED \\\nSTR\\\nING"\n(0008,0101) := \\\n    "INSERTED STRING"\n(0008,0102) := "x"');
    expect(a).toMatchObject({ value: { value: 'INSERTED STRING' } });
    expect(b).toMatchObject({ value: { value: 'INSERTED STRING' }, pos: { line: 5 } });
  });

  it('When numbers are written, then integers and floats keep their text', () => {
    const [s] = statements('x := substring["0123456789", 0, -8.5]');
    expect(s).toMatchObject({ value: { args: [{}, { kind: 'number', text: '0', isInteger: true }, { text: '-8.5', isInteger: false }] } });
  });

  it('When a private tag names its creator, then group, creator and element byte are kept', () => {
    const [s] = statements('-(0019,{SIEMENS MR HEADER}0f)');
    expect(s).toMatchObject({ target: { segments: [{ kind: 'element', tag: { group: '0019', creator: 'SIEMENS MR HEADER', element: '0F' } }] } });
  });

  it('When digit wildcards are used, then they are kept upper-cased in the pattern', () => {
    const [a, b, c] = statements('-(0018,901#)\n-(0018,905@)\n-(0018,93xx)');
    expect([a, b, c].map((s) => (s as { target: { text: string } }).target.text)).toEqual(['(0018,901#)', '(0018,905@)', '(0018,93XX)']);
  });

  it('When a path has level wildcards and item selectors, then each segment is recorded', () => {
    const [s] = statements('*/(0010,0020) ?= "A"\n(0008,1115)[0]/(0008,1140)[%]/(0008,1155) ?= "B"\n+/(0010,0010) ?= "C"\n./(0010,0010) ?= "D"');
    expect(s).toMatchObject({ target: { segments: [{ kind: 'level', wildcard: '*' }, { kind: 'element' }], text: '*/(0010,0020)' } });
    const [, second] = statements('x := "1"\n(0008,1115)[0]/(0008,1140)[%]/(0008,1155) ?= "B"');
    expect(second).toMatchObject({
      target: { segments: [{ item: { kind: 'index', index: 0 } }, { item: { kind: 'all' } }, {}], text: '(0008,1115)[0]/(0008,1140)[%]/(0008,1155)' },
    });
  });

  it('When a list spans lines, then its items are parsed', () => {
    const [s] = statements('l := {\n(0010,0010),\n "a", 3,\n hashUID["1"]\n}');
    expect(s).toMatchObject({ kind: 'initialize', value: { kind: 'list', items: [{ kind: 'tagPath' }, { kind: 'string' }, { kind: 'number' }, { kind: 'call' }] } });
  });

  it('When a tag is not followed by an operator, then the error points at the next token', () => {
    const e = syntaxError('version "6.3"\n\n(0010,0010) "x"');
    expect(e).toMatchObject({ name: 'ScriptSyntaxError', code: 'SCRIPT_SYNTAX', line: 3, column: 13 });
    expect(e.message).toBe("line 3, column 13: expected ':=', '?=' or a comparison operator after tag (0010,0010), found a string");
  });

  it('When a private element is written by number, then the lexer refuses it and shows the creator form', () => {
    const e = syntaxError('version "6.3"\n-(0029,1019)');
    expect(e).toMatchObject({ line: 2, column: 2 });
    expect(e.message).toContain('(0029,{CREATOR}19)');
  });

  it('When a string is not closed, then the error points at its opening quote', () => {
    expect(syntaxError('version "6.3"\n(0010,0010) := "abc')).toMatchObject({ line: 2, column: 16 });
  });

  it('When a string escapes a double quote, then the error says DicomEdit strings cannot', () => {
    const e = syntaxError('version "6.3"\n(0010,0010) := "a\\"b"');
    expect(e).toMatchObject({ line: 2, column: 18 });
    expect(e.message).toContain('double quote');
  });

  it('When two statements share a line, then the second is an error', () => {
    expect(syntaxError('version "6.3"\n-(0010,0010) -(0010,0020)')).toMatchObject({ line: 2, column: 14 });
  });

  it('When a ternary branch holds a conditional, then it is refused', () => {
    expect(() => parseScript('version "6.3"\n(0008,0060) = "MR" ? (0008,0060) = "CT" ? -(0010,0010)')).toThrow(ScriptSyntaxError);
  });

  it('When a block is not closed, then the error names where it opened', () => {
    const e = syntaxError('version "6.4"\nif (true[]) {\n echo "x"\n');
    expect(e.message).toContain('opened at line 2, column 13');
  });

  it('When an odd group carries a creator in an even group, then it is refused', () => {
    expect(() => parseScript('version "6.3"\n-(0010,{X}10)')).toThrow(/only allowed in an odd group/);
  });
});
