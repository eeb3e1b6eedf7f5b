import type { Locator, Page } from 'playwright-core';

/*
 * The renderer as a person uses it, through the data-testids in renderer/README.md. Waits are on
 * what the UI shows (a data-state, a row), never on sleeps, and fail with what was expected.
 */

const DEFAULT_TIMEOUT_MS = 20_000;

export type SyncStateName = 'demo' | 'locked' | 'no-token' | 'offline' | 'connecting' | 'syncing' | 'synced' | 'error';

export function testId(id: string): string {
  return `[data-testid="${id}"]`;
}

export class FieldwisePage {
  constructor(readonly page: Page) {}

  byTestId(id: string): Locator {
    return this.page.locator(testId(id));
  }

  async open(appUrl: string, hash = ''): Promise<void> {
    await this.page.goto(`${appUrl}${hash}`);
  }

  /** Onboarding: the invitation's hub address and code. Resolves once the shell shows. */
  async join(options: { readonly hubUrl: string; readonly code: string; readonly deviceName: string }): Promise<void> {
    await this.byTestId('join-code').fill(options.code);
    await this.byTestId('join-hub').fill(options.hubUrl);
    await this.byTestId('join-device-name').fill(options.deviceName);
    await this.byTestId('join-submit').click();
    const joined = this.byTestId('sync-bar');
    const refused = this.byTestId('join-error');
    await joined.or(refused).waitFor({ timeout: DEFAULT_TIMEOUT_MS });
    if (await refused.isVisible()) throw new Error(`joining failed: ${await refused.textContent()}`);
  }

  async waitForSyncState(states: readonly SyncStateName[], timeoutMs = DEFAULT_TIMEOUT_MS): Promise<void> {
    const selector = `${testId('sync-state')}:is(${states.map((state) => `[data-state="${state}"]`).join(',')})`;
    try {
      await this.page.waitForSelector(selector, { timeout: timeoutMs });
    } catch (error) {
      throw new Error(`sync state is "${await this.syncState()}" (${await this.byTestId('sync-state').textContent()}), expected ${states.join(' or ')}`, { cause: error });
    }
  }

  async syncState(): Promise<string | null> {
    return this.byTestId('sync-state').getAttribute('data-state');
  }

  async pendingCount(): Promise<number> {
    return Number(await this.byTestId('pending-count').getAttribute('data-count'));
  }

  /** Until the sync bar counts changes not yet sent; returns how many. */
  async waitForUnsent(timeoutMs = DEFAULT_TIMEOUT_MS): Promise<number> {
    await this.page.waitForSelector(`${testId('pending-count')}:not([data-count="0"])`, { timeout: timeoutMs });
    return this.pendingCount();
  }

  /** Until every change made on this device has reached the hub. */
  async waitUntilAllSent(timeoutMs = DEFAULT_TIMEOUT_MS): Promise<void> {
    await this.page.waitForSelector(`${testId('pending-count')}[data-count="0"]`, { timeout: timeoutMs });
    await this.waitForSyncState(['synced'], timeoutMs);
  }

  async goTo(hash: string): Promise<void> {
    await this.page.evaluate((target) => {
      window.location.hash = target;
    }, hash);
  }

  /** Library: new entry; resolves in the editor of the new entry, with its id. */
  async newEntry(): Promise<string> {
    await this.byTestId('new-entry').click();
    const editor = this.byTestId('entry-editor');
    await editor.waitFor({ timeout: DEFAULT_TIMEOUT_MS });
    return (await editor.getAttribute('data-entry-id'))!;
  }

  async openEntry(id: string): Promise<void> {
    await this.goTo(`#/entry/${encodeURIComponent(id)}`);
    await this.page.waitForSelector(`${testId('entry-editor')}[data-entry-id="${id}"]`, { timeout: DEFAULT_TIMEOUT_MS });
  }

  /** The ProseMirror surface of a rich-text field (`editor-body`, `editor-section-approach`, ...). */
  richText(fieldTestId = 'editor-body'): Locator {
    return this.page.locator(`${testId(fieldTestId)} .ProseMirror`);
  }

