import type { Knex } from 'knex';
import { newId } from '../domain/ids';
import type { Principal, ProjectRole } from '../domain/access';
import { nowIso } from './clock';

/** A user as listed: no password hash. */
export interface User {
  id: string;
  login: string;
  siteAdmin: boolean;
  createdAt: string;
  /** When a site admin turned the account off (its sessions and tokens stop working), or null. */
  disabledAt: string | null;
}

/** An API token as listed to its owner: never the token itself. */
export interface TokenInfo {
  id: string;
  userId: string;
  createdAt: string;
  revokedAt: string | null;
}

/* eslint-disable @typescript-eslint/no-explicit-any -- rows are mapped field by field below */
const toUser = (r: any): User => ({ id: r.id, login: r.login, siteAdmin: Boolean(r.site_admin), createdAt: r.created_at, disabledAt: r.disabled_at ?? null });
const toToken = (r: any): TokenInfo => ({ id: r.id, userId: r.user_id, createdAt: r.created_at, revokedAt: r.revoked_at ?? null });
/* eslint-enable @typescript-eslint/no-explicit-any */

/** Users, their API tokens (stored as hashes) and their project roles. */
export function createUsersRepo(db: Knex) {
  const principalOf = async (userId: string): Promise<Principal | undefined> => {
    const user = await db('users').where({ id: userId }).first();
    // A disabled account signs in with nothing: not a password, a token or a page session.
    if (!user || user.disabled_at) return undefined;
    const roles: Record<string, ProjectRole> = {};
    for (const r of await db('project_roles').where({ user_id: userId })) roles[r.project_id] = r.role;
    return { userId: user.id, login: user.login, siteAdmin: Boolean(user.site_admin), roles };
  };
  return {
    async count(): Promise<number> {
      const [{ n }] = await db('users').count({ n: '*' });
      return Number(n);
    },
    async create(args: { login: string; passwordHash: string | null; siteAdmin: boolean }): Promise<User> {
      const row = { id: newId('usr'), login: args.login, password_hash: args.passwordHash, site_admin: args.siteAdmin, created_at: nowIso(), disabled_at: null };
      await db('users').insert(row);
      return toUser(row);
    },
    async byLogin(login: string): Promise<(User & { passwordHash: string | null }) | undefined> {
      const row = await db('users').where({ login }).first();
      return row ? { ...toUser(row), passwordHash: row.password_hash } : undefined;
    },
    async list(): Promise<User[]> {
      return (await db('users').orderBy('login')).map(toUser);
    },
    principal: principalOf,
    /** Sets a new password hash and ends the user's page sessions (a changed password signs everyone out). */
    async setPassword(userId: string, passwordHash: string): Promise<void> {
      await db.transaction(async (trx) => {
        await trx('users').where({ id: userId }).update({ password_hash: passwordHash });
        await trx('web_sessions').where({ user_id: userId }).delete();
      });
    },
    /** Turns an account off (ending its page sessions; its tokens stop working) or back on. */
    async setDisabled(userId: string, disabled: boolean): Promise<void> {
      await db.transaction(async (trx) => {
        await trx('users').where({ id: userId }).update({ disabled_at: disabled ? nowIso() : null });
        if (disabled) await trx('web_sessions').where({ user_id: userId }).delete();
      });
    },
    async addToken(userId: string, hash: string): Promise<TokenInfo> {
      const row = { id: newId('tok'), user_id: userId, token_hash: hash, created_at: nowIso(), revoked_at: null };
      await db('tokens').insert(row);
      return toToken(row);
    },
    /** The principal behind a live (unrevoked) token hash. */
    async principalForToken(hash: string): Promise<Principal | undefined> {
      const row = await db('tokens').where({ token_hash: hash }).whereNull('revoked_at').first();
      return row ? principalOf(row.user_id) : undefined;
    },
    async tokens(userId: string): Promise<TokenInfo[]> {
      return (await db('tokens').where({ user_id: userId }).orderBy('created_at')).map(toToken);
    },
    async token(id: string): Promise<TokenInfo | undefined> {
      const row = await db('tokens').where({ id }).first();
      return row ? toToken(row) : undefined;
    },
    async revokeToken(id: string): Promise<void> {
      await db('tokens').where({ id }).whereNull('revoked_at').update({ revoked_at: nowIso() });
    },
    /** Sets the user's role on a project (one role per user and project). */
    async setRole(userId: string, projectId: string, role: ProjectRole): Promise<void> {
      await db('project_roles').insert({ user_id: userId, project_id: projectId, role }).onConflict(['user_id', 'project_id']).merge();
    },
    async removeRole(userId: string, projectId: string): Promise<void> {
      await db('project_roles').where({ user_id: userId, project_id: projectId }).delete();
    },
    async members(projectId: string): Promise<{ login: string; role: ProjectRole }[]> {
      return (await db('project_roles').join('users', 'users.id', 'project_roles.user_id').where({ project_id: projectId }).select('users.login', 'project_roles.role').orderBy('users.login')).map((r) => ({ login: r.login, role: r.role }));
    },
  };
}
/** The users repository. */
export type UsersRepo = ReturnType<typeof createUsersRepo>;
