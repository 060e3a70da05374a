import { randomBytes } from 'node:crypto';

/** A new opaque id such as `up_0190f3a2c1_4f9e2b7a1c3d`: a prefix, a time part (sortable) and 48 random bits. */
export function newId(prefix: string): string {
  return `${prefix}_${Date.now().toString(16).padStart(11, '0')}_${randomBytes(6).toString('hex')}`;
}
