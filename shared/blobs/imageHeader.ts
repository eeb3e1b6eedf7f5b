import { isJpeg, jpegSegments } from './jpegMetadata';

/*
 * An image's size in pixels read from its header, before anything decodes it: a 30 KB PNG can
 * claim 50,000 x 50,000 pixels and take 10 GB to decode (a decompression bomb). The capture code
 * reads this first and refuses what would not fit (attachmentLimits.ts), so nothing is decoded
 * that a field laptop could not hold.
 */

export type ImageFormat = 'jpeg' | 'png' | 'gif' | 'webp';

export interface ImageHeader {
  readonly format: ImageFormat;
  /** As stored; a JPEG's EXIF orientation may turn it on its side when shown. */
  readonly widthPx: number;
  readonly heightPx: number;
}

const ascii = (bytes: Uint8Array, at: number, length: number): string => String.fromCharCode(...bytes.subarray(at, at + length));

/** Frame headers (SOFn): every C0-CF except DHT (C4), JPG (C8) and DAC (CC). */
const isStartOfFrame = (marker: number): boolean => marker >= 0xc0 && marker <= 0xcf && marker !== 0xc4 && marker !== 0xc8 && marker !== 0xcc;

function jpegHeader(bytes: Uint8Array): ImageHeader | null {
  const frame = jpegSegments(bytes).segments.find((segment) => isStartOfFrame(segment.marker));
  if (!frame || frame.end - frame.payloadStart < 5) return null;
  const at = frame.payloadStart;
  return { format: 'jpeg', heightPx: (bytes[at + 1]! << 8) | bytes[at + 2]!, widthPx: (bytes[at + 3]! << 8) | bytes[at + 4]! };
}

function webpHeader(bytes: Uint8Array, view: DataView): ImageHeader | null {
  const chunk = ascii(bytes, 12, 4);
  if (chunk === 'VP8X' && bytes.length >= 30) {
    const width = 1 + (bytes[24]! | (bytes[25]! << 8) | (bytes[26]! << 16));
    const height = 1 + (bytes[27]! | (bytes[28]! << 8) | (bytes[29]! << 16));
    return { format: 'webp', widthPx: width, heightPx: height };
  }
  if (chunk === 'VP8 ' && bytes.length >= 30) return { format: 'webp', widthPx: view.getUint16(26, true) & 0x3fff, heightPx: view.getUint16(28, true) & 0x3fff };
  if (chunk === 'VP8L' && bytes.length >= 25) {
    const bits = view.getUint32(21, true);
    return { format: 'webp', widthPx: (bits & 0x3fff) + 1, heightPx: ((bits >> 14) & 0x3fff) + 1 };
  }
  return null;
}

/** The file starts as a JPEG, PNG, GIF or WebP does, whether or not its header then reads. */
export function hasImageSignature(bytes: Uint8Array): boolean {
  const start = ascii(bytes, 0, 4);
  return isJpeg(bytes) || (bytes[0] === 0x89 && ascii(bytes, 1, 3) === 'PNG') || start === 'GIF8' || (start === 'RIFF' && ascii(bytes, 8, 4) === 'WEBP');
}

/** Images phones and cameras write that no browser the app runs in decodes reliably. */
export type UndecodableImageFormat = 'HEIC' | 'AVIF' | 'TIFF' | 'camera RAW' | 'JPEG XL';

const HEIF_BRANDS = new Set(['heic', 'heix', 'heim', 'heis', 'hevc', 'hevx', 'hevm', 'hevs', 'mif1', 'mif2', 'msf1']);
const AVIF_BRANDS = new Set(['avif', 'avis']);
const JXL_CONTAINER = [0x00, 0x00, 0x00, 0x0c, 0x4a, 0x58, 0x4c, 0x20, 0x0d, 0x0a, 0x87, 0x0a];

/** An ISO BMFF file's brands (the ftyp box's major and compatible brands), or none. */
function isoBrands(bytes: Uint8Array): string[] {
  if (bytes.length < 16 || ascii(bytes, 4, 4) !== 'ftyp') return [];
  const boxEnd = Math.min(bytes.length, new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength).getUint32(0));
  const brands = [ascii(bytes, 8, 4)];
  for (let at = 16; at + 4 <= boxEnd; at += 4) brands.push(ascii(bytes, at, 4));
  return brands;
}

/**
 * The kind of an image the app cannot decode, read from its first bytes (the file's type is not
 * to be trusted: a dropped HEIC often comes with none); null for any other file. Such an image
 * cannot be previewed, nor its location data removed, so capture refuses it.
 */
export function readUndecodableImageFormat(bytes: Uint8Array): UndecodableImageFormat | null {
  const brands = isoBrands(bytes);
  if (brands.some((brand) => AVIF_BRANDS.has(brand))) return 'AVIF';
  if (brands.some((brand) => HEIF_BRANDS.has(brand))) return 'HEIC';
  if (brands.includes('crx ')) return 'camera RAW';
  const start = ascii(bytes, 0, 4);
  // Classic and BigTIFF in either byte order; DNG, NEF, CR2 and ARW are TIFF inside.
  if (start === 'II*\0' || start === 'MM\0*' || start === 'II+\0' || start === 'MM\0+') return 'TIFF';
  // Olympus ORF, Panasonic RW2, Fujifilm RAF.
  if (start === 'IIRO' || start === 'IIRS' || start === 'MMOR' || start === 'IIU\0' || ascii(bytes, 0, 15) === 'FUJIFILMCCD-RAW') return 'camera RAW';
  if ((bytes[0] === 0xff && bytes[1] === 0x0a) || JXL_CONTAINER.every((value, index) => bytes[index] === value)) return 'JPEG XL';
  return null;
}

/** The format and pixel size of a JPEG, PNG, GIF or WebP; null for any other file or a header that does not read. */
export function readImageHeader(bytes: Uint8Array): ImageHeader | null {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  try {
    if (isJpeg(bytes)) return jpegHeader(bytes);
    if (bytes.length >= 24 && ascii(bytes, 1, 3) === 'PNG' && bytes[0] === 0x89 && ascii(bytes, 12, 4) === 'IHDR') {
      return { format: 'png', widthPx: view.getUint32(16), heightPx: view.getUint32(20) };
    }
    if (bytes.length >= 10 && (ascii(bytes, 0, 6) === 'GIF87a' || ascii(bytes, 0, 6) === 'GIF89a')) {
      return { format: 'gif', widthPx: view.getUint16(6, true), heightPx: view.getUint16(8, true) };
    }
    if (bytes.length >= 16 && ascii(bytes, 0, 4) === 'RIFF' && ascii(bytes, 8, 4) === 'WEBP') return webpHeader(bytes, view);
  } catch {
    // A JPEG cut short before its frame header: no size to read.
    return null;
  }
  return null;
}
