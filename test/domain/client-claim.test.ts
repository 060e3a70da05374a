import { describe, expect, it } from 'vitest';
import { checkClientClaim, printableCodes } from '../../src/domain/client-claim';

describe('client claim check', () => {
  it('When the last items are the expected script ids in order, then the claim holds, earlier items allowed', () => {
    expect(checkClientClaim(['4', '7'], [4, 7])).toEqual({ ok: true });
    expect(checkClientClaim(['99', '4', '7'], [4, 7])).toEqual({ ok: true });
    expect(checkClientClaim(['4'], [4])).toEqual({ ok: true });
  });

  it('When no script is in effect, then any file holds the claim', () => {
    expect(checkClientClaim([], [])).toEqual({ ok: true });
    expect(checkClientClaim(['3'], [])).toEqual({ ok: true });
  });

  it('When an item is missing, stale, out of order or followed by another, then the claim fails with what was found', () => {
    expect(checkClientClaim([], [4, 7])).toEqual({ ok: false, found: [] });
    expect(checkClientClaim(['4', '6'], [4, 7])).toEqual({ ok: false, found: ['4', '6'] });
    expect(checkClientClaim(['7', '4'], [4, 7])).toEqual({ ok: false, found: ['7', '4'] });
    expect(checkClientClaim(['4', '7', '4'], [4, 7])).toEqual({ ok: false, found: ['7', '4'] });
    expect(checkClientClaim(['7'], [4, 7])).toEqual({ ok: false, found: ['7'] });
  });

  it('When a found CodeValue is not a script id, then it is masked so header text never reaches a message', () => {
    expect(checkClientClaim(['Doe^John', '7'], [4, 7])).toEqual({ ok: false, found: ['?', '7'] });
    expect(printableCodes([' 12 ', 'X1', ''])).toEqual(['12', '?', '?']);
  });
});
