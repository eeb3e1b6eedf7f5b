import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { FieldwiseClient, Identity, RemoteUpdate } from '../../shared/client/client';
import { ballotMutators } from '../../shared/records/ballot';
import { entryMutators } from '../../shared/records/entry';
import type { RecordType } from '../../shared/records/recordType';
import { memoryClient } from '../support/clients';

/*
 * Seeded property: 2 to 5 replicas (two laptops of one organization among them) edit shared
 * records offline and exchange their outbox updates in random order, duplicated and delayed.
 * Once everything has arrived, every replica holds identical projections and finds the same
 * entries. A failure prints the one command that replays it.
 */

const identities: Identity[] = [
  { orgId: 'org-a', deviceId: 'a-laptop', role: 'member' },
  { orgId: 'org-b', deviceId: 'b-laptop', role: 'steward' },
  { orgId: 'sec', deviceId: 'sec-desk', role: 'secretariat' },
  { orgId: 'org-a', deviceId: 'a-phone', role: 'member' },
  { orgId: 'org-b', deviceId: 'b-desk', role: 'member' },
];

const words = ['water', 'seeds', 'harvest', 'school', 'flood', '节水', '灌溉', '合作社', '草木灰', '留守儿童', 'clinic', '雨水'];
const tags = ['water', 'seeds', '教育', '健康', 'disaster'];
const queries = ['water', 'seed', '灌溉', '合作社', 'harvst', '留守'];

const phrase = fc.array(fc.constantFrom(...words), { minLength: 1, maxLength: 5 }).map((parts) => parts.join(' '));
const op = fc.oneof(
  fc.record({ kind: fc.constant('create' as const), replica: fc.nat(), title: phrase }),
  fc.record({ kind: fc.constant('title' as const), replica: fc.nat(), pick: fc.nat(), title: phrase }),
  fc.record({ kind: fc.constant('tags' as const), replica: fc.nat(), pick: fc.nat(), tags: fc.subarray(tags) }),
  fc.record({ kind: fc.constant('body' as const), replica: fc.nat(), pick: fc.nat(), text: phrase }),
  fc.record({ kind: fc.constant('review' as const), replica: fc.nat(), pick: fc.nat(), text: phrase }),
  fc.record({ kind: fc.constant('cast' as const), replica: fc.nat(), option: fc.constantFrom('yes', 'no', 'later') }),
  fc.record({ kind: fc.constant('deliver' as const), pick: fc.nat(), isDuplicated: fc.boolean() }),
);
type Op = typeof op extends fc.Arbitrary<infer T> ? T : never;

interface Message {
  readonly to: number;
  readonly update: RemoteUpdate;
}

