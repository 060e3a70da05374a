import type { Config } from '../config/load-config';
import type { RoutingRuleSets } from '../domain/identify';
import type { Repositories } from '../db/repositories';
import type { FileStore } from '../storage/file-store';

/**
 * What activities close over. `faultPoint` lets tests inject a crash at a named point (after a side effect,
 * before the activity returns) to prove that retries neither lose nor repeat work; production leaves it unset.
 */
export interface ActivityDeps {
  repos: Repositories;
  store: FileStore;
  limits: Config['limits'];
  siteAnonEnabled: boolean;
  /** Custom routing rules: the site's, and each receiver's by receiver id. */
  routing?: { site: RoutingRuleSets; receivers: Record<string, RoutingRuleSets> };
  faultPoint?: (point: string) => void | Promise<void>;
}
