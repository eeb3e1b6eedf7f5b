import * as Y from 'yjs';
import { firstValueFrom } from 'rxjs';
import { afterEach, describe, expect, it } from 'vitest';
import type { FieldwiseClient } from '../../shared/client/client';
import { network } from '../../shared/records/network';
import { seedDemoNetwork } from '../../renderer/demo/demoNetwork';
import { observeNetwork } from '../../renderer/data/useNetwork';
import { memoryClient } from '../support/clients';

/*
 * Every screen finds the network through useNetwork, which reads the one record with the fixed id
 * (NETWORK_RECORD_ID). Before, screens took the oldest network row, the newest, or the first one a
 * query returned, and would have disagreed as soon as a device held a second network-type record.
 */

let client: FieldwiseClient | null = null;
afterEach(async () => {
  await client?.close();
  client = null;
});

const DAY_MS = 86_400_000;

describe('the network the screens read', () => {
  it('is the record with the fixed id, not the oldest or the first network row', async () => {
    client = await memoryClient();
    expect(await firstValueFrom(observeNetwork(client))).toBeNull();
    const now = Date.now();
    await seedDemoNetwork(client, { now });
    const doc = new Y.Doc();
    network.create(doc, network.parseInput({ name: 'An older network' }), { orgId: 'secretariat', role: 'secretariat', deviceId: 'test', now: now - 365 * DAY_MS });
    await client.applyRemote([{ header: { id: 'aaa-older-network', type: 'network', ownerOrg: 'secretariat', createdAt: now - 365 * DAY_MS }, update: Y.encodeStateAsUpdate(doc) }]);
    doc.destroy();
    expect((await client.list({ type: 'network' })).length).toBe(2);
    expect((await firstValueFrom(observeNetwork(client)))?.name).toBe('乡村饮水与生态农业网络 Rural Water & Eco-farming Network');
  });
});
