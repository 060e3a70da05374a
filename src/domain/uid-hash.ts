import { createHash } from 'node:crypto';

/**
 * A PHI-free stand-in for a DICOM UID or other identifier, for database keys and workflow ids.
 * UIDs can identify a study, so they never leave the file store in clear.
 */
export function hashIdentifier(kind: string, value: string): string {
  return createHash('sha256').update(`${kind}\u0000${value}`).digest('hex').slice(0, 32);
}
