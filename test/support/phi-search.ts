import { lstat, readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Knex } from 'knex';

/** A synthetic PHI value planted in a test file, and a distinctive part of it that survives reformatting. */
export interface Canary {
  /** Where it was planted, e.g. "zip: (0008,1120)[0]/(0010,0010)". */
  place: string;
  value: string;
  /** A distinctive substring, matched case-insensitively (catches uppercased, split or re-joined values). */
  core: string;
  /**
   * For an all-digit value (a date): match it only where no digit is next to it, so that a random UID that happens
   * to contain the same eight digits is not a hit (a DA value always stands alone: bounded by padding, quotes or tags).
   */
  digits?: boolean;
}

/** One canary found somewhere it must not be. */
export interface Hit {
  canary: string;
  planted: string;
  kind: string;
  where: string;
}

/**
 * Searches text and bytes for every canary (exact value, then its core ignoring case) and counts the places searched,
 * so that a summary can say how much was looked at and a test can prove the search found something when it should.
 */
export class PhiSearch {
  readonly hits: Hit[] = [];
  places = 0;
  private readonly lowerCores: { canary: Canary; core: string; alone?: RegExp }[];

  constructor(readonly canaries: readonly Canary[]) {
    this.lowerCores = canaries.map((canary) => ({ canary, core: canary.core.toLowerCase(), alone: canary.digits ? new RegExp(`(?<![0-9])${canary.value}(?![0-9])`) : undefined }));
  }

  /** Searches one place given as text (a log line, a history, an id, a name, a row). */
  text(kind: string, where: string, text: string): void {
    this.places++;
    const lower = text.toLowerCase();
    for (const { canary, core, alone } of this.lowerCores) {
      const found = alone ? alone.test(text) : text.includes(canary.value) || lower.includes(core);
      if (found) this.hits.push({ canary: canary.value, planted: canary.place, kind, where });
    }
  }

  /** Searches one place given as bytes: read as latin1 (one char per byte) and as UTF-16LE at both alignments. */
  bytes(kind: string, where: string, data: Buffer): void {
    this.text(kind, where, [data.toString('latin1'), data.toString('utf16le'), data.subarray(1).toString('utf16le')].join('\n'));
  }

  /** Hits of one kind (for negative controls). */
  of(kind: string): Hit[] {
    return this.hits.filter((h) => h.kind === kind);
  }
}

/** Every folder and file under root (paths relative to it), depth first; symlinks are listed, not followed. */
export async function walk(root: string, limit = 50_000): Promise<{ path: string; file: boolean }[]> {
  const out: { path: string; file: boolean }[] = [];
  const visit = async (rel: string): Promise<void> => {
    if (out.length >= limit) return;
    let names: string[];
    try {
      names = await readdir(join(root, rel));
    } catch {
      return; // not ours to read (another user's temp entry) or gone meanwhile
    }
    for (const name of names) {
      const path = rel ? join(rel, name) : name;
      const info = await lstat(join(root, path)).catch(() => undefined);
      if (!info) continue;
      out.push({ path, file: info.isFile() });
      if (info.isDirectory()) await visit(path);
    }
  };
  await visit('');
  return out;
}

/**
 * Searches every folder and file name under root and, unless namesOnly, every file's bytes except those of the files
 * `keepsBytes` names (a place the configuration keeps raw data on purpose; the caller says why).
 */
export async function searchTree(search: PhiSearch, kind: string, root: string, namesOnly = false, keepsBytes: (path: string) => boolean = () => false): Promise<number> {
  const entries = await walk(root);
  for (const e of entries) {
    search.text(`${kind} name`, e.path, e.path);
    if (!namesOnly && e.file && !keepsBytes(e.path)) {
      const data = await readFile(join(root, e.path)).catch(() => undefined);
      if (data) search.bytes(`${kind} bytes`, e.path, data);
    }
  }
  return entries.length;
}

/** Every row of every table of a SQLite database, as one JSON text per table (blobs as latin1 text). */
export async function dumpSqlite(db: Knex): Promise<{ table: string; rows: number; text: string }[]> {
  const tables: { name: string }[] = await db('sqlite_master').where({ type: 'table' }).select('name');
  const out: { table: string; rows: number; text: string }[] = [];
  for (const { name } of tables) {
    const rows: Record<string, unknown>[] = await db(name).select('*');
    const text = JSON.stringify(rows, (_k, v: unknown) => (v && typeof v === 'object' && (v as { type?: string }).type === 'Buffer' ? Buffer.from((v as { data: number[] }).data).toString('latin1') : v));
    out.push({ table: name, rows: rows.length, text });
  }
  return out;
}
