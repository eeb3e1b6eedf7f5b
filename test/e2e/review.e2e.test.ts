import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { commitSystemChange } from '../../server/hub/systemWrites';
import { entry } from '../../shared/records/entry';
import { pinnedVersionOf, reviewStateOf } from '../../shared/records/entryReview';
import { networkMutators } from '../../shared/records/network';
import { startTestHub, type TestHub } from '../support/hub';
import { editContext, pull } from '../support/hubRequests';
import { waitFor, yjsProvider } from '../support/writeEntryPoints';
import { draftIdOf } from '../../shared/records/entryDraft';
import { moduleFor } from '../../shared/records/registry';
import type { RecordType } from '../../shared/records/recordType';
import { BrowserProfile } from './support/browserProfile';
import { FieldwisePage, testId } from './support/fieldwisePage';
import { openHubLink, type HubLink } from './support/hubLink';
import { serveStatic, type StaticServer } from './support/staticServer';
import * as Y from 'yjs';

/*
 * Review and endorsement in the browser build, on a real hub: a member writes a piece of local
 * wisdom (its own template) and submits it; a steward with the review scope finds it in the review
 * queue and requests changes; the member revises offline and resubmits; the secretariat endorses;
 * the member's laptop shows it endorsed and the library's Endorsed filter finds it; the author
 * drafts on and the library says "endorsed, changes in draft" while an observer reads the
 * endorsed version, and the draft's words reach no other organization's device (pull, /yjs); the
 * secretariat's digest counts it as endorsed; the author resubmits and the secretariat reads the
 * draft in the entry. Screens in both languages go
 * to test/e2e/artifacts/screens/.
 */

const screenshotDir = join(import.meta.dirname, 'artifacts', 'screens');
const TITLE = '看燕子识天气';
const KNOWLEDGE = '燕子低飞贴着田面，一天之内会下雨。';
const SEASON = '春末，梅雨之前最准。';
const DRAFT = '新草稿：青蛙叫得响也是下雨的信号。';
const AFTER_SUBMITTING = '提交后补充：要连续三天。';

