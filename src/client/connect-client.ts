import { Client, Connection } from '@temporalio/client';
import type { Config } from '../config/load-config';

/** A Temporal client for the configured server (used by the API, the CLI and the C-STORE receivers). */
export async function connectClient(temporal: Pick<Config['temporal'], 'address' | 'namespace'>): Promise<Client> {
  const connection = await Connection.connect({ address: temporal.address });
  return new Client({ connection, namespace: temporal.namespace });
}
