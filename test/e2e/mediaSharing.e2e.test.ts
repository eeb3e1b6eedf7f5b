import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { blobHash } from '../../shared/blobs/blobHash';
import { attachmentEntrySchema, type AttachmentEntry } from '../../shared/records/attachments';
import { getBlob } from '../support/blobRequests';
import { startTestHub, type TestHub } from '../support/hub';
import { BrowserProfile } from './support/browserProfile';
import { photoFromPage, storedBlob, waitForHubBlobs } from './support/devicePhotos';
import { FieldwisePage, testId } from './support/fieldwisePage';
import { openHubLink, type HubLink } from './support/hubLink';
import { serveStatic, type StaticServer } from './support/staticServer';

/*
 * A photo crosses the network, in Chromium on the built renderer against a real hub and its blob
 * routes (issue 18). Organization A attaches a photo offline to an entry it shares with the
 * network (consent given), and another to an entry labelled TK Secret/Sacred; when A's link
 * returns, nobody presses anything: the records go up, then the media. Organization B, online
 * meanwhile, sees the thumbnail in its library and the preview on the entry by themselves, and
 * the original once it asks, matching its hash. The restricted entry's media never reach B: not
 * on B's device, and the hub answers B 404. Screens of both in English and Chinese go to
 * test/e2e/artifacts/media/.
 */

const screenshotDir = join(import.meta.dirname, 'artifacts', 'media');
const SHARED_TITLE = 'Bottle drip lines for the dry season';
const SECRET_TITLE = 'The spring at the sacred grove';
const ORG_A = 'Xishan Ecological Farming Cooperative';
const ORG_B = 'Nujiang Mountain Water Group';

