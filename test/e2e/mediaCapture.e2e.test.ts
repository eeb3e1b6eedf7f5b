import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { blobHash } from '../../shared/blobs/blobHash';
import { readImageHeader } from '../../shared/blobs/imageHeader';
import { readJpegExif } from '../../shared/blobs/jpegMetadata';
import { attachmentEntrySchema } from '../../shared/records/attachments';
import { withExif } from '../support/exifJpeg';
import { startTestHub, type TestHub } from '../support/hub';
import { BrowserProfile, FAKE_MICROPHONE_ARGS } from './support/browserProfile';
import { FieldwisePage, testId } from './support/fieldwisePage';
import { serveStatic, type StaticServer } from './support/staticServer';
import { englishProbes, untranslatedOn } from './support/untranslated';
import { photoFromPage, storedBlob, waitForHubBlobs } from './support/devicePhotos';

/*
 * A field worker attaches a photo and records a voice note on an entry, in Chromium against a real
 * hub (issue 18, the device side). The photo is a real JPEG the page encodes, with the GPS
 * position and camera a phone would write added to it; the original read back from the device's
 * IndexedDB has neither, and still decodes. The voice note comes from Chromium's fake microphone.
 * Both survive the app being closed and started again. Screens in English and Chinese go to
 * test/e2e/artifacts/media/.
 */

const screenshotDir = join(import.meta.dirname, 'artifacts', 'media');
const CAPTION = 'The bottle drip line in May';
const PLACE = { make: 'HUAWEI', model: 'Mate 20 X', orientation: 1, latitude: 26.5833, longitude: 107.9833 };

