/** Checks shared by the zip and tar readers: member names and contents that an upload may not carry. */

const ARCHIVE_NAME = /\.(zip|tar|tgz|gz|bz2|xz|7z|rar|tbz2?|txz)$/i;

/** Why a member name is refused, or undefined when it is acceptable (it is never used as a path anyway). */
export function refusedName(name: string): string | undefined {
  if (name.startsWith('/') || /^[A-Za-z]:[\\/]/.test(name) || name.startsWith('\\')) return 'has an absolute path; such paths are refused';
  if (name.split(/[\\/]/).includes('..')) return "has a '..' path; such paths are refused";
  if (name.includes('\0')) return 'has a NUL byte in its name; such names are refused';
  if (ARCHIVE_NAME.test(name)) return 'is itself an archive (nested archives are refused)';
  return undefined;
}

/**
 * True when the first bytes of a member are another archive or compressed stream: zip, gzip, bzip2, xz, 7z, rar or
 * tar. A DICOM file starts with a 128-byte preamble and "DICM", or with a group 0008 element; none of these.
 */
export function looksLikeArchive(head: Buffer): boolean {
  const starts = (...bytes: number[]) => bytes.every((b, i) => head[i] === b);
  if (starts(0x50, 0x4b, 0x03, 0x04) || starts(0x50, 0x4b, 0x05, 0x06)) return true; // zip
  if (starts(0x1f, 0x8b)) return true; // gzip
  if (starts(0x42, 0x5a, 0x68)) return true; // bzip2
  if (starts(0xfd, 0x37, 0x7a, 0x58, 0x5a, 0x00)) return true; // xz
  if (starts(0x37, 0x7a, 0xbc, 0xaf, 0x27, 0x1c)) return true; // 7z
  if (starts(0x52, 0x61, 0x72, 0x21)) return true; // rar
  return head.length >= 262 && head.subarray(257, 262).toString('latin1') === 'ustar'; // tar
}

/** Bytes of a member's start needed by looksLikeArchive. */
export const SNIFF_BYTES = 262;
