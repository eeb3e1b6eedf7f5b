/*
 * What the UI asks of the blob sync (issue 18): fetch an original now (the user opened it, or
 * pressed "download"), and hear when a blob arrives on this device, so a gallery showing "not
 * downloaded yet" turns into the picture without a reload. The blob sync engine (media-sync)
 * serves the requests; until it is wired, a request is remembered and nothing is fetched.
 */
type Listener = (sha256: string) => void;

const wanted = new Set<string>();
const listeners = new Set<Listener>();
let onRequest: ((sha256: string) => void) | null = null;

/** Asks the blob sync to fetch `sha256` (an original) when a link allows. */
export function requestBlob(sha256: string): void {
  wanted.add(sha256);
  onRequest?.(sha256);
}

/** The originals the user asked for on this device (the blob sync's `isOriginalWanted`). */
export function requestedBlobs(): ReadonlySet<string> {
  return wanted;
}

/** Called by the blob sync when it starts: it serves every request from then on. */
export function serveBlobRequests(serve: (sha256: string) => void): void {
  onRequest = serve;
}

/** Calls `listener` whenever a blob is stored on this device; returns the unsubscribe. */
export function onBlobStored(listener: Listener): () => void {
  listeners.add(listener);
  return () => void listeners.delete(listener);
}

/** Called by whoever stored a blob on this device (the capture UI, the blob sync, a bundle import). */
export function announceBlobStored(sha256: string): void {
  for (const listener of listeners) listener(sha256);
}
