import * as Y from 'yjs';
import { afterEach, describe, expect, it } from 'vitest';
import type { FieldwiseClient } from '../../shared/client/client';
import { ballotId } from '../../shared/records/ballot';
import { comment } from '../../shared/records/comment';
import { memoryClient } from '../support/clients';

/*
 * A device that pulled a squatter before ids were reserved (a comment at another type's id) does
 * not keep it in the way: the hub's record at that id replaces it, and its own ballot is created.
 */

let client: FieldwiseClient | null = null;
afterEach(async () => {
  await client?.close();
  client = null;
});

function squatterUpdate(now: number): Uint8Array {
  const doc = new Y.Doc();
  comment.create(doc, comment.parseInput({ targetId: 'entry-x', text: 'mine now' }), { orgId: 'org-mallory', deviceId: 'd', role: 'member', now });
  return Y.encodeStateAsUpdate(doc);
}

describe('copies of squatters on a device', () => {
  it("gives way to the hub's record at a reserved id, and to the device's own ballot", async () => {
    client = await memoryClient();
    const now = Date.UTC(2026, 10, 1);
    const ownBallot = ballotId('proposal-1', client.identity.orgId);
    const squatted = 'interest~offer-1~org-other';
    for (const id of [ownBallot, squatted]) {
      await client.applyRemote([{ header: { id, type: 'comment', ownerOrg: 'org-mallory', createdAt: now }, update: squatterUpdate(now), seq: 3 }]);
      expect((await client.get(id))?.header.type).toBe('comment');
    }
    expect(await client.create('ballot', { proposalId: 'proposal-1' })).toBe(ownBallot);
    expect((await client.get(ownBallot))?.header).toMatchObject({ type: 'ballot', ownerOrg: client.identity.orgId });

    const interestDoc = new Y.Doc();
    interestDoc.getMap('fields').set('offerId', 'offer-1');
    await client.applyRemote([{ header: { id: squatted, type: 'interest', ownerOrg: 'org-other', createdAt: now }, update: Y.encodeStateAsUpdate(interestDoc), seq: 9 }]);
    expect((await client.get(squatted))?.header).toMatchObject({ type: 'interest', ownerOrg: 'org-other' });
  });
});
