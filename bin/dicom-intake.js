#!/usr/bin/env node
// The `dicom-intake` command. The offline commands run their bundled JavaScript in dist/ when it is up to date with
// src/ (`npm run build`, also run by scripts/setup.sh): compiling TypeScript with tsx at every start costs more than
// de-identifying a folder of small files. Everything else, and a fresh clone or edited sources, runs the
// TypeScript sources through tsx, so no build step is ever required.
const { readdirSync, statSync } = require('node:fs');
const { join } = require('node:path');

const ROOT = join(__dirname, '..');
// Commands whose modules resolve no paths relative to their own file (the others find temporal-dev.yaml, .tools/
// and the workflow sources that way, which holds only from src/): each is one bundle (scripts/build.sh), entered
// directly rather than through src/cli/main.ts.
const COMPILED_COMMANDS = new Map([
  ['anonymize', ['anonymize-command.js', 'runAnonymize']],
  ['verify', ['verify-command.js', 'runVerify']],
  ['script', ['script-command.js', 'runScript']],
]);

/** Newest modification time of `dir` and everything under it, in ms (a folder's changes when a file is removed). */
function newestMtime(dir) {
  let newest = statSync(dir).mtimeMs;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    const mtime = entry.isDirectory() ? newestMtime(path) : statSync(path).mtimeMs;
    if (mtime > newest) newest = mtime;
  }
  return newest;
}

/** True when dist/ was built after the last change to src/ and the TypeScript configuration. */
function distIsCurrent() {
  try {
    const built = statSync(join(ROOT, 'dist/.built')).mtimeMs;
    const sources = Math.max(newestMtime(join(ROOT, 'src')), statSync(join(ROOT, 'tsconfig.json')).mtimeMs);
    return built >= sources;
  } catch {
    return false;
  }
}

/** Runs the command: its bundle when there is a current one, else src/cli/main.ts through tsx. */
function run(argv) {
  const compiled = COMPILED_COMMANDS.get(argv[0]);
  if (process.env.DICOM_INTAKE_NO_DIST !== '1' && compiled !== undefined && distIsCurrent()) {
    const [file, entry] = compiled;
    return require(join(ROOT, 'dist', file))[entry](argv.slice(1));
  }
  require('tsx/cjs');
  return require('../src/cli/main.ts').main(argv);
}

const argv = process.argv.slice(2);
run(argv)
  .then((code) => {
    if (typeof code === 'number') process.exitCode = code;
  })
  .catch((err) => {
    // node:util parseArgs refuses an unknown option or a missing value: a usage error (exit 2), pointing at --help.
    if (err && typeof err.code === 'string' && err.code.startsWith('ERR_PARSE_ARGS')) {
      console.error(`dicom-intake ${argv[0]}: ${err.message}\nSee: dicom-intake ${argv[0]} --help`);
      process.exitCode = 2;
      return;
    }
    console.error(`dicom-intake: ${err && err.message ? err.message : err}`);
    process.exitCode = 1;
  });
