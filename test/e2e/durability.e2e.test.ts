import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BrowserProfile } from './support/browserProfile';
import { FieldwisePage } from './support/fieldwisePage';
import { serveStatic, type StaticServer } from './support/staticServer';

/*
 * "Saved" means durable (renderer/README.md): the browser process is killed with SIGKILL the
 * moment the editor says so (no unload, no flush, as a crash or a pulled plug), and the edit is
 * there when the app starts again on the same profile.
 *
 * The first kill comes seconds after onboarding: the device profile must be durable by then too
 * (Chromium writes localStorage to disk late; renderer/session/profileStore.ts keeps a copy in
 * IndexedDB), or the next start would show onboarding and name no database.
 */

describe('an edit the editor calls saved survives SIGKILL of the browser', { timeout: 120_000 }, () => {
  let server: StaticServer;
  const profile = new BrowserProfile('durability');

  beforeAll(async () => {
    server = await serveStatic();
  });

  afterAll(async () => {
    await profile.dispose();
    await server?.close();
  });

  it('keeps the title and rich text typed just before the kill, twice over', async () => {
    let app = new FieldwisePage(await profile.launch({ appUrl: server.url }));
    await app.open(server.url);
    await app.byTestId('demo-button').click();
    await app.byTestId('entry-row').first().waitFor();
    const id = await app.newEntry();

    await app.byTestId('editor-title').fill('断电前的记录');
    await app.focusEndOf('editor-body');
    await app.page.keyboard.type('第一次：');
    await app.format('bold');
    await app.page.keyboard.type('保存后立刻断电');
    await app.waitSaved();
    await profile.kill();

    app = new FieldwisePage(await profile.launch({ appUrl: server.url }));
    await app.open(server.url, `#/entry/${id}`);
    await app.page.waitForSelector(`[data-testid="entry-editor"][data-entry-id="${id}"]`);
    await app.waitForText(app.richText(), '保存后立刻断电');
    expect(await app.byTestId('editor-title').inputValue()).toBe('断电前的记录');
    expect(await app.richText().locator('strong').textContent()).toBe('保存后立刻断电');

    // Again, on a record that now has history: an edit appended after the restart.
    await app.focusEndOf('editor-body');
    await app.page.keyboard.press('Enter');
    await app.page.keyboard.type('第二次 second kill');
    await app.byTestId('editor-summary').fill('两次被杀掉进程');
    await app.waitSaved();
    await profile.kill();

    app = new FieldwisePage(await profile.launch({ appUrl: server.url }));
    await app.open(server.url, `#/entry/${id}`);
    await app.page.waitForSelector(`[data-testid="entry-editor"][data-entry-id="${id}"]`);
    await app.waitForText(app.richText(), '第二次 second kill');
    expect(await app.richText().textContent()).toBe('第一次：保存后立刻断电第二次 second kill');
    expect(await app.byTestId('editor-summary').inputValue()).toBe('两次被杀掉进程');
    expect(await app.byTestId('editor-title').inputValue()).toBe('断电前的记录');
  });
});
