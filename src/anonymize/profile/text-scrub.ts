/**
 * Cleaning of free text (action C of Clean Descriptors, Retain Patient Characteristics, Retain Device Identity):
 * every identifying value found elsewhere in the same instance (names, IDs, dates, places the profile removes or
 * replaces) is cut out of the text, which otherwise keeps its meaning. Identifying words that appear nowhere else in
 * the header (a name typed only into a comment) are not recognised; docs/profile.md says so.
 */

// Shorter fragments ("MR", "1") recur in harmless text; §4.3 of the reference scans values of 4+ characters.
const MIN_VALUE_CHARS = 4;
const MIN_NAME_PART_CHARS = 2;

/** The identifying values of one instance, collected before any of them is changed. */
export class IdentifyingValues {
  private readonly values = new Set<string>();

  /** Records a value that the profile protects; PN values also contribute each name component. */
  add(value: string, vr: string): void {
    for (const one of value.split('\\')) {
      const trimmed = one.trim();
      if (trimmed.length >= MIN_VALUE_CHARS) this.values.add(trimmed.toUpperCase());
      if (vr === 'PN') {
        for (const part of trimmed.split(/[\^=]/)) if (part.trim().length >= MIN_NAME_PART_CHARS) this.values.add(part.trim().toUpperCase());
      }
    }
  }

  /** How many distinct values are known. */
  get size(): number {
    return this.values.size;
  }

  /** `text` with every known value removed (case-insensitive), longest first so parts never split a whole. */
  scrub(text: string): string {
    let out = text;
    const ordered = [...this.values].sort((a, b) => b.length - a.length);
    for (const value of ordered) {
      const pattern = new RegExp(value.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'), 'gi');
      out = out.replace(pattern, '');
    }
    return out.replace(/ {2,}/g, ' ').trim();
  }
}
