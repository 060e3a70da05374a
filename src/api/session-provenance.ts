import type { Repositories } from '../db/repositories';
import type { ArchivedInstance } from '../db/archive-repo';

/** Which script version (and profile setting version) made one pass over a file. */
export interface PassOrigin {
  passId: string;
  /** 0 when the pass applied a profile and no script. */
  scriptId: number;
  scriptVersion: number | null;
  /** The profile setting the pass applied before its script (docs/profile.md); null = none. */
  profileId: number | null;
  profileVersion: number | null;
  workflowId: string | null;
}

/** One archived file with the passes that produced it, newest last. */
export interface FileProvenance extends ArchivedInstance {
  site: PassOrigin | null;
  /** The latest project pass (the archive's, or the last metadata edit's). */
  project: PassOrigin | null;
  /** How many project passes the file went through: 1 at archive, one more per edit. */
  projectPasses: number;
}

// A chain longer than this is not a real history (one pass at archive plus one per edit); it stops a cycle.
const MAX_CHAIN = 1000;

/**
 * Follows each archived file back through the pass records: its content is the output of the latest project pass
 * (an edit's, or the archive's), whose input is the output of the one before, back to the output of the site
 * pass. Reads the catalog only; no file is opened.
 */
export async function sessionProvenance(repos: Repositories, sessionId: string): Promise<FileProvenance[]> {
  const versions = new Map<number, number | null>();
  const profileVersions = new Map<number, number | null>();
  const origin = async (kind: 'site' | 'project', sha256: string): Promise<{ origin: PassOrigin; input: string } | null> => {
    const pass = await repos.passes.byOutput(kind, sha256);
    if (!pass) return null;
    if (!versions.has(pass.scriptId)) versions.set(pass.scriptId, (await repos.scripts.byId(pass.scriptId))?.version ?? null);
    const profileId = pass.profileId;
    if (profileId !== null && !profileVersions.has(profileId)) profileVersions.set(profileId, (await repos.profiles.byId(profileId))?.version ?? null);
    return {
      origin: { passId: pass.id, scriptId: pass.scriptId, scriptVersion: versions.get(pass.scriptId) ?? null, profileId, profileVersion: profileId === null ? null : (profileVersions.get(profileId) ?? null), workflowId: pass.workflowId },
      input: pass.inputSha256,
    };
  };
  const out: FileProvenance[] = [];
  for (const instance of await repos.archive.instances(sessionId)) {
    let latest: Awaited<ReturnType<typeof origin>> = null;
    let sha = instance.contentSha256;
    let projectPasses = 0;
    for (let step = await origin('project', sha); step && projectPasses < MAX_CHAIN; step = await origin('project', sha)) {
      latest ??= step;
      projectPasses++;
      // The upload client's claimed pass is recorded with its output as its input: the chain ends there.
      if (step.input === sha) break;
      sha = step.input;
    }
    const site = await origin('site', sha);
    out.push({ ...instance, project: latest?.origin ?? null, projectPasses, site: site?.origin ?? null });
  }
  return out;
}
