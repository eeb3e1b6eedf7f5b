import { useEffect, useState } from 'react';
import type * as Y from 'yjs';
import { openAuthorText } from '../../shared/client/authorText';
import type { FieldwiseClient } from '../../shared/client/client';

/**
 * The session doc of the author's draft of entry `entryId` (shared/records/entryDraft.ts), started
 * when there is none yet, held while the component is mounted and `isDrafting`; null until then.
 * The editor binds the entry's text to it instead of the entry's own doc, so nothing typed after
 * the endorsement reaches another organization.
 */
export function useDraftDoc(client: FieldwiseClient, entryId: string, isDrafting: boolean, onDidFail: (error: unknown) => void): Y.Doc | null {
  const [doc, setDoc] = useState<Y.Doc | null>(null);
  // Bumped when the client drops the doc under the editor (as useRecordDoc does).
  const [generation, setGeneration] = useState(0);
  useEffect(() => {
    if (!isDrafting) {
      setDoc(null);
      return;
    }
    let isCurrent = true;
    let held: { id: string; doc: Y.Doc } | null = null;
    const onDestroyed = () => {
      if (!isCurrent) return;
      setDoc(null);
      setGeneration((current) => current + 1);
    };
    openAuthorText(client, entryId).then(
      (text) => {
        if (!isCurrent) {
          client.releaseDoc(text.id);
          return;
        }
        held = text;
        text.doc.on('destroy', onDestroyed);
        setDoc(text.doc);
      },
      (error: unknown) => {
        if (isCurrent) onDidFail(error);
      },
    );
    return () => {
      isCurrent = false;
      if (held) {
        held.doc.off('destroy', onDestroyed);
        client.releaseDoc(held.id);
      }
    };
    // onDidFail is a notice only: a new one does not start the draft again.
  }, [client, entryId, isDrafting, generation]);
  return doc;
}
