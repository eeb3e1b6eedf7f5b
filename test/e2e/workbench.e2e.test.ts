import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { interest as interestModule, interestId } from '../../shared/records/interest';
import { orgMutators } from '../../shared/records/org';
import { startTestHub, type TestHub } from '../support/hub';
import { syncedClient } from '../support/syncedClient';
import { BrowserProfile, VIEWPORT } from './support/browserProfile';
import { FieldwisePage, testId } from './support/fieldwisePage';
import { openHubLink, type HubLink } from './support/hubLink';
import { pushEntriesAs } from './support/hubRecords';
import { serveStatic, type StaticServer } from './support/staticServer';
import { englishProbes, untranslatedOn } from './support/untranslated';

/*
 * The workbench end to end, on a real hub with two Chromium profiles: the secretariat publishes an
 * offer; a member organization it fits receives it, goes offline, still sees it after a restart,
 * expresses interest offline, reconnects; the secretariat moves the interest through the pipeline
 * (by keyboard and by button) to accepted, and both sides see the accepted state. Then every
 * workbench screen is photographed in English and in Chinese (test/e2e/artifacts/screens/), with
 * no English UI string on the Chinese ones.
 */

const screenshotDir = join(import.meta.dirname, 'artifacts', 'screens');
const MEMBER = '西山生态农业合作社';
const OTHER = '甘肃旱作联盟';
const OFFER_TITLE = '堆肥技术培训';
const MESSAGE = '我们有两名技术员可以参加。';
const NOTE = '名额已确认';

