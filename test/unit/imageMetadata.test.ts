import { crc32 } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { readImageHeader, readUndecodableImageFormat } from '../../shared/blobs/imageHeader';
import { stripImageMetadata } from '../../shared/blobs/imageMetadata';
import { MediaError } from '../../shared/blobs/mediaError';
import { stripGifMetadata } from '../../shared/blobs/gifMetadata';
import { MemoryDeviceBlobStore } from '../../shared/blobs/memoryDeviceBlobStore';
import { pngChunks, stripPngMetadata } from '../../shared/blobs/pngMetadata';
import { stripWebpMetadata, webpChunks } from '../../shared/blobs/webpMetadata';
import { captureFile } from '../../renderer/media/captureAttachment';
import { exifSegment } from '../support/exifJpeg';

const phone = { make: 'Xiaomi', model: 'Redmi Note 12', orientation: 1, latitude: 25.6065, longitude: 100.2676 };
/** EXIF's TIFF body, as PNG eXIf and WebP EXIF chunks hold it. */
const tiff = exifSegment(phone).subarray(10);
const xmp = new TextEncoder().encode('<x:xmpmeta><rdf:Description exif:GPSLatitude="25,36.39N"/></x:xmpmeta>');

const concat = (...parts: Uint8Array[]): Uint8Array => new Uint8Array(Buffer.concat(parts));
const ascii = (text: string): Uint8Array => new TextEncoder().encode(text);
const u32be = (value: number): Uint8Array => Uint8Array.from([value >>> 24, (value >>> 16) & 0xff, (value >>> 8) & 0xff, value & 0xff]);
const u32le = (value: number): Uint8Array => Uint8Array.from([value & 0xff, (value >>> 8) & 0xff, (value >>> 16) & 0xff, value >>> 24]);
const contains = (bytes: Uint8Array, part: Uint8Array): boolean => Buffer.from(bytes).indexOf(Buffer.from(part)) !== -1;

function pngChunk(type: string, data: Uint8Array): Uint8Array {
  const typed = concat(ascii(type), data);
  return concat(u32be(data.length), typed, u32be(crc32(typed)));
}

const PNG_SIGNATURE = Uint8Array.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
const ihdr = pngChunk('IHDR', concat(u32be(64), u32be(48), Uint8Array.from([8, 6, 0, 0, 0])));
const iend = pngChunk('IEND', new Uint8Array(0));

/** A 64 x 48 PNG as an editor saves a phone's photo: colour chunks, EXIF, XMP, text and time. */
function taggedPng(): Uint8Array {
  return concat(
    PNG_SIGNATURE,
    ihdr,
    pngChunk('sRGB', Uint8Array.from([0])),
    pngChunk('gAMA', u32be(45455)),
    pngChunk('pHYs', concat(u32be(2835), u32be(2835), Uint8Array.from([1]))),
    pngChunk('eXIf', tiff),
    pngChunk('iTXt', concat(ascii('XML:com.adobe.xmp\0\0\0\0\0'), xmp)),
    pngChunk('tEXt', ascii('Comment\0Taken at grandmother Li house')),
    pngChunk('zTXt', ascii('Raw profile type exif\0\0x')),
    pngChunk('tIME', Uint8Array.from([0x07, 0xe9, 5, 14, 9, 30, 0])),
    pngChunk('caBX', ascii('c2pa manifest with a location assertion')),
    pngChunk('IDAT', new Uint8Array(16)),
    iend,
    ascii('trailing bytes after IEND, GPS 25.6N'),
  );
}

function riffChunk(type: string, data: Uint8Array): Uint8Array {
  return concat(ascii(type), u32le(data.length), data, data.length % 2 ? new Uint8Array(1) : new Uint8Array(0));
}

const webp = (...chunks: Uint8Array[]): Uint8Array => {
  const body = concat(ascii('WEBP'), ...chunks);
  return concat(ascii('RIFF'), u32le(body.length), body);
};

