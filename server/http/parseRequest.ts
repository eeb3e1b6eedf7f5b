import { z } from 'zod';
import { recordIdSchema } from '../../shared/records/recordType';
import { limits, pushRequestSchema, type PushRequest } from '../../shared/sync/protocol';
import { HubError } from '../hub/hubError';

/*
 * Untrusted input becomes a typed request here, once, at the edge: JSON text to a value
 * (`bad-json`), a value to the protocol's zod shape (`bad-request`, or the codes PROTOCOL.md gives
 * some push refusals of their own). The hub's core takes only what came out of these.
 */

/** The body text as JSON; an empty or missing body is not JSON either. */
export function parseJson(text: string | undefined): unknown {
  try {
    return JSON.parse(text ?? '');
  } catch {
    throw new HubError('bad-json', 'the request body is not valid JSON');
  }
}

type IssueRefusal = (issue: z.core.$ZodIssue) => HubError | null;

export function parseRequest<T>(schema: z.ZodType<T>, value: unknown, refusalFor: IssueRefusal = () => null): T {
  const parsed = schema.safeParse(value);
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0];
  const refusal = issue ? refusalFor(issue) : null;
  if (refusal) throw refusal;
  const path = issue?.path.join('.') || '(body)';
  throw new HubError('bad-request', `${path}: ${issue?.message ?? 'invalid'}`);
}

function pushedRecords(value: unknown): unknown[] | null {
  const records = typeof value === 'object' && value !== null ? (value as { records?: unknown }).records : undefined;
  return Array.isArray(records) ? records : null;
}

/**
 * The push refusals PROTOCOL.md gives codes of their own (an unknown type, an empty update);
 * anything else the schema finds is `bad-request`.
 */
function pushRefusal(value: unknown): IssueRefusal {
  return (issue) => {
    const [top, index, field] = issue.path;
    if (top !== 'records' || typeof index !== 'number') return null;
    const id = recordIdSchema.safeParse((pushedRecords(value)?.[index] as { id?: unknown } | undefined)?.id);
    const recordId = id.success ? id.data : undefined;
    if (field === 'type' && issue.code === 'invalid_value') return new HubError('unknown-type', `records.${index}.type: not a record type`, recordId);
    if (field === 'update' && issue.code === 'too_small') return new HubError('bad-update', 'an empty update changes nothing', recordId);
    return null;
  };
}

export function parsePushRequest(value: unknown): PushRequest {
  // Refused by its size alone, before any of its records is validated.
  if ((pushedRecords(value)?.length ?? 0) > limits.maxRecordsPerPush) {
    throw new HubError('batch-too-large', `a push may hold at most ${limits.maxRecordsPerPush} records`);
  }
  return parseRequest(pushRequestSchema, value, pushRefusal(value));
}

// Decimal digits only: a coercing parse read `0x10` as 16 and an empty `since=` as 0.
const checkpointSchema = z.string().regex(/^[0-9]{1,15}$/, 'must be a whole number of zero or more').transform(Number);

/** `?since=` of a pull: a whole number of zero or more; absent means 0. */
export function parseCheckpoint(since: string | null): number {
  return parseRequest(checkpointSchema, since ?? '0');
}
