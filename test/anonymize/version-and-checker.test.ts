import { describe, expect, it } from 'vitest';
import { checkScript, compileScript, ScriptCheckError, ScriptSyntaxError, SUPPORTED_VERSIONS } from '../../src/anonymize';
import { createHash } from 'node:crypto';

function codes(text: string): string[] {
  return checkScript(text).diagnostics.map((d) => `${d.severity}:${d.code}@${d.line}:${d.column}`);
}

describe('version line', () => {
  it.each(SUPPORTED_VERSIONS)('When the script declares version %s, then it compiles', (v) => {
    expect(compileScript(`version "${v}"\n(0010,0010) := "x"`).version).toBe(v);
  });

  it('When the version is unknown, then the DicomEdit message lists every supported version', () => {
    const e = (() => {
      try {
        compileScript('version "5.0"\n');
      } catch (err) {
        return err;
      }
      return undefined;
    })();
    expect(e).toBeInstanceOf(ScriptCheckError);
    expect((e as ScriptCheckError).message).toBe(
      'line 1, column 9: Unsupported version: 5.0. Supported versions are 6.0, 6.1, 6.2, 6.3, 6.4, 6.5, 6.6, 6.7',
    );
    expect((e as ScriptCheckError).diagnostics[0]).toMatchObject({ code: 'UNSUPPORTED_VERSION', line: 1, column: 9 });
  });

  it('When a DicomEdit 4 script (no version line) is given, then it is refused as DicomEdit 4 with advice', () => {
    const de4 = '// old script\n(0008,0060) = "MR" : (0020,1204) := "100"\n-(2001,100f)\n';
    const result = checkScript(de4);
    expect(result.ok).toBe(false);
    expect(result.diagnostics).toHaveLength(1);
    expect(result.diagnostics[0]).toMatchObject({ code: 'MISSING_VERSION', line: 2, column: 1 });
    expect(result.diagnostics[0]!.message).toMatch(/DicomEdit 4.*only DicomEdit 6 \(versions 6\.0-6\.7\)|DicomEdit 4[\s\S]*Only DicomEdit 6 \(versions 6\.0-6\.7\)/);
    expect(result.diagnostics[0]!.message).toContain('version "6.3"');
    expect(() => compileScript(de4)).toThrow(ScriptCheckError);
  });

  it('When the version line is not first, then it is an error', () => {
    expect(codes('version "6.3"\n-(0010,0010)\nversion "6.3"')).toContain('error:MISPLACED_VERSION@3:1');
  });

  it('When a script compiles, then it carries the SHA-256 of its exact text', () => {
    const text = 'version "6.3"\n(0010,0010) := "x"\n';
    expect(compileScript(text).sha256).toBe(createHash('sha256').update(text).digest('hex'));
  });

  it('When the syntax is wrong, then compileScript throws ScriptSyntaxError', () => {
    expect(() => compileScript('version "6.3"\n(0010,0010) :=')).toThrow(ScriptSyntaxError);
    expect(codes('version "6.3"\n(0010,0010) :=')).toEqual(['error:SYNTAX@2:15']);
  });
});