/** VP8X for 64 x 48 with the given flags (0x20 ICC, 0x10 alpha, 0x08 EXIF, 0x04 XMP). */
const vp8x = (flags: number): Uint8Array => riffChunk('VP8X', Uint8Array.from([flags, 0, 0, 0, 63, 0, 0, 47, 0, 0]));

/** A 64 x 48 extended WebP with an ICC profile, EXIF and XMP, as an Android gallery writes it. */
function taggedWebp(): Uint8Array {
  return webp(vp8x(0x20 | 0x08 | 0x04), riffChunk('ICCP', new Uint8Array(20)), riffChunk('VP8 ', new Uint8Array(31)), riffChunk('EXIF', tiff), riffChunk('XMP ', xmp));
}

function refusal(run: () => unknown): MediaError | null {
  try {
    run();
    return null;
  } catch (error) {
    if (error instanceof MediaError) return error;
    throw error;
  }
}

describe('removing location and camera data from a PNG', () => {
  it('keeps the picture and colour chunks and drops EXIF, XMP, text, time, unknown chunks and what follows IEND', () => {
    const stripped = stripPngMetadata(taggedPng());
    expect(pngChunks(stripped).map(({ type }) => type)).toEqual(['IHDR', 'sRGB', 'gAMA', 'pHYs', 'IDAT', 'IEND']);
    expect(contains(stripped, tiff)).toBe(false);
    expect(contains(stripped, xmp)).toBe(false);
    expect(contains(stripped, ascii('grandmother'))).toBe(false);
    expect(contains(stripped, ascii('GPS'))).toBe(false);
    // Kept chunks are copied whole, their CRCs with them.
    expect(stripped.subarray(stripped.length - iend.length)).toEqual(iend);
    expect(readImageHeader(stripped)).toEqual({ format: 'png', widthPx: 64, heightPx: 48 });
  });

  it('leaves a PNG with nothing to remove as it was', () => {
    const plain = concat(PNG_SIGNATURE, ihdr, pngChunk('PLTE', new Uint8Array(6)), pngChunk('tRNS', Uint8Array.from([0])), pngChunk('IDAT', new Uint8Array(8)), iend);
    expect(stripImageMetadata(plain, 'png')).toEqual(plain);
  });

  it('refuses a PNG cut short, one with no IEND, one not starting with IHDR and one with a broken chunk type', () => {
    const tagged = taggedPng();
    expect(refusal(() => stripPngMetadata(tagged.subarray(0, 60)))).toMatchObject({ code: 'malformed-image' });
    expect(refusal(() => stripPngMetadata(concat(PNG_SIGNATURE, ihdr, pngChunk('IDAT', new Uint8Array(8)))))).toMatchObject({ code: 'malformed-image', message: expect.stringContaining('IEND') });
    expect(refusal(() => stripPngMetadata(concat(PNG_SIGNATURE, pngChunk('eXIf', tiff), ihdr, iend)))).toMatchObject({ code: 'malformed-image', message: expect.stringContaining('IHDR') });
    expect(refusal(() => stripPngMetadata(concat(PNG_SIGNATURE, ihdr, pngChunk('I\0AT', new Uint8Array(4)), iend)))).toMatchObject({ code: 'malformed-image' });
    expect(refusal(() => stripPngMetadata(ascii('GIF89a not a png')))).toMatchObject({ code: 'malformed-image' });
  });
});

