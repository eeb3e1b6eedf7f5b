import { concatBytes } from './concatBytes';
import { MediaError } from './mediaError';

/*
 * Location and camera data out of a JPEG, at the byte level, without decoding or re-encoding the
 * picture (so the original keeps every pixel and its quality). A photo's EXIF can hold where it
 * was taken (GPS) to a few metres: where a knowledge holder lives. Issue 18 removes it by default.
 *
 * A JPEG is a run of marker segments (FF xx, a 2-byte big-endian length that counts itself, the
 * payload) up to the first scan (SOS), then entropy-coded data. Stripping keeps what decoding and
 * colour need (the tables, the frame header, JFIF APP0, ICC profiles in APP2, Adobe APP14) and
 * drops every other application segment and comment: EXIF and XMP (APP1) and Photoshop/IPTC
 * (APP13) all can carry GPS, and maker segments carry the camera's serial number. From the first
 * scan on, only what decodes the picture is copied: entropy-coded data and the tables between a
 * progressive JPEG's scans, up to the first EOI. Application segments and comments there are
 * dropped too, and so is everything after EOI: phones append whole second pictures (a multi-picture
 * depth or gain map, a motion photo's video), each with EXIF and GPS of its own.
 *
 * One thing of EXIF is kept: the orientation, as a new 1-entry EXIF segment, because without it a
 * portrait photo from a phone shows on its side.
 */

const SOI = 0xd8;
const EOI = 0xd9;
const SOS = 0xda;
const APP0 = 0xe0;
const APP1 = 0xe1;
const APP2 = 0xe2;
const APP14 = 0xee;
const COM = 0xfe;
/** Segments that may stand between a progressive JPEG's scans (and DNL after one). */
const BETWEEN_SCANS = new Set([0xc4, 0xcc, 0xdb, 0xdc, 0xdd, SOS]);

const isApplicationOrComment = (marker: number): boolean => (marker >= APP0 && marker <= 0xef) || marker === COM;

/** Markers that stand alone, without a length: TEM and the restart markers. */
const isStandalone = (marker: number): boolean => marker === 0x01 || (marker >= 0xd0 && marker <= 0xd7);

interface Segment {
  readonly marker: number;
  /** Offset of the FF that starts the segment. */
  readonly start: number;
  /** Offset just past the segment. */
  readonly end: number;
  /** Offset of the payload (after the length). */
  readonly payloadStart: number;
}

export function isJpeg(bytes: Uint8Array): boolean {
  return bytes.length >= 3 && bytes[0] === 0xff && bytes[1] === SOI && bytes[2] === 0xff;
}

/**
 * The marker segments before the first scan, and where the scan starts (the SOS segment's offset,
 * or the file's end when there is none). Throws 'malformed-image' for a file that is no JPEG or
 * whose segments run past its end.
 */
export function jpegSegments(bytes: Uint8Array): { segments: Segment[]; scanStart: number } {
  if (!isJpeg(bytes)) throw new MediaError('malformed-image', 'this file is not a JPEG image (it does not start with FF D8)');
  const segments: Segment[] = [];
  let offset = 2;
  while (offset < bytes.length) {
    if (bytes[offset] !== 0xff) throw new MediaError('malformed-image', `the JPEG has stray bytes at offset ${offset} where a marker should be`);
    let markerAt = offset + 1;
    // Any number of FF fill bytes may come before a marker.
    while (bytes[markerAt] === 0xff) markerAt += 1;
    const marker = bytes[markerAt];
    if (marker === undefined) break;
    if (marker === SOS || marker === EOI) return { segments, scanStart: offset };
    if (isStandalone(marker)) {
      segments.push({ marker, start: offset, end: markerAt + 1, payloadStart: markerAt + 1 });
      offset = markerAt + 1;
      continue;
    }
    if (markerAt + 2 >= bytes.length) throw new MediaError('malformed-image', 'the JPEG ends inside a segment header');
    const length = (bytes[markerAt + 1]! << 8) | bytes[markerAt + 2]!;
    const end = markerAt + 1 + length;
    if (length < 2 || end > bytes.length) throw new MediaError('malformed-image', `the JPEG's segment FF${marker.toString(16).toUpperCase()} at offset ${offset} runs past the end of the file`);
    segments.push({ marker, start: offset, end, payloadStart: markerAt + 3 });
    offset = end;
  }
  return { segments, scanStart: bytes.length };
}

const EXIF_HEADER = [0x45, 0x78, 0x69, 0x66, 0x00, 0x00]; // "Exif\0\0"

const startsWith = (bytes: Uint8Array, at: number, prefix: readonly number[]): boolean => prefix.every((value, index) => bytes[at + index] === value);

const isExifSegment = (bytes: Uint8Array, segment: Segment): boolean => segment.marker === APP1 && startsWith(bytes, segment.payloadStart, EXIF_HEADER);

