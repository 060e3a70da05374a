/** The DicomEdit 6 versions this engine accepts in `version "6.x"` (DE6Mizer.supportedVersions of §1.1). */
export const SUPPORTED_VERSIONS = ['6.0', '6.1', '6.2', '6.3', '6.4', '6.5', '6.6', '6.7'] as const;
/** A supported version string. */
export type SupportedVersion = (typeof SUPPORTED_VERSIONS)[number];

/** True when the string is one of the supported versions. */
export function isSupportedVersion(v: string): v is SupportedVersion {
  return (SUPPORTED_VERSIONS as readonly string[]).includes(v);
}

/** True when `declared` is older than `feature`; both are supported versions, so string order is version order. */
export function isOlderVersion(declared: SupportedVersion, feature: SupportedVersion): boolean {
  return declared < feature;
}

/** The message DicomEdit gives for an unknown version, kept word for word. */
export function unsupportedVersionMessage(v: string): string {
  return `Unsupported version: ${v}. Supported versions are ${SUPPORTED_VERSIONS.join(', ')}`;
}

/**
 * The refusal for scripts without a version line. XNAT would run them with DicomEdit 4.2; this engine
 * implements only DicomEdit 6, so it says so rather than guessing.
 */
export const MISSING_VERSION_MESSAGE =
  'the script has no version line, so it looks like a DicomEdit 4 script. Only DicomEdit 6 (versions 6.0-6.7) is ' +
  'supported; DicomEdit 4 is not implemented. Add a first line such as version "6.3" and use DicomEdit 6 syntax.';

/** True when the first line that is not blank or a comment starts with the `version` keyword. */
export function startsWithVersionLine(text: string): boolean {
  for (const raw of text.split(/\r?\n/)) {
    const line = raw.trim();
    if (line === '' || line.startsWith('//')) continue;
    return /^version(?![A-Za-z0-9_])/.test(line);
  }
  return false;
}
