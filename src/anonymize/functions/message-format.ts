/**
 * The part of java.text.MessageFormat that DicomEdit's `format` uses: `{n}` placeholders and single-quote
 * quoting (`'{'` is a literal brace, `''` a literal quote). Sub-formats such as `{0,number}` are refused,
 * because Java would format numbers with locale grouping that scripts rarely intend.
 */
import { EngineFault } from '../runtime-value';

/** Formats like MessageFormat.format(pattern, args) with string arguments; a null argument prints "null". */
export function formatMessage(pattern: string, args: readonly (string | null)[]): string {
  let out = '';
  let i = 0;
  let quoted = false;
  while (i < pattern.length) {
    const c = pattern[i]!;
    if (c === "'") {
      if (pattern[i + 1] === "'") {
        out += "'";
        i += 2;
      } else {
        quoted = !quoted;
        i += 1;
      }
      continue;
    }
    if (quoted || c !== '{') {
      if (!quoted && c === '}') throw new EngineFault('BAD_ARGUMENT', 'the pattern has an unmatched }');
      out += c;
      i += 1;
      continue;
    }
    const end = pattern.indexOf('}', i);
    if (end < 0) throw new EngineFault('BAD_ARGUMENT', 'the pattern has an unmatched {');
    const body = pattern.slice(i + 1, end).trim();
    if (!/^\d+$/.test(body)) {
      throw new EngineFault('BAD_ARGUMENT', 'only {0}, {1}, ... placeholders are supported in the pattern');
    }
    const n = Number(body);
    // MessageFormat leaves a placeholder without an argument as written.
    out += n < args.length ? (args[n] ?? 'null') : `{${n}}`;
    i = end + 1;
  }
  return out;
}
