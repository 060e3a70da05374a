import { Connection } from '@temporalio/client';
import type { temporal } from '@temporalio/proto';

type Payload = temporal.api.common.v1.IPayload;
type Failure = temporal.api.failure.v1.IFailure;

/** Raw access to the server, with no data converter: what anyone with access to Temporal's database would see. */
export async function rawService(address: string) {
  const connection = await Connection.connect({ address });
  const svc = connection.workflowService;
  return {
    /** Every event of a run's history, all pages, exactly as stored. */
    async history(namespace: string, workflowId: string): Promise<temporal.api.history.v1.IHistory> {
      const events: temporal.api.history.v1.IHistoryEvent[] = [];
      let nextPageToken: Uint8Array | undefined;
      do {
        const r = await svc.getWorkflowExecutionHistory({ namespace, execution: { workflowId }, nextPageToken });
        events.push(...(r.history?.events ?? []));
        nextPageToken = r.nextPageToken?.length ? r.nextPageToken : undefined;
      } while (nextPageToken);
      return { events };
    },
    /** The stored description of a run (memo, user metadata, search attributes). */
    describe: (namespace: string, workflowId: string) => svc.describeWorkflowExecution({ namespace, execution: { workflowId } }),
    close: () => connection.close(),
  };
}

/**
 * Every payload inside a proto object with the path where it was found, except search attributes: those are
 * indexed by the server, so they are plaintext by design (and carry no PHI; see search-attributes.ts).
 */
export function payloadsIn(root: unknown): { path: string; payload: Payload }[] {
  const out: { path: string; payload: Payload }[] = [];
  const walk = (v: unknown, path: string): void => {
    if (!v || typeof v !== 'object' || v instanceof Uint8Array) return;
    if (Array.isArray(v)) return v.forEach((x, i) => walk(x, `${path}[${i}]`));
    const o = v as Record<string, unknown>;
    if (o.data instanceof Uint8Array && o.metadata && typeof o.metadata === 'object') {
      out.push({ path, payload: o as Payload });
      return;
    }
    for (const [k, x] of Object.entries(o)) if (k !== 'searchAttributes') walk(x, `${path}.${k}`);
  };
  walk(root, '');
  return out;
}

/** Every Failure message inside a proto object (failure events, activity and child failures, their causes). */
export function failuresIn(root: unknown): Failure[] {
  const out: Failure[] = [];
  const walk = (v: unknown): void => {
    if (!v || typeof v !== 'object' || v instanceof Uint8Array) return;
    if (Array.isArray(v)) return v.forEach(walk);
    const o = v as Record<string, unknown>;
    if ('source' in o && 'message' in o && ('stackTrace' in o || 'encodedAttributes' in o)) out.push(o as Failure);
    Object.values(o).forEach(walk);
  };
  walk(root);
  return out;
}

/** The metadata `encoding` of a payload, as text. */
export const encodingOf = (p: Payload) => (p.metadata?.encoding ? Buffer.from(p.metadata.encoding).toString('utf8') : undefined);
