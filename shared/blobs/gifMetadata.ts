import { concatBytes } from './concatBytes';
import { MediaError } from './mediaError';

/*
 * Location and other metadata out of a GIF, without decoding it. A GIF is its header and screen
 * descriptor (with an optional colour table), then blocks: images (a descriptor, an optional
 * colour table, LZW data in sub-blocks) and extensions (a label, then sub-blocks), ended by the
 * trailer (3B). Cameras write no GIF, but an editor that made one from a photo may carry the
 * photo's XMP, GPS included, in an application extension, and comments hold any text.
 *
 * Stripping keeps images, graphic control (frame timing, transparency), plain text and the
 * looping extensions (NETSCAPE2.0, ANIMEXTS1.0), and drops comments, every other application
 * extension (XMP's "XMP DataXMP" among them) and anything after the trailer.
 */

const EXTENSION = 0x21;
const IMAGE = 0x2c;
const TRAILER = 0x3b;
const KEPT_EXTENSIONS = new Set([0xf9, 0x01]);
const LOOPING_APPLICATIONS = new Set(['NETSCAPE2.0', 'ANIMEXTS1.0']);

const cutShort = (): MediaError => new MediaError('malformed-image', 'the GIF ends inside a block');

/** The size of a colour table a packed field says follows, in bytes. */
const colourTableBytes = (packed: number): number => (packed & 0x80 ? 3 * 2 ** ((packed & 0x07) + 1) : 0);

/** Offset just past the sub-blocks starting at `at` (past their 0 terminator). */
function subBlocksEnd(bytes: Uint8Array, at: number): number {
  let offset = at;
  for (;;) {
    const size = bytes[offset];
    if (size === undefined) throw cutShort();
    offset += 1 + size;
    if (size === 0) return offset;
  }
}

/** The GIF without its comments and metadata extensions, nor anything after its trailer. Throws 'malformed-image' for a file that is no GIF or ends inside a block. */
export function stripGifMetadata(bytes: Uint8Array): Uint8Array {
  const signature = String.fromCharCode(...bytes.subarray(0, 6));
  if (signature !== 'GIF87a' && signature !== 'GIF89a') throw new MediaError('malformed-image', 'this file is not a GIF image (it does not start with GIF87a or GIF89a)');
  if (bytes.length < 13) throw cutShort();
  const screenEnd = 13 + colourTableBytes(bytes[10]!);
  const parts: Uint8Array[] = [bytes.subarray(0, screenEnd)];
  let at = screenEnd;
  for (;;) {
    const introducer = bytes[at];
    // Some encoders leave the trailer off after the last whole block; browsers show such a GIF.
    if (introducer === undefined || introducer === TRAILER) return concatBytes([...parts, Uint8Array.from([TRAILER])]);
    let end: number;
    let isKept = true;
    if (introducer === IMAGE) {
      const packed = bytes[at + 9];
      if (packed === undefined) throw cutShort();
      // Descriptor (10 bytes), colour table, LZW minimum code size, data.
      end = subBlocksEnd(bytes, at + 10 + colourTableBytes(packed) + 1);
    } else if (introducer === EXTENSION) {
      const label = bytes[at + 1];
      if (label === undefined) throw cutShort();
      end = subBlocksEnd(bytes, at + 2);
      const application = label === 0xff && bytes[at + 2] === 11 ? String.fromCharCode(...bytes.subarray(at + 3, at + 14)) : null;
      isKept = KEPT_EXTENSIONS.has(label) || (application !== null && LOOPING_APPLICATIONS.has(application));
    } else {
      throw new MediaError('malformed-image', `the GIF has stray bytes at offset ${at} where a block should start`);
    }
    if (end > bytes.length) throw cutShort();
    if (isKept) parts.push(bytes.subarray(at, end));
    at = end;
  }
}
