/**
 * HIPAA's rule for ages over 89 (scalePatientAgeAndDobFromStudyDate, DicomEdit 6.6): a patient older than 89 on the
 * study date becomes 89, with Patient's Age "089Y" and a birth date such that the patient turns 89 the day after
 * the study date (DOB 19000101, study 20000131 gives 19110201). Younger patients, blank or missing dates: nothing
 * changes; absent elements are never inserted.
 */
import type { EditableDataset } from '../dataset';

const StudyDate = 0x00080020;
const PatientBirthDate = 0x00100030;
const PatientAge = 0x00101010;

interface Ymd {
  readonly y: number;
  readonly m: number;
  readonly d: number;
}

function parseDate(value: string | undefined): Ymd | undefined {
  const m = /^(\d{4})(\d{2})(\d{2})$/.exec(value?.trim() ?? '');
  if (m === null) return undefined;
  const date = { y: Number(m[1]), m: Number(m[2]), d: Number(m[3]) };
  const check = new Date(0);
  check.setUTCFullYear(date.y, date.m - 1, date.d);
  return check.getUTCMonth() === date.m - 1 && check.getUTCDate() === date.d ? date : undefined;
}

/** Whole years from birth to the day, as people count birthdays. */
function ageInYears(birth: Ymd, on: Ymd): number {
  const years = on.y - birth.y;
  return on.m < birth.m || (on.m === birth.m && on.d < birth.d) ? years - 1 : years;
}

/** The day after the date 89 years before the study; 29 February falls back to the 28th first (as Java's minusYears). */
function newBirthDate(study: Ymd): string {
  const y = study.y - 89;
  const leap = (y % 4 === 0 && y % 100 !== 0) || y % 400 === 0;
  const d = study.m === 2 && study.d === 29 && !leap ? 28 : study.d;
  const date = new Date(0);
  date.setUTCFullYear(y, study.m - 1, d + 1);
  const pad = (n: number, w: number): string => String(n).padStart(w, '0');
  return `${pad(date.getUTCFullYear(), 4)}${pad(date.getUTCMonth() + 1, 2)}${pad(date.getUTCDate(), 2)}`;
}

/** Applies the rule to the top-level Study Date, Patient's Birth Date and Patient's Age. */
export function scalePatientAge(ds: EditableDataset): void {
  const study = parseDate(ds.getString(StudyDate));
  const birth = parseDate(ds.getString(PatientBirthDate));
  if (study === undefined || birth === undefined || ageInYears(birth, study) <= 89) return;
  ds.setString(PatientBirthDate, newBirthDate(study));
  if (ds.has(PatientAge)) ds.setString(PatientAge, '089Y');
}
