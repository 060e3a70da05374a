/** Limits and results shared by the zip and tar extractors. */

/** Limits applied while extracting; breaking one refuses the whole archive. */
export interface ExtractLimits {
  maxMembers: number;
  maxExpandedBytes: number;
  maxRatio: number;
}

/** One extracted member: its position in the archive, where its bytes went, their digest and size. */
export interface ExtractedMember {
  index: number;
  name: string;
  path: string;
  sha256: string;
  size: number;
}

/** The archive is unusable or breaks a limit; the message names member numbers and limits, not member names. */
export class ArchiveRefusedError extends Error {
  override readonly name = 'ArchiveRefusedError';
  constructor(message: string) {
    super(message);
  }
}