describe('removing location and camera data from a WebP', () => {
  it('drops the EXIF and XMP chunks, clears their VP8X flags and writes the new RIFF size', () => {
    const stripped = stripWebpMetadata(taggedWebp());
    expect(webpChunks(stripped).map(({ type }) => type)).toEqual(['VP8X', 'ICCP', 'VP8 ']);
    expect(contains(stripped, tiff)).toBe(false);
    expect(contains(stripped, xmp)).toBe(false);
    // The ICC flag stays; EXIF and XMP are off.
    expect(stripped[20]).toBe(0x20);
    expect(new DataView(stripped.buffer, stripped.byteOffset).getUint32(4, true)).toBe(stripped.length - 8);
    expect(stripped).toEqual(webp(vp8x(0x20), riffChunk('ICCP', new Uint8Array(20)), riffChunk('VP8 ', new Uint8Array(31))));
    expect(readImageHeader(stripped)).toEqual({ format: 'webp', widthPx: 64, heightPx: 48 });
  });

  it('drops a chunk nobody here knows and bytes after the RIFF, and leaves the input as it was', () => {
    const tagged = concat(webp(vp8x(0x08), riffChunk('VP8L', new Uint8Array(9)), riffChunk('GPS?', ascii('25.6N 100.2E')), riffChunk('EXIF', tiff)), ascii('GPS trailer'));
    const before = tagged.slice();
    const stripped = stripWebpMetadata(tagged);
    expect(stripped).toEqual(webp(vp8x(0), riffChunk('VP8L', new Uint8Array(9))));
    expect(tagged).toEqual(before);
  });

  it('refuses a WebP shorter than its RIFF size, a chunk past its end and one that starts with no picture', () => {
    const tagged = taggedWebp();
    expect(refusal(() => stripWebpMetadata(tagged.subarray(0, tagged.length - 10)))).toMatchObject({ code: 'malformed-image' });
    const overlong = webp(vp8x(0), riffChunk('VP8 ', new Uint8Array(8)));
    new DataView(overlong.buffer).setUint32(overlong.length - 12, 4000, true);
    expect(refusal(() => stripWebpMetadata(overlong))).toMatchObject({ code: 'malformed-image', message: expect.stringContaining('VP8 ') });
    expect(refusal(() => stripWebpMetadata(webp(riffChunk('EXIF', tiff), vp8x(0))))).toMatchObject({ code: 'malformed-image' });
    expect(refusal(() => stripWebpMetadata(webp()))).toMatchObject({ code: 'malformed-image' });
  });
});

describe('removing metadata from a GIF', () => {
  const subBlocks = (data: Uint8Array): Uint8Array => concat(Uint8Array.from([data.length]), data, Uint8Array.from([0]));
  // 64 x 48, a 2-colour global table.
  const screen = concat(ascii('GIF89a'), Uint8Array.from([64, 0, 48, 0, 0x80, 0, 0]), new Uint8Array(6));
  const looping = concat(Uint8Array.from([0x21, 0xff]), subBlocks(ascii('NETSCAPE2.0')).subarray(0, 12), Uint8Array.from([3, 1, 0, 0, 0]));
  const control = Uint8Array.from([0x21, 0xf9, 4, 0, 10, 0, 0, 0]);
  const image = concat(Uint8Array.from([0x2c, 0, 0, 0, 0, 64, 0, 48, 0, 0, 2]), subBlocks(Uint8Array.from([0x4c, 0x01])));
  const comment = concat(Uint8Array.from([0x21, 0xfe]), subBlocks(ascii('Taken at grandmother Li house')));
  const xmpExtension = concat(Uint8Array.from([0x21, 0xff]), subBlocks(ascii('XMP DataXMP')).subarray(0, 12), subBlocks(xmp));

  it('keeps images, timing and looping, and drops comments, XMP and what follows the trailer', () => {
    const tagged = concat(screen, looping, comment, xmpExtension, control, image, Uint8Array.from([0x3b]), ascii('GPS trailer'));
    const stripped = stripGifMetadata(tagged);
    expect(stripped).toEqual(concat(screen, looping, control, image, Uint8Array.from([0x3b])));
    expect(stripImageMetadata(stripped, 'gif')).toEqual(stripped);
    expect(readImageHeader(stripped)).toEqual({ format: 'gif', widthPx: 64, heightPx: 48 });
  });

  it('ends a GIF with no trailer after its last block, and refuses one cut inside a block', () => {
    expect(stripGifMetadata(concat(screen, comment, image))).toEqual(concat(screen, image, Uint8Array.from([0x3b])));
    expect(refusal(() => stripGifMetadata(concat(screen, image).subarray(0, screen.length + 12)))).toMatchObject({ code: 'malformed-image' });
    expect(refusal(() => stripGifMetadata(concat(screen, ascii('junk'))))).toMatchObject({ code: 'malformed-image' });
  });
});

