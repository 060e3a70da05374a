import { describe, expect, it } from 'vitest';
import { safeNext } from '../../src/api/pages/sign-in-pages';
import { LoginThrottle } from '../../src/auth/login-throttle';
import { readCookie, sessionCookies } from '../../src/auth/web-session';

describe('sign-in rules', () => {
  it('When a login fails five times from one address, then that pair waits until the window passes; others do not, and a success clears it', () => {
    let now = 1_000_000;
    const throttle = new LoginThrottle(5, 60_000, () => now);
    for (let i = 0; i < 4; i++) throttle.failed('Alice', '10.0.0.1');
    expect(throttle.retryAfterSeconds('alice', '10.0.0.1')).toBe(0);
    throttle.failed('alice', '10.0.0.1');
    expect(throttle.retryAfterSeconds('ALICE', '10.0.0.1')).toBe(60);
    expect(throttle.retryAfterSeconds('alice', '10.0.0.2')).toBe(0);
    expect(throttle.retryAfterSeconds('bob', '10.0.0.1')).toBe(0);
    now += 30_000;
    expect(throttle.retryAfterSeconds('alice', '10.0.0.1')).toBe(30);
    now += 30_001;
    expect(throttle.retryAfterSeconds('alice', '10.0.0.1')).toBe(0);
    for (let i = 0; i < 5; i++) throttle.failed('carol', '10.0.0.1');
    throttle.succeeded('carol', '10.0.0.1');
    expect(throttle.retryAfterSeconds('carol', '10.0.0.1')).toBe(0);
  });

  it('When "next" is not a local /ui path, then the sign-in goes to the projects page instead', () => {
    expect(safeNext('/ui/prearchive/pre_1?x=1')).toBe('/ui/prearchive/pre_1?x=1');
    expect(safeNext('/ui')).toBe('/ui');
    for (const bad of [undefined, null, '', '//evil.example/ui', '/\\evil.example', 'https://evil.example/ui', '/data/projects', '/uix', '/ui/../data', 'javascript:alert(1)', '/ui/ x']) {
      expect(safeNext(bad)).toBe('/ui/projects');
    }
  });

  it('When cookies are set and read, then the session cookie is HttpOnly and both are SameSite=Strict, Secure only when asked; clearing expires them', () => {
    const [session, csrf] = sessionCookies({ cookieValue: 'abc', csrfToken: 'tok', maxAgeSeconds: 60 }, true);
    expect(session).toBe('dicom_intake_session=abc; HttpOnly; Path=/; SameSite=Strict; Secure; Max-Age=60');
    expect(csrf).toBe('dicom_intake_csrf=tok; Path=/; SameSite=Strict; Secure; Max-Age=60');
    for (const c of sessionCookies(undefined, false)) expect(c).toMatch(/^dicom_intake_(session|csrf)=; .*Max-Age=0$/);
    expect(readCookie('a=1; dicom_intake_session=xyz; b=2', 'dicom_intake_session')).toBe('xyz');
    expect(readCookie('xdicom_intake_session=xyz', 'dicom_intake_session')).toBeUndefined();
    expect(readCookie(undefined, 'dicom_intake_session')).toBeUndefined();
  });
});
