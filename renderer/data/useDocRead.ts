import { useEffect, useState } from 'react';
import * as Y from 'yjs';

/*
 * A record's projection read again from its open doc after its changes, local or remote.
 *
 * A change to the record's fields (a choice in a select, a remote update, a mutator) is read at the
 * next frame: the form decides with the projection (whether consent allows sharing, what an
 * attribution change merges with), so it must not lag a click behind. Typing in rich text (one
 * transaction per keystroke, touching only the text's Xml types) is read once the burst pauses for
 * REREAD_IDLE_MS, and at least every REREAD_MAX_MS while it lasts: each read redraws every panel
 * beside the text, which cost more per keystroke than the keystroke's own work, and the editor
 * draws the text itself from the doc at once. What those panels show of the text (the review's
 * "changes in draft", which sections are shown) can wait for the pause; a redraw in mid-burst
 * (30-80 ms for the entry form on a loaded laptop) held up the keystroke it fell on, which at a
 * 2 s bound was one keystroke in every 2 s of non-stop typing (issue 17).
 */
const REREAD_IDLE_MS = 250;
const REREAD_MAX_MS = 10_000;

function isRichTextOnly(transaction: Y.Transaction): boolean {
  for (const type of transaction.changed.keys()) {
    if (!(type instanceof Y.XmlFragment || type instanceof Y.XmlElement || type instanceof Y.XmlText)) return false;
  }
  return true;
}

export function useDocRead<P>(doc: Y.Doc, read: (doc: Y.Doc) => P): P {
  const [projection, setProjection] = useState(() => read(doc));
  useEffect(() => {
    let timer: ReturnType<typeof setTimeout> | null = null;
    let frame: number | null = null;
    let burstStartedAt: number | null = null;
    const readNow = () => {
      if (timer !== null) clearTimeout(timer);
      if (frame !== null) window.cancelAnimationFrame(frame);
      timer = null;
      frame = null;
      burstStartedAt = null;
      setProjection(read(doc));
    };
    const onTransaction = (transaction: Y.Transaction) => {
      if (transaction.changed.size === 0) return;
      if (!isRichTextOnly(transaction)) {
        frame ??= window.requestAnimationFrame(readNow);
        return;
      }
      if (frame !== null) return;
      const now = performance.now();
      burstStartedAt ??= now;
      if (timer !== null) clearTimeout(timer);
      timer = setTimeout(readNow, Math.max(0, Math.min(REREAD_IDLE_MS, burstStartedAt + REREAD_MAX_MS - now)));
    };
    setProjection(read(doc));
    doc.on('afterTransaction', onTransaction);
    return () => {
      doc.off('afterTransaction', onTransaction);
      if (timer !== null) clearTimeout(timer);
      if (frame !== null) window.cancelAnimationFrame(frame);
    };
  }, [doc, read]);
  return projection;
}