describe('capturing a photo that does not read', () => {
  const capture = async (bytes: Uint8Array, name: string, type: string) => {
    const store = new MemoryDeviceBlobStore();
    const options = { store, maxAttachmentBytes: 50 * 1024 * 1024, keepsLocation: false, estimate: async () => null };
    const error = await captureFile(new File([bytes.slice()], name, { type }), options).then(
      () => null,
      (caught: unknown) => caught,
    );
    return { error, stored: await store.list() };
  };

  it('refuses a truncated PNG or WebP with a MediaError and stores nothing', async () => {
    for (const [bytes, name, type] of [
      [taggedPng().subarray(0, 80), 'cut.png', 'image/png'],
      [taggedWebp().subarray(0, 60), 'cut.webp', 'image/webp'],
      // A JPEG whose header never reaches its frame, with no type: not a document either.
      [Uint8Array.from([0xff, 0xd8, 0xff, 0xe0, 0x00]), 'cut.jpg', ''],
    ] as const) {
      const { error, stored } = await capture(bytes, name, type);
      expect(error, name).toBeInstanceOf(MediaError);
      expect(error, name).toMatchObject({ code: 'malformed-image' });
      expect(stored, name).toEqual([]);
    }
  });

  it('refuses an image type it cannot decode, and still takes a document', async () => {
    expect((await capture(ascii('II*\0 a scanner TIFF'), 'scan.tif', 'image/tiff')).error).toMatchObject({ code: 'unsupported-image' });
    expect((await capture(ascii('BM a bitmap'), 'map.bmp', 'image/bmp')).error).toMatchObject({ code: 'unsupported-image' });
    const pdf = await capture(ascii('%PDF-1.7 the water-fee agreement'), 'fees.pdf', 'application/pdf');
    expect(pdf.error).toBeNull();
    expect(pdf.stored).toHaveLength(1);
  });
});

describe('images the app cannot decode, told by their bytes', () => {
  const ftyp = (major: string, ...compatible: string[]) => concat(u32be(16 + 4 * compatible.length), ascii('ftyp'), ascii(major), u32be(0), ...compatible.map(ascii));

  it('knows HEIC, AVIF, TIFF, camera RAW and JPEG XL, and not a video, a PDF or a JPEG', () => {
    expect(readUndecodableImageFormat(ftyp('heic', 'mif1', 'heic'))).toBe('HEIC');
    expect(readUndecodableImageFormat(ftyp('mif1', 'heix'))).toBe('HEIC');
    expect(readUndecodableImageFormat(ftyp('avif', 'mif1', 'miaf'))).toBe('AVIF');
    expect(readUndecodableImageFormat(ftyp('crx ', 'isom'))).toBe('camera RAW');
    expect(readUndecodableImageFormat(ascii('II*\0\x08\0\0\0'))).toBe('TIFF');
    expect(readUndecodableImageFormat(ascii('MM\0*\0\0\0\x08'))).toBe('TIFF');
    expect(readUndecodableImageFormat(ascii('FUJIFILMCCD-RAW 0201'))).toBe('camera RAW');
    expect(readUndecodableImageFormat(Uint8Array.from([0xff, 0x0a, 0xfa, 0x7f]))).toBe('JPEG XL');
    expect(readUndecodableImageFormat(ftyp('isom', 'iso2', 'mp41'))).toBeNull();
    expect(readUndecodableImageFormat(ascii('%PDF-1.7'))).toBeNull();
    expect(readUndecodableImageFormat(Uint8Array.from([0xff, 0xd8, 0xff, 0xe0]))).toBeNull();
    expect(readUndecodableImageFormat(new Uint8Array(0))).toBeNull();
  });
});
