import { describe, expect, test } from 'vitest';
import { blobRefSchema, type BlobContent, type BlobRef } from '../../shared/blobs/blobRef';
import { planBlobSync, type BlobNeed, type BlobSyncInput } from '../../shared/blobs/blobSyncPlan';
import { describeBlob } from '../../shared/blobs/describeBlob';

// Content of exactly `sizeBytes` bytes: the name repeated, so each name has a hash of its own.
function content(name: string, sizeBytes: number): BlobContent {
  const text = new TextEncoder().encode(name);
  return describeBlob(Uint8Array.from({ length: sizeBytes }, (_, index) => text[index % text.length]!), 'image/jpeg');
}

function photo(name: string, sizes: { original: number; preview: number; thumbnail: number }): BlobRef {
  return blobRefSchema.parse({
    ...content(`${name}/original`, sizes.original),
    variants: { preview: content(`${name}/preview`, sizes.preview), thumbnail: content(`${name}/thumbnail`, sizes.thumbnail) },
  });
}

const hashesOf = (ref: BlobRef): string[] => [ref.sha256, ref.variants.preview!.sha256, ref.variants.thumbnail!.sha256];

const big = photo('harvest', { original: 900, preview: 90, thumbnail: 9 });
const small = photo('meeting', { original: 500, preview: 50, thumbnail: 5 });

function input(overrides: Partial<BlobSyncInput> & { needs: readonly BlobNeed[] }): BlobSyncInput {
  return { isTextSettled: true, missingOnDevice: new Set(), missingOnHub: new Set(), ...overrides };
}

const planned = (transfers: readonly { variant: string; sizeBytes: number }[]): string[] => transfers.map((t) => `${t.variant}:${t.sizeBytes}`);

describe('the blob sync plan', () => {
  test('moves no media while the record sync still has text to move', () => {
    const plan = planBlobSync(
      input({
        isTextSettled: false,
        needs: [{ ref: big, isOriginalWanted: true }],
        missingOnDevice: new Set(hashesOf(big)),
      }),
    );
    expect(plan).toEqual({ isWaitingForText: true, uploads: [], downloads: [], unavailable: [] });
  });

  test('downloads every thumbnail, then every preview, then wanted originals, smallest first in each', () => {
    const plan = planBlobSync(
      input({
        needs: [
          { ref: big, isOriginalWanted: true },
          { ref: small, isOriginalWanted: true },
        ],
        missingOnDevice: new Set([...hashesOf(big), ...hashesOf(small)]),
      }),
    );
    expect(plan.isWaitingForText).toBe(false);
    expect(planned(plan.downloads)).toEqual(['thumbnail:5', 'thumbnail:9', 'preview:50', 'preview:90', 'original:500', 'original:900']);
    expect(plan.uploads).toEqual([]);
  });

  test('leaves an original on the hub until the device wants it', () => {
    const plan = planBlobSync(input({ needs: [{ ref: big, isOriginalWanted: false }], missingOnDevice: new Set(hashesOf(big)) }));
    expect(planned(plan.downloads)).toEqual(['thumbnail:9', 'preview:90']);
  });

  test('uploads every rendition the hub lacks, originals included, in the same order', () => {
    const plan = planBlobSync(input({ needs: [{ ref: big, isOriginalWanted: false }], missingOnHub: new Set(hashesOf(big)) }));
    expect(planned(plan.uploads)).toEqual(['thumbnail:9', 'preview:90', 'original:900']);
    expect(plan.downloads).toEqual([]);
  });

  test('moves a blob two records attach only once, and fetches it if either wants it', () => {
    const plan = planBlobSync(
      input({
        needs: [
          { ref: big, isOriginalWanted: false },
          { ref: big, isOriginalWanted: true },
        ],
        missingOnDevice: new Set(hashesOf(big)),
      }),
    );
    expect(planned(plan.downloads)).toEqual(['thumbnail:9', 'preview:90', 'original:900']);
  });

  test('names what neither side holds yet, and moves nothing both sides hold', () => {
    const plan = planBlobSync(
      input({
        needs: [
          { ref: big, isOriginalWanted: true },
          { ref: small, isOriginalWanted: true },
        ],
        missingOnDevice: new Set([big.variants.thumbnail!.sha256]),
        missingOnHub: new Set([big.variants.thumbnail!.sha256]),
      }),
    );
    expect(planned(plan.unavailable)).toEqual(['thumbnail:9']);
    expect(plan.uploads).toEqual([]);
    expect(plan.downloads).toEqual([]);
  });
});

describe('BlobRef', () => {
  test('refuses a hash that is not 64 lowercase hex digits', () => {
    const ref = { ...content('a', 1), variants: {} };
    expect(blobRefSchema.safeParse(ref).success).toBe(true);
    expect(blobRefSchema.safeParse({ ...ref, sha256: ref.sha256.toUpperCase() }).success).toBe(false);
    expect(blobRefSchema.safeParse({ ...ref, sha256: ref.sha256.slice(1) }).success).toBe(false);
  });

  test('refuses a negative or fractional size and a malformed media type', () => {
    const ref = { ...content('a', 1), variants: {} };
    expect(blobRefSchema.safeParse({ ...ref, sizeBytes: -1 }).success).toBe(false);
    expect(blobRefSchema.safeParse({ ...ref, sizeBytes: 1.5 }).success).toBe(false);
    expect(blobRefSchema.safeParse({ ...ref, mediaType: 'jpeg' }).success).toBe(false);
  });
});
