import type { Config } from '../config/load-config';
import type { RoutingRuleLines } from '../domain/routing-rules';
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
  /** The site's custom routing rules (a receiver's own rules are read from its database record). */
  siteRouting?: RoutingRuleLines;
  faultPoint?: (point: string) => void | Promise<void>;
}
