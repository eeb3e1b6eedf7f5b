import * as Y from 'yjs';
import type { EditContext } from '../../shared/records/recordModule';
import { moduleFor, type InputTypes } from '../../shared/records/registry';
import type { RecordType, Role } from '../../shared/records/recordType';
import { PullFrameReader, type PulledRecord } from '../../shared/sync/protocol';

/*
 * Raw HTTP requests to a test hub, for tests that check exactly what the hub answers: no client
 * in between to retry, validate or hide a refusal.
 */

export interface HubAnswer {
  readonly status: number;
  readonly headers: Headers;
  /** The JSON body, or the raw text where the body is not JSON. */
  readonly body: unknown;
}

export interface PushedRecord {
  readonly id: string;
  readonly type: string;
  readonly update: Uint8Array;
}

export interface PullResult {
  readonly status: number;
  readonly records: readonly PulledRecord[];
  readonly checkpoint: number;
  /** Set when the answer is a refusal (status 4xx, JSON body). */
  readonly error: unknown;
}

export const toBase64 = (bytes: Uint8Array): string => Buffer.from(bytes).toString('base64');

async function answerOf(response: Response): Promise<HubAnswer> {
  const text = await response.text();
  let body: unknown = text;
  try {
    body = JSON.parse(text);
  } catch {
    // Not JSON: the raw text is the body.
  }
  return { status: response.status, headers: response.headers, body };
}

export async function request(
  url: string,
  path: string,
  options: { method?: string; token?: string; body?: string | Uint8Array; headers?: Record<string, string> } = {},
): Promise<HubAnswer> {
  const headers: Record<string, string> = { ...options.headers };
  if (options.token !== undefined) headers.authorization = `Bearer ${options.token}`;
  const response = await fetch(`${url}${path}`, { method: options.method ?? 'GET', headers, ...(options.body !== undefined ? { body: typeof options.body === 'string' ? options.body : new Uint8Array(options.body) } : {}) });
  return answerOf(response);
}

/** POST /v1/push with a body as given (any string: tests send broken ones too). */
export function pushBody(url: string, token: string | undefined, body: string | Uint8Array, headers: Record<string, string> = {}): Promise<HubAnswer> {
  return request(url, '/v1/push', { method: 'POST', ...(token !== undefined ? { token } : {}), body, headers: { 'content-type': 'application/json', ...headers } });
}

export function push(url: string, token: string, records: readonly PushedRecord[]): Promise<HubAnswer> {
  return pushBody(url, token, JSON.stringify({ records: records.map((r) => ({ id: r.id, type: r.type, update: toBase64(r.update) })) }));
}

/** GET /v1/pull, decoding every frame; a refusal comes back in `error`. */
export async function pull(url: string, token: string | undefined, since: number | string = 0, headers: Record<string, string> = {}): Promise<PullResult> {
  const response = await fetch(`${url}/v1/pull?since=${encodeURIComponent(String(since))}&projections=1`, {
    headers: { ...(token !== undefined ? { authorization: `Bearer ${token}` } : {}), ...headers },
  });
  if (response.status !== 200) return { status: response.status, records: [], checkpoint: -1, error: (await answerOf(response)).body };
  const reader = new PullFrameReader();
  const records: PulledRecord[] = [];
  let checkpoint = -1;
  let isLast = false;
  // fetch has already undone the Content-Encoding.
  for (const frame of reader.push(new Uint8Array(await response.arrayBuffer()))) {
    if (frame.kind === 'error') return { status: response.status, records, checkpoint, error: { error: frame.error } };
    records.push(...frame.records);
    checkpoint = frame.checkpoint;
    isLast = frame.isLast;
  }
  if (reader.hasPartialFrame || !isLast) throw new Error('the pull stream ended before its last page');
  return { status: response.status, records, checkpoint, error: null };
}

export function editContext(orgId: string, role: Role, now = Date.now()): EditContext {
  return { orgId, deviceId: `dev-${orgId}`, role, now };
}

/** The update that creates a record of `type` from create input, as a client would push it. */
export function createUpdate<T extends RecordType>(type: T, input: InputTypes[T], ctx: EditContext, change?: (doc: Y.Doc) => void): Uint8Array {
  const module = moduleFor(type);
  const doc = new Y.Doc();
  try {
    module.create(doc, module.parseInput(input), ctx);
    change?.(doc);
    return Y.encodeStateAsUpdate(doc);
  } finally {
    doc.destroy();
  }
}

/** The update that `change` makes to a record whose current state is `state`. */
export function changeUpdate(state: Uint8Array, change: (doc: Y.Doc) => void): Uint8Array {
  const doc = new Y.Doc();
  try {
    Y.applyUpdate(doc, state);
    const before = Y.encodeStateVector(doc);
    doc.transact(() => change(doc));
    return Y.encodeStateAsUpdate(doc, before);
  } finally {
    doc.destroy();
  }
}
