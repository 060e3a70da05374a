import type { PrearchiveSession } from '../db/prearchive-repo';
import type { Repositories } from '../db/repositories';
import { prearchiveUrl } from '../activities/prearchive-activities';
import { PREARCHIVE_OPERATIONS, allows } from '../domain/prearchive-status';

/** One row of XNAT's prearchive listing (the fields of `xdat_search.prearchive` this service has), plus its id. */
export function prearchiveRow(p: PrearchiveSession) {
  return {
    id: p.id,
    project: p.projectId ?? 'Unassigned',
    timestamp: p.timestamp,
    folderName: p.folder,
    name: p.folder,
    subject: p.subjectLabel,
    status: p.status,
    uploaded: p.createdAt,
    lastmod: p.updatedAt,
    source: p.source,
    prevent_anon: p.preventAnon,
    url: prearchiveUrl(p.projectId, p.timestamp, p.folder).replace(/^\/data/, ''),
    reason: p.reason,
    // XNAT's rules for every status; a RECEIVING study allows delete and rebuild (prearchive-routes.ts says how).
    allowed: PREARCHIVE_OPERATIONS.filter((op) => allows(p.status, op)),
  };
}

/**
 * The details of a session: its scans and file counts, which passes ran on its files (script ids only), and the
 * reason of an ERROR or CONFLICT. Ids, counts and labels only.
 */
export async function prearchiveDetails(repos: Repositories, p: PrearchiveSession) {
  // A study still being received has no files of its own yet: its count is that of the files received so far.
  if (p.studyKey && !p.groupId) {
    const received = await repos.receivedFiles.inProgress(p.studyKey);
    return { ...prearchiveRow(p), files: received, scans: [], passes: { site: { files: 0, scriptIds: [], skipped: false }, project: { files: 0 } } };
  }
  const files = p.groupId ? (await repos.uploads.files(p.uploadId!, p.groupId)).filter((f) => f.stage !== 'rejected') : [];
  const scans = new Map<string, number>();
  for (const f of files) scans.set(f.seriesNumber ?? '0', (scans.get(f.seriesNumber ?? '0') ?? 0) + 1);
  const siteScripts = new Set<number>();
  let sitePassed = 0;
  for (const f of files) {
    const pass = f.stage === 'site' ? await repos.passes.byOutput('site', f.sha256) : undefined;
    if (pass) {
      sitePassed++;
      if (pass.scriptId !== 0) siteScripts.add(pass.scriptId); // 0: the site profile ran without a script
    }
  }
  return {
    ...prearchiveRow(p),
    files: files.length,
    scans: [...scans].sort(([a], [b]) => Number(a) - Number(b)).map(([scan, count]) => ({ scan, files: count })),
    passes: {
      site: { files: sitePassed, scriptIds: [...siteScripts], skipped: p.preventAnon },
      // The project pass runs only at commit (DESIGN pass matrix); files it already wrote show after a failed commit.
      project: { files: files.filter((f) => f.stage === 'project').length },
    },
  };
}
