/** Timestamps stored as ISO-8601 text, the same on SQLite and PostgreSQL. */
export function nowIso(): string {
  return new Date().toISOString();
}
