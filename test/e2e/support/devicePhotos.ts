import type { Page } from 'playwright-core';
import { attachmentEntrySchema } from '../../../shared/records/attachments';
import type { TestHub } from '../../support/hub';

/*
 * Photos in the page, as a device makes and keeps them: a JPEG from the browser's own encoder,
 * and a blob read back from the device blob store's IndexedDB as the app left it.
 */

/**
 * A 1600 x 1200 JPEG from the page's own encoder: a real camera-sized photo to attach. The same
 * `posts` give the same bytes (the same hash); another number draws another picture.
 */
export async function photoFromPage(page: Page, posts = 8): Promise<Uint8Array> {
  const bytes = await page.evaluate(async (posts) => {
    const canvas = new OffscreenCanvas(1600, 1200);
    const context = canvas.getContext('2d')!;
    const sky = context.createLinearGradient(0, 0, 0, 1200);
    sky.addColorStop(0, '#8ecae6');
    sky.addColorStop(1, '#3a7d44');
    context.fillStyle = sky;
    context.fillRect(0, 0, 1600, 1200);
    context.fillStyle = '#f4a261';
    for (let index = 0; index < posts; index += 1) context.fillRect(150 + index * (1360 / posts), 500, 60, 380);
    const blob = await canvas.convertToBlob({ type: 'image/jpeg', quality: 0.9 });
    return [...new Uint8Array(await blob.arrayBuffer())];
  }, posts);
  return Uint8Array.from(bytes);
}

/** The bytes of one blob, read from the device blob store's IndexedDB database as the app left it. */
export async function storedBlob(page: Page, sha256: string): Promise<Uint8Array | null> {
  const bytes = await page.evaluate(
    (key) =>
      new Promise<number[] | null>((resolve, reject) => {
        const opening = indexedDB.open('fieldwise-blobs');
        opening.onerror = () => reject(opening.error);
        opening.onsuccess = () => {
          const db = opening.result;
          try {
            const request = db.transaction('bytes', 'readonly').objectStore('bytes').get(key);
            request.onsuccess = () => {
              db.close();
              resolve(request.result instanceof ArrayBuffer ? [...new Uint8Array(request.result)] : null);
            };
            request.onerror = () => reject(request.error);
          } catch (error) {
            db.close();
            reject(error instanceof Error ? error : new Error(String(error)));
          }
        };
      }),
    sha256,
  );
  return bytes ? Uint8Array.from(bytes) : null;
}

/** Until the hub holds every rendition of every attachment its copy of `recordId` names. */
export async function waitForHubBlobs(hub: TestHub, recordId: string, timeoutMs = 60_000): Promise<void> {
  const started = Date.now();
  for (;;) {
    const record = await hub.storage.getRecord(recordId);
    const attachments = record ? attachmentEntrySchema.array().parse(record.projection.attachments ?? []) : [];
    const hashes = attachments.flatMap((attachment) => [attachment.ref.sha256, ...Object.values(attachment.ref.variants).map((variant) => variant.sha256)]);
    if (hashes.length > 0 && (await Promise.all(hashes.map((sha256) => hub.hub.blobAccess.blobs.has(sha256)))).every(Boolean)) return;
    if (Date.now() - started > timeoutMs) throw new Error(`the hub did not hold the media of ${recordId} within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}