describe('the secretariat workbench on a real hub', { timeout: 180_000 }, () => {
  let hub: TestHub;
  let server: StaticServer;
  let memberLink: HubLink;
  const secretariatProfile = new BrowserProfile('wb-secretariat');
  const memberProfile = new BrowserProfile('wb-member');
  let s: FieldwisePage;
  let m: FieldwisePage;
  let memberOrgId = '';
  let otherOrgId = '';
  let offerId = '';

  beforeAll(async () => {
    mkdirSync(screenshotDir, { recursive: true });
    [hub, server] = await Promise.all([startTestHub(), serveStatic()]);
    memberLink = await openHubLink(hub.url);
    // A challenge reported from the field, for the health screen's table and chart.
    await pushEntriesAs(hub, '怒江山区饮水安全小组', [
      {
        kind: 'challenge',
        title: '水费收缴难',
        summary: '部分农户认为山泉水不该收费。',
        topic: '饮水治理',
        region: ['云南省', '怒江州'],
        language: 'zh-CN',
        attribution: { holderKind: 'person', holderName: '和建华', consent: 'credit-by-name' },
        sharing: 'network',
      },
    ]);
  });

  afterAll(async () => {
    await Promise.all([secretariatProfile.dispose(), memberProfile.dispose()]);
    await memberLink?.close();
    await server?.close();
    await hub?.close();
  });

  /** Profiles written by a headless device of the secretariat: the member fits the offer, the other does not. */
  async function describeOrgs(): Promise<void> {
    const secretariatOrg = (await hub.storage.listOrgs()).find((org) => org.role === 'secretariat')!;
    const device = await syncedClient(hub, await hub.join(await hub.inviteDevice(secretariatOrg.id), 'headless'), { engine: { isLive: false } });
    try {
      await device.engine.syncNow();
      const { client } = device;
      await client.mutate(memberOrgId, orgMutators.setProfile, { region: ['云南省', '大理州', '喜洲镇'], staffSize: 12 });
      await client.mutate(memberOrgId, orgMutators.setCapabilities, ['堆肥', '农民培训']);
      await client.mutate(memberOrgId, orgMutators.setStage, 'growing');
      await client.mutate(otherOrgId, orgMutators.setProfile, { region: ['甘肃省', '定西市'], staffSize: 60 });
      await client.mutate(otherOrgId, orgMutators.setCapabilities, ['水窖']);
      await client.mutate(otherOrgId, orgMutators.setStage, 'mature');
      await device.engine.syncNow();
      expect(device.engine.status.pendingCount).toBe(0);
    } finally {
      await device.close();
    }
  }

  it('the secretariat publishes an offer that fits one organization and not another', async () => {
    s = new FieldwisePage(await secretariatProfile.launch({ appUrl: server.url }));
    await s.page.setViewportSize(VIEWPORT);
    await s.open(server.url);
    await s.join({ hubUrl: hub.url, code: hub.secretariatCode, deviceName: 'Secretariat laptop' });
    await s.waitForSyncState(['synced']);

    m = new FieldwisePage(await memberProfile.launch({ appUrl: server.url }));
    await m.page.setViewportSize(VIEWPORT);
    await m.open(server.url);
    await m.join({ hubUrl: memberLink.url, code: await hub.invite(MEMBER), deviceName: '西山合作社笔记本' });
    await m.waitForSyncState(['synced']);
    const orgs = await hub.storage.listOrgs();
    memberOrgId = orgs.find((org) => org.name === MEMBER)!.id;
    await hub.join(await hub.invite(OTHER), 'headless');
    otherOrgId = (await hub.storage.listOrgs()).find((org) => org.name === OTHER)!.id;
    await describeOrgs();

    await s.goTo('#/workbench/offers/new');
    await s.byTestId('offer-form').waitFor();
    await s.byTestId('offer-title').fill(OFFER_TITLE);
    await s.byTestId('offer-places').fill('8');
    const today = new Date().toISOString().slice(0, 10);
    const inMonth = new Date(Date.now() + 30 * 24 * 3600 * 1000).toISOString().slice(0, 10);
    await s.byTestId('offer-opens').fill(today);
    await s.byTestId('offer-closes').fill(inMonth);
    // The pills wrapper takes the pointer; the input behind it opens the options.
    await s.byTestId('offer-stages').click({ force: true });
    await s.page.getByRole('option', { name: 'Growing', exact: true }).click();
    await s.page.keyboard.press('Escape');
    await s.byTestId('offer-regions').fill('云南省');
    await s.byTestId('offer-publish').click();

    const detail = s.page.locator(`${testId('offer-detail')}[data-state="published"]`);
    await detail.waitFor();
    offerId = (await detail.getAttribute('data-offer-id'))!;
    await s.page.locator(`${testId('offer-match')}[data-org-id="${memberOrgId}"][data-eligible="true"]`).waitFor();
    await s.page.locator(`${testId('offer-match')}[data-org-id="${otherOrgId}"][data-eligible="false"]`).waitFor();
    await s.waitUntilAllSent();
    expect((await hub.storage.getRecord(offerId))?.projection).toMatchObject({ title: OFFER_TITLE, state: 'published', places: 8 });
  });

  it('the member sees the offer after a sync, still sees it offline after a restart, and expresses interest offline', async () => {
    await m.goTo('#/workbench/offers');
    await m.page.locator(`${testId('offer-row')}[data-offer-id="${offerId}"]`).waitFor();
    await m.waitForSyncState(['synced']);

    // Off the network, then a restart of the app on the same profile.
    await memberProfile.context.setOffline(true);
    memberLink.cut();
    await memberProfile.close();
    m = new FieldwisePage(await memberProfile.launch({ appUrl: server.url }));
    await m.page.setViewportSize(VIEWPORT);
    await m.open(server.url, '#/workbench/offers');
    await memberProfile.context.setOffline(true);
    await m.page.locator(`${testId('offer-row')}[data-offer-id="${offerId}"] ${testId('offer-row-title')}`).click();
    await m.page.locator(`${testId('offer-own-fit')}[data-eligible="true"]`).waitFor();
    await m.byTestId('interest-message').fill(MESSAGE);
    await m.byTestId('interest-submit').click();
    await m.page.locator(`${testId('own-interest')}[data-stage="new"]`).waitFor();
    await m.waitForSyncState(['offline', 'error']);
    expect(await m.waitForUnsent()).toBeGreaterThan(0);
    expect(await hub.storage.getRecord(interestId(offerId, memberOrgId))).toBeNull();
  });

  it('reconnects, and the secretariat moves the interest to accepted; both sides see it', async () => {
    memberLink.restore();
    await memberProfile.context.setOffline(false);
    // Nothing pressed: the laptop sends the interest by itself once the link is back.
    await m.waitUntilAllSent(30_000);
    const id = interestId(offerId, memberOrgId);
    expect((await hub.storage.getRecord(id))?.projection).toMatchObject({ offerId, message: MESSAGE, stage: 'new' });

    await s.goTo('#/workbench/pipeline');
    const card = s.page.locator(`${testId('interest-card')}[data-interest-id="${id}"]`);
    await card.and(s.page.locator('[data-stage="new"]')).waitFor();
    // By keyboard (the focused card moves one column) there and back, then dragged onto the next column.
    await card.focus();
    await s.page.keyboard.press('ArrowRight');
    await card.and(s.page.locator('[data-stage="shortlisted"]')).waitFor();
    await card.focus();
    await s.page.keyboard.press('ArrowLeft');
    await card.and(s.page.locator('[data-stage="new"]')).waitFor();
    await card.dragTo(s.byTestId('pipeline-column-shortlisted'));
    await card.and(s.page.locator('[data-stage="shortlisted"]')).waitFor();
    await card.locator(testId('move-note')).fill(NOTE);
    await card.locator(testId('move-accepted')).click();
    await card.and(s.page.locator('[data-stage="accepted"]')).waitFor();
    expect(Number(await s.byTestId('pipeline-column-accepted').getAttribute('data-count'))).toBe(1);
    await s.waitUntilAllSent();

    const stored = (await hub.storage.getRecord(id))!;
    const doc = new Y.Doc();
    Y.applyUpdate(doc, stored.state);
    const steps = interestModule.read(doc).steps;
    doc.destroy();
    expect(steps.map(({ stage, from, note }) => ({ stage, from, note }))).toEqual([
      { stage: 'new', from: undefined, note: '' },
      { stage: 'shortlisted', from: 'new', note: '' },
      { stage: 'new', from: 'shortlisted', note: '' },
      { stage: 'shortlisted', from: 'new', note: '' },
      { stage: 'accepted', from: 'shortlisted', note: NOTE },
    ]);

    // The member's screen follows live.
    await m.page.locator(`${testId('own-interest')}[data-stage="accepted"]`).waitFor({ timeout: 20_000 });
    await m.goTo('#/workbench/pipeline');
    await m.page.locator(`${testId('pipeline-column-accepted')} ${testId('interest-card')}[data-interest-id="${id}"]`).waitFor();
    // A member cannot move it: no move buttons on its own board.
    expect(await m.page.locator(testId('move-declined')).count()).toBe(0);
  });

  it('the secretariat writes a self-assessment; the member answers it, sees the suggested stage and adopts it', async () => {
    await s.goTo('#/workbench/stages');
    const editor = s.byTestId('assessment-editor');
    await editor.waitFor();
    await s.byTestId('question-add').click();
    const question = s.byTestId('question-editor').first();
    await question.locator(testId('question-text')).fill('是否有专职员工？');
    await question.locator(testId('answer-add')).click();
    await question.locator(testId('answer-add')).click();
    await question.locator(testId('answer-text')).nth(0).fill('没有');
    await question.locator(testId('answer-points')).nth(0).fill('0');
    await question.locator(testId('answer-text')).nth(1).fill('有，三人以上');
    await question.locator(testId('answer-points')).nth(1).fill('5');
    await s.byTestId('threshold-seed').fill('0');
    await s.byTestId('threshold-established').fill('4');
    await s.byTestId('assessment-save').click();
    await s.page.locator(`${testId('assessment-message')}:has-text("Saved.")`).waitFor();
    await s.waitUntilAllSent();

    await m.goTo('#/workbench/stages');
    const q1 = m.page.locator(`${testId('assessment-question')}[data-question-id="q1"]`);
    await q1.waitFor({ timeout: 20_000 });
    await m.page.locator(`${testId('stage-suggestion')}[data-stage="seed"][data-total="0"]`).waitFor();
    await m.byTestId('answer-q1-a2').check();
    await m.page.locator(`${testId('stage-suggestion')}[data-stage="established"][data-total="5"]`).waitFor();
    await m.byTestId('assessment-answers-save').click();
    await m.byTestId('stage-adopt').click();
    await m.waitUntilAllSent();
    const profile = (await hub.storage.getRecord(memberOrgId))!.projection as { stage: string; stageHistory: { stage: string; byOrg: string }[]; selfAssessment: { answers: Record<string, string> } };
    expect(profile.stage).toBe('established');
    expect(profile.selfAssessment.answers).toEqual({ q1: 'a2' });
    expect(profile.stageHistory.at(-1)).toMatchObject({ stage: 'established', byOrg: memberOrgId });
    expect(profile.stageHistory.at(-2)).toMatchObject({ stage: 'growing', byOrg: (await hub.storage.listOrgs()).find((o) => o.role === 'secretariat')!.id });
  });

  it('the member records where it is: a position it cannot read stays in the field with the reason, a good one is saved; the secretariat finds partners near it', async () => {
    await m.goTo(`#/orgs/${encodeURIComponent(memberOrgId)}`);
    const position = m.byTestId('org-position');
    await position.fill('25.6 N 100.2 N');
    await position.press('Tab');
    await m.page.getByText('Not a position: give a latitude and a longitude').waitFor();
    expect(await position.inputValue()).toBe('25.6 N 100.2 N');
    await position.fill('北纬25.6069 东经100.2679');
    await position.press('Enter');
    await m.page.waitForFunction(() => (document.querySelector('[data-testid="org-position"]') as HTMLInputElement | null)?.value === '25.6069, 100.2679');
    await m.waitSaved();
    await m.waitUntilAllSent();
    expect(((await hub.storage.getRecord(memberOrgId))!.projection as { coordinates: unknown }).coordinates).toEqual({ lat: 25.6069, lon: 100.2679 });

    // The secretariat hears of it live and ranks partners by distance from the member's position.
    await s.goTo('#/workbench/finder');
    await s.byTestId('finder-near').click();
    await s.page.getByRole('option', { name: MEMBER, exact: true }).click();
    await s.byTestId('finder-max-km').fill('50');
    const row = s.page.locator(`${testId('finder-row')}[data-org-id="${memberOrgId}"]`);
    await row.locator(`${testId('finder-reason')}[data-reason="distance"]`).waitFor();
    // The other organization has no position: within 50 km it is left out, neither near nor far.
    expect(await s.page.locator(`${testId('finder-row')}[data-org-id="${otherOrgId}"]`).count()).toBe(0);
    await s.goTo('#/library');
  });

  it('photographs every workbench screen in English and in Chinese; no English UI string on the Chinese ones', async () => {
    const probes = englishProbes();
    const untranslated: string[] = [];
    const shoot = async (app: FieldwisePage, language: 'en' | 'zh-CN', name: string) => {
      await app.waitForSyncState(['synced']);
      await app.page.evaluate(() => document.fonts.ready.then(() => undefined));
      await app.page.screenshot({ path: join(screenshotDir, `${language}-workbench-${name}.png`) });
      if (language === 'zh-CN') for (const probe of await untranslatedOn(app.page, probes)) untranslated.push(`${name}: "${probe}"`);
    };
    const shootAll = async (language: 'en' | 'zh-CN') => {
      await s.goTo('#/workbench/finder');
      await s.byTestId('finder-capabilities').fill('堆肥');
      await s.page.keyboard.press('Enter');
      await s.page.keyboard.press('Escape');
      await s.page.locator(`${testId('finder-row')}[data-org-id="${memberOrgId}"]`).waitFor();
      // The member ranks first for compost, with the reason behind its score.
      const first = s.byTestId('finder-row').first();
      expect(await first.getAttribute('data-org-id')).toBe(memberOrgId);
      expect(await first.locator(testId('finder-reason')).evaluateAll((els) => els.map((el) => el.getAttribute('data-reason')))).toEqual(['capabilities']);
      await shoot(s, language, 'finder');
      await s.goTo('#/workbench/offers');
      await s.byTestId('offer-row').first().waitFor();
      // Organization to offers: the member, now established, no longer fits by its stage.
      await s.byTestId('offers-for-org').click();
      await s.page.getByRole('option', { name: MEMBER, exact: true }).click();
      await s.page.locator(`${testId('offer-for-org')}[data-offer-id="${offerId}"][data-eligible="false"]`).waitFor();
      await shoot(s, language, 'offers');
      await s.goTo(`#/workbench/offers/${offerId}`);
      await s.byTestId('offer-matches').waitFor();
      await shoot(s, language, 'offer-matches');
      await s.goTo('#/workbench/pipeline');
      await s.byTestId('interest-card').first().waitFor();
      await shoot(s, language, 'pipeline');
      await s.goTo('#/workbench/health');
      await s.byTestId('challenge-chart').waitFor();
      // The hub's sync status reached the secretariat's device: a count of waiting changes per organization.
      const waiting = s.page.locator(`${testId('health-row')}[data-org-id="${memberOrgId}"] ${testId('health-waiting')}:not([data-count=""])`);
      expect(await waiting.getAttribute('data-count')).toMatch(/^\d+$/);
      await shoot(s, language, 'health');
      await s.goTo('#/workbench/stages');
      await s.byTestId('assessment-editor').waitFor();
      await shoot(s, language, 'stages');
      await m.goTo(`#/workbench/offers/${offerId}`);
      await m.byTestId('own-interest').waitFor();
      await shoot(m, language, 'member-offer');
      await m.goTo('#/workbench/stages');
      await m.byTestId('self-assessment').waitFor();
      await shoot(m, language, 'member-stages');
    };

    await shootAll('en');

    for (const app of [s, m]) {
      await app.goTo('#/settings');
      await app.chooseLanguage('简体中文');
    }
    await shootAll('zh-CN');
    expect(untranslated).toEqual([]);
  });
});
