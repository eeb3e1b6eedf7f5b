import { MediaError } from './mediaError';

/*
 * What stops a file from becoming an attachment, as pure checks the capture UI runs before it
 * stores anything (issue 18): the network's size limit, the device's free space, and images too
 * large to decode. Each refusal is a MediaError whose code and figures the UI turns into a sentence.
 */

export const MIB = 1024 * 1024;

/** The network's limit where its record names none (network setting `maxAttachmentBytes`). */
export const DEFAULT_MAX_ATTACHMENT_BYTES = 50 * MIB;

/** More pixels than this is refused before decoding: 100 MP at 4 bytes a pixel is 400 MB of memory. */
export const MAX_IMAGE_PIXELS = 100_000_000;

/** The long side of a photo's preview (the gallery and lightbox) and of its thumbnail (lists). */
export const PREVIEW_LONG_SIDE_PX = 1024;
export const THUMBNAIL_LONG_SIDE_PX = 256;

/**
 * Room kept free beyond the attachment itself: the record store, the outbox and the browser need
 * to go on writing after the photo is in.
 */
export const QUOTA_RESERVE_BYTES = 20 * MIB;

/** The network's attachment limit: its record's `maxAttachmentBytes` where it holds a usable one, else the default. */
export function maxAttachmentBytesOf(network: object | null | undefined): number {
  const value = network && 'maxAttachmentBytes' in network ? network.maxAttachmentBytes : undefined;
  return typeof value === 'number' && Number.isSafeInteger(value) && value > 0 ? value : DEFAULT_MAX_ATTACHMENT_BYTES;
}

/** Throws 'over-network-limit' for a file larger than the network takes. */
export function checkAttachmentSize(sizeBytes: number, maxAttachmentBytes: number): void {
  if (sizeBytes > maxAttachmentBytes) {
    throw new MediaError('over-network-limit', `the file is ${sizeBytes} bytes; this network takes attachments of at most ${maxAttachmentBytes} bytes`, { sizeBytes, limitBytes: maxAttachmentBytes });
  }
}

/** navigator.storage.estimate()'s answer; either figure may be missing where the browser does not say. */
export interface StorageEstimate {
  readonly usage?: number | undefined;
  readonly quota?: number | undefined;
}

/**
 * Throws 'over-device-quota' when storing `sizeBytes` more would leave less than the reserve free.
 * Where the browser gives no estimate, nothing is refused here: the store's own write then fails
 * whole (QuotaExceededError) and loses nothing.
 */
export function checkDeviceRoom(sizeBytes: number, estimate: StorageEstimate | null): void {
  if (!estimate || typeof estimate.quota !== 'number' || typeof estimate.usage !== 'number') return;
  const freeBytes = Math.max(0, estimate.quota - estimate.usage);
  if (sizeBytes + QUOTA_RESERVE_BYTES > freeBytes) {
    throw new MediaError('over-device-quota', `storing ${sizeBytes} bytes needs ${sizeBytes + QUOTA_RESERVE_BYTES} bytes free; this device has ${freeBytes}`, { sizeBytes, freeBytes });
  }
}

/** Throws 'too-many-pixels' for an image whose header claims more than a device may decode. */
export function checkImagePixels(widthPx: number, heightPx: number): void {
  const pixels = widthPx * heightPx;
  if (pixels > MAX_IMAGE_PIXELS || widthPx > 100_000 || heightPx > 100_000) {
    throw new MediaError('too-many-pixels', `the image is ${widthPx} x ${heightPx} pixels (${Math.round(pixels / 1e6)} megapixels); at most ${MAX_IMAGE_PIXELS / 1e6} megapixels can be attached`, {
      widthPx,
      heightPx,
      megapixels: Math.round(pixels / 1e6),
      maxMegapixels: MAX_IMAGE_PIXELS / 1e6,
    });
  }
}

/** The size of a rendition whose long side is at most `longSidePx`, in the original's proportions; never larger than the original. */
export function variantSize(widthPx: number, heightPx: number, longSidePx: number): { widthPx: number; heightPx: number } {
  const scale = Math.min(1, longSidePx / Math.max(widthPx, heightPx));
  return { widthPx: Math.max(1, Math.round(widthPx * scale)), heightPx: Math.max(1, Math.round(heightPx * scale)) };
}
