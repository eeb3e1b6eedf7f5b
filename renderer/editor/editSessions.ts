import * as Y from 'yjs';

/**
 * How many editing sessions have written to this record: the clients in its state vector. Every
 * device opening a record for editing gets a fresh Yjs clientID, so this counts sessions (a device
 * that edited on three days counts three times), never people or devices; the UI says "sessions".
 */
export function editSessionCount(doc: Y.Doc): number {
  return Y.decodeStateVector(Y.encodeStateVector(doc)).size;
}
