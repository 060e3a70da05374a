import type { Knex } from 'knex';
import type { RoutingRuleLines } from '../domain/routing-rules';
import { nowIso } from './clock';

export type { RoutingRuleLines };

/** One saved version of the site routing rules. */
export interface SavedSiteRouting {
  id: number;
  rules: RoutingRuleLines;
  savedBy: string;
  savedAt: string;
}

interface Row {
  id: number;
  project_rules: string;
  subject_rules: string;
  session_rules: string;
  saved_by: string;
  saved_at: string;
}

const lines = (text: string) => text.split('\n').filter((l) => l.trim() !== '');

/** Site routing rules set at run time: every save is a new row, the newest is in effect. */
export function createSiteRoutingRepo(db: Knex) {
  return {
    /** The rules in effect, or undefined before the first save (the configuration's rules apply then). */
    async current(): Promise<SavedSiteRouting | undefined> {
      const r = await db<Row>('site_routing_rules').orderBy('id', 'desc').first();
      return r && { id: r.id, rules: { project: lines(r.project_rules), subject: lines(r.subject_rules), session: lines(r.session_rules) }, savedBy: r.saved_by, savedAt: r.saved_at };
    },
    /** The rules in effect: the newest saved version, else the configuration's (`configured`), and which. */
    async inEffect(configured: RoutingRuleLines | undefined): Promise<{ source: 'database' | 'configuration'; rules: RoutingRuleLines; savedBy?: string; savedAt?: string }> {
      const saved = await this.current();
      if (saved) return { source: 'database', rules: saved.rules, savedBy: saved.savedBy, savedAt: saved.savedAt };
      return { source: 'configuration', rules: configured ?? { project: [], subject: [], session: [] } };
    },
    /** Saves a new version (the caller has checked that every rule parses). */
    async save(rules: RoutingRuleLines, savedBy: string): Promise<SavedSiteRouting> {
      await db('site_routing_rules').insert({
        project_rules: rules.project.join('\n'),
        subject_rules: rules.subject.join('\n'),
        session_rules: rules.session.join('\n'),
        saved_by: savedBy,
        saved_at: nowIso(),
      });
      return (await this.current())!;
    },
  };
}
/** The site routing rules repository. */
export type SiteRoutingRepo = ReturnType<typeof createSiteRoutingRepo>;
