import { deflateSync } from 'node:zlib';
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { describeBlob } from '../../shared/blobs/describeBlob';
import { MemoryDeviceBlobStore } from '../../shared/blobs/memoryDeviceBlobStore';
import { openClient, type FieldwiseClient } from '../../shared/client/client';
import { entryMutators, type EntryInput } from '../../shared/records/entry';
import { buildReport } from '../../shared/reports/buildReport';
import { exportReportText } from '../../shared/reports/exportReport';
import { lastHeardFrom } from '../../shared/reports/lastHeardFrom';
import { MAX_EMBEDDED_PHOTO_BYTES } from '../../shared/reports/reportAttachments';
import { loadReportData } from '../../shared/reports/reportData';
import { loadReportPhotos } from '../../shared/reports/reportPhotos';
import { memoryStorage } from '../../shared/store/memoryStorage';
import { uniqueName } from '../support/clients';
import { reportLocale } from './reportsFixture';

/*
 * Attack (bundles pass, reports): a report embeds "a preview, else a thumbnail; never the original
 * (a report stays a few megabytes, and an original may keep location data)", and only renditions
 * of at most MAX_EMBEDDED_PHOTO_BYTES. Both rules are checked against the size and variant a
 * record *claims* (photoSources), never against the bytes read (dataUrlOf checks only the hash and
 * the image header). Any record on the device (a peer organization's, or a careless import) that
 * names another photo's ORIGINAL as its preview, with a small size, gets that original embedded
 * whole: the 3 MiB PNG here, eXIf location chunk and all, printed into the HTML/PDF of a report
 * whose owner chose `keepsLocation` only for the network, never for paper.
 */

const pause = () => Promise.resolve();

function crc32(bytes: Uint8Array): number {
  let crc = ~0;
  for (const byte of bytes) {
    crc ^= byte;
    for (let k = 0; k < 8; k++) crc = (crc >>> 1) ^ (0xedb88320 & -(crc & 1));
  }
  return ~crc >>> 0;
}

function chunk(type: string, data: Uint8Array): Uint8Array {
  const out = new Uint8Array(12 + data.length);
  const view = new DataView(out.buffer);
  view.setUint32(0, data.length);
  out.set(new TextEncoder().encode(type), 4);
  out.set(data, 8);
  view.setUint32(8 + data.length, crc32(out.subarray(4, 8 + data.length)));
  return out;
}

/** A PNG of `side` px square whose pixels are noise (so it stays big), with an eXIf chunk of "GPS". */
function noisyPng(side: number, exif?: string): Uint8Array {
  const header = new Uint8Array(13);
  const view = new DataView(header.buffer);
  view.setUint32(0, side);
  view.setUint32(4, side);
  header.set([8, 2, 0, 0, 0], 8);
  const raw = new Uint8Array(side * (1 + side * 3));
  const noise = randomBytes(raw.length);
  for (let row = 0; row < side; row++) {
    raw[row * (1 + side * 3)] = 0;
    raw.set(noise.subarray(row * (1 + side * 3) + 1, (row + 1) * (1 + side * 3)), row * (1 + side * 3) + 1);
  }
  const parts = [new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), chunk('IHDR', header), ...(exif ? [chunk('eXIf', new TextEncoder().encode(exif))] : []), chunk('IDAT', new Uint8Array(deflateSync(raw))), chunk('IEND', new Uint8Array())];
  const out = new Uint8Array(parts.reduce((sum, part) => sum + part.length, 0));
  let at = 0;
  for (const part of parts) {
    out.set(part, at);
    at += part.length;
  }
  return out;
}

const shared: EntryInput = {
  kind: 'practice',
  title: '',
  language: 'en',
  attribution: { holderKind: 'community', holderName: 'Fengyu village', consent: 'community-approved' },
  sharing: 'network',
};

describe('a report never embeds an original, nor more than a preview can weigh', () => {
  let client: FieldwiseClient;
  const store = new MemoryDeviceBlobStore();

  beforeAll(async () => {
    client = await openClient({ storage: memoryStorage(), name: uniqueName('report-preview-lie'), identity: { orgId: 'org-fengyu', deviceId: 'dev-1', role: 'member' } });
  });
  afterAll(async () => {
    await client?.close();
  });

  it('does not embed the original (with its location) that another record names as its preview', async () => {
    // The spring's photo: its original keeps location (the author's choice, for the network).
    const originalBytes = noisyPng(1024, 'Exif GPSLatitude 25.60N GPSLongitude 100.23E');
    expect(originalBytes.length).toBeGreaterThan(MAX_EMBEDDED_PHOTO_BYTES);
    const original = describeBlob(originalBytes, 'image/png');
    const previewBytes = noisyPng(64);
    const preview = describeBlob(previewBytes, 'image/png');
    await store.put(original, originalBytes);
    await store.put(preview, previewBytes);
    const spring = await client.create('entry', { ...shared, title: 'The spring' });
    await client.mutate(spring, entryMutators.addAttachment, { id: 'spring', attachment: { kind: 'photo', ref: { ...original, variants: { preview } }, name: 'spring.png', caption: '', consent: 'given', keepsLocation: true } });

    // Another record names that original as its "preview", claiming 40 KB.
    const other = describeBlob(new TextEncoder().encode('an original never on this device'), 'image/jpeg');
    const roof = await client.create('entry', { ...shared, title: 'Roof tanks' });
    await client.mutate(roof, entryMutators.addAttachment, {
      id: 'roof',
      attachment: { kind: 'photo', ref: { ...other, variants: { preview: { sha256: original.sha256, sizeBytes: 40_000, mediaType: 'image/png' } } }, name: 'roof.jpg', caption: 'The tank', consent: 'given', keepsLocation: false },
    });

    const data = await loadReportData(client);
    const now = Date.now() + 1;
    const locale = await reportLocale('en');
    const model = buildReport({ data, locale, now, lastSyncAt: lastHeardFrom(data, now), lastSyncSource: 'derived' as const }, { kind: 'digest', options: { statuses: ['draft', 'shared', 'endorsed'] } });
    const photos = await loadReportPhotos(model, store);
    const html = await exportReportText(model, 'html', { pause, valueLabel: 'n', photos });

    const urls = [...html.matchAll(/src="data:image\/[a-z]+;base64,([A-Za-z0-9+/=]+)"/g)].map((match) => Buffer.from(match[1]!, 'base64'));
    expect(urls.length).toBeGreaterThan(0);
    for (const bytes of urls) expect(bytes.length).toBeLessThanOrEqual(MAX_EMBEDDED_PHOTO_BYTES);
    expect(html).not.toContain(Buffer.from(originalBytes).toString('base64'));
  });
});