describe('a photo shared across the network', { timeout: 240_000 }, () => {
  let hub: TestHub;
  let server: StaticServer;
  let linkA: HubLink;
  const laptopA = new BrowserProfile('media-share-a');
  const laptopB = new BrowserProfile('media-share-b');
  let a: FieldwisePage;
  let b: FieldwisePage;
  let sharedId = '';
  let secretId = '';

  const shoot = async (app: FieldwisePage, name: string, about?: string) => {
    if (about) await app.byTestId(about).scrollIntoViewIfNeeded();
    await app.page.evaluate(() => document.fonts.ready.then(() => undefined));
    await app.page.screenshot({ path: join(screenshotDir, `${name}.png`) });
  };

  /** The attachments of a record as the hub stores them. */
  const hubAttachments = async (id: string): Promise<AttachmentEntry[]> => attachmentEntrySchema.array().parse((await hub.storage.getRecord(id))!.projection.attachments);
  const renditions = (attachment: AttachmentEntry): string[] => [attachment.ref.sha256, attachment.ref.variants.preview!.sha256, attachment.ref.variants.thumbnail!.sha256];

  /** Attaches a photo the page encodes to the open entry and gives it consent; resolves once saved. */
  const attachPhoto = async (app: FieldwisePage, name: string, posts: number) => {
    await app.byTestId('attach-input').setInputFiles({ name, mimeType: 'image/jpeg', buffer: Buffer.from(await photoFromPage(app.page, posts)) });
    const photo = app.page.locator(testId('attachment'), { has: app.page.locator(testId('attachment-name'), { hasText: name }) });
    await photo.locator(`${testId('attachment-image')}[data-variant="preview"]`).waitFor();
    await photo.locator(testId('attachment-consent')).click();
    await app.page.getByRole('option', { name: 'Given', exact: true }).click();
    await app.waitSaved();
  };

  beforeAll(async () => {
    mkdirSync(screenshotDir, { recursive: true });
    [hub, server] = await Promise.all([startTestHub(), serveStatic()]);
    linkA = await openHubLink(hub.url);
  });

  afterAll(async () => {
    await Promise.all([laptopA.dispose(), laptopB.dispose()]);
    await linkA?.close();
    await server?.close();
    await hub?.close();
  });

  it('A attaches photos offline; when the link returns they reach the hub after the records, with nobody pressing anything', async () => {
    a = new FieldwisePage(await laptopA.launch({ appUrl: server.url }));
    await a.open(server.url);
    await a.join({ hubUrl: linkA.url, code: await hub.invite(ORG_A), deviceName: 'A field laptop' });
    await a.waitForSyncState(['synced']);
    b = new FieldwisePage(await laptopB.launch({ appUrl: server.url }));
    await b.open(server.url);
    await b.join({ hubUrl: hub.url, code: await hub.invite(ORG_B), deviceName: 'B office laptop' });
    await b.waitForSyncState(['synced']);

    await laptopA.context.setOffline(true);
    linkA.cut();
    sharedId = await a.newEntry();
    await a.byTestId('editor-title').fill(SHARED_TITLE);
    await a.byTestId('editor-consent').click();
    await a.page.getByRole('option', { name: 'Approved by the community' }).click();
    await a.byTestId('editor-sharing').click();
    await a.page.getByRole('option', { name: 'Network', exact: true }).click();
    await attachPhoto(a, 'drip-line.jpg', 8);
    await a.page.waitForSelector(`${testId('editor-status')}:has-text("Shared")`);

    await a.goTo('#/library');
    secretId = await a.newEntry();
    await a.byTestId('editor-title').fill(SECRET_TITLE);
    await a.byTestId('editor-consent').click();
    await a.page.getByRole('option', { name: 'Approved by the community' }).click();
    await a.byTestId('editor-sharing').click();
    await a.page.getByRole('option', { name: 'Network', exact: true }).click();
    await a.byTestId('label-apply-tk-secret-sacred').check();
    await a.waitSaved();
    // Shared by its sharing, kept home by its label: it says where it really is.
    await a.page.waitForSelector(`${testId('editor-status')}[data-status="owner-only"]:has-text("Only your organization")`);
    // Another picture: the same bytes in a shared entry would be readable through that one.
    await attachPhoto(a, 'grove-spring.jpg', 5);
    await a.waitForSyncState(['offline', 'error']);
    expect(await hub.storage.getRecord(sharedId)).toBeNull();

    await laptopA.context.setOffline(false);
    linkA.restore();
    // No click: the record sync's own retry brings the link back, and media follows it.
    await a.waitUntilAllSent(60_000);
    for (const id of [sharedId, secretId]) await waitForHubBlobs(hub, id);
    expect(renditions((await hubAttachments(secretId))[0]!)).not.toContain((await hubAttachments(sharedId))[0]!.ref.sha256);
    expect((await hub.storage.getRecord(secretId))!.facts).toMatchObject({ isOwnerOnly: true });
    await a.openEntry(sharedId);
    await shoot(a, 'share-en-a-entry', 'gallery');
  });

  it('B sees the thumbnail in the library and the preview on the entry by itself, and the original once it asks, matching its hash', async () => {
    const [photo] = await hubAttachments(sharedId);
    const row = b.entryRow(SHARED_TITLE);
    await row.locator(testId('entry-row-thumbnail')).waitFor({ timeout: 60_000 });
    await shoot(b, 'share-en-b-library');

    await row.click();
    await b.page.waitForSelector(`${testId('entry-editor')}[data-entry-id="${sharedId}"]`);
    const card = b.page.locator(`${testId('attachment')}[data-sha256="${photo!.ref.sha256}"]`);
    await card.locator(`${testId('attachment-image')}[data-variant="preview"]`).waitFor({ timeout: 30_000 });
    // The original stays on the hub until B asks for it.
    expect(await storedBlob(b.page, photo!.ref.sha256)).toBeNull();
    await shoot(b, 'share-en-b-entry', 'gallery');

    await card.locator(testId('attachment-open')).click();
    await b.byTestId('lightbox').locator(testId('download-original')).click();
    await b.page.locator(`${testId('lightbox-image')}[data-variant="original"]`).waitFor({ timeout: 30_000 });
    await b.page.waitForFunction((selector) => (document.querySelector(selector) as HTMLImageElement | null)?.naturalWidth === 1600, `${testId('lightbox-image')}[data-variant="original"]`);
    const original = (await storedBlob(b.page, photo!.ref.sha256))!;
    expect(blobHash(original)).toBe(photo!.ref.sha256);
    await shoot(b, 'share-en-b-original');
    await b.page.keyboard.press('Escape');
  });

  it("never lets the restricted entry's media reach B: not on B's device, and the hub answers B 404", async () => {
    const [secret] = await hubAttachments(secretId);
    await b.goTo('#/library');
    await b.entryRow(SHARED_TITLE).waitFor();
    expect(await b.entryRow(SECRET_TITLE).count()).toBe(0);
    for (const sha256 of renditions(secret!)) expect(await storedBlob(b.page, sha256)).toBeNull();
    // Another device of B's organization asks the hub directly: the same 404 as for no blob at all.
    const orgB = (await hub.storage.listOrgs()).find((org) => org.name === ORG_B)!;
    const deviceB2 = await hub.join(await hub.inviteDevice(orgB.id), 'B second laptop');
    for (const sha256 of renditions(secret!)) expect((await getBlob(hub.url, deviceB2.token, sha256)).status).toBe(404);
    const [shared] = await hubAttachments(sharedId);
    expect((await getBlob(hub.url, deviceB2.token, shared!.ref.variants.thumbnail!.sha256)).status).toBe(200);
  });

  it('shows both screens in Chinese', async () => {
    await a.goTo('#/settings');
    await a.chooseLanguage('简体中文');
    await a.openEntry(sharedId);
    await a.page.locator(`${testId('attachment-image')}[data-variant="preview"]`).waitFor();
    await shoot(a, 'share-zh-a-entry', 'gallery');
    await a.goTo('#/library');
    await a.entryRow(SECRET_TITLE).waitFor();
    await shoot(a, 'share-zh-a-library');

    await b.goTo('#/settings');
    await b.chooseLanguage('简体中文');
    await b.goTo('#/library');
    await b.entryRow(SHARED_TITLE).locator(testId('entry-row-thumbnail')).waitFor();
    await shoot(b, 'share-zh-b-library');
    await b.openEntry(sharedId);
    await b.page.locator(`${testId('attachment-image')}[data-variant="preview"]`).waitFor();
    await shoot(b, 'share-zh-b-entry', 'gallery');
  });
});
