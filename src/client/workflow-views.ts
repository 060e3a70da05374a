import { WorkflowFailedError, type Client, type WorkflowExecutionInfo } from '@temporalio/client';
import { defaultPayloadConverter, type Payload } from '@temporalio/common';

/** One workflow run as `workflows ls` shows it: ids, status and the service's search attributes (plaintext). */
export interface WorkflowRow {
  workflowId: string;
  runId: string;
  type: string;
  status: string;
  startTime: string;
  closeTime?: string;
  searchAttributes: Record<string, unknown>;
  /** Decoded through the codec. */
  description?: string;
}

/** One history event, reduced to what an operator reads: id, time, type and the name it concerns. */
export interface EventRow {
  id: number;
  time: string;
  type: string;
  detail?: string;
}

/** `workflows show`: the run, its decoded input and outcome, and its history's event types. */
export interface WorkflowDetail extends WorkflowRow {
  summary?: string;
  input?: unknown;
  result?: unknown;
  failure?: { type: string; message: string };
  events: EventRow[];
}

function row(wf: Omit<WorkflowExecutionInfo, 'raw'>): WorkflowRow {
  const searchAttributes: Record<string, unknown> = {};
  for (const pair of wf.typedSearchAttributes.getAll()) searchAttributes[pair.key.name] = pair.value;
  return {
    workflowId: wf.workflowId,
    runId: wf.runId,
    type: wf.type,
    status: wf.status.name,
    startTime: wf.startTime.toISOString(),
    closeTime: wf.closeTime?.toISOString(),
    searchAttributes,
    description: typeof wf.memo?.description === 'string' ? wf.memo.description : undefined,
  };
}

/** Runs matching a visibility query (newest first), at most `limit`. */
export async function listWorkflows(client: Client, query: string | undefined, limit: number): Promise<WorkflowRow[]> {
  const rows: WorkflowRow[] = [];
  for await (const wf of client.workflow.list({ query, pageSize: Math.min(limit, 100) })) {
    rows.push(row(wf));
    if (rows.length >= limit) break;
  }
  return rows;
}

/** `DicomStatus=ARCHIVING` for an upsert event: search attributes are plaintext JSON payloads (never encrypted). */
function upsertedAttributes(attrs: unknown): string | undefined {
  const fields = (attrs as { searchAttributes?: { indexedFields?: Record<string, Payload> } } | undefined)?.searchAttributes?.indexedFields;
  if (!fields) return undefined;
  return Object.entries(fields)
    .map(([k, p]) => `${k}=${String(defaultPayloadConverter.fromPayload(p))}`)
    .join(' ');
}

/** `activityTaskScheduledEventAttributes` → `ACTIVITY_TASK_SCHEDULED` (the server's EventType names). */
function eventTypeName(field: string): string {
  return field.replace(/EventAttributes$/, '').replace(/([a-z0-9])([A-Z])/g, '$1_$2').toUpperCase();
}

/** The latest run of a workflow id, decoded with the client's data converter (so the codec's keys are needed). */
export async function showWorkflow(client: Client, workflowId: string): Promise<WorkflowDetail> {
  const handle = client.workflow.getHandle(workflowId);
  const description = await handle.describe();
  const history = await handle.fetchHistory();
  const events: EventRow[] = (history.events ?? []).map((e) => {
    // Exactly one `…EventAttributes` field is set per event; its name is the event type (no proto enum needed).
    const field = Object.keys(e).find((k) => k.endsWith('EventAttributes') && (e as Record<string, unknown>)[k]);
    const attrs = (field ? (e as Record<string, unknown>)[field] : undefined) as Record<string, { name?: string | null; workflowId?: string | null } | null> | undefined;
    const detail = attrs?.activityType?.name ?? attrs?.workflowType?.name ?? attrs?.workflowExecution?.workflowId ?? upsertedAttributes(attrs);
    const seconds = Number(e.eventTime?.seconds ?? 0);
    return {
      id: Number(e.eventId),
      time: new Date(seconds * 1000 + Math.floor((e.eventTime?.nanos ?? 0) / 1e6)).toISOString(),
      type: field ? eventTypeName(field) : 'UNKNOWN',
      ...(detail ? { detail } : {}),
    };
  });
  const started = history.events?.[0]?.workflowExecutionStartedEventAttributes;
  const { payloadCodecs, payloadConverter } = client.options.loadedDataConverter;
  let inputPayloads = started?.input?.payloads ?? [];
  for (const codec of [...payloadCodecs].reverse()) inputPayloads = await codec.decode(inputPayloads);
  const detail: WorkflowDetail = {
    ...row(description),
    summary: await description.staticSummary(),
    input: inputPayloads.length ? payloadConverter.fromPayload(inputPayloads[0]) : undefined,
    events,
  };
  if (description.status.name === 'COMPLETED') detail.result = await handle.result();
  if (description.status.name === 'FAILED') detail.failure = await failureOf(() => handle.result());
  return detail;
}

async function failureOf(result: () => Promise<unknown>): Promise<{ type: string; message: string }> {
  try {
    await result();
  } catch (err) {
    let e: unknown = err instanceof WorkflowFailedError ? err.cause : err;
    while (e) {
      const f = e as { type?: string; message?: string; cause?: unknown };
      if (f.type) return { type: f.type, message: f.message ?? '' };
      e = f.cause;
    }
    return { type: (err as Error).name, message: (err as Error).message };
  }
  return { type: 'Unknown', message: 'the run is marked failed but its result could be read' };
}