describe('reviewing an entry across organizations', { timeout: 240_000 }, () => {
  let hub: TestHub;
  let server: StaticServer;
  let memberLink: HubLink;
  const memberLaptop = new BrowserProfile('review-member');
  const stewardLaptop = new BrowserProfile('review-steward');
  const secretariatLaptop = new BrowserProfile('review-secretariat');
  const observerLaptop = new BrowserProfile('review-observer');
  let member: FieldwisePage;
  let steward: FieldwisePage;
  let sec: FieldwisePage;
  let observer: FieldwisePage;
  let entryId = '';

  const launch = async (profile: BrowserProfile, hubUrl: string, code: string, deviceName: string) => {
    const app = new FieldwisePage(await profile.launch({ appUrl: server.url }));
    await app.open(server.url);
    await app.join({ hubUrl, code, deviceName });
    await app.waitForSyncState(['synced']);
    return app;
  };
  const shoot = (page: FieldwisePage, name: string) => page.page.screenshot({ path: join(screenshotDir, `review-${name}.png`), fullPage: true });
  const stored = async () => {
    const record = (await hub.storage.getRecord(entryId))!;
    const doc = new Y.Doc();
    Y.applyUpdate(doc, record.state);
    return entry.read(doc);
  };
  const reviewState = (page: FieldwisePage, state: string) => page.page.waitForSelector(`${testId('entry-review')}[data-review-state="${state}"]`, { timeout: 20_000 });

  beforeAll(async () => {
    mkdirSync(screenshotDir, { recursive: true });
    [hub, server] = await Promise.all([startTestHub(), serveStatic()]);
    memberLink = await openHubLink(hub.url);
  });

  afterAll(async () => {
    await Promise.all([memberLaptop.dispose(), stewardLaptop.dispose(), secretariatLaptop.dispose(), observerLaptop.dispose()]);
    await memberLink?.close();
    await server?.close();
    await hub?.close();
  });

  it('the member writes local wisdom in its own template and submits it for review', async () => {
    member = await launch(memberLaptop, memberLink.url, await hub.invite('凤羽农民合作社'), '合作社笔记本');
    entryId = await member.newEntry();
    await member.byTestId('editor-title').fill(TITLE);
    await member.byTestId('editor-kind').click();
    await member.page.getByRole('option', { name: 'Local wisdom', exact: true }).click();
    // The local-wisdom template, not the practice one.
    await member.byTestId('editor-section-knowledge').waitFor();
    expect(await member.byTestId('editor-section-approach').count()).toBe(0);
    await member.richText('editor-section-knowledge').click();
    await member.page.keyboard.type(KNOWLEDGE);
    await member.byTestId('editor-holder-name').fill('李奶奶');
    await member.byTestId('editor-holder-name').press('Tab');
    await member.byTestId('editor-consent').click();
    await member.page.getByRole('option', { name: 'Credit by name' }).click();
    await member.byTestId('editor-sharing').click();
    await member.page.getByRole('option', { name: 'Network', exact: true }).click();
    await member.page.waitForSelector(`${testId('editor-status')}:has-text("Shared")`);
    await member.waitSaved();
    await member.byTestId('review-note').fill('请帮忙审核。');
    await member.byTestId('review-submit').click();
    await reviewState(member, 'submitted');
    await member.waitUntilAllSent();
    expect(reviewStateOf(await stored())).toBe('submitted');
    await shoot(member, 'en-1-author-submitted');
  });

  it('a steward with the review scope finds it in the queue and requests changes', async () => {
    const code = await hub.invite('洱海流域保护联盟', 'steward');
    const stewardOrg = (await hub.storage.listOrgs()).find((org) => org.name === '洱海流域保护联盟')!;
    const network = (await hub.storage.getRecord('network'))!;
    await commitSystemChange(hub.storage, network.header, (doc) =>
      networkMutators.setStewardGrant.apply(doc, { orgId: stewardOrg.id, scopes: ['review'] }, editContext('secretariat', 'secretariat')),
    );
    steward = await launch(stewardLaptop, hub.url, code, '联盟电脑');
    await steward.page.waitForSelector(`${testId('review-queue-item')}[data-entry-id="${entryId}"]`, { timeout: 30_000 });
    await shoot(steward, 'en-2-steward-queue');
    await steward.page.locator(`${testId('review-queue-item')}[data-entry-id="${entryId}"]`).click();
    await reviewState(steward, 'submitted');
    // A reviewer reads; it cannot edit the body.
    expect(await steward.richText('editor-section-knowledge').getAttribute('contenteditable')).toBe('false');
    await steward.byTestId('review-note').fill('请写明什么季节最准。');
    await steward.byTestId('review-request-changes').click();
    await reviewState(steward, 'changes-requested');
    await steward.waitUntilAllSent();
    await shoot(steward, 'en-3-steward-requested');
  });

  it('the member sees the request, revises offline and resubmits', async () => {
    await reviewState(member, 'changes-requested');
    expect(await member.byTestId('entry-review').textContent()).toContain('请写明什么季节最准。');
    await memberLaptop.context.setOffline(true);
    memberLink.cut();
    await member.richText('editor-section-appliesWhen').click();
    // In bold, as the editor's shortcut writes it: the pinned version keeps the formatting.
    await member.page.keyboard.press('Control+b');
    await member.page.keyboard.type(SEASON);
    await member.page.keyboard.press('Control+b');
    await member.waitSaved();
    await member.byTestId('review-note').fill('已补充季节。');
    await member.byTestId('review-submit').click();
    await reviewState(member, 'submitted');
    expect(reviewStateOf(await stored())).toBe('changes-requested');
    await shoot(member, 'en-4-author-resubmitted-offline');
    memberLink.restore();
    await memberLaptop.context.setOffline(false);
    await member.waitForSyncState(['synced'], 30_000);
    await member.waitUntilAllSent();
    expect(reviewStateOf(await stored())).toBe('submitted');
  });

  it('the secretariat endorses; the member laptop shows it endorsed and the Endorsed filter finds it', async () => {
    sec = await launch(secretariatLaptop, hub.url, hub.secretariatCode, '秘书处电脑');
    await sec.page.waitForSelector(`${testId('review-queue-item')}[data-entry-id="${entryId}"]`, { timeout: 30_000 });
    // The author types on after submitting: the secretariat is shown what Endorse pins.
    await member.byTestId('editor-summary').fill(`${await member.byTestId('editor-summary').inputValue()} ${AFTER_SUBMITTING}`);
    await member.waitSaved();
    await member.waitUntilAllSent();
    await sec.openEntry(entryId);
    await reviewState(sec, 'submitted');
    await sec.page.waitForSelector(`${testId('review-submitted-changed')}`);
    expect(await sec.byTestId('review-submitted-version').textContent()).not.toContain(AFTER_SUBMITTING);
    expect(await sec.byTestId('review-submitted-version').textContent()).toContain(SEASON);
    await shoot(sec, 'en-5a-secretariat-submitted-changed');
    await sec.byTestId('review-endorse').click();
    await reviewState(sec, 'endorsed');
    await sec.waitUntilAllSent();
    const p = await stored();
    expect(p.status).toBe('endorsed');
    expect(pinnedVersionOf(p)?.version.sections).toEqual({ knowledge: KNOWLEDGE, appliesWhen: SEASON });

    await reviewState(member, 'endorsed');
    await member.page.waitForSelector(`${testId('editor-status')}:has-text("Endorsed")`);
    await member.byTestId('entry-versions').locator(testId('history-read')).last().click();
    expect(await member.byTestId('history-version').textContent()).toContain(SEASON);
    // The stored version shows the season as written, in bold, offline from the entry's own doc.
    expect(await member.byTestId('history-version').locator('strong').allTextContents()).toEqual([SEASON]);
    await shoot(member, 'en-5-author-endorsed-history');
    await member.byTestId('editor-back').click();
    await member.byTestId('filter-status').click();
    await member.page.getByRole('option', { name: 'Endorsed', exact: true }).click();
    await member.page.waitForSelector(`${testId('entry-row')}[data-entry-id="${entryId}"]`);
    expect(await member.rowTitles()).toEqual([TITLE]);
  });

  it('the author drafts on: the library says so, and an observer reads the endorsed version', async () => {
    await member.openEntry(entryId);
    await member.focusEndOf('editor-section-knowledge');
    await member.page.keyboard.type(DRAFT);
    await member.waitSaved();
    await member.page.waitForSelector(`${testId('entry-review')}[data-changes-in-draft="true"]`);
    await member.waitUntilAllSent();
    // The words went to the organization's draft on the hub, not into the entry that every reader
    // receives whole: another organization's pull and /yjs of the entry hold none of them.
    // Read through each record's module, not searched for in the bytes: text typed key by key may
    // be stored in pieces.
    const holds = (type: RecordType, state: Uint8Array) => {
      const doc = new Y.Doc();
      Y.applyUpdate(doc, state);
      const text = JSON.stringify(moduleFor(type).read(doc));
      doc.destroy();
      return text.includes(DRAFT);
    };
    const outsider = await hub.join(await hub.invite('洱源种子库'));
    const pulled = await pull(hub.url, outsider.token, 0);
    expect(pulled.records.map((record) => record.meta.id)).toContain(entryId);
    expect(pulled.records.filter((record) => holds(record.meta.type, record.update)).map((record) => record.meta.id)).toEqual([]);
    const live = await yjsProvider(hub, outsider.token, entryId);
    try {
      expect(holds('entry', Y.encodeStateAsUpdate(live.doc))).toBe(false);
    } finally {
      live.close();
    }
    expect(holds('entry', (await hub.storage.getRecord(entryId))!.state)).toBe(false);
    // They are the organization's draft's, and the editor says so.
    expect(holds('draft', (await hub.storage.getRecord(draftIdOf(entryId)))!.state)).toBe(true);
    await member.byTestId('draft-notice').waitFor();
    await member.byTestId('editor-back').click();
    await member.page.waitForSelector(`${testId('entry-row')}[data-entry-id="${entryId}"] ${testId('entry-row-status')}:has-text("Endorsed, changes in draft")`);
    await shoot(member, 'en-6-library-changes-in-draft');

    observer = await launch(observerLaptop, hub.url, await hub.invite('大理观察员', 'observer'), '观察员电脑');
    await observer.page.waitForSelector(`${testId('entry-row')}[data-entry-id="${entryId}"][data-pinned="true"]`, { timeout: 30_000 });
    await observer.openEntry(entryId);
    await observer.byTestId('pinned-version').waitFor();
    const pinned = await observer.byTestId('pinned-version').textContent();
    expect(pinned).toContain(SEASON);
    expect(pinned).not.toContain(DRAFT);
    expect(await observer.byTestId('pinned-version').locator('strong').allTextContents()).toEqual([SEASON]);
    // The draft is the author's: nothing on the screen shows it, nor offers to.
    expect(await observer.byTestId('entry-editor').textContent()).not.toContain(DRAFT);
    expect(await observer.byTestId('pinned-toggle').count()).toBe(0);
    expect(await observer.byTestId('review-submit').count()).toBe(0);
    expect(await observer.byTestId('review-endorse').count()).toBe(0);
    await shoot(observer, 'en-7-observer-pinned');
  });

  it('the digest counts it as endorsed, and the screens read in Chinese', async () => {
    await sec.goTo('#/reports');
    await sec.byTestId('reports-screen').waitFor();
    await sec.page.waitForSelector(`${testId('report-preview')}[data-kind="digest"]`, { timeout: 20_000 });
    const previewHas = (text: string) => sec.page.waitForFunction((wanted) => (document.querySelector('[data-testid="report-preview"]')?.shadowRoot?.textContent ?? '').includes(wanted), text, { timeout: 20_000 });
    await previewHas(TITLE);
    // Printed with its endorsed text and counted under the Endorsed status.
    await previewHas(SEASON);
    await previewHas('Endorsed, changes in draft');
    await shoot(sec, 'en-8-digest');

    for (const page of [member, observer, steward]) {
      await page.goTo('#/settings');
      await page.chooseLanguage('简体中文');
    }
    await member.openEntry(entryId);
    await member.page.waitForSelector(`${testId('review-state')}:has-text("已认可，草稿中有修改")`);
    await shoot(member, 'zh-1-author-entry');
    await observer.openEntry(entryId);
    await observer.page.waitForSelector(`${testId('pinned-notice')}:has-text("已认可的版本")`);
    await shoot(observer, 'zh-2-observer-pinned');
    await steward.goTo('#/library');
    await steward.byTestId('review-queue').waitFor();
    expect(await steward.byTestId('review-queue').textContent()).toContain('待审核');
    await shoot(steward, 'zh-3-steward-library');
  });

  it('the author resubmits: the draft goes into the entry, and the secretariat reads it', async () => {
    await member.openEntry(entryId);
    await member.byTestId('draft-notice').waitFor();
    await member.byTestId('review-note').fill('补充了青蛙的信号。');
    await member.byTestId('review-submit').click();
    await reviewState(member, 'submitted');
    await member.waitUntilAllSent();
    await waitFor(async () => reviewStateOf(await stored()) === 'submitted', 'the hub to hold the resubmission');
    const p = await stored();
    expect(p.sections.knowledge).toContain(DRAFT);
    await sec.openEntry(entryId);
    await reviewState(sec, 'submitted');
    await sec.page.waitForFunction((wanted) => (document.querySelector('[data-testid="editor-section-knowledge"]')?.textContent ?? '').includes(wanted), DRAFT, { timeout: 20_000 });
    // The newer text is with the reviewers now, not in a draft: the status says so.
    await sec.page.waitForSelector(`${testId('editor-status')}:has-text("Endorsed, changes submitted for review")`);
    await shoot(sec, 'zh-4-secretariat-reads-resubmitted-draft');
  });
});
