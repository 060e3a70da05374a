import type { temporal } from '@temporalio/proto';

/**
 * Everything a workflow history holds, as searchable text: the proto as JSON plus every payload's bytes decoded
 * as UTF-8 (payloads are JSON bytes, which JSON.stringify would otherwise show as numbers).
 */
export function historyText(history: temporal.api.history.v1.IHistory): string {
  const parts: string[] = [];
  const walk = (v: unknown): void => {
    if (v instanceof Uint8Array) parts.push(Buffer.from(v).toString('utf8'), Buffer.from(v).toString('latin1'));
    else if (Array.isArray(v)) v.forEach(walk);
    else if (v && typeof v === 'object') Object.values(v).forEach(walk);
    else if (v !== undefined && v !== null) parts.push(String(v));
  };
  walk(history);
  return parts.join('\n');
}

/** Ids of the child workflows a history started. */
export function childWorkflowIds(history: temporal.api.history.v1.IHistory): string[] {
  return (history.events ?? [])
    .map((e) => e.childWorkflowExecutionStartedEventAttributes?.workflowExecution?.workflowId)
    .filter((id): id is string => !!id);
}
