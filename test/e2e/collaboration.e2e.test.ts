import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestHub, type TestHub } from '../support/hub';
import { BrowserProfile } from './support/browserProfile';
import { FieldwisePage, testId } from './support/fieldwisePage';
import { openHubLink, type HubLink } from './support/hubLink';
import { hubEntry, pushEntriesAs } from './support/hubRecords';
import { serveStatic, type StaticServer } from './support/staticServer';

/*
 * Two organizations and a real hub, each device a Chromium profile on the built renderer.
 * The steps build on one another (one network's story), so they run in order in one file:
 * A writes offline and restarts, comes back online and syncs; B sees it and finds it; two devices
 * edit the body at once; B's forced edit is refused by the hub.
 *
 * The rules let only an entry's own organization edit it (shared/rules/rules.ts: entry edit,
 * other: nobody, the secretariat included), so the concurrent edit is made by A's laptop and a
 * second device of organization A; organization B reads, searches, and is refused.
 */

const TITLE = '屋顶集雨浇灌菜园';
const SEARCH_WORD = '集雨';
const INTRO = '旱季前清洗屋顶和水槽，';
const BOLD = '雨水先过滤再入桶';
const ITEMS = ['集雨桶要加盖防蚊', '每周检查一次水管'];
const EDIT_A = '（甲：雨季前清理沟渠）';
const EDIT_A2 = '（乙：旱季每三天补水）';
const FORCED = '乙组织的修改';

const ORG_A = '西山生态农业合作社';
const ORG_B = '怒江山区饮水安全小组';

