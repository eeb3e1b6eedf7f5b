import { describe, expect, test } from 'vitest';
import { BlobError } from '../../shared/blobs/blobError';
import type { DeviceBlobStore } from '../../shared/blobs/deviceBlobStore';
import { describeBlob } from '../../shared/blobs/describeBlob';

/*
 * The behaviour every DeviceBlobStore must have (STYLE.md: every storage backend passes one
 * contract suite). The in-memory store runs it now; the IndexedDB and filesystem stores of the
 * media issue run it too. `open` gives a fresh, empty store; `close` releases it after the test.
 */

const bytesOf = (text: string): Uint8Array => new TextEncoder().encode(text);

async function expectBlobError(promise: Promise<unknown>, code: BlobError['code']): Promise<void> {
  const error: unknown = await promise.then(
    () => null,
    (caught: unknown) => caught,
  );
  expect(error).toBeInstanceOf(BlobError);
  expect(error).toMatchObject({ code });
}

export function deviceBlobStoreContract(name: string, open: () => Promise<DeviceBlobStore>, close: (store: DeviceBlobStore) => Promise<void> = async () => {}): void {
  describe(`DeviceBlobStore contract: ${name}`, () => {
    async function withStore(run: (store: DeviceBlobStore) => Promise<void>): Promise<void> {
      const store = await open();
      try {
        await run(store);
      } finally {
        await close(store);
      }
    }

    const photo = bytesOf('a photo of the rain tank');
    const photoContent = describeBlob(photo, 'image/jpeg');

    test('stores bytes under their SHA-256 and gives them back', () =>
      withStore(async (store) => {
        const stored = await store.put(photoContent, photo);
        expect(stored).toMatchObject(photoContent);
        expect(await store.has(photoContent.sha256)).toBe(true);
        expect(await store.get(photoContent.sha256)).toEqual(photo);
        expect(await store.stat(photoContent.sha256)).toEqual(stored);
      }));

    test('answers absent for a blob it never stored', () =>
      withStore(async (store) => {
        const absent = describeBlob(bytesOf('never stored'), 'image/png').sha256;
        expect(await store.has(absent)).toBe(false);
        expect(await store.get(absent)).toBeNull();
        expect(await store.stat(absent)).toBeNull();
      }));

    test('refuses bytes that do not hash to the address given, and stores nothing', () =>
      withStore(async (store) => {
        // Same length, one letter changed: only the hash can tell.
        const tampered = bytesOf('a photo of the rain tanq');
        expect(tampered.length).toBe(photo.length);
        await expectBlobError(store.put(photoContent, tampered), 'hash-mismatch');
        expect(await store.has(photoContent.sha256)).toBe(false);
        expect(await store.usage()).toEqual({ blobCount: 0, totalBytes: 0 });
      }));

    test('refuses bytes of another length than the reference says', () =>
      withStore(async (store) => {
        await expectBlobError(store.put({ ...photoContent, sizeBytes: photo.length + 1 }, photo), 'size-mismatch');
        expect(await store.has(photoContent.sha256)).toBe(false);
      }));

    test('a second put of the same blob changes nothing', () =>
      withStore(async (store) => {
        const first = await store.put(photoContent, photo);
        const second = await store.put(photoContent, photo.slice());
        expect(second).toEqual(first);
        expect(await store.usage()).toEqual({ blobCount: 1, totalBytes: photo.length });
      }));

    test('a stored blob cannot be changed through the arrays put took or get gave', () =>
      withStore(async (store) => {
        const bytes = photo.slice();
        await store.put(photoContent, bytes);
        bytes.fill(0);
        const read = await store.get(photoContent.sha256);
        read?.fill(0);
        expect(await store.get(photoContent.sha256)).toEqual(photo);
      }));

    test('lists the hashes it lacks, in the order asked, each once', () =>
      withStore(async (store) => {
        const held = describeBlob(bytesOf('held'), 'audio/ogg');
        await store.put(held, bytesOf('held'));
        const lackA = describeBlob(bytesOf('lack a'), 'image/jpeg').sha256;
        const lackB = describeBlob(bytesOf('lack b'), 'image/jpeg').sha256;
        expect(await store.missing([lackB, held.sha256, lackA, lackB])).toEqual([lackB, lackA]);
        expect(await store.missing([])).toEqual([]);
      }));

    test('deletes a blob, and deleting an absent one is a no-op', () =>
      withStore(async (store) => {
        await store.put(photoContent, photo);
        await store.delete(photoContent.sha256);
        await store.delete(photoContent.sha256);
        expect(await store.has(photoContent.sha256)).toBe(false);
        expect(await store.get(photoContent.sha256)).toBeNull();
        expect(await store.usage()).toEqual({ blobCount: 0, totalBytes: 0 });
      }));

    test('counts the blobs and bytes it holds', () =>
      withStore(async (store) => {
        const voice = bytesOf('a voice note, longer than the photo');
        await store.put(photoContent, photo);
        await store.put(describeBlob(voice, 'audio/ogg'), voice);
        expect(await store.usage()).toEqual({ blobCount: 2, totalBytes: photo.length + voice.length });
      }));

    test('a new blob is unconfirmed, and markConfirmed records that the hub holds it', () =>
      withStore(async (store) => {
        const stored = await store.put(photoContent, photo);
        expect(stored.isConfirmed).toBe(false);
        await store.markConfirmed(photoContent.sha256);
        await store.markConfirmed(photoContent.sha256);
        expect(await store.stat(photoContent.sha256)).toEqual({ ...stored, isConfirmed: true });
        // A second put of a confirmed blob does not make it unsent again.
        expect((await store.put(photoContent, photo)).isConfirmed).toBe(true);
      }));

    test('confirming a blob it does not hold stores nothing', () =>
      withStore(async (store) => {
        await store.markConfirmed(photoContent.sha256);
        expect(await store.has(photoContent.sha256)).toBe(false);
        expect(await store.list()).toEqual([]);
      }));

    test('never evicts a blob the hub has not confirmed, and frees one it has', () =>
      withStore(async (store) => {
        const voice = bytesOf('a voice note not yet sent');
        const voiceContent = describeBlob(voice, 'audio/webm');
        await store.put(photoContent, photo);
        await store.put(voiceContent, voice);
        await store.markConfirmed(photoContent.sha256);
        expect(await store.evict(voiceContent.sha256)).toBe(false);
        expect(await store.get(voiceContent.sha256)).toEqual(voice);
        expect(await store.evict(photoContent.sha256)).toBe(true);
        expect(await store.has(photoContent.sha256)).toBe(false);
        expect(await store.evict(photoContent.sha256)).toBe(false);
        expect(await store.usage()).toEqual({ blobCount: 1, totalBytes: voice.length });
      }));

    test('lists every blob it holds, without the bytes', () =>
      withStore(async (store) => {
        const voice = bytesOf('a voice note');
        const voiceContent = describeBlob(voice, 'audio/webm');
        await store.put(photoContent, photo);
        await store.put(voiceContent, voice);
        await store.markConfirmed(voiceContent.sha256);
        const listed = await store.list();
        expect(listed.map((blob) => [blob.sha256, blob.sizeBytes, blob.mediaType, blob.isConfirmed]).sort()).toEqual(
          [
            [photoContent.sha256, photo.length, 'image/jpeg', false],
            [voiceContent.sha256, voice.length, 'audio/webm', true],
          ].sort(),
        );
      }));

    test('keeps an empty blob like any other', () =>
      withStore(async (store) => {
        const empty = new Uint8Array(0);
        const content = describeBlob(empty, 'text/plain');
        await store.put(content, empty);
        expect(await store.get(content.sha256)).toEqual(empty);
      }));
  });
}
