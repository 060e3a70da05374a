/**
 * Calendar arithmetic for shiftDateByIncrement (DA, days) and shiftDateTimeByIncrement (DT, seconds).
 * Shifts keep the precision of the input: missing components default to their first value for the
 * arithmetic and are left out again on output; a fraction and a timezone suffix are kept as written.
 */
import { EngineFault } from '../runtime-value';

const DT_PATTERN = /^(\d{4})(?:(\d{2})(?:(\d{2})(?:(\d{2})(?:(\d{2})(?:(\d{2})(\.\d{1,6})?)?)?)?)?)?([+-]\d{4})?$/;

function utcMillis(y: number, mo: number, d: number, h: number, mi: number, s: number): number {
  const date = new Date(0);
  // setUTCFullYear, unlike Date.UTC, does not map years 0-99 to 1900-1999.
  date.setUTCFullYear(y, mo - 1, d);
  date.setUTCHours(h, mi, s, 0);
  return date.getTime();
}

function isRealDate(y: number, mo: number, d: number): boolean {
  const date = new Date(utcMillis(y, mo, d, 0, 0, 0));
  return date.getUTCFullYear() === y && date.getUTCMonth() === mo - 1 && date.getUTCDate() === d;
}

const pad = (n: number, width: number): string => String(n).padStart(width, '0');

/** Shifts every backslash-separated DA value by whole days, e.g. 20200228 + 2 gives 20200301. */
export function shiftDate(value: string, days: number): string {
  return value
    .split('\\')
    .map((one) => (one.trim() === '' ? one : shiftDateTimeValue(one.trim(), days * 86_400, true)))
    .join('\\');
}

/** Shifts every backslash-separated DT value by seconds, e.g. 20100430130441.40 + 360 gives 20100430131041.40. */
export function shiftDateTime(value: string, seconds: number): string {
  return value
    .split('\\')
    .map((one) => (one.trim() === '' ? one : shiftDateTimeValue(one.trim(), seconds, false)))
    .join('\\');
}

function shiftDateTimeValue(value: string, seconds: number, dateOnly: boolean): string {
  const m = DT_PATTERN.exec(value);
  const kind = dateOnly ? 'a DICOM date (YYYYMMDD)' : 'a DICOM date-time (YYYYMMDDHHMMSS.FFFFFF&ZZXX)';
  if (!m || (dateOnly && (m[3] === undefined || m[4] !== undefined || m[8] !== undefined))) {
    throw new EngineFault('BAD_ARGUMENT', `the value is not ${kind}`);
  }
  const parts = [m[1], m[2], m[3], m[4], m[5], m[6]];
  const present = parts.filter((p) => p !== undefined).length;
  const [y, mo, d, h, mi, s] = parts.map((p, k) => (p === undefined ? (k === 1 || k === 2 ? 1 : 0) : Number(p))) as [
    number, number, number, number, number, number,
  ];
  if (mo < 1 || mo > 12 || !isRealDate(y, mo, d) || h > 23 || mi > 59 || s > 60) {
    throw new EngineFault('BAD_ARGUMENT', `the value is not ${kind}`);
  }
  const shifted = new Date(utcMillis(y, mo, d, h, mi, s) + seconds * 1000);
  const fields = [
    pad(shifted.getUTCFullYear(), 4),
    pad(shifted.getUTCMonth() + 1, 2),
    pad(shifted.getUTCDate(), 2),
    pad(shifted.getUTCHours(), 2),
    pad(shifted.getUTCMinutes(), 2),
    pad(shifted.getUTCSeconds(), 2),
  ];
  if (shifted.getUTCFullYear() < 0 || shifted.getUTCFullYear() > 9999) {
    throw new EngineFault('BAD_ARGUMENT', 'the shifted date falls outside the years 0000-9999');
  }
  return fields.slice(0, present).join('') + (m[7] ?? '') + (m[8] ?? '');
}
