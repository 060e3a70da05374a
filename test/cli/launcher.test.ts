/**
 * bin/dicom-intake, the installed command: found through a chain of symbolic links (as npm links it from
 * node_modules/.bin), and starting the offline commands without NODE_EXTRA_CA_CERTS while the others keep it.
 * Node warns on stderr when that variable names a file it cannot load, which shows whether it was passed on.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

const run = promisify(execFile);
const BIN = resolve(__dirname, '../../bin/dicom-intake');

describe('bin/dicom-intake', () => {
  const dir = mkdtempSync(join(tmpdir(), 'launcher-'));
  symlinkSync(BIN, join(dir, 'first'));
  symlinkSync('first', join(dir, 'dicom-intake')); // a relative link to a link, run from another folder
  const env = { ...process.env, NODE_EXTRA_CA_CERTS: join(dir, 'missing-ca.pem') };

  it('When an offline command runs through links, then it starts without NODE_EXTRA_CA_CERTS', async () => {
    const { stdout, stderr } = await run(join(dir, 'dicom-intake'), ['anonymize', '--help'], { env, cwd: tmpdir() });
    expect(stdout).toMatch(/^Usage: dicom-intake anonymize/);
    expect(stderr).not.toContain('extra certs');
  });

  it('When another command runs, then Node gets NODE_EXTRA_CA_CERTS as set', async () => {
    const { stdout, stderr } = await run(join(dir, 'dicom-intake'), ['workflows', '--help'], { env, cwd: tmpdir() });
    expect(stdout).toContain('workflows');
    expect(stderr).toContain('Ignoring extra certs from');
  }, 60_000);
});
