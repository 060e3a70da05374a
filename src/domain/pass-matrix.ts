import type { Destination, UploadMethod } from './upload-status';

/** Which anonymization passes an upload gets on the server (DESIGN.md, "The pass matrix"). */
export interface PassPlan {
  site: boolean;
  /** The project pass runs when the session enters the archive: now for archive uploads, at commit otherwise. */
  projectNow: boolean;
}

/**
 * Decides the server's passes for one upload. A client that anonymized on the user's machine (prevent_anon)
 * is never anonymized again on the server: the site pass checks its files' (0012,0064) items against the scripts in
 * effect and records both passes as run by the client, or refuses the upload (activities/client-claim-activity.ts).
 */
export function planPasses(args: { method: UploadMethod; destination: Destination; preventAnon: boolean; siteEnabled: boolean }): PassPlan {
  return {
    site: args.siteEnabled && !args.preventAnon,
    projectNow: args.destination === 'archive',
  };
}
