/**
 * Dummy values for action D (E.1.1: "a non-zero length value that may be a dummy value and consistent with the
 * VR"). Every dummy is a constant, so it is the same in every instance of a set (the consistency E.1.1 asks of
 * dummy values) and carries nothing from the source.
 */

const TEXT_DUMMY = 'ANONYMIZED';

const DUMMY_BY_VR: Readonly<Record<string, string>> = {
  AE: TEXT_DUMMY,
  AS: '000Y',
  CS: TEXT_DUMMY,
  DA: '19000101',
  DT: '19000101000000',
  TM: '000000',
  DS: '0',
  IS: '0',
  LO: TEXT_DUMMY,
  LT: TEXT_DUMMY,
  PN: TEXT_DUMMY,
  SH: TEXT_DUMMY,
  ST: TEXT_DUMMY,
  UC: TEXT_DUMMY,
  UR: TEXT_DUMMY,
  UT: TEXT_DUMMY,
  US: '0',
  SS: '0',
  UL: '0',
  SL: '0',
  FL: '0',
  FD: '0',
  SV: '0',
  UV: '0',
};

/**
 * The dummy value for an element of VR `vr`, or undefined when none can be written as a string (binary VRs such as
 * OB and UN, and UI, which the profile remaps instead); the caller then removes the element.
 */
export function dummyValue(vr: string): string | undefined {
  return DUMMY_BY_VR[vr];
}

/** Every dummy value, for the residual scan: a source value that equals or is part of one is not a leak. */
export const ALL_DUMMY_VALUES: readonly string[] = [...new Set(Object.values(DUMMY_BY_VR))];
