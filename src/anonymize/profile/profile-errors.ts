/**
 * Errors of the PS3.15 profile. `name` and `code` are wire contracts (the CLI and activities report them); messages
 * name tags and item paths, never element values, which may be patient data.
 */

/** Why the profile refused options or a dataset. */
export const PROFILE_ERROR_CODES = [
  // The option list is not understood, or combines options the standard says are exclusive.
  'BAD_OPTIONS',
  // No project secret: keyed UIDs and date shifts would be recomputable by anyone.
  'EMPTY_SECRET',
  // A sequence (or UN value) holds data the dataset interface cannot show item by item, so it cannot be scanned.
  'UNREADABLE_SEQUENCE',
  // Burned In Annotation (0028,0301) is YES and Clean Pixel Data is not offered: the pixels would still identify.
  'BURNED_IN_ANNOTATION',
  // Clean Pixel Data: the pixels need cleaning (a rule matches, or (0028,0301) is YES) and cannot be cleaned.
  'PIXEL_DATA_NOT_CLEANABLE',
  // Clean Pixel Data: the site's pixel-cleaning rules are malformed.
  'BAD_PIXEL_RULES',
  // Encrypted Attributes: the recipient key is malformed.
  'BAD_RECIPIENT_KEY',
] as const;
/** One of {@link PROFILE_ERROR_CODES}. */
export type ProfileErrorCode = (typeof PROFILE_ERROR_CODES)[number];

/** The profile refuses rather than emit a file it could not fully de-identify; retrying will not help. */
export class ProfileError extends Error {
  override readonly name = 'ProfileError';
  constructor(
    readonly code: ProfileErrorCode,
    message: string,
  ) {
    super(message);
  }
}
