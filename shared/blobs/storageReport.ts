import { blobsOf, type BlobRef } from './blobRef';
import type { StoredBlob } from './deviceBlobStore';

/*
 * What takes space on this device, for the storage screen (issue 18): by kind of attachment and by
 * record, and which bytes may be freed. Only originals the hub has confirmed may be freed: their
 * thumbnails and previews stay (they are small and show the gallery offline), and nothing
 * unconfirmed is ever offered (it may be the only copy). A freed original comes back from the hub
 * when someone opens it.
 */

export interface StorageHolder {
  readonly recordId: string;
  readonly title: string;
  readonly attachments: readonly { readonly kind: string; readonly ref: BlobRef }[];
}

export interface RecordStorage {
  readonly recordId: string;
  readonly title: string;
  readonly bytes: number;
  readonly freeableBytes: number;
}

export interface StorageReport {
  readonly totalBytes: number;
  /** Attachment kind -> bytes on this device; blobs no record here names count as `unattached`. */
  readonly byKind: Readonly<Record<string, number>>;
  /** Records holding bytes on this device, the largest first. */
  readonly byRecord: readonly RecordStorage[];
  /** Originals the hub has confirmed: what "free space" may remove. */
  readonly freeable: readonly StoredBlob[];
  readonly freeableBytes: number;
  /** Bytes not yet confirmed by the hub: never freed. */
  readonly unsentBytes: number;
}

export function storageReport(blobs: readonly StoredBlob[], holders: readonly StorageHolder[]): StorageReport {
  const stored = new Map(blobs.map((blob) => [blob.sha256, blob]));
  // Each blob counted once, for the first record and kind that names it.
  const counted = new Set<string>();
  const originals = new Set<string>();
  const byKind: Record<string, number> = {};
  const byRecord: RecordStorage[] = [];
  for (const holder of holders) {
    let bytes = 0;
    let freeableBytes = 0;
    for (const attachment of holder.attachments) {
      for (const { variant, content } of blobsOf(attachment.ref)) {
        const blob = stored.get(content.sha256);
        if (!blob) continue;
        if (variant === 'original') originals.add(blob.sha256);
        if (counted.has(blob.sha256)) continue;
        counted.add(blob.sha256);
        bytes += blob.sizeBytes;
        byKind[attachment.kind] = (byKind[attachment.kind] ?? 0) + blob.sizeBytes;
        if (variant === 'original' && blob.isConfirmed) freeableBytes += blob.sizeBytes;
      }
    }
    if (bytes > 0) byRecord.push({ recordId: holder.recordId, title: holder.title, bytes, freeableBytes });
  }
  for (const blob of blobs) if (!counted.has(blob.sha256)) byKind['unattached'] = (byKind['unattached'] ?? 0) + blob.sizeBytes;
  const freeable = blobs.filter((blob) => blob.isConfirmed && originals.has(blob.sha256));
  return {
    totalBytes: blobs.reduce((sum, blob) => sum + blob.sizeBytes, 0),
    byKind,
    byRecord: byRecord.sort((a, b) => b.bytes - a.bytes || (a.recordId < b.recordId ? -1 : 1)),
    freeable,
    freeableBytes: freeable.reduce((sum, blob) => sum + blob.sizeBytes, 0),
    unsentBytes: blobs.filter((blob) => !blob.isConfirmed).reduce((sum, blob) => sum + blob.sizeBytes, 0),
  };
}
