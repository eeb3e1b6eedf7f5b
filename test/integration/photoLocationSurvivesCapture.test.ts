// Adversarial pass (attacks-media), fixed: a photo's GPS position survived capture. SECURITY and
// the media commit say location and camera data are removed from photos unless the author keeps
// the place ("keepsLocation: false" on the attachment), because a photo's EXIF can say to a few
// metres where a knowledge holder lives. captureFile (renderer/media/captureAttachment.ts), the one
// entry point a picked or dropped file goes through, stripped only what stripJpegMetadata found
// before a JPEG's first scan:
// - a JPEG carrying a second image after its first (a multi-picture/MPF JPEG, as phones write for
//   a depth map or an HDR gain map, or a motion photo's trailer) kept that image's EXIF, GPS and
//   all: everything after SOS was copied as it was;
// - a WebP (EXIF chunk) or PNG (eXIf chunk) photo was stored byte for byte, GPS and camera
//   included, while its attachment said keepsLocation: false;
// - an iPhone photo (HEIC, the iPhone's default) is not decodable here, so it became a *document*
//   with consent `not-needed` and its EXIF intact: shared with every reader of the entry at once,
//   with no consent asked, where a photo's default is `pending`.
// The browser's image decoding is stubbed (node has no createImageBitmap/OffscreenCanvas); the
// capture code, the header reader, the strippers and the device blob store are the real ones.
//
// Now a JPEG ends at its first picture's EOI, PNG and WebP keep only the chunks that make the
// picture (shared/blobs/pngMetadata.ts, webpMetadata.ts), and an image the app cannot decode is
// refused ('unsupported-image'), never stored as a document.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { crc32 } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MediaError } from '../../shared/blobs/mediaError';
import { MemoryDeviceBlobStore } from '../../shared/blobs/memoryDeviceBlobStore';
import { captureFile, type CaptureOptions } from '../../renderer/media/captureAttachment';
import { exifSegment, withExif } from '../support/exifJpeg';

const fixture = new Uint8Array(readFileSync(join(import.meta.dirname, '../fixtures/media/gradient-64x48.jpg')));
const phone = { make: 'Apple', model: 'iPhone 13', orientation: 1, latitude: 25.6065, longitude: 100.2676 };
// The TIFF body of the phone's EXIF (what PNG eXIf, WebP EXIF and HEIC Exif items hold).
const tiff = exifSegment(phone).subarray(10);
const gpsTiff = Buffer.from(tiff);

const globals = globalThis as unknown as Record<string, unknown>;
const saved = { createImageBitmap: globals['createImageBitmap'], OffscreenCanvas: globals['OffscreenCanvas'] };

beforeAll(() => {
  // What a browser does, reduced to what captureFile asks: a decoded size, a canvas that encodes a JPEG.
  globals['createImageBitmap'] = async () => ({ width: 64, height: 48, close: () => undefined });
  globals['OffscreenCanvas'] = class {
    constructor(
      readonly width: number,
      readonly height: number,
    ) {}
    getContext() {
      return { fillStyle: '', imageSmoothingQuality: '', fillRect: () => undefined, drawImage: () => undefined };
    }
    async convertToBlob() {
      return new Blob([fixture.slice(), new Uint8Array([this.width & 0xff, this.height & 0xff])], { type: 'image/jpeg' });
    }
  };
});

afterAll(() => {
  globals['createImageBitmap'] = saved.createImageBitmap;
  globals['OffscreenCanvas'] = saved.OffscreenCanvas;
});

function options(store: MemoryDeviceBlobStore): CaptureOptions {
  return { store, maxAttachmentBytes: 50 * 1024 * 1024, keepsLocation: false, estimate: async () => null };
}

const concat = (...parts: Uint8Array[]): Uint8Array => new Uint8Array(Buffer.concat(parts));
const ascii = (text: string): Uint8Array => new TextEncoder().encode(text);
const u32be = (value: number): Uint8Array => Uint8Array.from([value >>> 24, (value >>> 16) & 0xff, (value >>> 8) & 0xff, value & 0xff]);
const u32le = (value: number): Uint8Array => Uint8Array.from([value & 0xff, (value >>> 8) & 0xff, (value >>> 16) & 0xff, value >>> 24]);

function pngChunk(type: string, data: Uint8Array): Uint8Array {
  const typed = concat(ascii(type), data);
  return concat(u32be(data.length), typed, u32be(crc32(typed)));
}

