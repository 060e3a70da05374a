#!/usr/bin/env node
// The `dicom-intake` command. Runs the TypeScript sources through tsx, so a fresh clone needs no build step.
require('tsx/cjs');
require('../src/cli/main.ts')
  .main(process.argv.slice(2))
  .then((code) => {
    if (typeof code === 'number') process.exitCode = code;
  })
  .catch((err) => {
    console.error(`dicom-intake: ${err && err.message ? err.message : err}`);
    process.exitCode = 1;
  });
