// Adversarial pass (attacks-media): a seen hash becomes a key after all, by a race. SECURITY ("A hash
// is not a key") says an organization that copies a hash it only saw (a pending attachment's
// reference reaches every reader of the entry; its bytes never leave the owner) into an entry of its
// own gets a proof upload at offset 0 and reads nothing until it sends bytes hashing to it.
// BlobAccess.createUpload decides "proof or not" from `blobs.has()` and only then asks the blob
// store for the upload; the store, finding the blob stored by then, answers "complete" (the
// dedupe path, meant for a caller who may read it), and BlobAccess records the caller as a holder
// because the upload is complete. So an organization that keeps announcing the hash while the
// owner's last chunk lands is made a holder without a byte sent: its own network-shared entry then
// serves the owner's pending photo to it and to every other organization. The attacker needs only
// the reference (hash, size, type) that the owner's own entry shows every reader. Real hub, real
// SQLite and files; the race is hit by announcing the hash many times at once around the owner's
// last chunk. FAILS on main (usually in the first round).
//
// A fix decides proof inside the store's critical section (createUpload with isProof whenever the
// caller may not read the stored copy, re-checked after the lock; or never crediting a holder from a
// "complete" answer to an upload that was not asked as a dedupe of a readable blob).
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type * as Y from 'yjs';
import { describeBlob } from '../../shared/blobs/describeBlob';
import type { BlobContent } from '../../shared/blobs/blobRef';
import type { Attachment } from '../../shared/records/attachments';
import { entryMutators } from '../../shared/records/entry';
import type { Role } from '../../shared/records/recordType';
import type { JoinResponse } from '../../shared/sync/protocol';
import { startTestHub, type TestHub } from '../support/hub';
import { createUpdate, editContext, push } from '../support/hubRequests';
import { createUpload, getBlob, sendChunk } from '../support/blobRequests';
import { sharedPractice } from '../support/blobFixtures';

const CHUNK = 1 << 20;
const ROUNDS = 6;
const ANNOUNCES = 24;

let hub: TestHub;
let owner: JoinResponse;
let attacker: JoinResponse;
let bystander: JoinResponse;
let entries = 0;

beforeAll(async () => {
  hub = await startTestHub({ requestsPerMinute: 100_000 });
  owner = await hub.join(await hub.invite('Fengyu Farmers Cooperative'));
  attacker = await hub.join(await hub.invite('Cangshan Seed Bank'));
  bystander = await hub.join(await hub.invite('Erhai Watershed Alliance'));
});
afterAll(async () => hub?.close());

async function attach(by: JoinResponse, content: BlobContent, consent: Attachment['consent']): Promise<void> {
  const ctx = editContext(by.org.id, by.role as Role);
  const update = createUpdate('entry', sharedPractice, ctx, (doc: Y.Doc) =>
    entryMutators.addAttachment.apply(doc, { id: 'photo-0', attachment: { kind: 'photo', ref: { ...content, variants: {} }, name: 'elder.jpg', caption: '', consent, keepsLocation: false } }, ctx),
  );
  expect((await push(hub.url, by.token, [{ id: `entry-race-${++entries}`, type: 'entry', update }])).status).toBe(200);
}

describe('an organization that only saw a pending photo\'s hash never reads it', () => {
  it('is not made a holder by announcing the hash while the owner\'s last chunk lands', async () => {
    const leaked: number[] = [];
    for (let round = 0; round < ROUNDS && leaked.length === 0; round += 1) {
      const bytes = new Uint8Array(randomBytes(6 * CHUNK));
      const content = describeBlob(bytes, 'image/jpeg');
      // The owner's photo of a knowledge holder, consent pending: its reference reaches every reader.
      await attach(owner, content, 'pending');
      // The attacker copies the reference into an entry of its own, shared with the network.
      await attach(attacker, content, 'given');
      const created = await createUpload(hub.url, owner.token, content);
      const location = created.headers.get('location')!;
      for (let offset = 0; offset < bytes.length - CHUNK; offset += CHUNK) {
        expect((await sendChunk(hub.url, owner.token, location, offset, bytes.subarray(offset, offset + CHUNK))).status).toBe(204);
      }
      const last = sendChunk(hub.url, owner.token, location, bytes.length - CHUNK, bytes.subarray(bytes.length - CHUNK));
      const announces: Promise<unknown>[] = [];
      for (let index = 0; index < ANNOUNCES; index += 1) {
        announces.push(createUpload(hub.url, attacker.token, content));
        await new Promise((resolve) => setTimeout(resolve, 2));
      }
      expect((await last).status).toBe(204);
      await Promise.all(announces);
      if ((await getBlob(hub.url, attacker.token, content.sha256)).status === 200) leaked.push(round);
      if ((await getBlob(hub.url, bystander.token, content.sha256)).status === 200) leaked.push(round);
    }
    expect(leaked, `the pending photo was served to another organization in round(s) ${leaked.join(', ')}`).toEqual([]);
  });
});
