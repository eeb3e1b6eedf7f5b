import { EventEmitter } from 'node:events';
import { describe, expect, it, vi } from 'vitest';
import type { WebSocket } from 'ws';
import type { AuthenticatedDevice, CommitEvent, Hub } from '../../server/hub/hub';
import { LiveConnections } from '../../server/http/liveConnections';

/*
 * The announcement logic of /v1/live against the one race real sockets make hard to time: a device
 * says hello after a commit is stored but before the hub has told anyone about it. (The wire, the
 * token check and revocation are covered on a real hub in test/integration/sync*.test.ts.)
 */

class FakeSocket extends EventEmitter {
  readonly OPEN = 1;
  readyState = 1;
  readonly sent: unknown[] = [];
  send(message: string): void {
    this.sent.push(JSON.parse(message));
  }
  close(): void {
    this.readyState = 3;
    this.emit('close');
  }
  terminate(): void {
    this.close();
  }
}

function fakeHub(storedSeq: () => number) {
  let listener: ((event: CommitEvent) => void) | null = null;
  const device = { orgId: 'org-a', role: 'member', credentialId: 'cred', deviceId: 'dev' } as AuthenticatedDevice;
  const hub = {
    onDidCommit: (next: (event: CommitEvent) => void) => {
      listener = next;
      return () => undefined;
    },
    authenticate: () => Promise.resolve(device),
    lastSeq: () => Promise.resolve(storedSeq()),
  } as unknown as Hub;
  return { hub, commit: (seq: number) => listener!({ seq, recordIds: ['r'] }) };
}

async function hello(live: LiveConnections, socket: FakeSocket): Promise<void> {
  live.accept(socket as unknown as WebSocket);
  socket.emit('message', JSON.stringify({ type: 'hello', token: 't' }));
  await vi.waitFor(() => expect(socket.sent.length).toBeGreaterThan(0));
}

describe('live announcements', () => {
  it('still announces a commit to everyone when a device said hello between its storing and its event', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    try {
      let stored = 4;
      const { hub, commit } = fakeHub(() => stored);
      const live = new LiveConnections(hub);
      const online = new FakeSocket();
      await hello(live, online);
      expect(online.sent).toEqual([{ type: 'ready', seq: 4 }]);

      stored = 5; // committed to storage; the commit event has not fired yet
      const late = new FakeSocket();
      await hello(live, late);
      expect(late.sent).toEqual([{ type: 'ready', seq: 5 }]);

      commit(5);
      vi.advanceTimersByTime(150);
      expect(online.sent).toContainEqual({ type: 'seq', seq: 5 });
      live.closeAll();
    } finally {
      vi.useRealTimers();
    }
  });
});
