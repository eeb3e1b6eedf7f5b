import { describe, expect, it } from 'vitest';
import { checkAttachmentSize, checkDeviceRoom, checkImagePixels, DEFAULT_MAX_ATTACHMENT_BYTES, maxAttachmentBytesOf, MIB, PREVIEW_LONG_SIDE_PX, QUOTA_RESERVE_BYTES, THUMBNAIL_LONG_SIDE_PX, variantSize } from '../../shared/blobs/attachmentLimits';
import { readImageHeader } from '../../shared/blobs/imageHeader';
import { MediaError } from '../../shared/blobs/mediaError';

function refusal(run: () => unknown): MediaError | null {
  try {
    run();
    return null;
  } catch (error) {
    if (error instanceof MediaError) return error;
    throw error;
  }
}

/** A PNG header (signature and IHDR) claiming any size: what a decompression bomb looks like before it inflates. */
function pngHeader(widthPx: number, heightPx: number): Uint8Array {
  const bytes = new Uint8Array(33);
  bytes.set([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13, 0x49, 0x48, 0x44, 0x52]);
  const view = new DataView(bytes.buffer);
  view.setUint32(16, widthPx);
  view.setUint32(20, heightPx);
  bytes.set([8, 6, 0, 0, 0], 24);
  return bytes;
}

describe('photo variants', () => {
  it('fits the long side, keeps proportions and never enlarges', () => {
    expect(variantSize(4000, 3000, PREVIEW_LONG_SIDE_PX)).toEqual({ widthPx: 1024, heightPx: 768 });
    expect(variantSize(3000, 4000, THUMBNAIL_LONG_SIDE_PX)).toEqual({ widthPx: 192, heightPx: 256 });
    expect(variantSize(640, 480, PREVIEW_LONG_SIDE_PX)).toEqual({ widthPx: 640, heightPx: 480 });
    // A long strip keeps at least one pixel across.
    expect(variantSize(20_000, 10, THUMBNAIL_LONG_SIDE_PX)).toEqual({ widthPx: 256, heightPx: 1 });
  });
});

describe('decompression bombs', () => {
  it('reads the claimed size from the header and refuses over 100 megapixels before decoding', () => {
    const bomb = pngHeader(50_000, 50_000);
    expect(readImageHeader(bomb)).toEqual({ format: 'png', widthPx: 50_000, heightPx: 50_000 });
    const error = refusal(() => checkImagePixels(50_000, 50_000));
    expect(error).toMatchObject({ code: 'too-many-pixels', details: { megapixels: 2500, maxMegapixels: 100 } });
    expect(error!.message).toContain('50000 x 50000');
  });

  it('takes a 100-megapixel photo and a phone panorama', () => {
    expect(refusal(() => checkImagePixels(10_000, 10_000))).toBeNull();
    expect(refusal(() => checkImagePixels(12_000, 3_000))).toBeNull();
    expect(refusal(() => checkImagePixels(10_001, 10_000))).toMatchObject({ code: 'too-many-pixels' });
  });

  it('reads GIF and WebP sizes, and nothing from a file of another kind', () => {
    const gif = new Uint8Array([...new TextEncoder().encode('GIF89a'), 0x40, 0x01, 0xf0, 0x00]);
    expect(readImageHeader(gif)).toEqual({ format: 'gif', widthPx: 320, heightPx: 240 });
    const webp = new Uint8Array(30);
    webp.set(new TextEncoder().encode('RIFF\0\0\0\0WEBPVP8X'));
    webp.set([0x3f, 0x1f, 0x00, 0xff, 0x0f, 0x00], 24);
    expect(readImageHeader(webp)).toEqual({ format: 'webp', widthPx: 8000, heightPx: 4096 });
    expect(readImageHeader(new TextEncoder().encode('%PDF-1.7 a scanned fee agreement'))).toBeNull();
    expect(readImageHeader(new Uint8Array([0xff, 0xd8, 0xff, 0xe0, 0x00]))).toBeNull();
  });
});

describe('the network limit and the device quota', () => {
  it('reads the network setting, else 50 MiB', () => {
    expect(maxAttachmentBytesOf({ maxAttachmentBytes: 10 * MIB })).toBe(10 * MIB);
    expect(maxAttachmentBytesOf({})).toBe(DEFAULT_MAX_ATTACHMENT_BYTES);
    expect(maxAttachmentBytesOf(null)).toBe(50 * MIB);
    expect(maxAttachmentBytesOf({ maxAttachmentBytes: -1 })).toBe(DEFAULT_MAX_ATTACHMENT_BYTES);
    expect(maxAttachmentBytesOf({ maxAttachmentBytes: '10' })).toBe(DEFAULT_MAX_ATTACHMENT_BYTES);
  });

  it('refuses a file over the network limit, with both figures', () => {
    expect(refusal(() => checkAttachmentSize(10 * MIB, 10 * MIB))).toBeNull();
    expect(refusal(() => checkAttachmentSize(10 * MIB + 1, 10 * MIB))).toMatchObject({ code: 'over-network-limit', details: { sizeBytes: 10 * MIB + 1, limitBytes: 10 * MIB } });
  });

  it('refuses what would leave the device less than its reserve free, and trusts the write where the browser gives no figures', () => {
    const estimate = { usage: 900 * MIB, quota: 1000 * MIB };
    expect(refusal(() => checkDeviceRoom(100 * MIB - QUOTA_RESERVE_BYTES, estimate))).toBeNull();
    expect(refusal(() => checkDeviceRoom(100 * MIB - QUOTA_RESERVE_BYTES + 1, estimate))).toMatchObject({ code: 'over-device-quota', details: { freeBytes: 100 * MIB } });
    expect(refusal(() => checkDeviceRoom(1, { usage: 2000, quota: 1000 }))).toMatchObject({ code: 'over-device-quota', details: { freeBytes: 0 } });
    expect(refusal(() => checkDeviceRoom(10 * MIB, null))).toBeNull();
    expect(refusal(() => checkDeviceRoom(10 * MIB, { usage: 5 }))).toBeNull();
  });
});