/** What a JPEG's EXIF says about where and with what it was taken; null fields where it says nothing. */
export interface ExifSummary {
  /** 1 (upright) to 8; null without one. */
  readonly orientation: number | null;
  readonly make: string | null;
  readonly model: string | null;
  /** The EXIF holds a GPS block (even one without coordinates). */
  readonly hasGps: boolean;
  /** Decimal degrees, south and west negative; null without both coordinates. */
  readonly gps: { readonly latitude: number; readonly longitude: number } | null;
}

const TYPE_SIZES: Readonly<Record<number, number>> = { 1: 1, 2: 1, 3: 2, 4: 4, 5: 8, 7: 1, 9: 4, 10: 8 };

/** A TIFF structure (EXIF's body) read with bounds checks; any read past its end throws. */
class TiffReader {
  constructor(
    private readonly view: DataView,
    private readonly isLittleEndian: boolean,
  ) {}

  u16(at: number): number {
    return this.view.getUint16(at, this.isLittleEndian);
  }

  u32(at: number): number {
    return this.view.getUint32(at, this.isLittleEndian);
  }

  /** Tag -> the entry's (type, count, offset of its value). */
  ifd(at: number): Map<number, { type: number; count: number; valueAt: number }> {
    const entries = new Map<number, { type: number; count: number; valueAt: number }>();
    const count = this.u16(at);
    for (let index = 0; index < count; index += 1) {
      const entryAt = at + 2 + index * 12;
      const type = this.u16(entryAt + 2);
      const valueCount = this.u32(entryAt + 4);
      const size = (TYPE_SIZES[type] ?? 1) * valueCount;
      entries.set(this.u16(entryAt), { type, count: valueCount, valueAt: size <= 4 ? entryAt + 8 : this.u32(entryAt + 8) });
    }
    return entries;
  }

  ascii(entry: { count: number; valueAt: number } | undefined): string | null {
    if (!entry) return null;
    let text = '';
    for (let index = 0; index < entry.count; index += 1) {
      const code = this.view.getUint8(entry.valueAt + index);
      if (code === 0) break;
      text += String.fromCharCode(code);
    }
    return text;
  }

  rationals(entry: { count: number; valueAt: number } | undefined): number[] | null {
    if (!entry) return null;
    const values: number[] = [];
    for (let index = 0; index < entry.count; index += 1) {
      const denominator = this.u32(entry.valueAt + index * 8 + 4);
      values.push(denominator === 0 ? 0 : this.u32(entry.valueAt + index * 8) / denominator);
    }
    return values;
  }
}

function degrees(parts: number[] | null, ref: string | null): number | null {
  if (!parts || parts.length < 3 || ref === null) return null;
  const value = parts[0]! + parts[1]! / 60 + parts[2]! / 3600;
  return ref === 'S' || ref === 'W' ? -value : value;
}

function summarizeExif(bytes: Uint8Array, segment: Segment): ExifSummary | null {
  const tiffStart = segment.payloadStart + EXIF_HEADER.length;
  const view = new DataView(bytes.buffer, bytes.byteOffset + tiffStart, segment.end - tiffStart);
  if (view.byteLength < 8) return null;
  const order = view.getUint16(0);
  if (order !== 0x4949 && order !== 0x4d4d) return null;
  const tiff = new TiffReader(view, order === 0x4949);
  try {
    const ifd0 = tiff.ifd(tiff.u32(4));
    const orientationEntry = ifd0.get(0x0112);
    const gpsPointer = ifd0.get(0x8825);
    let gps: ExifSummary['gps'] = null;
    if (gpsPointer) {
      const gpsIfd = tiff.ifd(tiff.u32(gpsPointer.valueAt));
      const latitude = degrees(tiff.rationals(gpsIfd.get(0x0002)), tiff.ascii(gpsIfd.get(0x0001)));
      const longitude = degrees(tiff.rationals(gpsIfd.get(0x0004)), tiff.ascii(gpsIfd.get(0x0003)));
      if (latitude !== null && longitude !== null) gps = { latitude, longitude };
    }
    return {
      orientation: orientationEntry ? tiff.u16(orientationEntry.valueAt) : null,
      make: tiff.ascii(ifd0.get(0x010f)),
      model: tiff.ascii(ifd0.get(0x0110)),
      hasGps: gpsPointer !== undefined,
      gps,
    };
  } catch {
    // A read past the segment's end (RangeError): EXIF this reader cannot follow.
    return null;
  }
}

/** The EXIF of a JPEG (its first EXIF segment), or null where it has none that reads. */
export function readJpegExif(bytes: Uint8Array): ExifSummary | null {
  const { segments } = jpegSegments(bytes);
  const exif = segments.find((segment) => isExifSegment(bytes, segment));
  return exif ? summarizeExif(bytes, exif) : null;
}