async function runScenario(replicaCount: number, ops: readonly Op[], shuffleSeed: number): Promise<void> {
  const replicas: FieldwiseClient[] = [];
  try {
    for (const identity of identities.slice(0, replicaCount)) replicas.push(await memoryClient({ identity }));
    const sent = replicas.map(() => new Set<string>());
    let inFlight: Message[] = [];

    // Everything a replica wrote since we last looked goes out to every other replica.
    const send = async (from: number) => {
      for (const entry of await replicas[from]!.pendingUpdates()) {
        if (sent[from]!.has(entry.id)) continue;
        sent[from]!.add(entry.id);
        replicas.forEach((_, to) => {
          if (to !== from) inFlight.push({ to, update: { header: entry.header, update: entry.update } });
        });
      }
    };
    // Entries this replica may edit (its organization's) or review (another organization's, once
    // shared: nobody reviews its own organization's entry, and an entry whose first update has not
    // arrived yet still reads as a private draft).
    const localEntries = async (replica: FieldwiseClient, purpose: 'edit' | 'review') => {
      const all = await replica.list({ type: 'entry' });
      const ids = all
        .filter((v) => (purpose === 'edit' ? v.header.ownerOrg === replica.identity.orgId : v.header.ownerOrg !== replica.identity.orgId && v.projection.sharing !== 'private'))
        .map((v) => v.header.id);
      return ids.sort();
    };

    for (const step of ops) {
      if (step.kind === 'deliver') {
        if (inFlight.length === 0) continue;
        const index = step.pick % inFlight.length;
        const message = inFlight[index]!;
        // A duplicated message stays in flight and arrives again later.
        if (!step.isDuplicated) inFlight.splice(index, 1);
        await replicas[message.to]!.applyRemote([message.update]);
        continue;
      }
      const at = step.replica % replicas.length;
      const replica = replicas[at]!;
      if (step.kind === 'create') {
        await replica.create('entry', {
          kind: 'practice',
          title: step.title,
          language: 'en',
          tags: ['water'],
          attribution: { holderKind: 'community', holderName: 'village', consent: 'community-approved' },
          sharing: 'network',
        });
      } else if (step.kind === 'cast') {
        const id = await replica.create('ballot', { proposalId: 'proposal-1' });
        await replica.mutate(id, ballotMutators.cast, { method: 'single', optionId: step.option });
      } else if (step.kind === 'review') {
        if (replica.identity.role === 'member') continue;
        const ids = await localEntries(replica, 'review');
        if (ids.length === 0) continue;
        await replica.mutate(ids[step.pick % ids.length]!, entryMutators.addReviewNote, step.text);
      } else {
        const ids = await localEntries(replica, 'edit');
        if (ids.length === 0) continue;
        const id = ids[step.pick % ids.length]!;
        if (step.kind === 'title') await replica.mutate(id, entryMutators.setFields, { title: step.title });
        if (step.kind === 'tags') await replica.mutate(id, entryMutators.setTags, step.tags);
        if (step.kind === 'body') await replica.mutate(id, entryMutators.setBody, step.text);
      }
      await send(at);
    }

    // The network finally delivers everything, in a seeded shuffled order, each message twice.
    inFlight = [...inFlight, ...inFlight];
    const shuffled = fc.sample(fc.shuffledSubarray(inFlight, { minLength: inFlight.length, maxLength: inFlight.length }), { seed: shuffleSeed, numRuns: 1 })[0]!;
    for (const message of shuffled) await replicas[message.to]!.applyRemote([message.update]);

    const snapshot = async (replica: FieldwiseClient) => {
      const records: Record<string, unknown> = {};
      for (const type of ['entry', 'ballot'] as RecordType[]) {
        for (const view of await replica.list({ type })) records[view.header.id] = { header: view.header, projection: view.projection };
      }
      const found: Record<string, string[]> = {};
      for (const query of queries) found[query] = (await replica.searchEntries(query)).map((h) => h.id).sort();
      return { records, found };
    };
    const first = await snapshot(replicas[0]!);
    for (const replica of replicas.slice(1)) expect(await snapshot(replica)).toEqual(first);
  } finally {
    await Promise.all(replicas.map((replica) => replica.close()));
  }
}

describe('convergence of replicas exchanging outbox updates', () => {
  it('every replica ends with identical projections and search results', async () => {
    const seed = Number(process.env.FIELDWISE_SEED ?? Date.now() % 2 ** 31);
    const numRuns = Number(process.env.FIELDWISE_RUNS ?? 25);
    const property = fc.asyncProperty(
      fc.integer({ min: 2, max: 5 }),
      fc.array(op, { minLength: 5, maxLength: 40 }),
      fc.integer(),
      runScenario,
    );
    const result = await fc.check(property, { seed, numRuns, endOnFailure: true });
    if (result.failed) {
      throw new Error(
        `convergence failed (seed ${seed}): ${String(result.errorInstance)}\n` +
          `counterexample: ${JSON.stringify(result.counterexample)}\n` +
          `replay: FIELDWISE_SEED=${seed} npx vitest run test/integration/convergence.property.test.ts`,
      );
    }
    expect(result.numRuns).toBe(numRuns);
  }, 120_000);
});
