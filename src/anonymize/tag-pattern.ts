/**
 * Matching of tag patterns (with the digit wildcards X, #, @) against numeric tags, and the static shape of
 * tag paths (singular or plural, top-level or nested).
 */
import type { PathSegment, TagPattern, TagPath } from './ast';

const ODD = new Set('13579BDF');

/** Formats a numeric tag as `(GGGG,EEEE)`. */
export function formatTag(tag: number): string {
  const hex = (tag >>> 0).toString(16).toUpperCase().padStart(8, '0');
  return `(${hex.slice(0, 4)},${hex.slice(4)})`;
}

/** True when a pattern digit accepts an actual hex digit (upper-case). */
function digitMatches(pattern: string, actual: string): boolean {
  switch (pattern) {
    case 'X':
      return true;
    case '#':
      return ODD.has(actual);
    case '@':
      return !ODD.has(actual);
    default:
      return pattern === actual;
  }
}

/** True when every pattern digit accepts the corresponding actual digit; lengths must agree. */
export function digitsMatch(pattern: string, actualHex: string): boolean {
  if (pattern.length !== actualHex.length) return false;
  for (let k = 0; k < pattern.length; k += 1) if (!digitMatches(pattern[k]!, actualHex[k]!)) return false;
  return true;
}

/** True when the pattern uses X, # or @ anywhere. */
export function hasDigitWildcard(tag: TagPattern): boolean {
  return /[X#@]/.test(tag.group + tag.element);
}

/** The numeric tag of a public pattern without wildcards, else undefined. */
export function exactTag(tag: TagPattern): number | undefined {
  // Patterns come from a compiled script and are asked about in every file: parsed once each.
  let exact = exactTags.get(tag);
  if (exact === undefined) {
    exact = tag.creator !== undefined || hasDigitWildcard(tag) ? null : parseInt(tag.group + tag.element, 16) >>> 0;
    exactTags.set(tag, exact);
  }
  return exact ?? undefined;
}

const exactTags = new WeakMap<TagPattern, number | null>();

/** True when a public (creator-less) pattern matches a numeric tag. */
export function publicPatternMatches(tag: TagPattern, actual: number): boolean {
  const hex = (actual >>> 0).toString(16).toUpperCase().padStart(8, '0');
  return digitsMatch(tag.group, hex.slice(0, 4)) && digitsMatch(tag.element, hex.slice(4));
}

/** The element segment when the path addresses the top level only (one element, no item selector). */
export function topLevelPattern(path: TagPath): TagPattern | undefined {
  if (path.segments.length !== 1) return undefined;
  const only = path.segments[0]!;
  return only.kind === 'element' && only.item === undefined ? only.tag : undefined;
}

function segmentIsSingular(segment: PathSegment, isLast: boolean): boolean {
  if (segment.kind === 'level') return false;
  if (hasDigitWildcard(segment.tag)) return false;
  if (segment.item === undefined) return isLast; // a sequence without [n] means every item
  return segment.item.kind === 'index';
}

/** True when the path can match at most one element, as DicomEdit requires for tag paths used as values. */
export function isSingularPath(path: TagPath): boolean {
  return path.segments.every((s, k) => segmentIsSingular(s, k === path.segments.length - 1));
}
