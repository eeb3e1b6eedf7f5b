import { describe, expect, it } from 'vitest';
import { portRowFolder, type FoldJob } from '../../shared/client/rowFolding';
import type { WorkerPortLike } from '../../shared/workers/portCalls';

/** A worker port that keeps what it is sent and answers every fold with no rows. */
function recordingPort(): { port: WorkerPortLike; sent: unknown[] } {
  const sent: unknown[] = [];
  let onMessage: ((event: { readonly data: unknown }) => void) | null = null;
  const port: WorkerPortLike = {
    postMessage(message) {
      sent.push(message);
      const { id } = message as { id: number };
      queueMicrotask(() => onMessage?.({ data: { id, ok: true, result: [] } }));
    },
    addEventListener(type: 'message' | 'error', listener: (event: { readonly data: unknown }) => void) {
      if (type === 'message') onMessage = listener;
    },
  };
  return { port, sent };
}

describe('folding in a worker', () => {
  it('sends each update without the rest of the buffer it is a view into', async () => {
    // A bundle's records are views into its whole inflated payload: posting one as it is clones all of it.
    const payload = new Uint8Array(1 << 20).map((_, i) => i % 251);
    const update = payload.subarray(1000, 1010);
    const whole = payload.subarray(0);
    const jobs: FoldJob[] = [{ header: { id: 'entry-1', type: 'entry', ownerOrg: 'org-a', createdAt: 1 }, seq: 1, state: null, updates: [update, whole] }];
    const { port, sent } = recordingPort();
    const folder = portRowFolder(port);
    await folder.fold(jobs);
    folder.close();
    const [posted] = (sent[0] as { argument: FoldJob[] }).argument;
    expect(posted!.updates[0]!.buffer.byteLength).toBe(10);
    expect([...posted!.updates[0]!]).toEqual([...update]);
    // A whole buffer goes as it is, and the caller's views are left untouched.
    expect(posted!.updates[1]).toBe(whole);
    expect(update.buffer).toBe(payload.buffer);
  });
});