/** A 64 x 48 PNG as a phone or editor saves it with EXIF: IHDR, eXIf, IDAT, IEND. */
function pngWithExif(): Uint8Array {
  const ihdr = concat(u32be(64), u32be(48), Uint8Array.from([8, 2, 0, 0, 0]));
  return concat(Uint8Array.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), pngChunk('IHDR', ihdr), pngChunk('eXIf', tiff), pngChunk('IDAT', new Uint8Array(16)), pngChunk('IEND', new Uint8Array(0)));
}

function riffChunk(type: string, data: Uint8Array): Uint8Array {
  return concat(ascii(type), u32le(data.length), data, data.length % 2 ? new Uint8Array(1) : new Uint8Array(0));
}

/** A 64 x 48 extended WebP (VP8X with the EXIF flag) holding an EXIF chunk, as Android galleries write. */
function webpWithExif(): Uint8Array {
  const vp8x = Uint8Array.from([0x08, 0, 0, 0, 63, 0, 0, 47, 0, 0]);
  const body = concat(ascii('WEBP'), riffChunk('VP8X', vp8x), riffChunk('VP8 ', new Uint8Array(32)), riffChunk('EXIF', tiff));
  return concat(ascii('RIFF'), u32le(body.length), body);
}

/** An iPhone's HEIC, reduced: its ftyp box, and an mdat holding its Exif item. */
function heicWithExif(): Uint8Array {
  const ftyp = concat(u32be(24), ascii('ftypheic'), u32be(0), ascii('mif1heic'));
  const exif = concat(u32be(6), ascii('Exif\0\0'), tiff);
  return concat(ftyp, u32be(8 + exif.length), ascii('mdat'), exif);
}

/** captureFile's attachment and the original it stored, or its refusal (with nothing stored). */
async function capture(bytes: Uint8Array, name: string, type: string) {
  const store = new MemoryDeviceBlobStore();
  const result = await captureFile(new File([bytes.slice()], name, { type }), options(store)).catch((error: unknown) => error);
  if (result instanceof MediaError) {
    expect(await store.list()).toEqual([]);
    return { refusal: result };
  }
  if (result instanceof Error) throw result;
  const attachment = result as Awaited<ReturnType<typeof captureFile>>;
  const original = (await store.get(attachment.ref.sha256))!;
  return { attachment, original: Buffer.from(original) };
}

describe('a photo captured without keeping its place holds no GPS position', () => {
  it('a JPEG with a second picture after its first (multi-picture, motion photo trailer)', async () => {
    const mpf = concat(withExif(fixture, phone), withExif(fixture, phone));
    const captured = await capture(mpf, 'IMG_20250514.jpg', 'image/jpeg');
    expect(captured.attachment!.keepsLocation).toBe(false);
    expect(captured.original!.indexOf(gpsTiff)).toBe(-1);
  });

  it('a WebP photo with an EXIF chunk', async () => {
    const captured = await capture(webpWithExif(), 'IMG_20250514.webp', 'image/webp');
    expect(captured.attachment).toMatchObject({ kind: 'photo', keepsLocation: false });
    expect(captured.original!.indexOf(gpsTiff)).toBe(-1);
  });

  it('a PNG photo with an eXIf chunk', async () => {
    const captured = await capture(pngWithExif(), 'IMG_20250514.png', 'image/png');
    expect(captured.attachment).toMatchObject({ kind: 'photo', keepsLocation: false });
    expect(captured.original!.indexOf(gpsTiff)).toBe(-1);
  });

  it('an iPhone photo (HEIC) is refused, saying to export it as JPEG or PNG; never a consent-free document with its GPS', async () => {
    const captured = await capture(heicWithExif(), 'IMG_0042.HEIC', 'image/heic');
    expect(captured.refusal).toMatchObject({ code: 'unsupported-image' });
    expect(captured.refusal!.message).toContain('export it as JPEG or PNG');
    // A dropped HEIC often comes with no type: its bytes say what it is.
    expect((await capture(heicWithExif(), 'IMG_0042.HEIC', '')).refusal).toMatchObject({ code: 'unsupported-image' });
  });

  it('keeps every byte where the author keeps the place, and says so', async () => {
    const store = new MemoryDeviceBlobStore();
    const attachment = await captureFile(new File([pngWithExif().slice()], 'IMG_20250514.png', { type: 'image/png' }), { ...options(store), keepsLocation: true });
    expect(attachment).toMatchObject({ kind: 'photo', keepsLocation: true });
    expect(Buffer.from((await store.get(attachment.ref.sha256))!)).toEqual(Buffer.from(pngWithExif()));
  });
});