describe('attaching a photo and a voice note on the device', { timeout: 180_000 }, () => {
  let hub: TestHub;
  let server: StaticServer;
  const profile = new BrowserProfile('media-capture');
  let app: FieldwisePage;
  let page: Page;
  let entryId = '';
  let photoHash = '';

  /** The screen at 1024 x 768, scrolled to what it is about (the app scrolls inside its shell). */
  const shoot = async (name: string, about?: string) => {
    if (about) await app.byTestId(about).scrollIntoViewIfNeeded();
    await page.evaluate(() => document.fonts.ready.then(() => undefined));
    await page.screenshot({ path: join(screenshotDir, `${name}.png`) });
  };

  beforeAll(async () => {
    mkdirSync(screenshotDir, { recursive: true });
    [hub, server] = await Promise.all([startTestHub(), serveStatic()]);
    page = await profile.launch({ appUrl: server.url, extraArgs: FAKE_MICROPHONE_ARGS });
    app = new FieldwisePage(page);
  });

  afterAll(async () => {
    await profile.dispose();
    await server?.close();
    await hub?.close();
  });

  it('keeps the photo without its GPS position and camera, with its caption, thumbnail and preview', async () => {
    await app.open(server.url);
    await app.join({ hubUrl: hub.url, code: await hub.invite('Qiandongnan Water Group'), deviceName: 'field laptop' });
    await app.waitForSyncState(['synced']);
    entryId = await app.newEntry();
    await app.byTestId('editor-title').fill('Bottle drip irrigation');
    await app.waitSaved();

    const tagged = withExif(await photoFromPage(page), PLACE);
    // The photo as the phone gave it: the position is there to be removed.
    expect(readJpegExif(tagged)?.gps?.latitude).toBeCloseTo(PLACE.latitude, 4);
    await app.byTestId('attach-input').setInputFiles({ name: 'drip-line.jpg', mimeType: 'image/jpeg', buffer: Buffer.from(tagged) });

    const photo = page.locator(`${testId('attachment')}[data-kind="photo"]`);
    await photo.waitFor();
    // The preview shows (made on the device), not only the thumbnail.
    await photo.locator(`${testId('attachment-image')}[data-variant="preview"]`).waitFor();
    expect(await photo.locator(testId('attachment-name')).textContent()).toBe('drip-line.jpg');
    photoHash = (await photo.getAttribute('data-sha256'))!;

    await photo.locator(`${testId('attachment-caption')}`).fill(CAPTION);
    await photo.locator(`${testId('attachment-caption')}`).press('Tab');
    await app.waitSaved();

    // The original kept on the device: no GPS, no camera, the same picture, under its hash.
    const original = (await storedBlob(page, photoHash))!;
    expect(original).not.toBeNull();
    expect(blobHash(original)).toBe(photoHash);
    expect(readJpegExif(original)).toBeNull();
    expect(new TextDecoder('latin1').decode(original)).not.toContain('HUAWEI');
    expect(readImageHeader(original)).toEqual({ format: 'jpeg', widthPx: 1600, heightPx: 1200 });
    expect(original.length).toBeLessThan(tagged.length);
    expect(await photo.locator(testId('attachment-size')).textContent()).toMatch(/^\d+(\.\d)? KB$/);

    // The lightbox shows the original, which Chromium decodes.
    await photo.locator(testId('attachment-open')).click();
    const full = page.locator(`${testId('lightbox-image')}[data-variant="original"]`);
    await full.waitFor();
    await page.waitForFunction((selector) => (document.querySelector(selector) as HTMLImageElement | null)?.naturalWidth === 1600, `${testId('lightbox-image')}[data-variant="original"]`);
    await shoot('en-lightbox');
    await page.keyboard.press('Escape');
    await full.waitFor({ state: 'detached' });
  });

  it('records a voice note from the microphone, kept with its length', async () => {
    await app.byTestId('record-voice').click();
    await app.byTestId('recorder-stop').waitFor();
    // Recording until the counter shows two seconds: a wait on the screen, not a sleep.
    await app.waitForText(app.byTestId('recorder-elapsed'), '0:02');
    await app.byTestId('recorder-stop').click();
    await app.byTestId('recorder-keep').click();

    const voice = page.locator(`${testId('attachment')}[data-kind="audio"]`);
    await voice.waitFor();
    expect(await voice.locator(testId('attachment-duration')).textContent()).toMatch(/Voice note · 0:0[2-4]/);
    // It plays from the device's own blob (the CSP's media-src allows blob: and nothing remote).
    await page.waitForFunction((selector) => ((document.querySelector(selector) as HTMLAudioElement | null)?.readyState ?? 0) >= 1, `${testId('attachment')}[data-kind="audio"] ${testId('attachment-audio')}`);
    const voiceHash = (await voice.getAttribute('data-sha256'))!;
    const recorded = (await storedBlob(page, voiceHash))!;
    expect(blobHash(recorded)).toBe(voiceHash);
    // WebM's EBML magic: a real recording, not an empty blob.
    expect([...recorded.subarray(0, 4)]).toEqual([0x1a, 0x45, 0xdf, 0xa3]);

    await app.waitUntilAllSent();
    const attachments = attachmentEntrySchema.array().parse((await hub.storage.getRecord(entryId))!.projection.attachments);
    expect(attachments.map((attachment) => [attachment.kind, attachment.consent, attachment.keepsLocation])).toEqual([
      ['photo', 'pending', false],
      ['audio', 'pending', false],
    ]);
    expect(attachments[0]).toMatchObject({ caption: CAPTION, widthPx: 1600, heightPx: 1200, ref: { sha256: photoHash, mediaType: 'image/jpeg' } });
    expect(attachments[0]!.ref.variants.thumbnail!.sizeBytes).toBeLessThan(attachments[0]!.ref.variants.preview!.sizeBytes);
    expect(attachments[1]).toMatchObject({ ref: { sha256: voiceHash, mediaType: 'audio/webm' } });
    expect(attachments[1]!.durationMs).toBeGreaterThanOrEqual(2000);
    await shoot('en-entry', 'gallery');
  });

  it('takes a dropped document, and refuses a dropped decompression bomb before decoding it, saying why', async () => {
    // A drop as the OS gives it: a DataTransfer holding files, on the drop zone.
    const drop = (files: { name: string; type: string; bytes: number[] }[]) =>
      app.byTestId('attachment-drop-zone').evaluate((zone, dropped) => {
        const transfer = new DataTransfer();
        for (const file of dropped) transfer.items.add(new File([new Uint8Array(file.bytes)], file.name, { type: file.type }));
        zone.dispatchEvent(new DragEvent('dragover', { bubbles: true, cancelable: true, dataTransfer: transfer }));
        zone.dispatchEvent(new DragEvent('drop', { bubbles: true, cancelable: true, dataTransfer: transfer }));
      }, files);
    const pdf = [...new TextEncoder().encode('%PDF-1.4\n% the village water-fee agreement\n%%EOF\n')];
    // A PNG header claiming 50,000 x 50,000 pixels (10 GB decoded) in 33 bytes.
    const bomb = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13, 0x49, 0x48, 0x44, 0x52, 0, 0, 0xc3, 0x50, 0, 0, 0xc3, 0x50, 8, 6, 0, 0, 0, 0, 0, 0, 0];
    await drop([
      { name: 'water-fee-agreement.pdf', type: 'application/pdf', bytes: pdf },
      { name: 'huge.png', type: 'image/png', bytes: bomb },
    ]);
    const scan = page.locator(`${testId('attachment')}[data-kind="document"]`);
    await scan.waitFor();
    expect(await scan.locator(testId('attachment-document')).textContent()).toBe('water-fee-agreement.pdf');
    expect(await scan.locator(`${testId('attachment-consent')}`).inputValue()).toBe('Not needed');
    const refused = app.byTestId('attachment-refused');
    await refused.waitFor();
    expect(await refused.textContent()).toContain('huge.png was not attached: the image is 50000 × 50000 pixels (2500 megapixels); at most 100 megapixels');
    expect(await page.locator(testId('attachment')).count()).toBe(3);
    await app.waitSaved();
    await shoot('en-refused', 'attachments');
  });

  it('keeps location and camera data where the author ticks it, and says so on the photo', async () => {
    await app.byTestId('keep-location').check();
    await app.byTestId('attach-input').setInputFiles({ name: 'well-site.jpg', mimeType: 'image/jpeg', buffer: Buffer.from(withExif(await photoFromPage(page), PLACE)) });
    const kept = page.locator(testId('attachment'), { has: page.locator(testId('attachment-name'), { hasText: 'well-site.jpg' }) });
    await kept.locator(testId('attachment-keeps-location')).waitFor();
    const original = (await storedBlob(page, (await kept.getAttribute('data-sha256'))!))!;
    expect(readJpegExif(original)).toMatchObject({ make: 'HUAWEI', hasGps: true });
    expect(readJpegExif(original)!.gps!.longitude).toBeCloseTo(PLACE.longitude, 4);
    // The stripped photo of the first test shows no such badge.
    expect(await page.locator(`${testId('attachment')}[data-sha256="${photoHash}"] ${testId('attachment-keeps-location')}`).count()).toBe(0);
    await app.byTestId('keep-location').uncheck();
    await app.waitSaved();
  });

  it('still has both after the app is closed and started again, and shows the thumbnail in the library', async () => {
    await profile.close();
    page = await profile.launch({ appUrl: server.url, extraArgs: FAKE_MICROPHONE_ARGS });
    app = new FieldwisePage(page);
    await app.open(server.url, `#/entry/${entryId}`);
    await page.waitForSelector(`${testId('entry-editor')}[data-entry-id="${entryId}"]`);
    await page.locator(`${testId('attachment')}[data-sha256="${photoHash}"] ${testId('attachment-image')}[data-variant="preview"]`).waitFor();
    await page.locator(`${testId('attachment')}[data-kind="audio"] ${testId('attachment-audio')}`).waitFor();
    expect(await page.locator(`${testId('attachment')}[data-sha256="${photoHash}"] ${testId('attachment-caption')}`).inputValue()).toBe(CAPTION);

    await app.goTo('#/library');
    await app.entryRow('Bottle drip irrigation').locator(testId('entry-row-thumbnail')).waitFor();
    await app.waitForSyncState(['synced']);
    await shoot('en-library');

    // The blob sync took everything up (pending-consent media too: the hub keeps it for this
    // organization alone); the device knows the hub holds it, so nothing is unsent and room can be freed.
    await waitForHubBlobs(hub, entryId);
    // The panel reads the store when it opens: opened again until the last confirmation is in.
    const total = app.byTestId('storage-total');
    for (let attempt = 0; ; attempt += 1) {
      await app.goTo('#/library');
      await app.goTo('#/settings');
      await total.waitFor();
      if ((await app.byTestId('storage-unsent').getAttribute('data-bytes')) === '0' || attempt === 20) break;
      await page.waitForTimeout(250);
    }
    expect(Number(await total.getAttribute('data-bytes'))).toBeGreaterThan(0);
    expect(await app.byTestId('storage-unsent').getAttribute('data-bytes')).toBe('0');
    expect(await app.byTestId('storage-free').isDisabled()).toBe(false);
    await shoot('en-settings-storage', 'storage-panel');
  });

  it('says it all in Chinese', async () => {
    const probes = englishProbes();
    await app.chooseLanguage('简体中文');
    await app.byTestId('storage-panel').waitFor();
    await shoot('zh-settings-storage', 'storage-panel');
    const untranslated = (await untranslatedOn(page, probes)).map((probe) => `settings: ${probe}`);
    await app.openEntry(entryId);
    await page.locator(`${testId('attachment')}[data-sha256="${photoHash}"] ${testId('attachment-image')}`).waitFor();
    await page.locator(`${testId('attachment')}[data-kind="audio"] ${testId('attachment-audio')}`).waitFor();
    await app.waitForText(app.byTestId('attachments'), '语音记录');
    await shoot('zh-entry', 'gallery');
    untranslated.push(...(await untranslatedOn(page, probes)).map((probe) => `entry: ${probe}`));
    expect(untranslated).toEqual([]);
  });

  it('erases the photos and voices with the rest when the device signs out with erase', async () => {
    await app.goTo('#/settings');
    await app.byTestId('sign-out').click();
    await app.byTestId('sign-out-erase').click();
    await app.byTestId('join-code').waitFor();
    // Asked without opening it: opening a database by name creates it.
    expect((await page.evaluate(() => indexedDB.databases())).map((database) => database.name)).not.toContain('fieldwise-blobs');
  });
});
