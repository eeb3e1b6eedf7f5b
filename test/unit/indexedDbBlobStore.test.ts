import { IDBFactory, IDBObjectStore } from 'fake-indexeddb';
import { expect, test } from 'vitest';
import { describeBlob } from '../../shared/blobs/describeBlob';
import type { DeviceBlobStore } from '../../shared/blobs/deviceBlobStore';
import { IndexedDbBlobStore } from '../../renderer/data/indexedDbBlobStore';
import { deviceBlobStoreContract } from './deviceBlobStore.contract';

// Each test gets its own factory: a fresh, empty IndexedDB, as a new browser profile has.
deviceBlobStoreContract(
  'IndexedDB (fake-indexeddb)',
  async () => IndexedDbBlobStore.open({ factory: new IDBFactory() }),
  async (store: DeviceBlobStore) => (store as IndexedDbBlobStore).close(),
);

test('keeps blobs and their confirmation across closing and opening the database', async () => {
  const factory = new IDBFactory();
  const bytes = new TextEncoder().encode('the drip line in May');
  const content = describeBlob(bytes, 'image/jpeg');
  const first = await IndexedDbBlobStore.open({ factory });
  await first.put(content, bytes);
  await first.markConfirmed(content.sha256);
  first.close();
  const second = await IndexedDbBlobStore.open({ factory });
  try {
    expect(await second.get(content.sha256)).toEqual(bytes);
    expect((await second.stat(content.sha256))?.isConfirmed).toBe(true);
  } finally {
    second.close();
  }
});

test('a put whose transaction aborts leaves the blob absent, description and bytes alike', async () => {
  const factory = new IDBFactory();
  const store = await IndexedDbBlobStore.open({ factory });
  const bytes = new TextEncoder().encode('a voice note cut off by a full disk');
  const content = describeBlob(bytes, 'audio/webm');
  // The disk fills as the bytes are written: IndexedDB aborts the transaction with QuotaExceededError.
  const original = IDBObjectStore.prototype.put;
  IDBObjectStore.prototype.put = function (this: IDBObjectStore, value: unknown, key?: IDBValidKey) {
    if (this.name === 'bytes') this.transaction.abort();
    return original.call(this, value, key);
  };
  try {
    await expect(store.put(content, bytes)).rejects.toThrow();
  } finally {
    IDBObjectStore.prototype.put = original;
  }
  expect(await store.stat(content.sha256)).toBeNull();
  expect(await store.get(content.sha256)).toBeNull();
  expect(await store.list()).toEqual([]);
  store.close();
});
