import type { RxJsonSchema } from 'rxdb';
import type { RecordType } from '../records/recordType';

/*
 * Two collections per store, far below the free RxDB build's 13 open collections per process, so
 * six headless clients fit in one test process. Checkpoints, the device and settings live in the
 * database's local documents (the `meta` of DESIGN section 4), which are not collections.
 * Dexie indexes only required fields, so every indexed field is required (with '' for "none").
 */

export const MAX_TIME = 1e15;
const timeField = { type: 'number', minimum: 0, maximum: MAX_TIME, multipleOf: 1 } as const;

export interface RecordRow {
  id: string;
  type: RecordType;
  ownerOrg: string;
  createdAt: number;
  updatedAt: number;
  /**
   * MAX_TIME - updatedAt: RxDB only walks an index in ascending order, so "newest first" sorts
   * by this ascending to stop after the first page instead of reading and sorting every row.
   */
  recency: number;
  /** Index fields, copied from the projection so that lists filter and sort without decoding Yjs. */
  title: string;
  status: string;
  kind: string;
  refId: string;
  /** The administrative path joined with '/' and ending in '/' ('' for none), so a prefix query is exact. */
  region: string;
  tags: string[];
  /** The compacted Yjs state (base64) and its SHA-256, as one `Y.encodeStateAsUpdate`. */
  state: string;
  hash: string;
  /** The hub's sequence number of the last change from the hub folded in; 0 before any sync. */
  seq: number;
  projection: Record<string, unknown>;
}

export const recordsSchema: RxJsonSchema<RecordRow> = {
  version: 0,
  primaryKey: 'id',
  type: 'object',
  properties: {
    id: { type: 'string', maxLength: 200 },
    type: { type: 'string', maxLength: 20 },
    ownerOrg: { type: 'string', maxLength: 200 },
    createdAt: timeField,
    updatedAt: timeField,
    recency: timeField,
    title: { type: 'string' },
    status: { type: 'string', maxLength: 40 },
    kind: { type: 'string', maxLength: 40 },
    refId: { type: 'string', maxLength: 200 },
    region: { type: 'string', maxLength: 500 },
    tags: { type: 'array', items: { type: 'string' } },
    state: { type: 'string' },
    hash: { type: 'string' },
    seq: { type: 'number' },
    projection: { type: 'object' },
  },
  required: ['id', 'type', 'ownerOrg', 'createdAt', 'updatedAt', 'recency', 'title', 'status', 'kind', 'refId', 'region', 'tags', 'state', 'hash', 'seq', 'projection'],
  indexes: [
    ['type', 'recency'],
    ['type', 'ownerOrg', 'recency'],
    ['type', 'status', 'recency'],
    ['type', 'kind', 'recency'],
    ['type', 'refId', 'recency'],
    ['type', 'region', 'recency'],
  ],
};

/** A local Yjs update not yet acknowledged by the hub, with the header of the record it belongs to. */
export interface OutboxRow {
  id: string;
  recordId: string;
  type: RecordType;
  ownerOrg: string;
  createdAt: number;
  /** Local order: replay and push keep it. */
  order: number;
  update: string;
}

export const outboxSchema: RxJsonSchema<OutboxRow> = {
  version: 0,
  primaryKey: 'id',
  type: 'object',
  properties: {
    id: { type: 'string', maxLength: 64 },
    recordId: { type: 'string', maxLength: 200 },
    type: { type: 'string', maxLength: 20 },
    ownerOrg: { type: 'string', maxLength: 200 },
    createdAt: timeField,
    order: { type: 'number', minimum: 0, maximum: Number.MAX_SAFE_INTEGER, multipleOf: 1 },
    update: { type: 'string' },
  },
  required: ['id', 'recordId', 'type', 'ownerOrg', 'createdAt', 'order', 'update'],
  indexes: ['order', ['recordId', 'order']],
};
