import type { Destination, UploadMethod } from './upload-status';

/** Which anonymization passes an upload gets on the server (DESIGN.md, "The pass matrix"). */
export interface PassPlan {
  site: boolean;
  /** The project pass runs when the session enters the archive: now for archive uploads, at commit otherwise. */
  projectNow: boolean;
}

/**
 * Decides the server's passes for one upload. A client that anonymized on the user's machine (prevent_anon)
 * is never anonymized again by the site script; its project pass is skipped per file when the file's last
 * (0012,0064) item already names the project script (checked by the activity, from the file itself).
 */
export function planPasses(args: { method: UploadMethod; destination: Destination; preventAnon: boolean; siteEnabled: boolean }): PassPlan {
  return {
    site: args.siteEnabled && !args.preventAnon,
    projectNow: args.destination === 'archive',
  };
}
