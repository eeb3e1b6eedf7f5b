import { checkAttachmentSize, checkDeviceRoom, checkImagePixels, PREVIEW_LONG_SIDE_PX, THUMBNAIL_LONG_SIDE_PX, variantSize, type StorageEstimate } from '../../shared/blobs/attachmentLimits';
import { mediaTypeSchema, type BlobContent, type BlobRef } from '../../shared/blobs/blobRef';
import { describeBlob } from '../../shared/blobs/describeBlob';
import type { DeviceBlobStore } from '../../shared/blobs/deviceBlobStore';
import { hasImageSignature, readImageHeader, readUndecodableImageFormat, type ImageFormat } from '../../shared/blobs/imageHeader';
import { stripImageMetadata } from '../../shared/blobs/imageMetadata';
import { MediaError } from '../../shared/blobs/mediaError';
import type { Attachment, AttachmentConsent, AttachmentKind } from '../../shared/records/attachments';
import { announceBlobStored } from '../sync/blobRequests';

/*
 * A picked, dropped or recorded file made into an attachment on this device (issue 18): checked
 * against the network's limit before it is read, its size read from the header before anything
 * decodes it, location and camera data removed from the original unless the author keeps them
 * (an image that cannot be decoded here is refused, since they could not be removed), a preview and a
 * thumbnail made here (the device that captured a photo is the only one that has its original
 * at first), the device's room checked for all renditions, and only then stored. Every
 * rendition is in the device blob store before the attachment names it in the record.
 */

export interface CaptureOptions {
  readonly store: DeviceBlobStore;
  readonly maxAttachmentBytes: number;
  /** Photos: keep location and camera data (EXIF, XMP, text chunks) in the original. */
  readonly keepsLocation: boolean;
  /** navigator.storage.estimate(), or null where the browser has none. */
  readonly estimate: () => Promise<StorageEstimate | null>;
}

/** What the addAttachment mutator takes, less the id. */
export type CapturedAttachment = Omit<Attachment, 'addedAt' | 'addedBy'>;

const VARIANT_TYPE = 'image/jpeg';
const VARIANT_QUALITY = { preview: 0.8, thumbnail: 0.72 } as const;

/** The types of the formats readImageHeader reads (every browser the app runs in decodes them). */
const decodableTypes = new Set(['image/jpeg', 'image/jpg', 'image/pjpeg', 'image/png', 'image/apng', 'image/gif', 'image/webp']);

/**
 * Photos and voices are of people: their bytes stay with the owning organization until the
 * author records the holder's consent. A document (a fee schedule, a form) usually needs none;
 * the author can say otherwise.
 */
export function defaultConsentFor(kind: AttachmentKind): AttachmentConsent {
  return kind === 'document' ? 'not-needed' : 'pending';
}

/** A file's media type as attachments name it (lowercase, no parameters), or octet-stream. */
export function mediaTypeOf(type: string): string {
  const bare = type.split(';')[0]!.trim().toLowerCase();
  return mediaTypeSchema.safeParse(bare).success ? bare : 'application/octet-stream';
}

const nameOf = (name: string, fallback: string): string => (name.trim() || fallback).slice(0, 255);

async function encodeVariant(bitmap: ImageBitmap, longSidePx: number, quality: number): Promise<Uint8Array> {
  const size = variantSize(bitmap.width, bitmap.height, longSidePx);
  const canvas = new OffscreenCanvas(size.widthPx, size.heightPx);
  const context = canvas.getContext('2d');
  if (!context) throw new MediaError('malformed-image', 'this device cannot draw the image to make its preview');
  // JPEG has no transparency: a transparent PNG shows on white, not black.
  context.fillStyle = '#ffffff';
  context.fillRect(0, 0, size.widthPx, size.heightPx);
  context.imageSmoothingQuality = 'high';
  context.drawImage(bitmap, 0, 0, size.widthPx, size.heightPx);
  const blob = await canvas.convertToBlob({ type: VARIANT_TYPE, quality });
  return new Uint8Array(await blob.arrayBuffer());
}

interface Rendition {
  readonly content: BlobContent;
  readonly bytes: Uint8Array;
}

const rendition = (bytes: Uint8Array, mediaType: string): Rendition => ({ content: describeBlob(bytes, mediaType), bytes });

