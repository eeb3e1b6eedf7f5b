import { describe, expect, it } from 'vitest';
import type { CommitEvent } from '../../server/hub/hub';
import { UnheardCommits, type CommitAnnouncer } from '../../server/hub/unheardCommits';

/*
 * Which numbers the serving hub announces for commits it was never told of, against the
 * interleavings a second process makes (the command line writing between this process's own
 * commits). The wire is covered on a real hub in test/integration/systemWritesLive.test.ts.
 */

/** A storage log: each number names the record written at it. */
function world() {
  const log: string[] = [];
  const listeners = new Set<(event: CommitEvent) => void>();
  const announced: CommitEvent[] = [];
  const hub: CommitAnnouncer = {
    onDidCommit(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    announce(event) {
      announced.push(event);
      for (const listener of listeners) listener(event);
    },
  };
  const storage = {
    lastSeq: () => Promise.resolve(log.length),
    changedIdsBetween: (after: number, upTo: number) =>
      Promise.resolve([...new Set(log.slice(after, upTo))].filter((id) => log.lastIndexOf(id) + 1 <= upTo)),
  };
  return {
    hub,
    storage,
    announced,
    /** Another process writes: the storage has it, nobody announces it. */
    writeElsewhere: (...ids: string[]) => void log.push(...ids),
    /** This process writes and announces, as Hub.commitReporting does. */
    writeHere(...ids: string[]) {
      log.push(...ids);
      hub.announce({ seq: log.length, recordIds: ids });
    },
    listenerCount: () => listeners.size,
  };
}

describe('commits no event told of', () => {
  it('announces a write of another process as a remote commit, with its records', async () => {
    const w = world();
    w.writeHere('network');
    const unheard = await UnheardCommits.start(w.hub, w.storage);
    w.writeElsewhere('network', 'org-b');
    await unheard.check();
    expect(w.announced.slice(1)).toEqual([{ seq: 3, recordIds: ['network', 'org-b'], isRemote: true }]);
    // Once: a second check finds nothing new.
    await unheard.check();
    expect(w.announced).toHaveLength(2);
    unheard.dispose();
  });

  it('finds the gap between two commits of its own, and announces nothing it was told of', async () => {
    const w = world();
    const unheard = await UnheardCommits.start(w.hub, w.storage);
    w.writeHere('entry-1');
    w.writeElsewhere('network');
    w.writeHere('entry-2', 'entry-3');
    w.writeElsewhere('org-c');
    await unheard.check();
    expect(w.announced.filter((event) => event.isRemote)).toEqual([
      { seq: 2, recordIds: ['network'], isRemote: true },
      { seq: 5, recordIds: ['org-c'], isRemote: true },
    ]);
    unheard.dispose();
  });

  it('leaves alone what was written before it started, and stops listening when disposed', async () => {
    const w = world();
    w.writeElsewhere('network', 'org-a');
    const unheard = await UnheardCommits.start(w.hub, w.storage);
    await unheard.check();
    expect(w.announced).toEqual([]);
    unheard.dispose();
    expect(w.listenerCount()).toBe(0);
  });
});
