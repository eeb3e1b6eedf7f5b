import { afterEach, describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { ValidationRunner } from '../../server/hub/validationRunner';
import type { ValidationInput } from '../../server/hub/validateUpdate';

/*
 * The budget is the worker's time on a record, not the main thread's. The convergence property
 * once quarantined an honest entry (refused `update-too-slow`) on a loaded machine: the worker had
 * finished in a few milliseconds, but the hub's main thread was busy past the deadline, and the
 * watchdog timer ran before the worker's reply was read, measuring from the record's start stamp.
 */

function smallEntryEdit(id: string): ValidationInput {
  const doc = new Y.Doc();
  doc.getMap('fields').set('title', 'A small honest edit');
  const update = Y.encodeStateAsUpdate(doc);
  doc.destroy();
  return { header: { id, type: 'entry', ownerOrg: 'org-a', createdAt: 1 }, storedState: null, update };
}

/** Holds this (the hub's main) thread the way a burst of other work would. */
function holdMainThread(ms: number): void {
  const until = Date.now() + ms;
  while (Date.now() < until) {
    // busy on purpose
  }
}

describe("the validation runner's deadline", () => {
  let runner: ValidationRunner | null = null;
  afterEach(async () => {
    await runner?.close();
    runner = null;
  });

  it('accepts a record the worker finished in budget while the main thread was busy past the deadline', async () => {
    runner = new ValidationRunner({ budgetMs: 200, requestBudgetMs: 400, workers: 1 });
    // A first record starts and warms the worker, so the next one finishes at once.
    await runner.validate([smallEntryEdit('entry-warm')]);
    const validated = runner.validate([smallEntryEdit('entry-honest')]).then(
      (results) => ({ results }),
      (error: unknown) => ({ error: String(error) }),
    );
    // Busy from a timer (as the hub's own timers and sockets keep it), so the deadline's timer
    // comes due while the worker's reply waits to be read.
    await new Promise<void>((resolve) => setTimeout(() => resolve(holdMainThread(1_200)), 1));
    await new Promise<void>((resolve) => setTimeout(resolve, 250));
    const outcome = await validated;
    expect('results' in outcome ? outcome.results.map((result) => result.state.byteLength > 0) : outcome).toEqual([true]);
  });
});
