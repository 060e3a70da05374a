import { compileJavaRegex, type JavaRegex } from '../anonymize/java-regex';

/** One custom routing rule (reference §3.3): `(gggg,eeee):regex[:group][ t:target r:replacement]`. */
export interface RoutingRule {
  tag: number;
  pattern: JavaRegex;
  group: number;
  replace?: { target: RegExp; replacement: string };
  /** The rule as written, for messages. */
  text: string;
}

/** A rule that does not parse; the message quotes the rule (rules are configuration, not header values). */
export class RoutingRuleError extends Error {
  override readonly name = 'RoutingRuleError';
}

// XNAT's CUSTOM_RULE_PATTERN: \((XXXX)\,(XXXX)\):(.+?)(?::(\d+))?(?: t:(.*) r:(.*))?
const RULE = /^\(([0-9A-Fa-f]{4}),([0-9A-Fa-f]{4})\):(.+?)(?::(\d+))?(?: t:(.*) r:(.*))?$/;
// Without t:/r:, XNAT truncates the captured value (MatchedPatternExtractorWithLengthLimit).
const MAX_VALUE = 64;

/** Parses one rule; throws RoutingRuleError("Failed to parse routing expression '…'") as XNAT does. */
export function parseRoutingRule(text: string): RoutingRule {
  const m = RULE.exec(text.trim());
  const fail = (why: string) => new RoutingRuleError(`Failed to parse routing expression '${text}': ${why}`);
  if (!m) throw fail('expected (gggg,eeee):regex[:group][ t:target r:replacement]');
  let pattern: JavaRegex;
  try {
    // Matcher.matches(): the whole value must match, so the pattern is anchored at both ends.
    pattern = compileJavaRegex(`\\A(?:${m[3]})\\z`);
  } catch (e) {
    throw fail((e as Error).message);
  }
  const group = m[4] === undefined ? 1 : Number(m[4]);
  if (group > pattern.groupCount) throw fail(`group ${group} does not exist; the expression has ${pattern.groupCount}`);
  let replace: RoutingRule['replace'];
  if (m[5] !== undefined) {
    try {
      // The replacement target is a small pattern applied to the captured value only (Java replaceAll).
      replace = { target: new RegExp(m[5], 'g'), replacement: m[6] ?? '' };
    } catch (e) {
      throw fail((e as Error).message);
    }
  }
  return { tag: parseInt(`${m[1]}${m[2]}`, 16) >>> 0, pattern, group, replace, text };
}

/** Parses a list of rules (one per entry); blank entries are ignored. */
export function parseRoutingRules(lines: readonly string[]): RoutingRule[] {
  return lines.filter((l) => l.trim()).map(parseRoutingRule);
}

/** The three rule sets as lines, one rule each (configuration, database, API). */
export interface RoutingRuleLines {
  project: string[];
  subject: string[];
  session: string[];
}

/** Parses the three rule sets. */
export function parseRoutingRuleSets(lines: RoutingRuleLines): { project: RoutingRule[]; subject: RoutingRule[]; session: RoutingRule[] } {
  return { project: parseRoutingRules(lines.project), subject: parseRoutingRules(lines.subject), session: parseRoutingRules(lines.session) };
}

/** The value one rule extracts from a header, or undefined when the element is absent or does not match. */
export function applyRoutingRule(rule: RoutingRule, valueOf: (tag: number) => string | undefined): string | undefined {
  const value = valueOf(rule.tag);
  if (!value) return undefined;
  const groups = rule.pattern.find(value);
  const captured = groups?.[rule.group];
  if (captured === null || captured === undefined || captured === '') return undefined;
  if (rule.replace) return captured.replace(rule.replace.target, rule.replace.replacement);
  return captured.slice(0, MAX_VALUE);
}

/**
 * The values a list of rules yields, in rule order (first match first); callers take the first one that they
 * can use (for a project: the first that names an existing project).
 */
export function routingCandidates(rules: readonly RoutingRule[], valueOf: (tag: number) => string | undefined): string[] {
  const out: string[] = [];
  for (const r of rules) {
    const v = applyRoutingRule(r, valueOf);
    if (v !== undefined) out.push(v);
  }
  return out;
}
