/**
 * The PS3.15 profile setting of the site and of each project (docs/profile.md, "In the intake passes"): the option
 * list, the Clean Pixel Data rules and the Encrypted Attributes recipient, validated before they are saved and
 * versioned like the scripts. The recipient is a secret-ish setting: only site admins (site) and project owners
 * (project) read or change it, the answers describe it without its key material, and it is never logged.
 */
import { selectsCleanPixelData } from '../anonymize/profile/profile-selection';
import { compileProfileSetting, type CompiledProfileSetting } from '../anonymize/profile/profile-setting';
import type { ProfileSettingInput, StoredProfileSetting } from '../db/profile-settings-repo';
import type { Repositories } from '../db/repositories';
import type { ScriptScope } from '../db/scripts-repo';
import { onProject, SITE_ADMIN } from './access';
import { sendJson } from './http-io';
import { HttpError, type Router } from './router';
import { readJsonObject } from './user-routes';

const BODY = '{"options": "basic[,option,...]" or "" for none, "pixelRules": JSON text or null, "encryptTo": PEM or "kek:ID:HEX" or null}';
const PATCH_BODY = '{"options"?: "basic[,option,...]" or "none", "pixelRules"?: JSON text or null, "encryptTo"?: PEM or "kek:ID:HEX" or null, "removeEncryptTo"?: true}; an absent field keeps its value';

/** The recipient described without its key: its kind, and the key id of a KEK. */
function recipientView(compiled: CompiledProfileSetting | undefined) {
  const r = compiled?.encryptTo;
  if (r === undefined) return null;
  return r.kind === 'kek' ? { kind: 'kek', keyId: r.keyId.toString('hex') } : { kind: 'certificate' };
}

/** The JSON view of a setting (none stored yet: version 0, no profile). */
function view(scope: ScriptScope, projectId: string | null, s: StoredProfileSetting | undefined) {
  const compiled = s === undefined ? undefined : compileProfileSetting(s);
  return {
    scope,
    project: projectId,
    id: s?.id ?? null,
    version: s?.version ?? 0,
    sha256: s?.sha256 ?? null,
    options: compiled?.canonical ?? '',
    pixelRules: s?.pixelRules ?? null,
    encryptTo: recipientView(compiled),
  };
}

/** Reads and validates a PUT body; the saved option list is canonical ('' = no profile). */
function parseBody(body: Record<string, unknown>): ProfileSettingInput {
  for (const k of Object.keys(body)) if (!['options', 'pixelRules', 'encryptTo'].includes(k)) throw new HttpError(400, `unknown field ${JSON.stringify(k)}; the body is ${BODY}`);
  const text = (k: string) => {
    const v = body[k];
    if (v === undefined || v === null) return null;
    if (typeof v !== 'string') throw new HttpError(400, `${k} must be a string or null; the body is ${BODY}`);
    return v;
  };
  const options = text('options');
  if (options === null) throw new HttpError(400, `name the options ("" for no profile); the body is ${BODY}`);
  const input = { options, pixelRules: text('pixelRules'), encryptTo: text('encryptTo') };
  let compiled;
  try {
    compiled = compileProfileSetting(input);
  } catch (err) {
    // ProfileError messages name the part and the rule, never a key.
    throw new HttpError(400, `profile setting refused: ${(err as Error).message}`);
  }
  return { ...input, options: compiled?.canonical ?? '' };
}

/**
 * A PATCH body applied to the current setting: a field given replaces, an absent one keeps its value (the pages'
 * form leaves the recipient out, since it is never shown), null or `removeEncryptTo: true` removes. Pixel-cleaning
 * rules go with clean-pixel-data: without that option they are dropped, given or kept (the form always sends the
 * rules it shows); PUT, which replaces the whole setting, refuses rules without the option instead.
 */
function patched(current: StoredProfileSetting | undefined, body: Record<string, unknown>): Record<string, unknown> {
  for (const k of Object.keys(body)) if (!['options', 'pixelRules', 'encryptTo', 'removeEncryptTo'].includes(k)) throw new HttpError(400, `unknown field ${JSON.stringify(k)}; the body is ${PATCH_BODY}`);
  if (body.removeEncryptTo !== undefined && typeof body.removeEncryptTo !== 'boolean') throw new HttpError(400, `removeEncryptTo must be true or false; the body is ${PATCH_BODY}`);
  if (body.removeEncryptTo === true && typeof body.encryptTo === 'string') throw new HttpError(400, 'give a new recipient or removeEncryptTo, not both');
  const options = 'options' in body ? body.options : (current?.options ?? '');
  const cleansPixels = typeof options === 'string' && selectsCleanPixelData(options);
  return {
    options,
    pixelRules: !cleansPixels ? null : 'pixelRules' in body ? body.pixelRules : (current?.pixelRules ?? null),
    encryptTo: body.removeEncryptTo === true ? null : 'encryptTo' in body ? body.encryptTo : (current?.encryptTo ?? null),
  };
}

/** Registers GET/PUT/PATCH /api/profile/site and /api/projects/:p/profile. */
export function registerProfileRoutes(router: Router, deps: { repos: Repositories }): void {
  const { repos } = deps;
  const put = async (scope: ScriptScope, projectId: string | null, body: Record<string, unknown>, actor: string) => {
    const saved = await repos.profiles.save(scope, projectId, parseBody(body));
    await repos.audit.append({ actor, action: 'profile.saved', projectId, detail: { scope, id: saved.id, version: saved.version, options: saved.options } });
    return view(scope, projectId, saved);
  };
  const projectExists = async (p: string) => {
    if (!(await repos.projects.get(p))) throw new HttpError(404, `project ${p} does not exist`);
  };

  router.on('GET', '/api/profile/site', SITE_ADMIN, async ({ res }) => sendJson(res, 200, view('site', null, await repos.profiles.current('site', null))));
  router.on('PUT', '/api/profile/site', SITE_ADMIN, async ({ req, res, principal }) => sendJson(res, 200, await put('site', null, await readJsonObject(req, BODY), principal.login)));
  router.on('PATCH', '/api/profile/site', SITE_ADMIN, async ({ req, res, principal }) => {
    const body = patched(await repos.profiles.current('site', null), await readJsonObject(req, PATCH_BODY));
    sendJson(res, 200, await put('site', null, body, principal.login));
  });

  router.on('GET', '/api/projects/:p/profile', onProject('p', 'configure'), async ({ res, params }) => {
    await projectExists(params.p);
    sendJson(res, 200, view('project', params.p, await repos.profiles.current('project', params.p)));
  });
  router.on('PUT', '/api/projects/:p/profile', onProject('p', 'configure'), async ({ req, res, params, principal }) => {
    await projectExists(params.p);
    sendJson(res, 200, await put('project', params.p, await readJsonObject(req, BODY), principal.login));
  });
  router.on('PATCH', '/api/projects/:p/profile', onProject('p', 'configure'), async ({ req, res, params, principal }) => {
    await projectExists(params.p);
    const body = patched(await repos.profiles.current('project', params.p), await readJsonObject(req, PATCH_BODY));
    sendJson(res, 200, await put('project', params.p, body, principal.login));
  });
}
