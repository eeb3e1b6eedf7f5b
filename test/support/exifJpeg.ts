/*
 * A JPEG with EXIF location and camera data, as a phone writes it: an APP1 "Exif" segment with
 * IFD0 (Make, Model, Orientation, a pointer to the GPS IFD) and a GPS IFD (latitude and longitude
 * as degrees/minutes/seconds rationals, with their N/S and E/W references), in little-endian TIFF
 * as most phones write it. Tests put it into a real JPEG (a fixture made by Chromium's encoder, or
 * one the page encodes) to check that the stripper removes it and that nothing else changes.
 */

export interface ExifFields {
  readonly make: string;
  readonly model: string;
  readonly orientation: number;
  readonly latitude: number;
  readonly longitude: number;
}

function dms(value: number): [number, number][] {
  const abs = Math.abs(value);
  const degrees = Math.floor(abs);
  const minutes = Math.floor((abs - degrees) * 60);
  const seconds = Math.round(((abs - degrees) * 60 - minutes) * 60 * 10_000);
  return [
    [degrees, 1],
    [minutes, 1],
    [seconds, 10_000],
  ];
}

/** The APP1 segment (FF E1, length, "Exif\0\0", TIFF). */
export function exifSegment(fields: ExifFields): Uint8Array {
  const tiff = new DataView(new ArrayBuffer(512));
  const le = true;
  let dataAt = 0;
  const bytes = new Uint8Array(tiff.buffer);
  tiff.setUint16(0, 0x4949);
  tiff.setUint16(2, 42, le);
  tiff.setUint32(4, 8, le);

  const writeIfd = (at: number, entries: [tag: number, type: number, count: number, value: (valueAt: number) => void, inlineSize: number][]): number => {
    tiff.setUint16(at, entries.length, le);
    let extra = at + 2 + entries.length * 12 + 4;
    entries.forEach(([tag, type, count, write, size], index) => {
      const entryAt = at + 2 + index * 12;
      tiff.setUint16(entryAt, tag, le);
      tiff.setUint16(entryAt + 2, type, le);
      tiff.setUint32(entryAt + 4, count, le);
      if (size <= 4) write(entryAt + 8);
      else {
        tiff.setUint32(entryAt + 8, extra, le);
        write(extra);
        extra += size + (size % 2);
      }
    });
    tiff.setUint32(at + 2 + entries.length * 12, 0, le);
    return extra;
  };
  const ascii = (text: string) => (at: number) => {
    for (let index = 0; index < text.length; index += 1) bytes[at + index] = text.charCodeAt(index);
    bytes[at + text.length] = 0;
  };
  const rationals = (values: [number, number][]) => (at: number) =>
    values.forEach(([numerator, denominator], index) => {
      tiff.setUint32(at + index * 8, numerator, le);
      tiff.setUint32(at + index * 8 + 4, denominator, le);
    });

  let gpsPointerAt = 0;
  const afterIfd0 = writeIfd(8, [
    [0x010f, 2, fields.make.length + 1, ascii(fields.make), fields.make.length + 1],
    [0x0110, 2, fields.model.length + 1, ascii(fields.model), fields.model.length + 1],
    [0x0112, 3, 1, (at) => tiff.setUint16(at, fields.orientation, le), 2],
    [0x8825, 4, 1, (at) => (gpsPointerAt = at), 4],
  ]);
  tiff.setUint32(gpsPointerAt, afterIfd0, le);
  dataAt = writeIfd(afterIfd0, [
    [0x0001, 2, 2, ascii(fields.latitude < 0 ? 'S' : 'N'), 2],
    [0x0002, 5, 3, rationals(dms(fields.latitude)), 24],
    [0x0003, 2, 2, ascii(fields.longitude < 0 ? 'W' : 'E'), 2],
    [0x0004, 5, 3, rationals(dms(fields.longitude)), 24],
  ]);

  const header = [0x45, 0x78, 0x69, 0x66, 0, 0];
  const length = 2 + header.length + dataAt;
  return Uint8Array.from([0xff, 0xe1, length >> 8, length & 0xff, ...header, ...bytes.subarray(0, dataAt)]);
}

/** `jpeg` with an EXIF segment inserted after its JFIF APP0 (or after SOI without one). */
export function withExif(jpeg: Uint8Array, fields: ExifFields): Uint8Array {
  const hasApp0 = jpeg[2] === 0xff && jpeg[3] === 0xe0;
  const at = hasApp0 ? 4 + ((jpeg[4]! << 8) | jpeg[5]!) : 2;
  const segment = exifSegment(fields);
  const out = new Uint8Array(jpeg.length + segment.length);
  out.set(jpeg.subarray(0, at));
  out.set(segment, at);
  out.set(jpeg.subarray(at), at + segment.length);
  return out;
}
