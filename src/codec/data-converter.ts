import { resolve } from 'node:path';
import type { DataConverter, PayloadCodec } from '@temporalio/common';
import { AesGcmCodec } from './aes-gcm-codec';
import { loadKeyring, type CodecConfig } from './keyring';

/** Module exporting `failureConverter` (messages and stack traces encoded); also given to every workflow bundle. */
export const FAILURE_CONVERTER_PATH = resolve(__dirname, 'failure-converter.js');

/**
 * The one data converter of the service: AES-GCM payload codec plus encoded failures. Every client, worker,
 * replay and test environment gets it from here, so nothing reaches Temporal in plaintext but ids, type names
 * and search attributes.
 */
export function createDataConverter(config: CodecConfig): DataConverter {
  return { payloadCodecs: [createPayloadCodec(config)], failureConverterPath: FAILURE_CONVERTER_PATH };
}

/** The payload codec alone (the codec endpoint serves it to the Web UI). */
export function createPayloadCodec(config: CodecConfig): PayloadCodec {
  return new AesGcmCodec(loadKeyring(config));
}
