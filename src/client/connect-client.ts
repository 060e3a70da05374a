import { Client, Connection } from '@temporalio/client';
import { createDataConverter } from '../codec/data-converter';
import type { Config } from '../config/load-config';

/**
 * A Temporal client for the configured server (used by the API, the CLI and the C-STORE receivers). It always
 * carries the service's data converter, so whatever it sends is encrypted and whatever it reads is decoded.
 */
export async function connectClient(temporal: Pick<Config['temporal'], 'address' | 'namespace' | 'codec'>): Promise<Client> {
  const connection = await Connection.connect({ address: temporal.address });
  return new Client({ connection, namespace: temporal.namespace, dataConverter: createDataConverter(temporal.codec) });
}
