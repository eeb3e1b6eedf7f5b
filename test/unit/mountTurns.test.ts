import { describe, expect, it } from 'vitest';
import { createMountTurns } from '../../renderer/app/mountTurns';

/*
 * The Reports form's fields mount one per task (issue 17): a turn starts in a task of its own, and
 * only once the part before it says it is in, so two parts never share a commit.
 */

/** Tasks queued by the turns, run one at a time by the test. */
function manualTasks(): { readonly nextTask: (run: () => void) => void; readonly runOne: () => void; readonly pending: () => number } {
  const queue: (() => void)[] = [];
  return {
    nextTask: (run) => void queue.push(run),
    runOne: () => queue.shift()?.(),
    pending: () => queue.length,
  };
}

describe('mount turns', () => {
  it('starts each part in a task of its own, the next only once the one before is in', () => {
    const tasks = manualTasks();
    const turns = createMountTurns(tasks.nextTask);
    const started: string[] = [];
    const releaseA = turns.take(() => started.push('a'));
    turns.take(() => started.push('b'));
    expect(started).toEqual([]);
    tasks.runOne();
    expect(started).toEqual(['a']);
    // a is not in yet: b waits, with no task queued for it.
    expect(tasks.pending()).toBe(0);
    releaseA();
    expect(started).toEqual(['a']);
    tasks.runOne();
    expect(started).toEqual(['a', 'b']);
  });

  it('skips a part that left the queue before its turn, and goes on after one released twice', () => {
    const tasks = manualTasks();
    const turns = createMountTurns(tasks.nextTask);
    const started: string[] = [];
    const releaseA = turns.take(() => started.push('a'));
    const releaseB = turns.take(() => started.push('b'));
    turns.take(() => started.push('c'));
    releaseB();
    tasks.runOne();
    releaseA();
    releaseA();
    tasks.runOne();
    expect(started).toEqual(['a', 'c']);
    expect(tasks.pending()).toBe(0);
  });
});
