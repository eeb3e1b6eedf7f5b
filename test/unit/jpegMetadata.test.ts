import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readImageHeader } from '../../shared/blobs/imageHeader';
import { jpegSegments, readJpegExif, stripJpegMetadata } from '../../shared/blobs/jpegMetadata';
import { MediaError } from '../../shared/blobs/mediaError';
import { withExif } from '../support/exifJpeg';

// A real JPEG from Chromium's encoder (64 x 48, JFIF APP0 and an ICC profile in APP2).
const fixture = new Uint8Array(readFileSync(join(import.meta.dirname, '../fixtures/media/gradient-64x48.jpg')));
const phone = { make: 'HUAWEI', model: 'Mate 20 X', orientation: 1, latitude: 27.7136, longitude: -100.5023 };

function expectMediaError(run: () => unknown, code: MediaError['code']): void {
  let caught: unknown = null;
  try {
    run();
  } catch (error) {
    caught = error;
  }
  expect(caught).toBeInstanceOf(MediaError);
  expect(caught).toMatchObject({ code });
}

describe('removing location and camera data from a JPEG', () => {
  it('reads the GPS position and camera a phone wrote', () => {
    const exif = readJpegExif(withExif(fixture, phone));
    expect(exif).toMatchObject({ make: 'HUAWEI', model: 'Mate 20 X', orientation: 1, hasGps: true });
    expect(exif!.gps!.latitude).toBeCloseTo(27.7136, 4);
    expect(exif!.gps!.longitude).toBeCloseTo(-100.5023, 4);
  });

  it('removes the GPS block and the camera, leaving the picture byte for byte', () => {
    const tagged = withExif(fixture, phone);
    const stripped = stripJpegMetadata(tagged);
    expect(readJpegExif(stripped)).toBeNull();
    // Upright: nothing of EXIF is needed, and the result is the JPEG before the phone tagged it.
    expect(stripped).toEqual(fixture);
    expect(readImageHeader(stripped)).toEqual({ format: 'jpeg', widthPx: 64, heightPx: 48 });
  });

  it('keeps a turned photo turned: the orientation stays, alone', () => {
    const stripped = stripJpegMetadata(withExif(fixture, { ...phone, orientation: 6 }));
    expect(readJpegExif(stripped)).toEqual({ orientation: 6, make: null, model: null, hasGps: false, gps: null });
    const { segments } = jpegSegments(stripped);
    // JFIF's APP0 still comes first, then the orientation.
    expect(segments.slice(0, 2).map((segment) => segment.marker)).toEqual([0xe0, 0xe1]);
    expect(stripped.subarray(stripped.length - 200)).toEqual(fixture.subarray(fixture.length - 200));
  });

  it('removes XMP, IPTC, maker segments and comments too', () => {
    const segment = (marker: number, text: string) => {
      const payload = new TextEncoder().encode(text);
      return Uint8Array.from([0xff, marker, (payload.length + 2) >> 8, (payload.length + 2) & 0xff, ...payload]);
    };
    const extras = [segment(0xe1, 'http://ns.adobe.com/xap/1.0/\0<x:xmpmeta exif:GPSLatitude="27,42.8N"/>'), segment(0xed, 'Photoshop 3.0\0 IPTC city'), segment(0xe9, 'maker serial 1234'), segment(0xfe, 'Taken at grandmother Li house')];
    const app0End = 4 + ((fixture[4]! << 8) | fixture[5]!);
    const tagged = new Uint8Array([...fixture.subarray(0, app0End), ...extras.flatMap((part) => [...part]), ...fixture.subarray(app0End)]);
    const stripped = stripJpegMetadata(tagged);
    expect(stripped).toEqual(fixture);
    expect(new TextDecoder().decode(stripped)).not.toContain('grandmother');
  });

  it('drops a second picture after the first EOI (multi-picture, motion photo), with its GPS', () => {
    const twoPictures = new Uint8Array([...withExif(fixture, phone), ...withExif(fixture, phone), ...new TextEncoder().encode('MotionPhoto_Data')]);
    const stripped = stripJpegMetadata(twoPictures);
    expect(stripped).toEqual(fixture);
    expect(Buffer.from(stripped).indexOf(Buffer.from('Mate 20 X'))).toBe(-1);
  });

  it('drops application segments and comments after the first scan, and ends a picture cut short with EOI', () => {
    const eoiAt = fixture.length - 2;
    const comment = Uint8Array.from([0xff, 0xfe, 0x00, 0x0b, ...new TextEncoder().encode('GPS 27.7N')]);
    const commented = new Uint8Array([...fixture.subarray(0, eoiAt), ...comment, ...fixture.subarray(eoiAt)]);
    expect(stripJpegMetadata(commented)).toEqual(fixture);
    expect(stripJpegMetadata(fixture.subarray(0, eoiAt))).toEqual(fixture);
    // A second SOI with no EOI before it: the first picture ends there.
    expect(stripJpegMetadata(new Uint8Array([...fixture.subarray(0, eoiAt), ...withExif(fixture, phone)]))).toEqual(fixture);
  });

  it('refuses a file that is no JPEG, and one cut short inside a segment', () => {
    expectMediaError(() => stripJpegMetadata(new TextEncoder().encode('GIF89a not a jpeg')), 'malformed-image');
    const tagged = withExif(fixture, phone);
    expectMediaError(() => stripJpegMetadata(tagged.subarray(0, 40)), 'malformed-image');
  });

  it('reads EXIF that points past its segment as no EXIF, and strips it all the same', () => {
    const tagged = withExif(fixture, phone);
    // The GPS pointer (IFD0's fourth entry) aimed far outside the segment.
    const exifAt = 4 + ((fixture[4]! << 8) | fixture[5]!);
    const tiffAt = exifAt + 10;
    const gpsEntryAt = tiffAt + 8 + 2 + 3 * 12;
    new DataView(tagged.buffer).setUint32(gpsEntryAt + 8, 0x7fff0000, true);
    expect(readJpegExif(tagged)).toBeNull();
    expect(stripJpegMetadata(tagged)).toEqual(fixture);
  });
});
