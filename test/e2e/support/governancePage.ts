import type { Locator, Page } from 'playwright-core';
import { FieldwisePage, testId } from './fieldwisePage';

/*
 * The governance screens as a person uses them, through the data-testids in renderer/README.md.
 * Waits are on what the screen shows, never on sleeps.
 */

const TIMEOUT_MS = 20_000;

const pad = (n: number) => String(n).padStart(2, '0');
/** A datetime-local value with seconds, in this machine's time zone (the browser's too). */
export function localInputWithSeconds(ms: number): string {
  const d = new Date(ms);
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}T${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}`;
}

export class GovernancePage {
  constructor(readonly app: FieldwisePage) {}

  get page(): Page {
    return this.app.page;
  }

  byTestId(id: string): Locator {
    return this.app.byTestId(id);
  }

  async openList(): Promise<void> {
    await this.app.goTo('#/governance');
    await this.byTestId('governance-screen').waitFor({ timeout: TIMEOUT_MS });
  }

  async openProposal(id: string): Promise<void> {
    await this.app.goTo(`#/governance/proposal/${encodeURIComponent(id)}`);
    await this.page.waitForSelector(`${testId('proposal-view')}[data-proposal-id="${id}"]`, { timeout: TIMEOUT_MS });
  }

  /** Chooses an option of a Mantine Select by its visible label. */
  async choose(selectTestId: string, optionLabel: string): Promise<void> {
    await this.byTestId(selectTestId).click();
    await this.page.getByRole('option', { name: optionLabel, exact: true }).click();
  }

  /** The ranked ballot's option ids, first preference first. */
  async ranking(): Promise<string[]> {
    return this.page.locator(testId('ranked-item')).evaluateAll((items) => items.map((item) => item.getAttribute('data-option-id') ?? ''));
  }

  rankedItem(optionId: string): Locator {
    return this.page.locator(`${testId('ranked-item')}[data-option-id="${optionId}"]`);
  }

  async waitForRanking(expected: readonly string[]): Promise<void> {
    try {
      await this.page.waitForFunction(
        (ids) => JSON.stringify([...document.querySelectorAll('[data-testid="ranked-item"]')].map((item) => item.getAttribute('data-option-id'))) === JSON.stringify(ids),
        expected,
        { timeout: TIMEOUT_MS },
      );
    } catch (error) {
      throw new Error(`ranking is ${JSON.stringify(await this.ranking())}, expected ${JSON.stringify(expected)}`, { cause: error });
    }
  }

  async waitForDelivery(state: 'saved-offline' | 'sending' | 'received' | 'refused-late' | 'refused', timeoutMs = TIMEOUT_MS): Promise<void> {
    try {
      await this.page.waitForSelector(`${testId('ballot-delivery')}[data-state="${state}"]`, { timeout: timeoutMs });
    } catch (error) {
      const shown = await this.byTestId('ballot-delivery').getAttribute('data-state').catch(() => null);
      throw new Error(`ballot delivery is "${shown}", expected "${state}"`, { cause: error });
    }
  }

  async receipt(): Promise<string> {
    const locator = this.byTestId('ballot-receipt');
    await locator.waitFor({ timeout: TIMEOUT_MS });
    return (await locator.getAttribute('data-receipt')) ?? '';
  }
}
