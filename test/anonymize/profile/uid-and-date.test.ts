import { describe, expect, it } from 'vitest';
import { shiftDate, shiftDateTime, shiftDaysFor, shiftEach } from '../../../src/anonymize/profile/date-shift';
import { dummyValue } from '../../../src/anonymize/profile/dummy-values';
import { IdentifyingValues } from '../../../src/anonymize/profile/text-scrub';
import { remapUid, remapUidList } from '../../../src/anonymize/uid-remap';

describe('keyed UID remap', () => {
  it('When the same UID and secret are remapped twice, then the results are equal, valid and under 2.25', () => {
    const a = remapUid('1.2.840.113619.2.1.20040119072730', 'secret-1');
    expect(remapUid('1.2.840.113619.2.1.20040119072730 ', 'secret-1')).toBe(a);
    expect(a).toMatch(/^2\.25\.[1-9][0-9]*$/);
    expect(a.length).toBeLessThanOrEqual(64);
    expect(a).not.toContain('20040119072730');
  });

  it('When the secret or the UID differ, then the new UIDs differ', () => {
    const uid = '1.2.3.4.5';
    expect(remapUid(uid, 'secret-1')).not.toBe(remapUid(uid, 'secret-2'));
    expect(remapUid(uid, 'secret-1')).not.toBe(remapUid('1.2.3.4.6', 'secret-1'));
  });

  it('When a multi-valued UI is remapped, then each value is remapped in place and empty values stay', () => {
    expect(remapUidList('1.2.3\\\\1.2.4', 's')).toBe(`${remapUid('1.2.3', 's')}\\\\${remapUid('1.2.4', 's')}`);
  });

  it('When UIDs repeat under alternating secrets (the per-batch cache), then each result equals the uncached one', () => {
    const uncached = (uid: string, secret: string) => remapUid(uid, Buffer.from(secret, 'utf8')); // byte secrets bypass the cache
    const uids = ['1.2.826.0.1.3680043.2.1125.1', '1.2.826.0.1.3680043.2.1125.2'];
    for (const secret of ['secret-1', 'secret-2', 'secret-1']) {
      for (const uid of [...uids, ...uids]) expect(remapUid(uid, secret)).toBe(uncached(uid, secret));
    }
    expect(uncached(uids[0]!, 'secret-1')).not.toBe(uncached(uids[0]!, 'secret-2'));
  });

  it('When the secret is empty, then remapping is refused', () => {
    expect(() => remapUid('1.2.3', '')).toThrow(/secret is empty/);
  });
});

describe('keyed date shift', () => {
  it('When one subject is shifted, then the shift is 1..3650 days, stable, and differs between subjects', () => {
    const days = shiftDaysFor('s', 'PID-1');
    expect(days).toBeGreaterThanOrEqual(1);
    expect(days).toBeLessThanOrEqual(3650);
    expect(shiftDaysFor('s', 'PID-1')).toBe(days);
    const others = new Set(['PID-2', 'PID-3', 'PID-4', 'PID-5'].map((p) => shiftDaysFor('s', p)));
    expect(others.size).toBeGreaterThan(1);
  });

  it('When dates are shifted, then calendar arithmetic holds across months, leap days and years', () => {
    expect(shiftDate('20040301', 1)).toBe('20040229');
    expect(shiftDate('20050101', 366)).toBe('20040101');
    expect(shiftDate('20230230', 1)).toBeUndefined();
    expect(shiftDate('2004-03-01', 1)).toBeUndefined();
  });

  it('When DT values are shifted, then time and offset stay and precision is kept', () => {
    expect(shiftDateTime('20040301120000.5+0100', 1)).toBe('20040229120000.5+0100');
    expect(shiftDateTime('2004', 1)).toBe('2003');
    expect(shiftDateTime('200403', 1)).toBe('200402');
  });

  it('When intervals between two dates of a subject are measured, then the shift preserves them', () => {
    const days = shiftDaysFor('s', 'PID-9');
    const a = shiftDate('20100115', days)!;
    const b = shiftDate('20100305', days)!;
    const toMs = (d: string) => Date.UTC(Number(d.slice(0, 4)), Number(d.slice(4, 6)) - 1, Number(d.slice(6, 8)));
    expect((toMs(b) - toMs(a)) / 86_400_000).toBe(49);
  });

  it('When a multi-valued date has one bad value, then the whole value is reported unshiftable', () => {
    expect(shiftEach('20040301\\20040302', (v) => shiftDate(v, 1))).toBe('20040229\\20040301');
    expect(shiftEach('20040301\\junk', (v) => shiftDate(v, 1))).toBeUndefined();
  });
});

describe('dummy values and text scrub', () => {
  it('When dummies are asked for, then text, date and number VRs get one and binary VRs get none', () => {
    expect(dummyValue('PN')).toBe('ANONYMIZED');
    expect(dummyValue('DA')).toMatch(/^\d{8}$/);
    expect(dummyValue('CS')!.length).toBeLessThanOrEqual(16);
    expect(dummyValue('OB')).toBeUndefined();
    expect(dummyValue('UI')).toBeUndefined();
  });

  it('When free text names the patient, then every known identifying value is cut out', () => {
    const known = new IdentifyingValues();
    known.add('Doe^Jane', 'PN');
    known.add('PID-0001', 'LO');
    expect(known.scrub('Follow-up of JANE doe (PID-0001), brain')).toBe('Follow-up of (), brain');
    expect(known.scrub('Brain T1')).toBe('Brain T1');
  });
});