describe('checker', () => {
  it('When a function is unknown, then it is reported where it is called', () => {
    expect(codes('version "6.3"\n(0010,0010) := frobnicate["x"]')).toEqual(['error:UNKNOWN_FUNCTION@2:16']);
  });

  it('When urlEncode is used, then the checker says it is DicomEdit 4 only', () => {
    expect(checkScript('version "6.3"\n(0010,0010) := urlEncode["x"]').diagnostics[0]!.message).toMatch(/DicomEdit 4/);
  });

  it('When a function gets the wrong number of arguments, then the arity is reported', () => {
    const result = checkScript('version "6.3"\n(0010,0010) := substring["abc", 1]');
    expect(result.diagnostics[0]).toMatchObject({ code: 'ARGUMENT_COUNT', message: 'substring takes 3 arguments, got 2' });
  });

  it('When an index argument is not a whole number, then the argument kind is reported', () => {
    expect(codes('version "6.3"\n(0010,0010) := substring["abc", 1.5, 2]')).toEqual(['error:ARGUMENT_KIND@2:33']);
  });

  it('When retainPrivateTags names a public tag or a number, then it is an error', () => {
    expect(codes('version "6.3"\nretainPrivateTags[(0028,0010)]')).toContain('error:ARGUMENT_KIND@2:19');
    expect(codes('version "6.3"\nretainPrivateTags[5]')).toContain('error:ARGUMENT_KIND@2:19');
    expect(codes('version "6.3"\nretainPrivateTags["(0029,1019)"]')).toContain('error:ARGUMENT_KIND@2:19');
    expect(checkScript('version "6.3"\nretainPrivateTags["(0029,{sm1}XX)"]').ok).toBe(true);
  });

  it('When a variable is used before it is initialised, then it is an error; context and described variables are fine', () => {
    expect(codes('version "6.3"\n(0010,0010) := later\nlater := "x"')).toEqual(['error:UNDEFINED_VARIABLE@2:16']);
    expect(checkScript('version "6.3"\n(0010,0010) := subject\n(0010,0020) := session\n(0008,1030) := project').ok).toBe(true);
    expect(checkScript('version "6.3"\n(0010,4000) := note\ndescribe note "A note"').ok).toBe(true);
  });

  it('When a variable is set inside an if block, then it may be used after the block', () => {
    expect(checkScript('version "6.4"\nif (true[]) {\n x := "1"\n}\n(0010,0010) := x').ok).toBe(true);
  });

  it('When an effect-only function is used as a value, then it is an error', () => {
    expect(codes('version "6.6"\n(0010,0010) := removeTags[(0010,1000)]')).toContain('error:NO_VALUE@2:16');
  });

  it('When a non-boolean function is a condition, then it is an error', () => {
    expect(codes('version "6.3"\nlowercase["A"] ? -(0010,0010)')).toContain('error:NOT_BOOLEAN@2:1');
  });

  it('When a wildcard path is used as a value, then it is an error as in DicomEdit', () => {
    const d = checkScript('version "6.3"\n(0010,0010) := (0010,XXXX)').diagnostics[0];
    expect(d).toMatchObject({ code: 'PLURAL_TAGPATH', message: 'Path matching multiple tags not allowed as term: (0010,XXXX)' });
  });

  it('When a list is assigned to a tag, then it is an error', () => {
    expect(codes('version "6.6"\n(0010,0010) := {"a", "b"}')).toContain('error:LIST_NOT_ALLOWED@2:16');
  });

  it('When a literal regex is invalid, then the checker reports it', () => {
    expect(codes('version "6.3"\n(0010,0010) ~ "(abc" ? -(0010,0010)')).toEqual(['error:BAD_REGEX@2:15']);
  });

  it('When a feature is newer than the declared version, then it is only a warning', () => {
    const result = checkScript('version "6.1"\nisPresent[(0010,0010)] ? -(0010,0010)');
    expect(result.ok).toBe(true);
    expect(result.diagnostics).toEqual([expect.objectContaining({ severity: 'warning', code: 'NEWER_VERSION_FEATURE' })]);
  });

  it('When the script uses a function this engine does not run, then compile warns but accepts; sequence paths are not warned about', () => {
    const compiled = compileScript('version "6.6"\ngetURL["http://example.org/site"]\n*/(0010,0010) ?= "x"\nalterPixels["rectangle", "l=1, t=1, r=2, b=2", "solid", "v=0"]');
    expect(compiled.warnings.map((w) => [w.code, w.line])).toEqual([['NOT_IMPLEMENTED', 2]]);
  });

  it('When a script has several errors, then all are listed and the thrown error counts them', () => {
    const text = 'version "6.3"\n(0010,0010) := nope\n(0010,0020) := nada[]';
    expect(checkScript(text).diagnostics).toHaveLength(2);
    expect(() => compileScript(text)).toThrow('(and 1 more error)');
  });
});
