/**
 * Whether a file's (0012,0064) items show a profile application that covers a project's setting (used when a
 * session moves into a project with a profile, edit-activities.ts).
 */
import { describe, expect, it } from 'vitest';
import { codesCoverProfile } from '../../src/activities/pass-profile';
import { compileProfileSetting } from '../../src/anonymize/profile/profile-setting';

const setting = (options: string, pixelRules: string | null = null) => compileProfileSetting({ options, pixelRules, encryptTo: null })!;
const RULES = JSON.stringify({ rules: [{ when: { Modality: 'US' }, rectangles: [{ left: 0, top: 0, right: 10, bottom: 10 }] }] });

describe('codesCoverProfile', () => {
  it('When a file had no profile, or only scripts, then no setting is covered', () => {
    expect(codesCoverProfile([], setting('basic'))).toBe(false);
    expect(codesCoverProfile(['12', '13'], setting('basic'))).toBe(false);
  });

  it('When an application retained something the setting does not, then it does not cover it; one that retained less does', () => {
    const site = ['113100', '113107', 'P1', '12']; // basic, retain-long-modified-dates, then a site script
    expect(codesCoverProfile(site, setting('basic,retain-long-modified-dates'))).toBe(true);
    expect(codesCoverProfile(site, setting('basic'))).toBe(false);
    expect(codesCoverProfile(['113100', 'P1'], setting('basic,retain-uids'))).toBe(true);
  });

  it('When the setting cleans descriptors, then only an application that cleaned them covers it, wherever it is in the list', () => {
    expect(codesCoverProfile(['113100', 'P1'], setting('basic,clean-descriptors'))).toBe(false);
    expect(codesCoverProfile(['113100', '113107', 'P1', '113100', '113105', 'P2'], setting('basic,clean-descriptors'))).toBe(true);
  });

  it('When the setting cleans pixel data, then no file is covered: 113101 does not say whose rules ran', () => {
    const withPixels = setting('basic,clean-pixel-data', RULES);
    expect(codesCoverProfile(['113100', '113101', 'P1'], withPixels)).toBe(false);
  });

  it('When another tool wrote other codes between 113100 and its options, then the options still count for that application', () => {
    expect(codesCoverProfile(['113100', '113102', '113107', 'P1'], setting('basic'))).toBe(false);
    expect(codesCoverProfile(['113100', '113102', '113105'], setting('basic,clean-descriptors'))).toBe(true);
  });
});
