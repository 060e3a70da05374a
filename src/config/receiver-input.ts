import { isIP } from 'node:net';
import { parseRoutingRules } from '../domain/routing-rules';
import { toReceiver, type ReceiverConfig, type ReceiverDefaults } from './receivers';

/** The keys a receiver is made of, as the API and temporal-dev.yaml spell them. */
export const RECEIVER_KEYS = ['id', 'enabled', 'aeTitle', 'host', 'port', 'destination', 'anonymizationEnabled', 'allowedCallingAeTitles', 'transferSyntaxes', 'sessionIdleSeconds', 'routing'] as const;

/** A receiver the API refuses, with the reason in words a site admin can act on. */
export class ReceiverInputError extends Error {
  override readonly name = 'ReceiverInputError';
  constructor(message: string, readonly conflict = false) {
    super(message);
  }
}

/**
 * Validates a receiver given through the API (create, or a whole replacement): the rules of temporal-dev.yaml
 * (AE title, destination, transfer syntaxes, idle time) plus what a running service must hold to: a real port
 * (1-65535), an IP bind address (loopback unless given), routing rules that parse, no unknown keys, and no clash
 * of id, port or AE title/port with `others`.
 */
export function receiverFromInput(body: unknown, defaults: Pick<ReceiverDefaults, 'sessionIdleSeconds'>, others: ReceiverConfig[]): ReceiverConfig {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) throw new ReceiverInputError('send the receiver as a JSON object');
  const r = body as Record<string, unknown>;
  const unknown = Object.keys(r).filter((k) => !(RECEIVER_KEYS as readonly string[]).includes(k));
  if (unknown.length) throw new ReceiverInputError(`unknown receiver key(s) ${unknown.join(', ')}; known keys: ${RECEIVER_KEYS.join(', ')}`);
  for (const k of ['aeTitle', 'port'] as const) if (r[k] === undefined || r[k] === '') throw new ReceiverInputError(`${k} is required`);
  if (typeof r.port !== 'number' && !(typeof r.port === 'string' && /^\d+$/.test(r.port))) throw new ReceiverInputError('port must be a number 1-65535');
  const fail = (m: string) => new ReceiverInputError(m.replace(/^receiver\./, ''));
  const config = toReceiver(r, { aeTitle: '', port: 0, host: '127.0.0.1', sessionIdleSeconds: defaults.sessionIdleSeconds }, 'receiver', fail);
  if (config.port < 1) throw new ReceiverInputError('port must be a number 1-65535');
  if (config.host !== 'localhost' && !isIP(config.host)) throw new ReceiverInputError(`host ${JSON.stringify(config.host)} is not an IP address; use 127.0.0.1 (loopback, the default), another address of this machine, or 0.0.0.0 for all`);
  for (const k of ['project', 'subject', 'session'] as const) {
    try {
      parseRoutingRules(config.routing[k]);
    } catch (err) {
      throw new ReceiverInputError(`routing.${k}: ${(err as Error).message}`);
    }
  }
  for (const o of others) {
    if (o.id === config.id) throw new ReceiverInputError(`a receiver with id ${config.id} exists already; change it with PUT/PATCH /api/receivers/${config.id}`, true);
    if (o.port === config.port) throw new ReceiverInputError(`port ${config.port} is taken by receiver ${o.id} (${o.aeTitle}); ports must be unique`, true);
  }
  return config;
}

/** The receiver as the API shows it, as an input object: what PATCH merges its changes into. */
export function receiverInputOf(c: ReceiverConfig): Record<string, unknown> {
  return { ...c, routing: { ...c.routing } };
}
