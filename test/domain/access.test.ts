import { describe, expect, it } from 'vitest';
import { hashPassword, verifyPassword } from '../../src/auth/password-hash';
import { looksLikeApiToken, newApiToken, tokenHash } from '../../src/auth/api-token';
import { mayAccessProject, roleAllows, roleOfXnatGroup, type Principal } from '../../src/domain/access';

describe('project roles', () => {
  it('When each role is asked for each need, then owners configure, members write, collaborators only read', () => {
    const table = (['owner', 'member', 'collaborator', undefined] as const).map((role) => [role, roleAllows(role, 'read'), roleAllows(role, 'write'), roleAllows(role, 'configure')]);
    expect(table).toEqual([
      ['owner', true, true, true],
      ['member', true, true, false],
      ['collaborator', true, false, false],
      [undefined, false, false, false],
    ]);
  });

  it('When a user owns a project, then Unassigned is still closed to them and a site admin may do anything', () => {
    const owner: Principal = { userId: 'u1', login: 'o', siteAdmin: false, roles: { P: 'owner' } };
    const admin: Principal = { userId: 'u2', login: 'a', siteAdmin: true, roles: {} };
    expect([mayAccessProject(owner, 'P', 'configure'), mayAccessProject(owner, 'Q', 'read'), mayAccessProject(owner, 'Unassigned', 'read')]).toEqual([true, false, false]);
    expect([mayAccessProject(admin, 'Q', 'configure'), mayAccessProject(admin, 'Unassigned', 'write')]).toEqual([true, true]);
  });

  it("When XNAT's group names are read, then plural, singular and case variants map to roles and others do not", () => {
    expect(['Owners', 'members', 'Collaborator', 'Admins'].map(roleOfXnatGroup)).toEqual(['owner', 'member', 'collaborator', undefined]);
  });
});

describe('secrets at rest', () => {
  it('When a password is hashed, then the hash hides it, differs per call (salt) and verifies only the same password', async () => {
    const a = await hashPassword('correct horse battery');
    const b = await hashPassword('correct horse battery');
    expect(a).toMatch(/^scrypt\$32768\$8\$1\$/);
    expect(a).not.toContain('correct');
    expect(a).not.toBe(b);
    expect(await verifyPassword('correct horse battery', a)).toBe(true);
    expect(await verifyPassword('correct horse batterY', a)).toBe(false);
    expect(await verifyPassword('anything', 'plain-text-not-a-hash')).toBe(false);
  });

  it('When tokens are made, then each is new, recognisable, and stored as a hash that does not contain it', () => {
    const t1 = newApiToken();
    const t2 = newApiToken();
    expect(t1).not.toBe(t2);
    expect([looksLikeApiToken(t1), looksLikeApiToken('a password')]).toEqual([true, false]);
    expect(tokenHash(t1)).toMatch(/^[0-9a-f]{64}$/);
    expect(tokenHash(t1)).not.toContain(t1.slice(4, 20));
  });
});
