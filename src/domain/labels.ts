/** XNAT label characters: letters, digits, `_` and `-`; anything else becomes `_` (Labels.toLabelChars). */
export function toLabelChars(value: string): string {
  return value.trim().replace(/[^A-Za-z0-9_-]/g, '_');
}

/** True when `value` can be used as a project id, subject label or session label as given. */
export function isValidLabel(value: string): boolean {
  return /^[A-Za-z0-9_-]{1,64}$/.test(value);
}
