import { blobsOf, blobVariants, type BlobContent, type BlobRef, type BlobVariant } from './blobRef';

/*
 * What the blob sync moves next, as a pure function of what both sides hold. The blob sync runs
 * beside the record sync, never inside it, and only after it: all text before any media (DESIGN
 * §5). On a few minutes of 2G the records (ballots, comments, entries' text) must all cross
 * before the first photo takes the link, and a record reaches the hub before the blobs it
 * references, so the hub never holds bytes that no record it knows points at.
 *
 * Within media, small before large: every thumbnail, then every preview, then originals; and
 * inside each rung, the smallest first, so a short link still shows the most attachments. A
 * device fetches an original only when it is wanted (opened, or kept for offline); it uploads
 * every rendition it holds that the hub lacks, because it may be the only device that has them.
 */

export interface BlobNeed {
  /** An attachment referenced by a record this device holds. */
  readonly ref: BlobRef;
  /** The original is wanted on this device too, not only its thumbnail and preview. */
  readonly isOriginalWanted: boolean;
}

export interface BlobSyncInput {
  /** The record sync has nothing left to push and has pulled up to the hub's head. */
  readonly isTextSettled: boolean;
  readonly needs: readonly BlobNeed[];
  /** Of the hashes the needs name, those this device lacks (DeviceBlobStore.missing). */
  readonly missingOnDevice: ReadonlySet<string>;
  /** Of the hashes the needs name, those the hub lacks (one batched `has` question). */
  readonly missingOnHub: ReadonlySet<string>;
}

export interface BlobTransfer extends BlobContent {
  readonly variant: BlobVariant;
}

export interface BlobSyncPlan {
  /** Nothing moves yet: the record sync has text to move first. */
  readonly isWaitingForText: boolean;
  /** Renditions this device holds and the hub lacks, in the order to send them. */
  readonly uploads: readonly BlobTransfer[];
  /** Renditions the hub holds and this device lacks and wants, in the order to fetch them. */
  readonly downloads: readonly BlobTransfer[];
  /** Wanted renditions neither side holds yet: the device that made them has not uploaded them. */
  readonly unavailable: readonly BlobTransfer[];
}

const rank = (variant: BlobVariant): number => blobVariants.indexOf(variant);

function inSendingOrder(transfers: Iterable<BlobTransfer>): BlobTransfer[] {
  return [...transfers].sort(
    (a, b) => rank(a.variant) - rank(b.variant) || a.sizeBytes - b.sizeBytes || (a.sha256 < b.sha256 ? -1 : a.sha256 > b.sha256 ? 1 : 0),
  );
}

export function planBlobSync(input: BlobSyncInput): BlobSyncPlan {
  if (!input.isTextSettled) return { isWaitingForText: true, uploads: [], downloads: [], unavailable: [] };

  // One entry per hash: two records may attach the same photo. It keeps the smallest variant the
  // hash serves as, and counts as wanted if any reference wants it.
  const byHash = new Map<string, { transfer: BlobTransfer; isWanted: boolean }>();
  for (const need of input.needs) {
    for (const { variant, content } of blobsOf(need.ref)) {
      const isWanted = variant !== 'original' || need.isOriginalWanted;
      const seen = byHash.get(content.sha256);
      const transfer = seen && rank(seen.transfer.variant) <= rank(variant) ? seen.transfer : { ...content, variant };
      byHash.set(content.sha256, { transfer, isWanted: isWanted || (seen?.isWanted ?? false) });
    }
  }

  const uploads: BlobTransfer[] = [];
  const downloads: BlobTransfer[] = [];
  const unavailable: BlobTransfer[] = [];
  for (const [sha256, { transfer, isWanted }] of byHash) {
    const isOnDevice = !input.missingOnDevice.has(sha256);
    const isOnHub = !input.missingOnHub.has(sha256);
    if (isOnDevice && !isOnHub) uploads.push(transfer);
    else if (!isOnDevice && isOnHub && isWanted) downloads.push(transfer);
    else if (!isOnDevice && !isOnHub && isWanted) unavailable.push(transfer);
  }
  return { isWaitingForText: false, uploads: inSendingOrder(uploads), downloads: inSendingOrder(downloads), unavailable: inSendingOrder(unavailable) };
}
