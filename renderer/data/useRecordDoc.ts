import { useEffect, useState } from 'react';
import type * as Y from 'yjs';
import type { FieldwiseClient } from '../../shared/client/client';
import type { RecordHeader, RecordType } from '../../shared/records/recordType';

export type RecordDoc =
  | { readonly kind: 'loading' }
  | { readonly kind: 'missing' }
  | { readonly kind: 'open'; readonly doc: Y.Doc; readonly header: RecordHeader };

/**
 * The session's Y.Doc of one record of `type`, held (pinned in the client) while the component is
 * mounted (editors bind to it) and released when it unmounts. One doc per record per session: an
 * editor never makes its own.
 */
export function useRecordDoc(client: FieldwiseClient, id: string, type: RecordType): RecordDoc {
  const [state, setState] = useState<RecordDoc>({ kind: 'loading' });
  // Bumped when the client drops the doc under the editor (it reloads a doc left holding half a
  // failed change, or the hub withdrew the record): the editor binds to the fresh one instead of
  // typing into a dead doc.
  const [generation, setGeneration] = useState(0);
  useEffect(() => {
    let isCurrent = true;
    let isHeld = false;
    let heldDoc: Y.Doc | null = null;
    const onDestroyed = () => {
      if (!isCurrent) return;
      setState({ kind: 'loading' });
      setGeneration((current) => current + 1);
    };
    (async () => {
      const view = await client.get(id);
      if (!view || view.header.type !== type) {
        if (isCurrent) setState({ kind: 'missing' });
        return;
      }
      const doc = await client.openDoc(id);
      if (!isCurrent) {
        client.releaseDoc(id);
        return;
      }
      isHeld = true;
      heldDoc = doc;
      doc.on('destroy', onDestroyed);
      setState({ kind: 'open', doc, header: view.header });
    })().catch(() => {
      if (isCurrent) setState({ kind: 'missing' });
    });
    return () => {
      isCurrent = false;
      heldDoc?.off('destroy', onDestroyed);
      if (isHeld) client.releaseDoc(id);
    };
  }, [client, id, type, generation]);
  return state;
}
