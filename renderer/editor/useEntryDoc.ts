import type * as Y from 'yjs';
import type { FieldwiseClient } from '../../shared/client/client';
import { entry, type EntryProjection } from '../../shared/records/entry';
import { useDocRead, useRecordDoc, type RecordDoc } from './useRecordDoc';

export type EntryDoc = RecordDoc;

/** The session's Y.Doc of one entry, held while the editor is mounted (see useRecordDoc). */
export function useEntryDoc(client: FieldwiseClient, id: string): EntryDoc {
  return useRecordDoc(client, id, 'entry');
}

/** The entry's projection, read again from the doc after every change, local or remote. */
export function useDocProjection(doc: Y.Doc): EntryProjection {
  return useDocRead(doc, entry.read);
}
