import { useEffect, useState } from 'react';
import type * as Y from 'yjs';

/**
 * Changes in a burst (typing: one update per keystroke) are read once the burst pauses for
 * REREAD_IDLE_MS, and at least every REREAD_MAX_MS while it lasts. Each read redraws the whole form
 * that shows the projection (every panel beside the rich text), which cost more per keystroke than
 * the keystroke's own work; the rich text itself is drawn from the doc by the editor, at once.
 */
const REREAD_IDLE_MS = 250;
const REREAD_MAX_MS = 2_000;

/** A record's projection read again from its open doc after its changes, local or remote. */
export function useDocRead<P>(doc: Y.Doc, read: (doc: Y.Doc) => P): P {
  const [projection, setProjection] = useState(() => read(doc));
  useEffect(() => {
    let timer: ReturnType<typeof setTimeout> | null = null;
    let burstStartedAt: number | null = null;
    const refresh = () => {
      const now = performance.now();
      burstStartedAt ??= now;
      if (timer !== null) clearTimeout(timer);
      timer = setTimeout(
        () => {
          timer = null;
          burstStartedAt = null;
          setProjection(read(doc));
        },
        Math.max(0, Math.min(REREAD_IDLE_MS, burstStartedAt + REREAD_MAX_MS - now)),
      );
    };
    setProjection(read(doc));
    doc.on('update', refresh);
    return () => {
      doc.off('update', refresh);
      if (timer !== null) clearTimeout(timer);
    };
  }, [doc, read]);
  return projection;
}
