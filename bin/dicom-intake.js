#!/usr/bin/env node
// The `dicom-intake` command. The offline commands run the compiled JavaScript in dist/ when it is up to date with
// src/ (`npm run build`, also run by scripts/setup.sh): compiling TypeScript with tsx at every start costs more than
// de-identifying a folder of small files. Everything else, and a fresh clone or edited sources, runs the
// TypeScript sources through tsx, so no build step is ever required.
const { readdirSync, statSync } = require('node:fs');
const { join } = require('node:path');

const ROOT = join(__dirname, '..');
// Commands whose modules resolve no paths relative to their own file (the others find temporal-dev.yaml, .tools/
// and the workflow sources that way, which holds only from src/).
const COMPILED_COMMANDS = new Set(['anonymize', 'verify', 'script']);

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
    const configs = ['tsconfig.json', 'tsconfig.build.json'].map((name) => statSync(join(ROOT, name)).mtimeMs);
    const sources = Math.max(newestMtime(join(ROOT, 'src')), ...configs);
    return built >= sources;
  } catch {
    return false;
  }
}

function loadMain(command) {
  if (process.env.DICOM_INTAKE_NO_DIST !== '1' && COMPILED_COMMANDS.has(command) && distIsCurrent()) {
    return require('../dist/cli/main.js');
  }
  require('tsx/cjs');
  return require('../src/cli/main.ts');
}

const argv = process.argv.slice(2);
loadMain(argv[0])
  .main(argv)
  .then((code) => {
    if (typeof code === 'number') process.exitCode = code;
  })
  .catch((err) => {
    console.error(`dicom-intake: ${err && err.message ? err.message : err}`);
    process.exitCode = 1;
  });
