import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { EntryInput } from '../../shared/records/entry';
import { entryReviewMutators } from '../../shared/records/entryReview';
import type { JoinResponse } from '../../shared/sync/protocol';
import { startTestHub, type TestHub } from '../support/hub';
import { createUpdate, editContext, push } from '../support/hubRequests';
import { BrowserProfile, VIEWPORT } from './support/browserProfile';
import { FieldwisePage, testId } from './support/fieldwisePage';
import { serveStatic, type StaticServer } from './support/staticServer';

/*
 * A TK Seasonal label's notice shows wherever the entry is shown, for a reviewer too: in Chromium
 * against a real hub, the secretariat finds a member's seasonal entry in its review queue with the
 * notice in the community's words, and on the entry's page each translation row spells out its own
 * seasonal notice; then the same in Chinese. The entries come as a client would push them, over
 * HTTP. Screenshots go to test/e2e/artifacts/labels/.
 */

const screenshotDir = join(import.meta.dirname, 'artifacts', 'labels');
const TITLE = '春播前看燕子';
const seasonal = (en: string, zh: string) => ({ id: 'tk-seasonal' as const, texts: { en, zh } });

describe('the seasonal notice in the review queue and the translation rows', { timeout: 120_000 }, () => {
  let hub: TestHub;
  let server: StaticServer;
  const profile = new BrowserProfile('seasonal-notice');
  let app: FieldwisePage;
  let page: Page;
  let entryId = '';
  let translationId = '';

  beforeAll(async () => {
    mkdirSync(screenshotDir, { recursive: true });
    [hub, server] = await Promise.all([startTestHub(), serveStatic()]);
    const alpha: JoinResponse = await hub.join(await hub.invite('Fengyu Farmers Cooperative'));
    const beta: JoinResponse = await hub.join(await hub.invite('Cangshan Women Farmers'));
    const original: EntryInput = {
      kind: 'local-wisdom',
      title: TITLE,
      language: 'zh-CN',
      attribution: { holderKind: 'community', holderName: '丰裕村老人', consent: 'community-approved' },
      sharing: 'network',
      sections: { knowledge: '燕子低飞，一天内会下雨。' },
      labels: [seasonal('Only told before the spring sowing', '只在春播前讲述')],
    };
    entryId = 'entry-seasonal-original';
    const author = editContext(alpha.org.id, 'member');
    const created = createUpdate('entry', original, author, (doc) => entryReviewMutators.submitForReview.apply(doc, '', author));
    expect((await push(hub.url, alpha.token, [{ id: entryId, type: 'entry', update: created }])).status).toBe(200);
    translationId = 'entry-seasonal-translation';
    const translation: EntryInput = { ...original, title: 'Swallows before the spring sowing', language: 'en', sections: { knowledge: 'Low swallows: rain within a day.' }, labels: [seasonal('Told only before sowing', '只在播种前讲述')], translation: { of: entryId, translator: 'Ma Li' } };
    expect((await push(hub.url, beta.token, [{ id: translationId, type: 'entry', update: createUpdate('entry', translation, editContext(beta.org.id, 'member')) }])).status).toBe(200);
    page = await profile.launch({ appUrl: server.url });
    app = new FieldwisePage(page);
  });

  afterAll(async () => {
    await profile.dispose();
    await server?.close();
    await hub?.close();
  });

  const queueRow = () => page.locator(`${testId('review-queue-row')}[data-entry-id="${entryId}"]`);
  const translationRow = () => page.locator(`${testId('entry-translation')}[data-entry-id="${translationId}"]`);

  it('shows the notice on the review queue item and on the translation row', async () => {
    await page.setViewportSize(VIEWPORT);
    await app.open(server.url);
    await app.join({ hubUrl: hub.url, code: hub.secretariatCode, deviceName: 'secretariat desk' });
    await app.waitForSyncState(['synced']);
    await app.goTo('#/library');
    await app.waitForText(queueRow().locator(testId('entry-seasonal-notice')), 'Seasonal knowledge: Only told before the spring sowing');
    await app.openEntry(entryId);
    await app.waitForText(translationRow().locator(testId('entry-seasonal-notice')), 'Seasonal knowledge: Told only before sowing');
  });

  it('shows them in Chinese, in the community’s Chinese words', async () => {
    await app.goTo('#/settings');
    await app.chooseLanguage('简体中文');
    await app.goTo('#/library');
    await app.waitForText(queueRow().locator(testId('entry-seasonal-notice')), '季节性知识：只在春播前讲述');
    await page.screenshot({ path: join(screenshotDir, 'zh-CN-4-review-queue.png') });
    await app.openEntry(entryId);
    await app.waitForText(translationRow().locator(testId('entry-seasonal-notice')), '季节性知识：只在播种前讲述');
    await translationRow().scrollIntoViewIfNeeded();
    await page.screenshot({ path: join(screenshotDir, 'zh-CN-5-translation-row.png') });
  });
});