async function storeAll(options: CaptureOptions, renditions: readonly Rendition[]): Promise<void> {
  checkDeviceRoom(
    renditions.reduce((sum, { bytes }) => sum + bytes.length, 0),
    await options.estimate().catch(() => null),
  );
  for (const { content, bytes } of renditions) await options.store.put(content, bytes);
  for (const { content } of renditions) announceBlobStored(content.sha256);
}

async function capturePhoto(bytes: Uint8Array, name: string, widthPx: number, heightPx: number, format: ImageFormat, options: CaptureOptions): Promise<CapturedAttachment> {
  checkImagePixels(widthPx, heightPx);
  const original = options.keepsLocation ? bytes : stripImageMetadata(bytes, format);
  const mediaType = `image/${format}`;
  let bitmap: ImageBitmap;
  try {
    // Decoded with its EXIF orientation applied: the variants show the photo upright.
    bitmap = await createImageBitmap(new Blob([original.slice().buffer], { type: mediaType }), { imageOrientation: 'from-image' });
  } catch {
    throw new MediaError('malformed-image', `${name} could not be decoded as an image`);
  }
  try {
    const preview = rendition(await encodeVariant(bitmap, PREVIEW_LONG_SIDE_PX, VARIANT_QUALITY.preview), VARIANT_TYPE);
    const thumbnail = rendition(await encodeVariant(bitmap, THUMBNAIL_LONG_SIDE_PX, VARIANT_QUALITY.thumbnail), VARIANT_TYPE);
    const main = rendition(original, mediaType);
    // Smallest first: a crash part way leaves blobs no record names, never a record naming a missing thumbnail.
    await storeAll(options, [thumbnail, preview, main]);
    const ref: BlobRef = { ...main.content, variants: { preview: preview.content, thumbnail: thumbnail.content } };
    return { kind: 'photo', ref, name, caption: '', consent: defaultConsentFor('photo'), keepsLocation: options.keepsLocation, widthPx: bitmap.width, heightPx: bitmap.height };
  } finally {
    bitmap.close();
  }
}

/**
 * Throws for an image that is not to become a document: one this device cannot decode (its
 * location data could not be removed, and a document needs no consent, so it would reach every
 * reader at once), or one whose type says it is a photo the header does not read as.
 */
function refuseUndecodableImage(bytes: Uint8Array, mediaType: string, name: string): void {
  const format = readUndecodableImageFormat(bytes);
  if (format !== null) throw new MediaError('unsupported-image', `${name} is a ${format} image, which this app cannot show or remove location data from; export it as JPEG or PNG first`);
  if (hasImageSignature(bytes) || decodableTypes.has(mediaType)) throw new MediaError('malformed-image', `${name} says it is ${mediaType} but does not read as an image`);
  if (mediaType.startsWith('image/')) throw new MediaError('unsupported-image', `${name} is a ${mediaType} image, which this app cannot show or remove location data from; export it as JPEG or PNG first`);
}

/** A picked or dropped file: a photo where it is an image this device can decode, refused where it is another image, else a document or a recording. */
export async function captureFile(file: File, options: CaptureOptions): Promise<CapturedAttachment> {
  checkAttachmentSize(file.size, options.maxAttachmentBytes);
  const bytes = new Uint8Array(await file.arrayBuffer());
  const name = nameOf(file.name, 'file');
  const header = readImageHeader(bytes);
  if (header) return capturePhoto(bytes, name, header.widthPx, header.heightPx, header.format, options);
  const mediaType = mediaTypeOf(file.type);
  refuseUndecodableImage(bytes, mediaType, name);
  const kind: AttachmentKind = mediaType.startsWith('audio/') ? 'audio' : 'document';
  const main = rendition(bytes, mediaType);
  await storeAll(options, [main]);
  return { kind, ref: { ...main.content, variants: {} }, name, caption: '', consent: defaultConsentFor(kind), keepsLocation: false };
}

/** A voice note recorded in the app; its length is measured while recording (WebM from MediaRecorder states none). */
export async function captureRecording(blob: Blob, durationMs: number, name: string, options: CaptureOptions): Promise<CapturedAttachment> {
  checkAttachmentSize(blob.size, options.maxAttachmentBytes);
  const main = rendition(new Uint8Array(await blob.arrayBuffer()), mediaTypeOf(blob.type || 'audio/webm'));
  await storeAll(options, [main]);
  return { kind: 'audio', ref: { ...main.content, variants: {} }, name: nameOf(name, 'voice-note'), caption: '', consent: defaultConsentFor('audio'), keepsLocation: false, durationMs: Math.max(0, Math.round(durationMs)) };
}
