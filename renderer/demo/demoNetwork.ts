import * as Y from 'yjs';
import type { FieldwiseClient, Identity, RemoteUpdate } from '../../shared/client/client';
import { NETWORK_RECORD_ID, type NetworkInput } from '../../shared/records/network';
import { moduleFor } from '../../shared/records/registry';
import type { RecordType } from '../../shared/records/recordType';
import { DEMO_ORG_ID, demoEntries, demoOrgs, generatedEntry } from './demoRecords';
import { demoGovernance } from './demoGovernance';

/*
 * A demo network made entirely on this device: a few organizations and entries in Chinese and
 * English (demoRecords.ts), as if they had arrived from a hub. No hub is involved and nothing is
 * ever sent; it lets someone see the app before their network exists.
 */

export const DEMO_NETWORK_ID = 'demo';

const DAY_MS = 24 * 60 * 60 * 1000;

function recordUpdate(type: RecordType, input: unknown, ctx: { orgId: string; role: Identity['role']; now: number }): Uint8Array {
  const module = moduleFor(type);
  const doc = new Y.Doc();
  module.create(doc, module.parseInput(input), { ...ctx, deviceId: 'demo' });
  const update = Y.encodeStateAsUpdate(doc);
  doc.destroy();
  return update;
}

let demoCounter = 0;
function demoId(type: RecordType): string {
  demoCounter += 1;
  return `${type}-demo${Date.now().toString(36)}${demoCounter.toString(36)}`;
}

export interface DemoOptions {
  readonly now?: number;
  /** Generated entries on top of the handwritten ones. */
  readonly extraEntries?: number;
}

/** Writes the demo network into the client's store as if it had come from a hub. */
export async function seedDemoNetwork(client: FieldwiseClient, options: DemoOptions = {}): Promise<void> {
  const now = options.now ?? Date.now();
  const updates: RemoteUpdate[] = [];
  const add = (type: RecordType, id: string, ownerOrg: string, createdAt: number, input: unknown) => {
    const role = ownerOrg === 'secretariat' ? 'secretariat' : 'member';
    updates.push({ header: { id, type, ownerOrg, createdAt }, update: recordUpdate(type, input, { orgId: ownerOrg, role, now: createdAt }) });
  };
  const network: NetworkInput = {
    name: '乡村饮水与生态农业网络 Rural Water & Eco-farming Network',
    topic: 'water',
    regions: [['云南省'], ['Guizhou'], ['Gansu']],
    members: demoOrgs.map((org) => ({ orgId: org.id, name: String(org.input.name), role: org.id === 'secretariat' ? 'secretariat' : 'member' })),
  };
  add('network', NETWORK_RECORD_ID, 'secretariat', now - 90 * DAY_MS, network);
  demoOrgs.forEach((org, index) => add('org', org.id, org.id, now - (80 - index) * DAY_MS, org.input));
  demoEntries.forEach(([owner, input], index) => add('entry', demoId('entry'), owner, now - (demoEntries.length - index) * DAY_MS, input));
  await client.applyRemote([...updates, ...demoGovernance({ now, members: network.members ?? [], ownOrgId: DEMO_ORG_ID })]);

  const extra = Math.max(0, Math.min(options.extraEntries ?? 0, 50_000));
  const BATCH = 500;
  for (let start = 0; start < extra; start += BATCH) {
    const batch: RemoteUpdate[] = [];
    for (let index = start; index < Math.min(extra, start + BATCH); index++) {
      const [owner, input] = generatedEntry(index);
      const createdAt = now - 100 * DAY_MS - index * 60_000;
      batch.push({ header: { id: demoId('entry'), type: 'entry', ownerOrg: owner, createdAt }, update: recordUpdate('entry', input, { orgId: owner, role: 'member', now: createdAt }) });
    }
    await client.applyRemote(batch);
  }
}

export function demoIdentity(deviceId: string): Identity {
  return { orgId: DEMO_ORG_ID, deviceId, role: 'member' };
}

export const demoOrgName = demoOrgs[0]!.input.name;
