import { chmodSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/** Where `dicom-intake start` keeps the embedded site admin's CLI token (mode 0600, inside the data folder). */
export function cliTokenFile(dataDir: string): string {
  return join(dataDir, 'cli-token');
}

/** Saves the CLI token for later commands on this machine; readable by its owner only. */
export function saveCliToken(dataDir: string, token: string): void {
  const file = cliTokenFile(dataDir);
  writeFileSync(file, `${token}\n`, { mode: 0o600 });
  chmodSync(file, 0o600);
}

/**
 * The API token a CLI command sends: `--token`, else DICOM_INTAKE_TOKEN, else the token file `dicom-intake start`
 * wrote in the data folder; undefined when there is none (the server then answers 401 with what to do).
 */
export function resolveCliToken(flag: string | undefined, dataDir: string, env: NodeJS.ProcessEnv = process.env): string | undefined {
  if (flag) return flag;
  if (env.DICOM_INTAKE_TOKEN) return env.DICOM_INTAKE_TOKEN;
  const file = cliTokenFile(dataDir);
  return existsSync(file) ? readFileSync(file, 'utf8').trim() || undefined : undefined;
}
