import { blobsOf, blobVariants, type BlobContent, type BlobRef, type BlobVariant } from '../blobs/blobRef';
import { blobEntryBytes, bundleLimits, bundleSizeBytes, completeHeader, headerBytesOf, isCarriedAt, type BundleHeader, type BundleHeaderInput, type BundleMediaLevel, type BundlePayload } from './bundle';

/*
 * Which blobs a bundle carries at a media level, and how big the bundle will be: one pure function
 * for the device's export, the hub's export and the size the export dialog shows, so the size
 * shown is the size written. Renditions go in the blob sync's order (thumbnails, then previews,
 * then originals, smallest first in each), and each goes in only if the bundle stays within its
 * cap: a stick with room for little still shows every attachment, and what did not fit is counted,
 * never silently dropped (it moves online, or in the next bundle).
 */

export interface BundleMediaCandidate extends BlobContent {
  readonly variant: BlobVariant;
}

export interface BundleMediaChoice {
  readonly level: BundleMediaLevel;
  readonly blobs: readonly BundleMediaCandidate[];
  /** Renditions the level carries that did not fit under the bundle's size cap. */
  readonly leftOut: readonly BundleMediaCandidate[];
  /** The header the bundle will carry (as written, save for its `createdAt`). */
  readonly header: BundleHeader;
  /** The bundle's size in bytes: exact, but for a `createdAt` of another number of digits. */
  readonly sizeBytes: number;
}

const rank = (variant: BlobVariant): number => blobVariants.indexOf(variant);

/** Each rendition the references name, once per hash (as the smallest variant it serves as). */
export function mediaCandidates(refs: Iterable<BlobRef>): BundleMediaCandidate[] {
  const byHash = new Map<string, BundleMediaCandidate>();
  for (const ref of refs) {
    for (const { variant, content } of blobsOf(ref)) {
      const seen = byHash.get(content.sha256);
      if (!seen || rank(variant) < rank(seen.variant)) byHash.set(content.sha256, { ...content, variant });
    }
  }
  return [...byHash.values()];
}

export function chooseBundleMedia(
  level: BundleMediaLevel,
  candidates: readonly BundleMediaCandidate[],
  payload: BundlePayload,
  header: BundleHeaderInput,
  maxBundleBytes: number = bundleLimits.maxBundleBytes,
): BundleMediaChoice {
  const ordered = candidates
    .filter((candidate) => isCarriedAt(level, candidate.variant))
    .sort((a, b) => rank(a.variant) - rank(b.variant) || a.sizeBytes - b.sizeBytes || (a.sha256 < b.sha256 ? -1 : a.sha256 > b.sha256 ? 1 : 0));
  // Fitted against the largest header (and count prefix) there can be, so the real one always fits.
  let room = maxBundleBytes - bundleSizeBytes(bundleLimits.maxHeaderBytes, payload, []) - 4;
  const blobs: BundleMediaCandidate[] = [];
  const leftOut: BundleMediaCandidate[] = [];
  for (const candidate of ordered) {
    const cost = blobEntryBytes(candidate);
    if (cost <= room && blobs.length < bundleLimits.maxBlobs) {
      blobs.push(candidate);
      room -= cost;
    } else leftOut.push(candidate);
  }
  const fullHeader = completeHeader(header, payload, level, blobs);
  return { level, blobs, leftOut, header: fullHeader, sizeBytes: bundleSizeBytes(headerBytesOf(fullHeader), payload, blobs) };
}
