import { describe, expect, test } from 'vitest';
import { BlobError } from '../../shared/blobs/blobError';
import { describeBlob } from '../../shared/blobs/describeBlob';
import type { HubBlobStorage } from '../../server/storage/hubBlobStorage';

/*
 * The behaviour every HubBlobStorage must have (STYLE.md: every storage backend passes one
 * contract suite): memory (test/unit/hubBlobStorage.test.ts), files and PostgreSQL
 * (test/integration/hubBlobStorage.test.ts). `open` gives a fresh, empty storage on the clock it
 * is given; `close` releases it after the test.
 */

const bytesOf = (text: string): Uint8Array => new TextEncoder().encode(text);

async function expectBlobError(promise: Promise<unknown>, code: BlobError['code']): Promise<BlobError> {
  const error: unknown = await promise.then(
    () => null,
    (caught: unknown) => caught,
  );
  if (!(error instanceof BlobError)) throw new Error(`expected BlobError '${code}', got ${String(error)}`);
  expect(error.code).toBe(code);
  return error;
}

export function hubBlobStorageContract(name: string, open: (now: () => number) => Promise<HubBlobStorage>, close: (storage: HubBlobStorage) => Promise<void> = async () => {}): void {
  describe(`HubBlobStorage contract: ${name}`, () => {
    let clockMs = 1_700_000_000_000;
    async function withStorage(run: (storage: HubBlobStorage) => Promise<void>): Promise<void> {
      const storage = await open(() => clockMs);
      try {
        await run(storage);
      } finally {
        await close(storage);
      }
    }

    const photo = bytesOf('a photo of the village water committee, 2 MB in real life');
    const photoContent = describeBlob(photo, 'image/jpeg');

    describe('whole blobs', () => {
      test('stores a blob sent whole and answers for it', () =>
        withStorage(async (storage) => {
          const stored = await storage.put(photoContent, photo);
          expect(stored).toMatchObject(photoContent);
          expect(await storage.has(photoContent.sha256)).toBe(true);
          expect(await storage.stat(photoContent.sha256)).toEqual(stored);
          expect(await storage.get(photoContent.sha256)).toEqual(photo);
        }));

      test('answers absent for a blob it never stored', () =>
        withStorage(async (storage) => {
          expect(await storage.has(photoContent.sha256)).toBe(false);
          expect(await storage.stat(photoContent.sha256)).toBeNull();
          expect(await storage.get(photoContent.sha256)).toBeNull();
          expect(await storage.get(photoContent.sha256, { offset: 0 })).toBeNull();
        }));

      test('refuses bytes that do not hash to their address, or are not as long as declared', () =>
        withStorage(async (storage) => {
          const tampered = photo.slice();
          tampered[0] = tampered[0]! ^ 1;
          await expectBlobError(storage.put(photoContent, tampered), 'hash-mismatch');
          await expectBlobError(storage.put({ ...photoContent, sizeBytes: photo.length - 1 }, photo), 'size-mismatch');
          expect(await storage.has(photoContent.sha256)).toBe(false);
        }));

      test('a second put of the same blob changes nothing', () =>
        withStorage(async (storage) => {
          const first = await storage.put(photoContent, photo);
          expect(await storage.put(photoContent, photo.slice())).toEqual(first);
        }));

      test('a stored blob cannot be changed through the arrays put took or get gave', () =>
        withStorage(async (storage) => {
          const bytes = photo.slice();
          await storage.put(photoContent, bytes);
          bytes.fill(0);
          (await storage.get(photoContent.sha256))?.fill(0);
          expect(await storage.get(photoContent.sha256)).toEqual(photo);
        }));

      test('reads a byte range, so a dropped download resumes where it stopped', () =>
        withStorage(async (storage) => {
          await storage.put(photoContent, photo);
          expect(await storage.get(photoContent.sha256, { offset: 2, length: 5 })).toEqual(photo.slice(2, 7));
          expect(await storage.get(photoContent.sha256, { offset: 10 })).toEqual(photo.slice(10));
          expect(await storage.get(photoContent.sha256, { offset: photo.length - 3, length: 100 })).toEqual(photo.slice(-3));
          expect(await storage.get(photoContent.sha256, { offset: photo.length })).toEqual(new Uint8Array(0));
          await expectBlobError(storage.get(photoContent.sha256, { offset: photo.length + 1 }), 'out-of-range');
        }));

      test('lists the hashes it lacks, in the order asked, each once', () =>
        withStorage(async (storage) => {
          await storage.put(photoContent, photo);
          const lackA = describeBlob(bytesOf('lack a'), 'image/jpeg').sha256;
          const lackB = describeBlob(bytesOf('lack b'), 'image/jpeg').sha256;
          expect(await storage.missing([lackB, photoContent.sha256, lackA, lackB])).toEqual([lackB, lackA]);
        }));
    });

    describe('resumable uploads', () => {
      test('an upload in chunks stores the blob when the last byte arrives', () =>
        withStorage(async (storage) => {
          const created = await storage.createUpload(photoContent);
          expect(created).toMatchObject({ ...photoContent, offset: 0, isComplete: false });
          const partway = await storage.appendUpload(created.uploadId, 0, photo.subarray(0, 20));
          expect(partway).toMatchObject({ offset: 20, isComplete: false });
          expect(await storage.has(photoContent.sha256)).toBe(false);
          const done = await storage.appendUpload(created.uploadId, 20, photo.subarray(20));
          expect(done).toMatchObject({ uploadId: created.uploadId, offset: photo.length, isComplete: true });
          expect(await storage.get(photoContent.sha256)).toEqual(photo);
        }));

      test('after a dropped link the device asks where the upload stands and sends only the rest', () =>
        withStorage(async (storage) => {
          const { uploadId } = await storage.createUpload(photoContent);
          await storage.appendUpload(uploadId, 0, photo.subarray(0, 16));
          expect(await storage.upload(uploadId)).toMatchObject({ uploadId, offset: 16, isComplete: false });
          const done = await storage.appendUpload(uploadId, 16, photo.subarray(16));
          expect(done.isComplete).toBe(true);
          expect(await storage.get(photoContent.sha256)).toEqual(photo);
        }));

      test('refuses a chunk that does not start where the upload stands, and says where it does', () =>
        withStorage(async (storage) => {
          const { uploadId } = await storage.createUpload(photoContent);
          await storage.appendUpload(uploadId, 0, photo.subarray(0, 16));
          // The acknowledgement of the next chunk was lost, and the device resent from byte 0.
          const error = await expectBlobError(storage.appendUpload(uploadId, 0, photo.subarray(0, 16)), 'offset-mismatch');
          expect(error.offset).toBe(16);
          await expectBlobError(storage.appendUpload(uploadId, 20, photo.subarray(20)), 'offset-mismatch');
          expect(await storage.upload(uploadId)).toMatchObject({ offset: 16 });
        }));

      test('refuses a chunk that runs past the declared size, and keeps what came before', () =>
        withStorage(async (storage) => {
          const { uploadId } = await storage.createUpload(photoContent);
          await storage.appendUpload(uploadId, 0, photo.subarray(0, 10));
          const tooLong = new Uint8Array(photo.length);
          await expectBlobError(storage.appendUpload(uploadId, 10, tooLong), 'size-mismatch');
          expect(await storage.upload(uploadId)).toMatchObject({ offset: 10 });
        }));

      test('discards an upload whose bytes do not hash to its address, and stores nothing', () =>
        withStorage(async (storage) => {
          const { uploadId } = await storage.createUpload(photoContent);
          const tampered = photo.slice();
          tampered[tampered.length - 1] = tampered[tampered.length - 1]! ^ 1;
          await expectBlobError(storage.appendUpload(uploadId, 0, tampered), 'hash-mismatch');
          expect(await storage.has(photoContent.sha256)).toBe(false);
          expect(await storage.upload(uploadId)).toBeNull();
          // The device may start again from nothing.
          const retry = await storage.createUpload(photoContent);
          expect(retry.offset).toBe(0);
        }));

      test('an upload of a blob already stored is complete at once', () =>
        withStorage(async (storage) => {
          await storage.put(photoContent, photo);
          expect(await storage.createUpload(photoContent)).toMatchObject({ ...photoContent, offset: photo.length, isComplete: true });
        }));

      test('a second upload of content already under way resumes that upload', () =>
        withStorage(async (storage) => {
          const first = await storage.createUpload(photoContent);
          await storage.appendUpload(first.uploadId, 0, photo.subarray(0, 12));
          // The device crashed and lost the upload id; it announces the same content again.
          expect(await storage.createUpload(photoContent)).toMatchObject({ uploadId: first.uploadId, offset: 12, isComplete: false });
        }));

      test('a completed upload id is spent', () =>
        withStorage(async (storage) => {
          const { uploadId } = await storage.createUpload(photoContent);
          await storage.appendUpload(uploadId, 0, photo);
          expect(await storage.upload(uploadId)).toBeNull();
          await expectBlobError(storage.appendUpload(uploadId, photo.length, new Uint8Array(0)), 'unknown-upload');
        }));

      test('an aborted upload leaves nothing behind', () =>
        withStorage(async (storage) => {
          const { uploadId } = await storage.createUpload(photoContent);
          await storage.appendUpload(uploadId, 0, photo.subarray(0, 8));
          await storage.abortUpload(uploadId);
          await storage.abortUpload(uploadId);
          expect(await storage.upload(uploadId)).toBeNull();
          expect(await storage.has(photoContent.sha256)).toBe(false);
          await expectBlobError(storage.appendUpload(uploadId, 8, photo.subarray(8)), 'unknown-upload');
          expect((await storage.createUpload(photoContent)).offset).toBe(0);
        }));

      test('an empty blob is complete as soon as it is announced', () =>
        withStorage(async (storage) => {
          const empty = describeBlob(new Uint8Array(0), 'text/plain');
          expect(await storage.createUpload(empty)).toMatchObject({ offset: 0, isComplete: true });
          expect(await storage.get(empty.sha256)).toEqual(new Uint8Array(0));
        }));

      test('two owners uploading one content each have their own upload', () =>
        withStorage(async (storage) => {
          const mine = await storage.createUpload(photoContent, { owner: 'org-a' });
          await storage.appendUpload(mine.uploadId, 0, photo.subarray(0, 10));
          const theirs = await storage.createUpload(photoContent, { owner: 'org-b' });
          expect(theirs).toMatchObject({ owner: 'org-b', offset: 0, isComplete: false });
          expect(theirs.uploadId).not.toBe(mine.uploadId);
          expect(await storage.createUpload(photoContent, { owner: 'org-a' })).toMatchObject({ uploadId: mine.uploadId, owner: 'org-a', offset: 10 });
          expect(await storage.upload(mine.uploadId)).toMatchObject({ owner: 'org-a' });
        }));

      test('a proof upload receives and checks the bytes of a blob already stored, and changes nothing stored', () =>
        withStorage(async (storage) => {
          const stored = await storage.put(photoContent, photo);
          const proof = await storage.createUpload(photoContent, { owner: 'org-b', isProof: true });
          expect(proof).toMatchObject({ offset: 0, isComplete: false });
          const tampered = photo.slice();
          tampered[3] = tampered[3]! ^ 1;
          await expectBlobError(storage.appendUpload(proof.uploadId, 0, tampered), 'hash-mismatch');
          expect(await storage.get(photoContent.sha256)).toEqual(photo);
          const retry = await storage.createUpload(photoContent, { owner: 'org-b', isProof: true });
          expect(await storage.appendUpload(retry.uploadId, 0, photo)).toMatchObject({ isComplete: true });
          expect(await storage.stat(photoContent.sha256)).toEqual(stored);
        }));
    });

    describe('collection', () => {
      test('deletes a stored blob, and deleting an absent one is a no-op', () =>
        withStorage(async (storage) => {
          await storage.put(photoContent, photo);
          await storage.delete(photoContent.sha256);
          await storage.delete(photoContent.sha256);
          expect(await storage.has(photoContent.sha256)).toBe(false);
          expect(await storage.get(photoContent.sha256)).toBeNull();
          // Stored again later, it is whole again.
          await storage.put(photoContent, photo);
          expect(await storage.get(photoContent.sha256)).toEqual(photo);
        }));

      test('lists the blobs stored before a time, oldest first', () =>
        withStorage(async (storage) => {
          const start = clockMs;
          const other = describeBlob(bytesOf('a voice note'), 'audio/webm');
          await storage.put(photoContent, photo);
          clockMs += 1000;
          await storage.put(other, bytesOf('a voice note'));
          clockMs += 1000;
          expect((await storage.storedBefore(start + 1, 10)).map((blob) => blob.sha256)).toEqual([photoContent.sha256]);
          expect((await storage.storedBefore(clockMs, 10)).map((blob) => blob.sha256)).toEqual([photoContent.sha256, other.sha256]);
          expect(await storage.storedBefore(clockMs, 1)).toHaveLength(1);
        }));

      test('discards uploads that received nothing since a time, and keeps the others', () =>
        withStorage(async (storage) => {
          const other = describeBlob(bytesOf('a voice note'), 'audio/webm');
          const idle = await storage.createUpload(photoContent);
          await storage.appendUpload(idle.uploadId, 0, photo.subarray(0, 5));
          clockMs += 10_000;
          const busy = await storage.createUpload(other);
          expect(await storage.discardUploadsIdleSince(clockMs - 1)).toBe(1);
          expect(await storage.upload(idle.uploadId)).toBeNull();
          expect(await storage.upload(busy.uploadId)).toMatchObject({ offset: 0 });
          expect(await storage.has(photoContent.sha256)).toBe(false);
        }));
    });
  });
}
