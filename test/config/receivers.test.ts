import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../src/config/load-config';
import { checkAssociation, decideContext } from '../../src/scp/association-policy';

const yamlFile = (text: string) => {
  const f = join(mkdtempSync(join(tmpdir(), 'cfg-')), 'temporal-dev.yaml');
  writeFileSync(f, text);
  return f;
};

describe('receivers configuration', () => {
  it('When there is no receivers list, then the dicom: keys make the one receiver, loopback, archive, 5 minutes idle', () => {
    const c = loadConfig({ DICOM_INTAKE_DICOM_PORT: '11999' }, yamlFile('dicom:\n  aeTitle: OLDSTYLE\n'));
    expect(c.receivers).toEqual([
      expect.objectContaining({ id: 'oldstyle-11999', aeTitle: 'OLDSTYLE', port: 11999, host: '127.0.0.1', destination: 'archive', anonymizationEnabled: true, allowedCallingAeTitles: [], sessionIdleSeconds: 300 }),
    ]);
  });
  it('When a receivers list is given, then each entry is read with its own destination, allow-list, syntaxes and idle time', () => {
    const f = yamlFile(`dicom:\n  sessionIdleSeconds: 60\nreceivers:\n  - aeTitle: A1\n    port: 11200\n    allowedCallingAeTitles: [CT1]\n    transferSyntaxes: [1.2.840.10008.1.2.1]\n  - id: research\n    aeTitle: R1\n    port: 11201\n    host: 0.0.0.0\n    destination: prearchive\n    enabled: false\n    anonymizationEnabled: false\n    sessionIdleSeconds: 2\n    routing:\n      project: ['(0008,0050):^([A-Z]+)']\n`);
    const [a, b] = loadConfig({}, f).receivers;
    expect(a).toMatchObject({ id: 'a1-11200', destination: 'archive', allowedCallingAeTitles: ['CT1'], transferSyntaxes: ['1.2.840.10008.1.2.1'], sessionIdleSeconds: 60 });
    expect(a.enabled).toBe(true);
    expect(b).toMatchObject({ id: 'research', enabled: false, host: '0.0.0.0', destination: 'prearchive', anonymizationEnabled: false, sessionIdleSeconds: 2, routing: { project: ['(0008,0050):^([A-Z]+)'], subject: [], session: [] } });
  });
  it('When two receivers share an AE title and port, or a destination is unknown, then the configuration is refused', () => {
    expect(() => loadConfig({}, yamlFile('receivers:\n  - {aeTitle: A, port: 1}\n  - {aeTitle: A, port: 1}\n'))).toThrow(ConfigError);
    expect(() => loadConfig({}, yamlFile('receivers:\n  - {aeTitle: A, port: 1, destination: trash}\n'))).toThrow(/destination must be one of archive, prearchive/);
    expect(() => loadConfig({}, yamlFile('receivers:\n  - {aeTitle: "WAY_TOO_LONG_AE_TITLE", port: 1}\n'))).toThrow(/not an AE title/);
  });
});

describe('site routing rules in the configuration', () => {
  it('When rules are given as a YAML list or by environment, then each entry is one rule', () => {
    const c = loadConfig({ DICOM_INTAKE_SESSION_RULES: '(0008,0020):(.*)' }, yamlFile("dicom:\n  routing:\n    project: ['(0008,0050):^[0-9]{4}(.*)', '(0008,1030):(.*)']\n"));
    expect(c.dicom.routing).toEqual({ project: ['(0008,0050):^[0-9]{4}(.*)', '(0008,1030):(.*)'], subject: [], session: ['(0008,0020):(.*)'] });
  });
  it('When a site or receiver rule does not parse, then the configuration is refused naming where', () => {
    expect(() => loadConfig({ DICOM_INTAKE_PROJECT_RULES: '(0008,0050)=oops' }, yamlFile(''))).toThrow(/dicom.routing: Failed to parse routing expression '\(0008,0050\)=oops'/);
    expect(() => loadConfig({}, yamlFile("receivers:\n  - {aeTitle: A, port: 1, routing: {session: ['(0008,0020):(']}}\n"))).toThrow(/receiver a-1 routing: Failed to parse/);
  });
});

describe('association policy', () => {
  const rx = { aeTitle: 'INTAKE', allowedCallingAeTitles: ['CT1'] };
  it('When the calling AE is not allowed or the called AE is not ours, then the association is refused with that reason', () => {
    expect(checkAssociation(rx, 'CT1 ', 'INTAKE  ')).toBeUndefined();
    expect(checkAssociation(rx, 'EVIL', 'INTAKE')).toBe('calling-ae-not-allowed');
    expect(checkAssociation(rx, 'CT1', 'OTHER')).toBe('called-ae-unknown');
    // An empty allow-list is a closed receiver, not an open one.
    expect(checkAssociation({ aeTitle: 'INTAKE', allowedCallingAeTitles: [] }, 'ANYONE', 'INTAKE')).toBe('calling-ae-not-allowed');
    expect(checkAssociation({ aeTitle: 'INTAKE', allowedCallingAeTitles: [] }, '', 'INTAKE')).toBe('calling-ae-not-allowed');
  });
  it("When contexts are proposed, then the receiver's first preferred syntax the caller offers is chosen, others refused", () => {
    const storage = new Set(['1.2.840.10008.5.1.4.1.1.2']);
    const ours = ['1.2.840.10008.1.2.1', '1.2.840.10008.1.2'];
    expect(decideContext('1.2.840.10008.5.1.4.1.1.2', ['1.2.840.10008.1.2', '1.2.840.10008.1.2.1'], ours, storage)).toEqual({ kind: 'accept', transferSyntaxUid: '1.2.840.10008.1.2.1' });
    expect(decideContext('1.2.840.10008.1.1', ['1.2.840.10008.1.2'], ours, storage)).toEqual({ kind: 'accept', transferSyntaxUid: '1.2.840.10008.1.2' });
    expect(decideContext('1.2.840.10008.5.1.4.1.1.2', ['1.2.840.10008.1.2.1.99'], ours, storage)).toEqual({ kind: 'reject-transfer-syntaxes' });
    expect(decideContext('1.2.840.10008.5.1.4.1.2.1.1', ['1.2.840.10008.1.2'], ours, storage)).toEqual({ kind: 'reject-abstract-syntax' });
  });
});