describe('two organizations on a real hub', { timeout: 120_000 }, () => {
  let hub: TestHub;
  let server: StaticServer;
  let linkA: HubLink;
  const laptopA = new BrowserProfile('org-a');
  const deviceA2 = new BrowserProfile('org-a-2');
  const laptopB = new BrowserProfile('org-b');
  let a: FieldwisePage;
  let b: FieldwisePage;
  let entryId = '';

  beforeAll(async () => {
    [hub, server] = await Promise.all([startTestHub(), serveStatic()]);
    linkA = await openHubLink(hub.url);
    // A third organization's entries, so searching has something to leave out.
    await pushEntriesAs(hub, 'Gansu Drylands Alliance', [
      { kind: 'practice', title: 'Stone mulch keeps melon fields moist', summary: 'River stones cut evaporation.', language: 'en', attribution: { holderKind: 'community', holderName: 'Dingxi farmers', consent: 'community-approved' }, sharing: 'network' },
      { kind: 'lesson', title: '水窖每年清洗一次', summary: '清洗日让水窖用得更久。', language: 'zh-CN', attribution: { holderKind: 'person', holderName: '马丽', consent: 'credit-by-name' }, sharing: 'network' },
    ]);
  });

  afterAll(async () => {
    await Promise.all([laptopA.dispose(), deviceA2.dispose(), laptopB.dispose()]);
    await linkA?.close();
    await server?.close();
    await hub?.close();
  });

  it('A joins with an invitation, writes a practice in Chinese with rich text offline, and finds it after restarting the browser', async () => {
    a = new FieldwisePage(await laptopA.launch({ appUrl: server.url }));
    await a.open(server.url);
    await a.join({ hubUrl: linkA.url, code: await hub.invite(ORG_A), deviceName: 'A 的笔记本' });
    await a.waitForSyncState(['synced']);

    // B is online from here on, so it can see A's entry arrive.
    b = new FieldwisePage(await laptopB.launch({ appUrl: server.url }));
    await b.open(server.url);
    await b.join({ hubUrl: hub.url, code: await hub.invite(ORG_B), deviceName: 'B 的电脑' });
    await b.waitForSyncState(['synced']);

    // Offline: the page's network is off and the hub cannot be reached at all (the link also
    // resets the live WebSocket, which offline emulation leaves open but silent). The sync bar says
    // so once there is something to send (until then it keeps its last "synced at").
    await laptopA.context.setOffline(true);
    linkA.cut();

    entryId = await a.newEntry();
    await a.byTestId('editor-title').fill(TITLE);
    await a.byTestId('editor-summary').fill('用屋顶收集雨水，旱季浇灌菜园。');
    await a.focusEndOf('editor-body');
    await a.page.keyboard.type(INTRO);
    await a.format('bold');
    await a.page.keyboard.type(BOLD);
    await a.format('bold');
    await a.page.keyboard.press('Enter');
    await a.format('bulletList');
    await a.page.keyboard.type(ITEMS[0]!);
    await a.page.keyboard.press('Enter');
    await a.page.keyboard.type(ITEMS[1]!);
    // Shared with the network (consent first, as the record requires), so B may read it.
    await a.byTestId('editor-consent').click();
    await a.page.getByRole('option', { name: 'Approved by the community' }).click();
    await a.byTestId('editor-sharing').click();
    await a.page.getByRole('option', { name: 'Network', exact: true }).click();
    await a.page.waitForSelector(`${testId('editor-status')}:has-text("Shared")`);
    await a.waitSaved();
    await a.waitForSyncState(['offline', 'error']);
    expect(await a.waitForUnsent()).toBeGreaterThan(0);
    expect(await hub.storage.getRecord(entryId)).toBeNull();

    // Quit and start again on the same profile, the hub still out of reach. (The page comes from
    // the static server standing in for app://, so the browser goes offline once it has loaded.)
    await laptopA.close();
    a = new FieldwisePage(await laptopA.launch({ appUrl: server.url }));
    await a.open(server.url, '#/library');
    await laptopA.context.setOffline(true);
    await a.entryRow(TITLE).waitFor();
    await a.entryRow(TITLE).click();
    await a.page.waitForSelector(`${testId('entry-editor')}[data-entry-id="${entryId}"]`);
    await a.waitForText(a.richText(), ITEMS[1]!);
    expect(await a.byTestId('editor-title').inputValue()).toBe(TITLE);
    expect(await a.richText().locator('strong').textContent()).toBe(BOLD);
    expect(await a.richText().locator('ul > li').allTextContents()).toEqual(ITEMS);
    expect(await a.richText().textContent()).toContain(INTRO);
    await a.waitForSyncState(['offline', 'error']);
    expect(await a.waitForUnsent()).toBeGreaterThan(0);
    expect(await hub.storage.getRecord(entryId)).toBeNull();
  });

  it('A goes online and the entry reaches the hub; B sees it within seconds and finds it by a Chinese word', async () => {
    let committedAt = 0;
    const stopWatching = hub.hub.onDidCommit((event) => {
      if (event.recordIds.includes(entryId) && committedAt === 0) committedAt = Date.now();
    });
    try {
      await laptopA.context.setOffline(false);
      linkA.restore();
      // No click: the engine's own retry brings it back.
      await a.waitUntilAllSent(30_000);
    } finally {
      stopWatching();
    }
    const stored = await hubEntry(hub, entryId);
    expect(stored?.title).toBe(TITLE);
    expect(stored?.bodyXml).toContain(`<bold>${BOLD}</bold>`);
    // (Yjs writes element names in lower case.)
    expect(stored?.bodyXml).toContain(`<bulletlist><listitem><paragraph>${ITEMS[0]}</paragraph></listitem><listitem><paragraph>${ITEMS[1]}</paragraph></listitem></bulletlist>`);

    await b.entryRow(TITLE).waitFor({ timeout: 10_000 });
    const seenAfterMs = Date.now() - committedAt;
    console.log(`B saw A's entry ${seenAfterMs} ms after the hub committed it`);
    expect(seenAfterMs).toBeLessThan(10_000);

    await b.search(SEARCH_WORD, [TITLE]);
    expect(await b.byTestId('result-count').textContent()).toBe('1 entry found');
    await b.search('水窖', ['水窖每年清洗一次']);
    await b.search('浇灌菜园', [TITLE]);
    await b.entryRow(TITLE).click();
    await b.page.waitForSelector(`${testId('entry-editor')}[data-entry-id="${entryId}"]`);
    await b.waitForText(b.richText(), BOLD);
  });

  it('two devices edit the body at the same time, and both edits survive on both', async () => {
    const orgA = (await hub.storage.listOrgs()).find((org) => org.name === ORG_A)!;
    const a2 = new FieldwisePage(await deviceA2.launch({ appUrl: server.url }));
    await a2.open(server.url);
    await a2.join({ hubUrl: hub.url, code: await hub.inviteDevice(orgA.id), deviceName: 'A 的第二台电脑' });
    await a2.waitForSyncState(['synced']);
    await a2.openEntry(entryId);
    await a2.waitForText(a2.richText(), ITEMS[1]!);

    // A types at the end of the first paragraph, the other device at the end of the list's last item.
    await a.richText().locator('p').first().click();
    await a.page.keyboard.press('End');
    await a2.richText().locator('ul > li').last().click();
    await a2.page.keyboard.press('End');
    await Promise.all([a.page.keyboard.type(EDIT_A, { delay: 40 }), a2.page.keyboard.type(EDIT_A2, { delay: 40 })]);
    await Promise.all([a.waitSaved(), a2.waitSaved()]);

    for (const page of [a, a2]) {
      await page.waitForText(page.richText(), EDIT_A);
      await page.waitForText(page.richText(), EDIT_A2);
      await page.waitUntilAllSent();
    }
    const first = await a.richText().locator('p').first().textContent();
    expect(first).toBe(`${INTRO}${BOLD}${EDIT_A}`);
    expect(await a.richText().locator('ul > li').allTextContents()).toEqual([ITEMS[0], `${ITEMS[1]}${EDIT_A2}`]);
    expect(await a2.richText().innerHTML()).toBe(await a.richText().innerHTML());
    const stored = await hubEntry(hub, entryId);
    expect(stored?.bodyXml).toContain(EDIT_A);
    expect(stored?.bodyXml).toContain(EDIT_A2);
    await deviceA2.close();
  });

  it("B cannot edit A's entry, and a forced edit is refused by the hub with B's text kept", async () => {
    await b.openEntry(entryId);
    await b.waitForText(b.richText(), EDIT_A2);
    await b.byTestId('read-only-notice').waitFor();
    const editor = b.byTestId('entry-editor');
    expect(await editor.locator('[contenteditable="true"]').count()).toBe(0);
    // (Mantine's selects keep their value in a hidden input as well.)
    expect(await editor.locator('input:not([type="hidden"]):not([readonly]), textarea:not([readonly])').count()).toBe(0);
    expect(await b.byTestId('save-state').count()).toBe(0);

    // Forced: the rich text becomes editable in B's UI; the hub still decides.
    await b.page.evaluate(() => window.localStorage.setItem('fieldwise.dev.forceEditable', '1'));
    await b.page.reload();
    await b.page.waitForSelector(`${testId('entry-editor')}[data-entry-id="${entryId}"]`);
    await b.focusEndOf('editor-body');
    await b.page.keyboard.type(FORCED);
    await b.waitSaved();
    await b.byTestId('refused-notice').waitFor({ timeout: 20_000 });
    expect(Number(await b.byTestId('refused-count').getAttribute('data-count'))).toBeGreaterThan(0);
    expect(await b.richText().textContent()).toContain(FORCED);
    expect((await hubEntry(hub, entryId))?.bodyXml).not.toContain(FORCED);
    // A never gets it either.
    expect(await a.richText().textContent()).not.toContain(FORCED);

    // Kept on B's device, across a reload.
    await b.page.reload();
    await b.page.waitForSelector(`${testId('entry-editor')}[data-entry-id="${entryId}"]`);
    await b.waitForText(b.richText(), FORCED);
    await b.byTestId('refused-notice').waitFor();
  });
});
