// Failure converter of every client, worker and workflow bundle (src/codec/data-converter.ts names this file).
// Why plain CommonJS: the SDK loads `failureConverterPath` with require() in the main thread (sdk-typescript#1292)
// and with webpack inside the workflow sandbox; only a .js file loads in both, under tsx, vitest and node alike.
// Why encodeCommonAttributes: failure messages and stack traces are plaintext in the history otherwise; with it they
// become a payload, which the encryption codec then encrypts ("Encoded failure" is all the server sees).
const { DefaultFailureConverter } = require('@temporalio/common'); // eslint-disable-line @typescript-eslint/no-require-imports

exports.failureConverter = new DefaultFailureConverter({ encodeCommonAttributes: true });
