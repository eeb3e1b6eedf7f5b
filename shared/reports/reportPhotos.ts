import { toBase64 } from 'lib0/buffer';
import { blobHash } from '../blobs/blobHash';
import type { DeviceBlobStore } from '../blobs/deviceBlobStore';
import type { BlobContent } from '../blobs/blobRef';
import { readImageHeader, type ImageFormat } from '../blobs/imageHeader';
import { MAX_EMBEDDED_PHOTO_BYTES, photosOf } from './reportAttachments';
import type { ReportModel } from './reportModel';

/*
 * The photos a report's document embeds, read from this device's blob store: a report is made
 * offline, so a photo whose renditions are not on the device is said to be "not downloaded" in
 * its place, and the rest of the report is made as ever.
 *
 * Only the renditions the model names are read (reportAttachments.ts decided which may be
 * shown), so a photo the report may not show has no path into the document. Bytes are checked
 * before they are embedded: they must hash to their address (a store damaged on disk) and read
 * as an image of a type reports embed, of a sane size; a rendition that fails is skipped like an
 * absent one, and its thumbnail tried.
 */

/** A rendition's SHA-256 -> its data: URL. Keys are always renditions the model names. */
export type ReportPhotos = ReadonlyMap<string, string>;

export type ReportBlobReader = Pick<DeviceBlobStore, 'get'>;

/** A preview is ~1024 px on its longer side; larger is not a preview, and not decoded. */
const MAX_EMBEDDED_SIDE_PX = 4096;

const mediaTypeOf: Readonly<Record<ImageFormat, string>> = { jpeg: 'image/jpeg', png: 'image/png', webp: 'image/webp', gif: 'image/gif' };

async function dataUrlOf(blobs: ReportBlobReader, source: BlobContent): Promise<string | null> {
  // A store that cannot be read (a closed or damaged database) is a photo not downloaded, not a failed report.
  const bytes = await blobs.get(source.sha256).catch(() => null);
  if (!bytes || blobHash(bytes) !== source.sha256) return null;
  // The size the record claims is only a claim: a record that names another photo's original as its
  // preview must not have that original embedded whole (reportPreviewIsAnOriginal.test.ts).
  if (bytes.length !== source.sizeBytes || bytes.length > MAX_EMBEDDED_PHOTO_BYTES) return null;
  const header = readImageHeader(bytes);
  if (!header || header.widthPx < 1 || header.heightPx < 1 || header.widthPx > MAX_EMBEDDED_SIDE_PX || header.heightPx > MAX_EMBEDDED_SIDE_PX) return null;
  // The type is the one the bytes are, not the one the record claims.
  return `data:${mediaTypeOf[header.format]};base64,${toBase64(bytes)}`;
}

export interface LoadPhotosOptions {
  readonly pause?: () => Promise<void>;
  /**
   * What earlier loads read (the preview's, as filters change): rendition -> its data: URL, or
   * null where it was absent or did not check. A blob never changes, so a rendition found then is
   * taken again without reading. Only renditions this model names are looked up.
   */
  readonly known?: ReadonlyMap<string, string | null>;
  /** Told of every rendition read, with what it gave. */
  readonly onRead?: (sha256: string, url: string | null) => void;
}

/**
 * Each photo's best rendition on this device. `pause()` runs between photos, so a screen stays
 * responsive while a report of many photos is read.
 */
export async function loadReportPhotos(model: Pick<ReportModel, 'sections'>, blobs: ReportBlobReader, options: LoadPhotosOptions = {}): Promise<ReportPhotos> {
  const photos = new Map<string, string>();
  const tried = new Set<string>();
  for (const photo of photosOf(model)) {
    for (const source of photo.sources) {
      if (photos.has(source.sha256)) break;
      const known = options.known?.get(source.sha256);
      if (typeof known === 'string') {
        photos.set(source.sha256, known);
        break;
      }
      if (known === null || tried.has(source.sha256)) continue;
      tried.add(source.sha256);
      const url = await dataUrlOf(blobs, source);
      options.onRead?.(source.sha256, url);
      if (url) {
        photos.set(source.sha256, url);
        break;
      }
    }
    await options.pause?.();
  }
  return photos;
}

/**
 * The model's photos from what earlier loads read (`known`, as loadReportPhotos takes it), with
 * no read at all; null while any photo has a rendition not read yet. What lets a preview that is
 * rebuilt on every change keep its photos in place instead of flickering to names and back.
 */
export function knownReportPhotos(model: Pick<ReportModel, 'sections'>, known: ReadonlyMap<string, string | null>): ReportPhotos | null {
  const photos = new Map<string, string>();
  for (const photo of photosOf(model)) {
    for (const source of photo.sources) {
      const url = known.get(source.sha256);
      if (url === undefined) return null;
      if (url !== null) {
        photos.set(source.sha256, url);
        break;
      }
    }
  }
  return photos;
}
