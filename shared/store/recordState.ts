import { sha256 } from '@noble/hashes/sha2.js';
import { bytesToHex } from '@noble/hashes/utils.js';
import * as Y from 'yjs';
import { moduleFor } from '../records/registry';
import type { RecordHeader } from '../records/recordType';
import { decodeBase64, encodeBase64 } from './base64';
import { MAX_TIME, type RecordRow } from './schemas';

/*
 * Turning Yjs state into stored rows and back. Folding goes through a real Y.Doc: merging update
 * bytes alone keeps deleted content, while a doc's encoded state has it garbage-collected, so a
 * record's stored state stays bounded however often it is edited.
 */

export const encodeBytes = encodeBase64;
export const decodeBytes = decodeBase64;

export function stateHash(state: Uint8Array): string {
  return bytesToHex(sha256(state));
}

const FOLD_GUID = 'fieldwise-fold';

/** A doc holding a stored state plus any updates; it never edits, so its clientID never enters a record. */
export function foldIntoDoc(state: string | null, updates: readonly Uint8Array[]): Y.Doc {
  // A fixed guid: the default draws a random UUID one crypto call per character, which was the
  // largest single cost of folding a pulled page (issue 17). The guid names subdocuments only.
  const doc = new Y.Doc({ guid: FOLD_GUID });
  doc.transact(() => {
    if (state) Y.applyUpdate(doc, decodeBytes(state));
    for (const update of updates) Y.applyUpdate(doc, update);
  });
  return doc;
}

/** The row for a record: its header, the projection and index fields its module reads, its state. */
export function toRecordRow(header: RecordHeader, doc: Y.Doc, seq: number): RecordRow {
  const module = moduleFor(header.type);
  // Read inside one transaction: reading defines the record's top-level types (the layout), and
  // each one defined outside a transaction ran a transaction of its own, the larger part of
  // reading a freshly folded entry with empty template sections (issue 17). No update comes of it.
  const projection = doc.transact(() => module.read(doc));
  const index = module.index(projection);
  const state = Y.encodeStateAsUpdate(doc);
  // The content's own time; the header's only where the content has none yet (a partial state).
  const updatedAt = projection.updatedAt > 0 ? projection.updatedAt : header.createdAt;
  return {
    id: header.id,
    type: header.type,
    ownerOrg: header.ownerOrg,
    createdAt: header.createdAt,
    updatedAt,
    recency: MAX_TIME - updatedAt,
    title: index.title,
    status: index.status,
    kind: index.kind,
    refId: index.refId,
    region: index.region ? `${index.region}/` : '',
    tags: [...index.tags],
    state: encodeBytes(state),
    hash: stateHash(state),
    seq,
    projection: projection as unknown as Record<string, unknown>,
  };
}

export function headerOf(row: Pick<RecordRow, 'id' | 'type' | 'ownerOrg' | 'createdAt'>): RecordHeader {
  return { id: row.id, type: row.type, ownerOrg: row.ownerOrg, createdAt: row.createdAt };
}
