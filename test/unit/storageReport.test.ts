import { describe, expect, it } from 'vitest';
import type { BlobContent, BlobRef } from '../../shared/blobs/blobRef';
import type { StoredBlob } from '../../shared/blobs/deviceBlobStore';
import { storageReport } from '../../shared/blobs/storageReport';

const hash = (n: number) => n.toString(16).padStart(64, '0');
const content = (n: number, sizeBytes: number, mediaType = 'image/jpeg'): BlobContent => ({ sha256: hash(n), sizeBytes, mediaType });
const stored = (c: BlobContent, isConfirmed: boolean): StoredBlob => ({ ...c, storedAt: 1, isConfirmed });

describe('what takes space on the device', () => {
  const photo: BlobRef = { ...content(1, 3_000_000), variants: { preview: content(2, 150_000), thumbnail: content(3, 12_000) } };
  const voice: BlobRef = { ...content(4, 400_000, 'audio/webm'), variants: {} };
  const scan: BlobRef = { ...content(5, 900_000, 'application/pdf'), variants: {} };

  it('sums by kind and by entry, offers only confirmed originals, and never an unsent one', () => {
    const report = storageReport(
      [stored(photo, true), stored(photo.variants.preview!, true), stored(photo.variants.thumbnail!, true), stored(voice, false), stored(scan, true), stored(content(9, 50), false)],
      [
        { recordId: 'e1', title: 'Drip line', attachments: [{ kind: 'photo', ref: photo }, { kind: 'audio', ref: voice }] },
        // The same photo on a second entry: counted once.
        { recordId: 'e2', title: 'Fee agreement', attachments: [{ kind: 'document', ref: scan }, { kind: 'photo', ref: photo }] },
      ],
    );
    expect(report.totalBytes).toBe(3_000_000 + 150_000 + 12_000 + 400_000 + 900_000 + 50);
    expect(report.byKind).toEqual({ photo: 3_162_000, audio: 400_000, document: 900_000, unattached: 50 });
    expect(report.byRecord).toEqual([
      { recordId: 'e1', title: 'Drip line', bytes: 3_562_000, freeableBytes: 3_000_000 },
      { recordId: 'e2', title: 'Fee agreement', bytes: 900_000, freeableBytes: 900_000 },
    ]);
    // The confirmed photo original and the scan; not the variants, not the unsent voice note, not the unattached blob.
    expect(report.freeable.map((blob) => blob.sha256).sort()).toEqual([hash(1), hash(5)]);
    expect(report.freeableBytes).toBe(3_900_000);
    expect(report.unsentBytes).toBe(400_050);
  });

  it('counts an original not on the device as nothing, and a record with nothing here not at all', () => {
    const report = storageReport([stored(photo.variants.thumbnail!, true)], [{ recordId: 'e1', title: 'Drip line', attachments: [{ kind: 'photo', ref: photo }] }, { recordId: 'e3', title: 'Empty', attachments: [] }]);
    expect(report.byRecord).toEqual([{ recordId: 'e1', title: 'Drip line', bytes: 12_000, freeableBytes: 0 }]);
    expect(report.freeable).toEqual([]);
  });
});
