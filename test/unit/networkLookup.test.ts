import * as Y from 'yjs';
import { afterEach, describe, expect, it } from 'vitest';
import type { FieldwiseClient } from '../../shared/client/client';
import { network, networkMutators, NETWORK_RECORD_ID } from '../../shared/records/network';
import { loadReportData } from '../../shared/reports/reportData';
import { hubPublicKeyOf } from '../../shared/sync/bundleTransfer';
import { memoryClient } from '../support/clients';

/*
 * The reports and the hub-bundle check find the network by its fixed id, as the screens do. Both
 * took the first network-type row before: a second one on the device (newer, so listed first)
 * would have named the report's network and, worse, the key hub bundles are verified against.
 */

let client: FieldwiseClient | null = null;
afterEach(async () => {
  await client?.close();
  client = null;
});

const secretariat = { orgId: 'secretariat', role: 'secretariat', deviceId: 'test' } as const;
const HUB_KEY = 'a'.repeat(64);
const OTHER_KEY = 'b'.repeat(64);

async function addNetwork(target: FieldwiseClient, id: string, name: string, hubKey: string, createdAt: number): Promise<void> {
  const doc = new Y.Doc();
  network.create(doc, network.parseInput({ name }), { ...secretariat, now: createdAt });
  networkMutators.setHubKey.apply(doc, hubKey, { ...secretariat, now: createdAt });
  await target.applyRemote([{ header: { id, type: 'network', ownerOrg: 'secretariat', createdAt }, update: Y.encodeStateAsUpdate(doc) }]);
  doc.destroy();
}

describe('finding the network outside the screens', () => {
  it('reads the report network and the hub key from the record with the fixed id, not the first network row', async () => {
    client = await memoryClient();
    const now = Date.UTC(2026, 10, 1);
    expect(await hubPublicKeyOf(client)).toBeNull();
    expect((await loadReportData(client)).network).toBeNull();
    await addNetwork(client, 'aaa-squatter', 'Squatter', OTHER_KEY, now + 86_400_000);
    await addNetwork(client, NETWORK_RECORD_ID, 'Rural Water Network', HUB_KEY, now);
    expect((await client.list({ type: 'network' }))[0]?.header.id).toBe('aaa-squatter');
    expect((await loadReportData(client)).network?.projection.name).toBe('Rural Water Network');
    expect(Buffer.from((await hubPublicKeyOf(client))!).toString('hex')).toBe(HUB_KEY);
  });
});
