import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { describeBlob } from '../../shared/blobs/describeBlob';
import { entryMutators } from '../../shared/records/entry';
import { startTestHub, type TestHub } from '../support/hub';
import { BrowserProfile } from './support/browserProfile';
import { FieldwisePage, testId } from './support/fieldwisePage';
import { pushEntriesAs } from './support/hubRecords';
import { serveStatic, type StaticServer } from './support/staticServer';

/*
 * Another organization's entry names a photo and a voice note whose bytes this device does not
 * hold (no blob has come down yet): the entry shows what they are, says "not downloaded yet", and
 * the Download button hands the request to the blob sync (renderer/sync/blobRequests.ts), which
 * fetches when the hub can be reached. Nothing breaks for want of the bytes.
 */

const bytes = (text: string) => new TextEncoder().encode(text);

describe('attachments whose bytes are not on this device yet', { timeout: 120_000 }, () => {
  let hub: TestHub;
  let server: StaticServer;
  const profile = new BrowserProfile('media-not-downloaded');
  let app: FieldwisePage;
  let page: Page;
  let entryId = '';

  beforeAll(async () => {
    [hub, server] = await Promise.all([startTestHub(), serveStatic()]);
    const ids = await pushEntriesAs(
      hub,
      'Nujiang Elders Circle',
      [
        {
          kind: 'local-wisdom',
          title: 'When the ants foretell rain',
          language: 'en',
          attribution: { holderKind: 'community', holderName: 'Elders of Bingzhongluo', consent: 'community-approved' },
          sharing: 'network',
        },
      ],
      async (client, id) => {
        const photo = describeBlob(bytes('an ant trail photo never uploaded'), 'image/jpeg');
        const voice = describeBlob(bytes('an elder speaking, never uploaded'), 'audio/webm');
        await client.mutate(id, entryMutators.addAttachment, {
          id: 'ant-trail',
          attachment: { kind: 'photo', name: 'ant-trail.jpg', caption: 'Ants moving their eggs uphill', consent: 'given', keepsLocation: false, widthPx: 4000, heightPx: 3000, ref: { ...photo, variants: { thumbnail: describeBlob(bytes('thumb'), 'image/jpeg') } } },
        });
        await client.mutate(id, entryMutators.addAttachment, {
          id: 'elder-voice',
          attachment: { kind: 'audio', name: 'elder.webm', caption: 'Grandfather He explains', consent: 'given', keepsLocation: false, durationMs: 83_000, ref: { ...voice, variants: {} } },
        });
      },
    );
    entryId = ids[0]!;
    page = await profile.launch({ appUrl: server.url });
    app = new FieldwisePage(page);
  });

  afterAll(async () => {
    await profile.dispose();
    await server?.close();
    await hub?.close();
  });

  it('shows what is attached, says it is not downloaded yet, and asks the blob sync for it', async () => {
    await app.open(server.url);
    await app.join({ hubUrl: hub.url, code: await hub.invite('Fengyu Farmers Cooperative'), deviceName: 'field laptop' });
    await app.waitForSyncState(['synced']);
    await app.entryRow('When the ants foretell rain').waitFor();
    // No thumbnail here yet: the row keeps its place without a picture.
    await app.entryRow('When the ants foretell rain').locator(testId('entry-row-thumbnail-pending')).waitFor();
    expect(await app.entryRow('When the ants foretell rain').locator(testId('entry-row-thumbnail')).count()).toBe(0);

    await app.openEntry(entryId);
    const voice = page.locator(`${testId('attachment')}[data-attachment-id="elder-voice"]`);
    await voice.locator(testId('not-downloaded')).waitFor();
    expect(await voice.locator(testId('attachment-duration')).textContent()).toBe('Voice note · 1:23');
    expect(await voice.locator(testId('attachment-caption-text')).textContent()).toBe('Grandfather He explains');
    expect(await voice.locator(testId('attachment-consent-text')).textContent()).toBe('Consent: Given');
    await voice.locator(testId('download-original')).click();
    await app.waitForText(voice.locator(testId('not-downloaded')), 'Will download when the hub can be reached.');

    const photo = page.locator(`${testId('attachment')}[data-attachment-id="ant-trail"]`);
    await app.waitForText(photo.locator(testId('attachment-open')), 'Not downloaded yet.');
    await photo.locator(testId('attachment-open')).click();
    await app.byTestId('lightbox').locator(testId('download-original')).waitFor();
    expect(await app.byTestId('lightbox').locator(testId('lightbox-image')).count()).toBe(0);
    expect(await app.byTestId('lightbox').textContent()).toContain('4000 × 3000 pixels');
    // A reader gets no capture controls.
    expect(await app.byTestId('attachment-drop-zone').count()).toBe(0);
  });
});