  /** Puts the caret at the very end of a rich-text field. */
  async focusEndOf(fieldTestId = 'editor-body'): Promise<void> {
    const field = this.richText(fieldTestId);
    await field.click();
    await this.page.keyboard.press('Control+End');
    // The keys that follow must start at the end: once (CI, a loaded machine) the text typed
    // after this landed before the existing paragraph, so the caret is checked, not assumed.
    const isAtEnd = () =>
      field.evaluate((surface) => {
        const selection = window.getSelection();
        if (!selection || selection.rangeCount === 0 || !selection.isCollapsed || !surface.contains(selection.anchorNode)) return false;
        const rest = document.createRange();
        rest.setStart(selection.anchorNode!, selection.anchorOffset);
        rest.setEnd(surface, surface.childNodes.length);
        return rest.toString() === '';
      });
    const started = Date.now();
    while (!(await isAtEnd())) {
      if (Date.now() - started > DEFAULT_TIMEOUT_MS) throw new Error(`the caret did not reach the end of ${fieldTestId}`);
      await this.page.waitForTimeout(100);
      await field.focus();
      await this.page.keyboard.press('Control+End');
    }
  }

  /** A formatting button of a rich-text field's toolbar (bold, italic, heading, bulletList, orderedList). */
  async format(format: 'bold' | 'italic' | 'heading' | 'bulletList' | 'orderedList', fieldTestId = 'editor-body'): Promise<void> {
    await this.page.locator(`${testId(fieldTestId)} .fw-tool-${format}`).click();
  }

  /**
   * Until the editor says "saved": everything typed is in the outbox and the record. The state
   * turns to "saving" within the keystroke's own event, so it cannot read "saved" from before.
   */
  async waitSaved(timeoutMs = DEFAULT_TIMEOUT_MS): Promise<void> {
    await this.page.waitForSelector(`${testId('save-state')}[data-state="saved"]`, { timeout: timeoutMs });
  }

  async waitForText(locator: Locator, text: string, timeoutMs = DEFAULT_TIMEOUT_MS): Promise<void> {
    const started = Date.now();
    for (;;) {
      const shown = (await locator.textContent().catch(() => null)) ?? '';
      if (shown.includes(text)) return;
      if (Date.now() - started > timeoutMs) throw new Error(`"${text}" did not appear within ${timeoutMs} ms; shown: "${shown}"`);
      await this.page.waitForTimeout(50);
    }
  }

  entryRow(title: string): Locator {
    return this.page.locator(testId('entry-row'), { has: this.page.locator(testId('entry-row-title'), { hasText: title }) });
  }

  async rowTitles(): Promise<string[]> {
    return this.page.locator(testId('entry-row-title')).allTextContents();
  }

  /** Searches the library and waits until the list shows exactly these titles (in this order). */
  async search(text: string, expectedTitles: readonly string[], timeoutMs = DEFAULT_TIMEOUT_MS): Promise<void> {
    await this.byTestId('search-input').fill(text);
    try {
      await this.page.waitForFunction(
        (expected) => JSON.stringify([...document.querySelectorAll('[data-testid="entry-row-title"]')].map((element) => element.textContent)) === JSON.stringify(expected),
        expectedTitles,
        { timeout: timeoutMs },
      );
    } catch (error) {
      throw new Error(`searching "${text}" shows ${JSON.stringify(await this.rowTitles())}, expected ${JSON.stringify(expectedTitles)}`, { cause: error });
    }
  }

  /** Chooses a language in a language select (Settings or onboarding): `English` or `简体中文`. */
  async chooseLanguage(label: 'English' | '简体中文'): Promise<void> {
    await this.byTestId('language-select').click();
    await this.page.getByRole('option', { name: label, exact: true }).click();
    // i18n sets <html lang> once the catalog has switched.
    await this.page.waitForFunction((lang) => document.documentElement.lang === lang, label === 'English' ? 'en' : 'zh-CN');
  }
}
