import type { Repositories } from '../db/repositories';
import type { ArchivedInstance } from '../db/archive-repo';

/** Which script version made one pass over a file. */
export interface PassOrigin {
  passId: string;
  scriptId: number;
  scriptVersion: number | null;
  workflowId: string | null;
}

/** One archived file with the passes that produced it, newest last. */
export interface FileProvenance extends ArchivedInstance {
  site: PassOrigin | null;
  project: PassOrigin | null;
}

/**
 * Follows each archived file back through the pass records: its content is the output of a project pass, whose
 * input is the output of a site pass. Reads the catalog only; no file is opened.
 */
export async function sessionProvenance(repos: Repositories, sessionId: string): Promise<FileProvenance[]> {
  const versions = new Map<number, number | null>();
  const origin = async (kind: 'site' | 'project', sha256: string): Promise<{ origin: PassOrigin; input: string } | null> => {
    const pass = await repos.passes.byOutput(kind, sha256);
    if (!pass) return null;
    if (!versions.has(pass.scriptId)) versions.set(pass.scriptId, (await repos.scripts.byId(pass.scriptId))?.version ?? null);
    return { origin: { passId: pass.id, scriptId: pass.scriptId, scriptVersion: versions.get(pass.scriptId) ?? null, workflowId: pass.workflowId }, input: pass.inputSha256 };
  };
  const out: FileProvenance[] = [];
  for (const instance of await repos.archive.instances(sessionId)) {
    const project = await origin('project', instance.contentSha256);
    const site = await origin('site', project ? project.input : instance.contentSha256);
    out.push({ ...instance, project: project?.origin ?? null, site: site?.origin ?? null });
  }
  return out;
}
