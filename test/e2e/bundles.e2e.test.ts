import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readBundle } from '../../shared/sync/bundle';
import { exportOrgBundle } from '../../server/hub/bundles';
import { startTestHub, type TestHub } from '../support/hub';
import { BrowserProfile } from './support/browserProfile';
import { FieldwisePage, testId } from './support/fieldwisePage';
import { openHubLink, type HubLink } from './support/hubLink';
import { hubEntry, pushEntriesAs } from './support/hubRecords';
import { serveStatic, type StaticServer } from './support/staticServer';

/*
 * Offline transfer from the browser build: a device cut off from the hub exports a bundle file
 * (a real download), the hub imports it, the hub's bundle for the organization comes back as a
 * file the person picks, and a tampered file is refused on screen with nothing applied.
 */

const screenshotDir = join(import.meta.dirname, 'artifacts', 'screens');
const ORG = '西山用水户协会';
const TITLE = '水窖清洗：每年春天一次';
const THEIR_TITLE = 'Stone mulch keeps melon fields moist';

describe('sync bundles from the browser build', { timeout: 120_000 }, () => {
  let hub: TestHub;
  let server: StaticServer;
  let link: HubLink;
  const laptop = new BrowserProfile('bundles');
  let app: FieldwisePage;

  beforeAll(async () => {
    [hub, server] = await Promise.all([startTestHub(), serveStatic()]);
    link = await openHubLink(hub.url);
  });

  afterAll(async () => {
    await laptop.dispose();
    await link?.close();
    await server?.close();
    await hub?.close();
  });

  it('exports unsent changes to a file the hub imports, and imports the hub bundle back', async () => {
    app = new FieldwisePage(await laptop.launch({ appUrl: server.url }));
    await app.open(server.url);
    await app.join({ hubUrl: link.url, code: await hub.invite(ORG), deviceName: '田野笔记本' });
    await app.waitForSyncState(['synced']);
    const orgId = (await hub.storage.listOrgs()).find((org) => org.name === ORG)!.id;
    // The device registered its signing key while online.
    const credential = (await hub.storage.getCredential(JSON.parse((await app.page.evaluate(() => localStorage.getItem('fieldwise.profile')))!).credentialId))!;
    await expect.poll(() => hub.storage.getDeviceKey(credential.id)).not.toBeNull();

    // No connection at all from here on.
    await laptop.context.setOffline(true);
    link.cut();
    const entryId = await app.newEntry();
    await app.byTestId('editor-title').fill(TITLE);
    await app.waitSaved();
    expect(await app.waitForUnsent()).toBeGreaterThan(0);

    await app.goTo('#/sync');
    await app.byTestId('offline-transfer').waitFor();
    // The size is shown before the export, for the level picked.
    await app.byTestId('bundle-media-thumbnails').check();
    const shown = Number(await app.page.locator(testId('bundle-size')).getAttribute('data-bytes'));
    expect(shown).toBeGreaterThan(0);
    mkdirSync(screenshotDir, { recursive: true });
    await app.byTestId('offline-transfer').screenshot({ path: join(screenshotDir, 'bundle-export-media.png') });
    const downloading = app.page.waitForEvent('download');
    await app.byTestId('bundle-export').click();
    const download = await downloading;
    expect(download.suggestedFilename()).toMatch(/\.fwbundle$/);
    const fieldFile = join(laptop.userDataDir, 'from-field.fwbundle');
    await download.saveAs(fieldFile);
    await app.page.waitForSelector(`${testId('bundle-result')}[data-kind="exported"][data-count="1"]`);
    // What was shown is what was written, but for the header clock's digits.
    expect(Math.abs(readFileSync(fieldFile).length - shown)).toBeLessThanOrEqual(2);
    expect(readBundle(new Uint8Array(readFileSync(fieldFile))).header.media).toBe('thumbnails');

    // At the secretariat: the stick's file goes through the write path as this device.
    const fieldBytes = new Uint8Array(readFileSync(fieldFile));
    expect(readBundle(fieldBytes).header).toMatchObject({ kind: 'field-to-hub', orgId, credentialId: credential.id });
    const imported = await hub.hub.importBundle(fieldBytes);
    expect(imported.committedCount).toBe(1);
    expect((await hubEntry(hub, entryId))?.title).toBe(TITLE);

    // Another organization shares an entry; the hub writes A's bundle since A's checkpoint.
    await pushEntriesAs(hub, 'Gansu Drylands Alliance', [
      { kind: 'practice', title: THEIR_TITLE, summary: 'River stones cut evaporation.', language: 'en', attribution: { holderKind: 'community', holderName: 'Dingxi farmers', consent: 'community-approved' }, sharing: 'network' },
    ]);
    const { bytes } = await exportOrgBundle(hub.hub, { orgId, since: 0, signer: hub.hub.hubKey });
    const hubFile = join(laptop.userDataDir, 'to-field.fwbundle');
    writeFileSync(hubFile, bytes);

    // A damaged copy first: refused on screen, nothing applied.
    const damaged = bytes.slice();
    damaged[damaged.length - 100] = damaged[damaged.length - 100]! ^ 0x01;
    const damagedFile = join(laptop.userDataDir, 'damaged.fwbundle');
    writeFileSync(damagedFile, damaged);
    const picker = app.page.locator('[data-testid="offline-transfer"] input[type="file"]');
    await picker.setInputFiles(damagedFile);
    await app.page.waitForSelector(`${testId('bundle-result')}[data-kind="failed"][data-code="tampered"]`);

    await picker.setInputFiles(hubFile);
    await app.page.waitForSelector(`${testId('bundle-result')}[data-kind="imported"]`);
    await app.goTo('#/library');
    await app.entryRow(THEIR_TITLE).waitFor();
    await app.entryRow(TITLE).waitFor();
  });
});
