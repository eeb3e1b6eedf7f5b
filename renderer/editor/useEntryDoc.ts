import { useEffect, useState } from 'react';
import type * as Y from 'yjs';
import type { FieldwiseClient } from '../../shared/client/client';
import { entry, type EntryProjection } from '../../shared/records/entry';
import type { RecordHeader } from '../../shared/records/recordType';

export type EntryDoc =
  | { readonly kind: 'loading' }
  | { readonly kind: 'missing' }
  | { readonly kind: 'open'; readonly doc: Y.Doc; readonly header: RecordHeader };

/**
 * The session's Y.Doc of one entry, held (pinned in the client) while the editor is mounted and
 * released when it unmounts. One doc per record per session: the editor never makes its own.
 */
export function useEntryDoc(client: FieldwiseClient, id: string): EntryDoc {
  const [state, setState] = useState<EntryDoc>({ kind: 'loading' });
  // Bumped when the client drops the doc under the editor (it reloads a doc left holding half a
  // failed change): the editor binds to the fresh one instead of typing into a dead doc.
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
      if (!view || view.header.type !== 'entry') {
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
  }, [client, id, generation]);
  return state;
}

/** The entry's projection, read again from the doc after every change, local or remote. */
export function useDocProjection(doc: Y.Doc): EntryProjection {
  const [projection, setProjection] = useState(() => entry.read(doc));
  useEffect(() => {
    let frame: number | null = null;
    const refresh = () => {
      if (frame !== null) return;
      // Many updates in one frame (a burst of typing, a pulled page) cost one read.
      frame = window.requestAnimationFrame(() => {
        frame = null;
        setProjection(entry.read(doc));
      });
    };
    setProjection(entry.read(doc));
    doc.on('update', refresh);
    return () => {
      doc.off('update', refresh);
      if (frame !== null) window.cancelAnimationFrame(frame);
    };
  }, [doc]);
  return projection;
}
