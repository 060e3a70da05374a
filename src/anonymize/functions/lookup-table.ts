/**
 * Lookup tables for `lookup[table, key]`, as a site uploads them: one entry per line, `table/key = value`
 * (DicomEdit's TestLookupFunction format). Blank lines and lines starting with `#` or `//` are ignored.
 */
import { EngineFault } from '../runtime-value';

/** Tables by name, each a map from key to value. Plain data, so it can be cached and shared. */
export type LookupTables = ReadonlyMap<string, ReadonlyMap<string, string>>;

/** Parses the text of a lookup file; throws BAD_ARGUMENT naming the line (never its content) when malformed. */
export function parseLookupTables(text: string): LookupTables {
  const tables = new Map<string, Map<string, string>>();
  text.split(/\r?\n/).forEach((raw, index) => {
    const line = raw.trim();
    if (line === '' || line.startsWith('#') || line.startsWith('//')) return;
    const m = /^([^/=\s][^/=]*?)\s*\/\s*([^=]*?)\s*=\s*(.*)$/.exec(line);
    if (m === null) throw new EngineFault('BAD_ARGUMENT', `lookup table line ${index + 1} is not of the form table/key = value`);
    const [, table, key, value] = m as unknown as [string, string, string, string];
    let entries = tables.get(table);
    if (entries === undefined) tables.set(table, (entries = new Map()));
    entries.set(key, value.trim());
  });
  return tables;
}
