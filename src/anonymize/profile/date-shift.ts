/**
 * Retain Longitudinal Temporal Information with Modified Dates (E.3.6): every date of one subject moves back by the
 * same keyed number of days, so intervals within the subject survive and the real dates cannot be recomputed
 * without the project secret. Times of day are kept (shifting whole days leaves them valid).
 */
import { keyedDigest, type ProjectSecret } from '../uid-remap';

const MIN_SHIFT_DAYS = 1;
// About ten years: enough to hide the real dates, small enough to keep ages and eras plausible.
const MAX_SHIFT_DAYS = 3650;
const DAY_MS = 86_400_000;

/** The number of days (1..3650) this subject's dates move back: HMAC of the secret and the subject key. */
export function shiftDaysFor(secret: ProjectSecret, subjectKey: string): number {
  const digest = keyedDigest(secret, `date-shift\u0000${subjectKey}`);
  return MIN_SHIFT_DAYS + (digest.readUInt32BE(0) % (MAX_SHIFT_DAYS - MIN_SHIFT_DAYS + 1));
}

function shiftYmd(ymd: string, days: number): string | undefined {
  const m = /^(\d{4})(\d{2})(\d{2})$/.exec(ymd);
  if (m === null) return undefined;
  const time = Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]));
  const date = new Date(time);
  // Reject impossible dates (20230230) rather than let Date roll them over into a plausible wrong one.
  if (date.getUTCFullYear() !== Number(m[1]) || date.getUTCMonth() !== Number(m[2]) - 1 || date.getUTCDate() !== Number(m[3])) return undefined;
  const shifted = new Date(time - days * DAY_MS);
  const y = shifted.getUTCFullYear();
  if (y < 1 || y > 9999) return undefined;
  return `${String(y).padStart(4, '0')}${String(shifted.getUTCMonth() + 1).padStart(2, '0')}${String(shifted.getUTCDate()).padStart(2, '0')}`;
}

/** A DA value moved back by `days`; undefined when it is not a valid YYYYMMDD date. */
export function shiftDate(value: string, days: number): string | undefined {
  return shiftYmd(value.trim(), days);
}

/**
 * A DT value moved back by `days`: the date part moves, time and UTC offset stay. A DT with less than a full date
 * (YYYY or YYYYMM) is completed to the first day before shifting, and keeps its original precision.
 */
export function shiftDateTime(value: string, days: number): string | undefined {
  const text = value.trim();
  const m = /^(\d{4})(\d{2})?(\d{2})?(.*)$/.exec(text);
  if (m === null) return undefined;
  const shifted = shiftYmd(`${m[1]}${m[2] ?? '01'}${m[3] ?? '01'}`, days);
  if (shifted === undefined) return undefined;
  const precision = 4 + (m[2] === undefined ? 0 : 2) + (m[3] === undefined ? 0 : 2);
  const rest = m[4] ?? '';
  if (rest !== '' && !/^[0-9.+-]+$/.test(rest)) return undefined;
  return shifted.slice(0, precision) + rest;
}

/** Applies `shift` to each value of a multi-valued element; undefined when any value cannot be shifted. */
export function shiftEach(value: string, shift: (one: string) => string | undefined): string | undefined {
  const out: string[] = [];
  for (const one of value.split('\\')) {
    if (one.trim() === '') {
      out.push(one);
      continue;
    }
    const shifted = shift(one);
    if (shifted === undefined) return undefined;
    out.push(shifted);
  }
  return out.join('\\');
}
