import { useEffect, useState } from 'react';
import type * as Y from 'yjs';

/** A record's projection read again from its open doc after every change, local or remote (one read per frame). */
export function useDocRead<P>(doc: Y.Doc, read: (doc: Y.Doc) => P): P {
  const [projection, setProjection] = useState(() => read(doc));
  useEffect(() => {
    let frame: number | null = null;
    const refresh = () => {
      if (frame !== null) return;
      frame = window.requestAnimationFrame(() => {
        frame = null;
        setProjection(read(doc));
      });
    };
    setProjection(read(doc));
    doc.on('update', refresh);
    return () => {
      doc.off('update', refresh);
      if (frame !== null) window.cancelAnimationFrame(frame);
    };
  }, [doc, read]);
  return projection;
}
