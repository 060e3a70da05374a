import type { Repositories } from '../db/repositories';
import type { RoutingRuleLines } from '../db/site-routing-repo';
import { parseRoutingRule, RoutingRuleError } from '../domain/routing-rules';
import { SITE_ADMIN } from './access';
import { sendJson } from './http-io';
import { HttpError, type Router } from './router';
import { readJsonObject } from './user-routes';

const LABELS = ['project', 'subject', 'session'] as const;

/** What the site routing routes need: the repositories, and the configuration's rules (in effect until a save). */
export interface RoutingRouteDeps {
  repos: Repositories;
  /** config dicom.routing.*: the rules in effect until a site admin saves others. */
  siteRouting?: RoutingRuleLines;
}

/**
 * Checks a body of site routing rules: `{ project: [...], subject: [...], session: [...] }`, one rule per string,
 * `(gggg,eeee):regex[:group][ t:x r:y]`. A rule that does not parse is a 400 naming its label and line.
 */
export function routingRulesFromInput(body: Record<string, unknown>): RoutingRuleLines {
  const out: RoutingRuleLines = { project: [], subject: [], session: [] };
  for (const key of Object.keys(body)) {
    if (!(LABELS as readonly string[]).includes(key)) throw new HttpError(400, `unknown key ${JSON.stringify(key)}: send project, subject and session, each a list of rules`);
  }
  for (const label of LABELS) {
    const given = body[label] ?? [];
    if (!Array.isArray(given) || given.some((r) => typeof r !== 'string')) throw new HttpError(400, `${label} must be a list of rules (strings), one rule each`);
    const rules = (given as string[]).map((r) => r.trim()).filter((r) => r !== '');
    rules.forEach((rule, i) => {
      try {
        parseRoutingRule(rule);
      } catch (err) {
        if (err instanceof RoutingRuleError) throw new HttpError(400, `${label} rule ${i + 1}: ${err.message}`);
        throw err;
      }
    });
    out[label] = rules;
  }
  return out;
}

/**
 * The site routing rules (XNAT's project/subject/session rules, reference §3.3), site admins only: `GET /api/routing`
 * shows the rules in effect and where they come from; `PUT /api/routing` replaces them (a new version, audited, used
 * by the next identification; no restart). Until the first save the configuration's rules apply.
 */
export function registerRoutingRoutes(router: Router, deps: RoutingRouteDeps): void {
  const { repos } = deps;
  const effective = () => repos.siteRouting.inEffect(deps.siteRouting);
  router.on('GET', '/api/routing', SITE_ADMIN, async ({ res }) => sendJson(res, 200, await effective()));
  router.on('PUT', '/api/routing', SITE_ADMIN, async ({ req, res, principal }) => {
    const rules = routingRulesFromInput(await readJsonObject(req, '{"project": ["(0008,0050):^(.*)$"], "subject": [], "session": []}'));
    const saved = await repos.siteRouting.save(rules, principal.login);
    // The rules are the site's configuration, not header values; the audit keeps only their counts.
    await repos.audit.append({ actor: principal.login, action: 'routing.saved', detail: { id: saved.id, project: rules.project.length, subject: rules.subject.length, session: rules.session.length } });
    sendJson(res, 200, await effective());
  });
}
