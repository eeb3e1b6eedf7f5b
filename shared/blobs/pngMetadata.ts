import { concatBytes } from './concatBytes';
import { MediaError } from './mediaError';

/*
 * Location and camera data out of a PNG, without decoding it. A PNG is its 8-byte signature and a
 * run of chunks (4-byte big-endian length of the data, 4-letter type, data, CRC of type and data)
 * from IHDR to IEND. EXIF (eXIf, GPS and camera) and XMP (in iTXt, or tEXt/zTXt as editors write
 * it) can say where a photo was taken; text chunks carry whatever the camera or editor wrote.
 *
 * Stripping keeps what decoding, colour and animation need and drops every other chunk: a list of
 * what stays, not of what goes, so a chunk type nobody here knows (a vendor's, C2PA's caBX) goes
 * too. Each chunk's CRC covers only that chunk, so the kept ones are copied as they are.
 */

const SIGNATURE = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];

/**
 * Ancillary chunks that change how the picture shows: transparency, gamma and colour space, pixel
 * size, background, APNG frames. Critical chunks (an upper-case first letter: IHDR, PLTE, IDAT,
 * IEND) always stay; a decoder must refuse a file whose critical chunk it does not know.
 */
const KEPT_ANCILLARY = new Set(['tRNS', 'gAMA', 'cHRM', 'sRGB', 'iCCP', 'sBIT', 'cICP', 'mDCv', 'cLLi', 'pHYs', 'bKGD', 'acTL', 'fcTL', 'fdAT']);

export interface PngChunk {
  readonly type: string;
  /** Offset of the chunk's length field. */
  readonly start: number;
  /** Offset just past its CRC. */
  readonly end: number;
}

const isChunkType = (type: string): boolean => /^[A-Za-z]{4}$/.test(type);

const isCritical = (type: string): boolean => type.charCodeAt(0) < 0x61;

/**
 * The chunks of a PNG from IHDR to IEND; bytes after IEND are no part of it. Throws
 * 'malformed-image' for a file that is no PNG, whose chunks run past its end, or that ends before
 * IEND.
 */
export function pngChunks(bytes: Uint8Array): PngChunk[] {
  if (!SIGNATURE.every((value, index) => bytes[index] === value)) throw new MediaError('malformed-image', 'this file is not a PNG image (its signature is missing)');
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const chunks: PngChunk[] = [];
  let at = SIGNATURE.length;
  while (at + 12 <= bytes.length) {
    const type = String.fromCharCode(...bytes.subarray(at + 4, at + 8));
    const end = at + 12 + view.getUint32(at);
    if (!isChunkType(type)) throw new MediaError('malformed-image', `the PNG has no chunk type at offset ${at}`);
    if (end > bytes.length) throw new MediaError('malformed-image', `the PNG's ${type} chunk at offset ${at} runs past the end of the file`);
    if (chunks.length === 0 && type !== 'IHDR') throw new MediaError('malformed-image', `the PNG starts with ${type}, not IHDR`);
    chunks.push({ type, start: at, end });
    if (type === 'IEND') return chunks;
    at = end;
  }
  throw new MediaError('malformed-image', 'the PNG ends before its IEND chunk');
}

/** The PNG without its EXIF, XMP, text and time chunks, nor anything after IEND. Throws 'malformed-image' as pngChunks does. */
export function stripPngMetadata(bytes: Uint8Array): Uint8Array {
  const kept = pngChunks(bytes).filter(({ type }) => isCritical(type) || KEPT_ANCILLARY.has(type));
  return concatBytes([bytes.subarray(0, SIGNATURE.length), ...kept.map(({ start, end }) => bytes.subarray(start, end))]);
}
