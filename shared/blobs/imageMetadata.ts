import { stripGifMetadata } from './gifMetadata';
import type { ImageFormat } from './imageHeader';
import { stripJpegMetadata } from './jpegMetadata';
import { stripPngMetadata } from './pngMetadata';
import { stripWebpMetadata } from './webpMetadata';

/*
 * One stripper for each image format the app takes as a photo: a format added to ImageFormat
 * does not compile until it says here how its location and camera data come out.
 */
const strippers: Readonly<Record<ImageFormat, (bytes: Uint8Array) => Uint8Array>> = {
  jpeg: stripJpegMetadata,
  png: stripPngMetadata,
  webp: stripWebpMetadata,
  gif: stripGifMetadata,
};

/** The image without its location and camera data. Throws 'malformed-image' for bytes that do not read as `format`. */
export function stripImageMetadata(bytes: Uint8Array, format: ImageFormat): Uint8Array {
  return strippers[format](bytes);
}
