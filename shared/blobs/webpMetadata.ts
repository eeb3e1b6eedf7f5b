import { concatBytes } from './concatBytes';
import { MediaError } from './mediaError';

/*
 * Location and camera data out of a WebP, without decoding it. A WebP is a RIFF file: "RIFF", the
 * little-endian size of what follows, "WEBP", then chunks (4-character code, little-endian data
 * size, data, a pad byte to an even length). An extended WebP starts with VP8X, whose flags say
 * whether EXIF and XMP chunks follow; both can hold GPS.
 *
 * Stripping keeps the chunks that make the picture (VP8X, VP8, VP8L, ALPH, ANIM, ANMF, ICCP) and
 * drops the rest (EXIF, XMP and any chunk nobody here knows), clears VP8X's EXIF and XMP flags,
 * and writes the RIFF size of what is left. Bytes after the RIFF's end are no part of it.
 */

const KEPT = new Set(['VP8X', 'VP8 ', 'VP8L', 'ALPH', 'ANIM', 'ANMF', 'ICCP']);
const IMAGE_STARTS = new Set(['VP8X', 'VP8 ', 'VP8L']);
const VP8X_EXIF_FLAG = 0x08;
const VP8X_XMP_FLAG = 0x04;

export interface WebpChunk {
  readonly type: string;
  /** Offset of the chunk's code. */
  readonly start: number;
  /** Offset just past its data and pad byte. */
  readonly end: number;
}

const ascii = (bytes: Uint8Array, at: number): string => String.fromCharCode(...bytes.subarray(at, at + 4));

/**
 * The chunks of a WebP within its RIFF size. Throws 'malformed-image' for a file that is no WebP,
 * is shorter than its RIFF size says, or whose chunks run past that size.
 */
export function webpChunks(bytes: Uint8Array): WebpChunk[] {
  if (bytes.length < 12 || ascii(bytes, 0) !== 'RIFF' || ascii(bytes, 8) !== 'WEBP') throw new MediaError('malformed-image', 'this file is not a WebP image (it does not start with RIFF....WEBP)');
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const riffEnd = 8 + view.getUint32(4, true);
  if (riffEnd > bytes.length) throw new MediaError('malformed-image', `the WebP says it is ${riffEnd} bytes long and is ${bytes.length}`);
  const chunks: WebpChunk[] = [];
  let at = 12;
  while (at < riffEnd) {
    if (at + 8 > riffEnd) throw new MediaError('malformed-image', `the WebP ends inside a chunk header at offset ${at}`);
    const type = ascii(bytes, at);
    const size = view.getUint32(at + 4, true);
    // The last chunk's pad byte may be missing; its data may not.
    const end = Math.min(at + 8 + size + (size % 2), riffEnd);
    if (at + 8 + size > riffEnd) throw new MediaError('malformed-image', `the WebP's ${JSON.stringify(type)} chunk at offset ${at} runs past the end of the file`);
    if (chunks.length === 0 && !IMAGE_STARTS.has(type)) throw new MediaError('malformed-image', `the WebP starts with ${JSON.stringify(type)}, not VP8, VP8L or VP8X`);
    chunks.push({ type, start: at, end });
    at = end;
  }
  if (chunks.length === 0) throw new MediaError('malformed-image', 'the WebP holds no picture');
  return chunks;
}

/** The WebP without its EXIF and XMP chunks (and chunks nobody here knows). Throws 'malformed-image' as webpChunks does. */
export function stripWebpMetadata(bytes: Uint8Array): Uint8Array {
  const kept = webpChunks(bytes)
    .filter(({ type }) => KEPT.has(type))
    .map(({ type, start, end }) => {
      const chunk = bytes.slice(start, end);
      // VP8X: the flags are the first byte of its data.
      if (type === 'VP8X' && chunk.length > 8) chunk[8] = chunk[8]! & ~(VP8X_EXIF_FLAG | VP8X_XMP_FLAG);
      return chunk;
    });
  const body = concatBytes([bytes.subarray(8, 12), ...kept]);
  const header = new Uint8Array(8);
  header.set(bytes.subarray(0, 4));
  new DataView(header.buffer).setUint32(4, body.length, true);
  return concatBytes([header, body]);
}
