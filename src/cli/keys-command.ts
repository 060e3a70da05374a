import { existsSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { loadKeyring, rotateKeyring } from '../codec/keyring';
import { loadConfig } from '../config/load-config';

const HELP = `Usage: dicom-intake keys ls [--json]
       dicom-intake keys rotate [--json]

ls      prints the ids of the payload encryption keys in effect (never the keys); the first one encrypts.
rotate  adds a new key in front of the keyring file (codec.keyringFile): new payloads use it, old ones still
        decode with the older keys. Restart the stack, the workers and the API afterwards.
        Keys given by DICOM_INTAKE_CODEC_KEYS are rotated where they are kept, not here.

Examples:
  dicom-intake keys ls
  dicom-intake keys rotate --json     prints { ok, newKeyId } (or { ok: false, error })
`;

/** `dicom-intake keys ls|rotate`: the payload codec keyring (docs/operations.md, "Rotation"). */
export async function runKeys(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: { json: { type: 'boolean', default: false }, help: { type: 'boolean', short: 'h', default: false } },
  });
  const [sub] = positionals;
  if (values.help || (sub !== 'ls' && sub !== 'rotate')) {
    process[values.help ? 'stdout' : 'stderr'].write(sub && !values.help ? `dicom-intake keys: unknown subcommand ${JSON.stringify(sub)}\n\n${HELP}` : HELP);
    return values.help ? 0 : 2;
  }
  const { codec } = loadConfig().temporal;
  if (sub === 'ls') {
    const ids = loadKeyring(codec).keys.map((k) => k.id);
    const source = codec.keys?.length ? 'DICOM_INTAKE_CODEC_KEYS' : codec.keyringFile;
    process.stdout.write(values.json ? JSON.stringify({ source, encryptsWith: ids[0], keyIds: ids }) + '\n' : `keys from ${source}\n${ids.map((id, i) => `  ${id}${i === 0 ? '   (encrypts)' : ''}`).join('\n')}\n`);
    return 0;
  }
  const refuse = (error: string) => {
    if (values.json) process.stdout.write(JSON.stringify({ ok: false, error }) + '\n');
    else process.stderr.write(`dicom-intake keys rotate: ${error}\n`);
    return 1;
  };
  if (codec.keys?.length) return refuse('the keys come from DICOM_INTAKE_CODEC_KEYS; put a new ID=BASE64 first there (openssl rand -base64 32)');
  if (!existsSync(codec.keyringFile)) return refuse(`${codec.keyringFile} does not exist; \`dicom-intake start\` creates it`);
  const fresh = rotateKeyring(codec.keyringFile);
  process.stdout.write(values.json ? JSON.stringify({ ok: true, newKeyId: fresh.id }) + '\n' : `new key ${fresh.id} now encrypts; restart the stack, workers and API to use it\n`);
  return 0;
}
