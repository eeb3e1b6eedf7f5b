import { afterEach, describe, expect, it } from 'vitest';
import type { FieldwiseClient, RecordView } from '../../shared/client/client';
import type { EntryInput } from '../../shared/records/entry';
import { decodeBase64 } from '../../shared/store/base64';
import { memoryClient } from '../support/clients';

/*
 * client.observe keeps an unchanged record's view object from one answer to the next, keyed by
 * the row's state hash and seq. But a row can change without either changing: applyRemote writes
 * a row again when only its createdAt moves (between replicas without a hub, the earliest
 * creation time wins, client.ts applyRemotePage), and the view's header carries createdAt.
 * A subscriber must then see the header the store now holds, as get() and list() do.
 *
 * Failed before d3cc5c1: observe keeps the old view (the old createdAt) for ever.
 */

const open: FieldwiseClient[] = [];
afterEach(async () => {
  await Promise.all(open.splice(0).map((client) => client.close()));
});

const practice: EntryInput = {
  kind: 'practice',
  title: 'Drip irrigation from recycled bottles',
  body: 'Fill the bottles every third day.',
  tags: ['water'],
  language: 'en',
  attribution: { holderKind: 'community', holderName: 'Xishan village', consent: 'community-approved' },
  sharing: 'network',
};

describe('observe after a record changes without its state changing', () => {
  it('gives subscribers the createdAt the store holds once a copy with an earlier creation time is applied', async () => {
    const client = await memoryClient({ now: () => 50_000 });
    open.push(client);
    const id = await client.create('entry', practice);
    await client.flush();
    const answers: RecordView[][] = [];
    const subscription = client.observe({ type: 'entry' }).subscribe((views) => answers.push(views));
    await expect.poll(() => answers.length).toBeGreaterThanOrEqual(1);
    expect(answers.at(-1)![0]!.header.createdAt).toBe(50_000);

    // Another replica's copy of the same record, byte for byte, says it was created earlier (no hub seq).
    const row = (await client.getRow(id))!;
    await client.applyRemote([{ header: { id, type: 'entry', ownerOrg: row.ownerOrg, createdAt: 10_000 }, update: decodeBase64(row.state) }]);
    await client.flush();

    // The store took the earlier creation time (state and seq unchanged).
    const stored = (await client.getRow(id))!;
    expect(stored.createdAt).toBe(10_000);
    expect(stored.hash).toBe(row.hash);
    expect((await client.get(id))!.header.createdAt).toBe(10_000);
    expect((await client.list({ type: 'entry' }))[0]!.header.createdAt).toBe(10_000);

    // The subscriber heard the write: a new answer came.
    await expect.poll(() => answers.length).toBeGreaterThanOrEqual(2);
    // A fresh subscriber sees the new header...
    const fresh: RecordView[][] = [];
    const other = client.observe({ type: 'entry' }).subscribe((views) => fresh.push(views));
    await expect.poll(() => fresh.length).toBeGreaterThanOrEqual(1);
    expect(fresh.at(-1)![0]!.header.createdAt).toBe(10_000);
    // ...and so must the one that was already listening.
    expect(answers.at(-1)![0]!.header.createdAt).toBe(10_000);
    subscription.unsubscribe();
    other.unsubscribe();
  });
});