/** An APP1 EXIF segment holding only IFD0's Orientation tag (big-endian TIFF). */
function orientationSegment(orientation: number): Uint8Array {
  const tiff = [0x4d, 0x4d, 0x00, 0x2a, 0x00, 0x00, 0x00, 0x08, 0x00, 0x01, 0x01, 0x12, 0x00, 0x03, 0x00, 0x00, 0x00, 0x01, 0x00, orientation, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00];
  const length = 2 + EXIF_HEADER.length + tiff.length;
  return Uint8Array.from([0xff, APP1, length >> 8, length & 0xff, ...EXIF_HEADER, ...tiff]);
}

const isKeptSegment = (bytes: Uint8Array, segment: Segment): boolean => {
  const { marker } = segment;
  if (marker === APP0 || marker === APP14) return true;
  // ICC colour profiles only; APP2 also carries FlashPix and multi-picture data.
  if (marker === APP2) return startsWith(bytes, segment.payloadStart, [0x49, 0x43, 0x43, 0x5f, 0x50, 0x52, 0x4f, 0x46, 0x49, 0x4c, 0x45, 0x00]);
  // Every other APPn (E0-EF) and comments (FE) go; tables and frame headers stay.
  return !isApplicationOrComment(marker);
};

/**
 * The parts of the JPEG from its first scan to its first EOI (included) that decode the picture.
 * A marker no scan may be followed by (a second SOI, a frame header) ends the picture there, and
 * an EOI is written for it: what follows is another image, not this one.
 */
function scanParts(bytes: Uint8Array, scanStart: number): Uint8Array[] {
  const parts: Uint8Array[] = [];
  let keptFrom = scanStart;
  let at = scanStart;
  while (at < bytes.length) {
    const ff = bytes.indexOf(0xff, at);
    if (ff === -1) break;
    let markerAt = ff + 1;
    while (bytes[markerAt] === 0xff) markerAt += 1;
    const marker = bytes[markerAt];
    if (marker === undefined) break;
    // A stuffed FF 00 and the restart markers belong to the entropy-coded data.
    if (marker === 0x00 || (marker >= 0xd0 && marker <= 0xd7)) {
      at = markerAt + 1;
      continue;
    }
    if (marker === EOI) {
      parts.push(bytes.subarray(keptFrom, markerAt + 1));
      return parts;
    }
    if (!BETWEEN_SCANS.has(marker) && !isApplicationOrComment(marker)) break;
    if (markerAt + 2 >= bytes.length) throw new MediaError('malformed-image', 'the JPEG ends inside a segment header');
    const end = markerAt + 1 + ((bytes[markerAt + 1]! << 8) | bytes[markerAt + 2]!);
    if (end < markerAt + 3 || end > bytes.length) throw new MediaError('malformed-image', `the JPEG's segment FF${marker.toString(16).toUpperCase()} at offset ${ff} runs past the end of the file`);
    if (isApplicationOrComment(marker)) {
      parts.push(bytes.subarray(keptFrom, ff));
      keptFrom = end;
    }
    at = end;
  }
  // No EOI: the picture ends where its data stops reading as this picture's.
  const stop = at < bytes.length ? bytes.indexOf(0xff, at) : bytes.length;
  parts.push(bytes.subarray(keptFrom, stop === -1 ? bytes.length : stop), Uint8Array.from([0xff, EOI]));
  return parts;
}

/**
 * The JPEG without its location and camera data: every EXIF, XMP, IPTC and maker segment and
 * every comment removed, the orientation kept, nothing after the first picture's EOI. The
 * picture's bytes are untouched. Throws
 * 'malformed-image' for a file that is no JPEG or is cut short.
 */
export function stripJpegMetadata(bytes: Uint8Array): Uint8Array {
  const { segments, scanStart } = jpegSegments(bytes);
  const exif = segments.find((segment) => isExifSegment(bytes, segment));
  const orientation = exif ? summarizeExif(bytes, exif)?.orientation ?? null : null;
  const parts: Uint8Array[] = [bytes.subarray(0, 2)];
  let isOrientationWritten = orientation === null || orientation < 2 || orientation > 8;
  for (const segment of segments) {
    if (!isKeptSegment(bytes, segment)) continue;
    // JFIF's APP0 must come first; the orientation goes right after it, or first without one.
    if (!isOrientationWritten && segment.marker !== APP0) {
      parts.push(orientationSegment(orientation!));
      isOrientationWritten = true;
    }
    parts.push(bytes.subarray(segment.start, segment.end));
  }
  if (!isOrientationWritten) parts.push(orientationSegment(orientation!));
  parts.push(...scanParts(bytes, scanStart));
  return concatBytes(parts);
}
