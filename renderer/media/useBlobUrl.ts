import { useEffect, useState } from 'react';
import type { BlobContent } from '../../shared/blobs/blobRef';
import { deviceBlobStore } from '../data/deviceBlobs';
import { onBlobStored } from '../sync/blobRequests';

export type BlobUrlState =
  | { readonly kind: 'loading' }
  /** Not on this device (yet): the blob sync has not fetched it. */
  | { readonly kind: 'missing' }
  | { readonly kind: 'ready'; readonly url: string };

/**
 * An object URL for a blob held on this device, made when the component shows it and revoked when
 * it unmounts or shows another blob (an object URL holds the bytes in memory until revoked). A
 * missing blob turns ready by itself when the blob sync stores it (onBlobStored). `content` null:
 * nothing is loaded (a rendition not wanted yet).
 */
export function useBlobUrl(content: BlobContent | null | undefined): BlobUrlState {
  const [state, setState] = useState<BlobUrlState>({ kind: 'loading' });
  const sha256 = content?.sha256 ?? null;
  const mediaType = content?.mediaType ?? '';
  useEffect(() => {
    if (sha256 === null) {
      setState({ kind: 'missing' });
      return;
    }
    let url: string | null = null;
    let isCurrent = true;
    const load = async () => {
      const bytes = await deviceBlobStore().get(sha256);
      if (!isCurrent) return;
      if (!bytes) {
        setState({ kind: 'missing' });
        return;
      }
      if (url) URL.revokeObjectURL(url);
      url = URL.createObjectURL(new Blob([bytes.buffer as ArrayBuffer], { type: mediaType }));
      setState({ kind: 'ready', url });
    };
    setState({ kind: 'loading' });
    load().catch(() => isCurrent && setState({ kind: 'missing' }));
    const unsubscribe = onBlobStored((stored) => {
      if (stored === sha256 && !url) load().catch(() => undefined);
    });
    return () => {
      isCurrent = false;
      unsubscribe();
      if (url) URL.revokeObjectURL(url);
    };
  }, [sha256, mediaType]);
  return state;
}

/** Whether a blob is on this device, following arrivals; null while asking. */
export function useBlobPresence(sha256: string): boolean | null {
  const [isPresent, setPresent] = useState<boolean | null>(null);
  useEffect(() => {
    let isCurrent = true;
    const check = () =>
      void deviceBlobStore()
        .has(sha256)
        .then((has) => isCurrent && setPresent(has))
        .catch(() => isCurrent && setPresent(false));
    check();
    const unsubscribe = onBlobStored((stored) => stored === sha256 && check());
    return () => {
      isCurrent = false;
      unsubscribe();
    };
  }, [sha256]);
  return isPresent;
}
