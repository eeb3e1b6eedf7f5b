// Reserved ids over real HTTP on a real hub (SQLite, loopback): an id that says what a record is
// (`result~P`, `ballot~P~O`, `interest~F~O`, the network's) belongs to that type and derivation
// alone. Before, a member could put a comment at `result~P` (the vote looked sealed: no ballot got
// in and it was never sealed) or at `ballot~P~O` (O could never vote).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SEAL_SETTLE_MS } from '../../server/hub/sealing';
import { ballotId, ballotMutators, type Choice } from '../../shared/records/ballot';
import { interestId } from '../../shared/records/interest';
import { resultId } from '../../shared/records/result';
import { offerMutators } from '../../shared/records/offer';
import type { RecordType, Role } from '../../shared/records/recordType';
import { advanceHubClock, manualClock, startTestHub, type ManualClock, type TestHub } from '../support/hub';
import { createUpdate, editContext, push, type HubAnswer } from '../support/hubRequests';
import { hubMembers, openVoteIn } from '../support/governance';

const HOUR_MS = 3_600_000;
const YES: Choice = { method: 'single', optionId: 'yes' };

const who = ['secretariat', 'alpha', 'beta'] as const;
type Who = (typeof who)[number];
const roleOf: Record<Who, Role> = { secretariat: 'secretariat', alpha: 'member', beta: 'member' };
const orgIdOf = {} as Record<Who, string>;
const tokenOf = {} as Record<Who, string>;

let hub: TestHub;
let clock: ManualClock;
let counter = 0;

beforeAll(async () => {
  clock = manualClock(Date.UTC(2026, 5, 1, 8, 0, 0));
  hub = await startTestHub({ now: clock.now });
  const codes: Record<Who, string> = { secretariat: hub.secretariatCode, alpha: await hub.invite('Fengyu Farmers Cooperative'), beta: await hub.invite('Cangshan Seed Bank') };
  for (const name of who) {
    const joined = await hub.join(codes[name]);
    orgIdOf[name] = joined.org.id;
    tokenOf[name] = joined.token;
  }
});

afterAll(async () => {
  await hub?.close();
});

const ctxOf = (name: Who) => editContext(orgIdOf[name], roleOf[name], clock.now());
const pushRecord = (name: Who, type: RecordType, id: string, update: Uint8Array): Promise<HubAnswer> => push(hub.url, tokenOf[name], [{ id, type, update }]);

async function openPoll(): Promise<string> {
  const id = `proposal-${++counter}`;
  const ctx = ctxOf('secretariat');
  const terms = {
    title: `Pool the seed fund ${counter}`,
    options: [
      { id: 'yes', label: 'Yes' },
      { id: 'no', label: 'No' },
    ],
    method: 'single' as const,
    opensAt: clock.now(),
    closesAt: clock.now() + 4 * HOUR_MS,
    graceHours: 1,
  };
  const members = await hubMembers(hub.storage);
  const answer = await pushRecord('secretariat', 'proposal', id, createUpdate('proposal', terms, ctx, (doc) => openVoteIn(doc, members, ctx)));
  expect(answer.status).toBe(200);
  return id;
}

function castUpdate(name: Who, proposalId: string): Uint8Array {
  const ctx = ctxOf(name);
  return createUpdate('ballot', { proposalId }, ctx, (doc) => ballotMutators.cast.apply(doc, YES, ctx));
}

const squatter = (name: Who) => createUpdate('comment', { targetId: 'entry-x', text: 'mine now' }, ctxOf(name));

function expectRefusal(answer: HubAnswer, status: number, code: string, recordId: string): void {
  expect({ status: answer.status, body: answer.body }).toMatchObject({ status, body: { error: { code, recordId } } });
}

describe('derived ids are reserved for their type and derivation', () => {
  it("refuses a comment squatting a proposal's result id: ballots still get in and the vote is sealed", async () => {
    const poll = await openPoll();
    const id = resultId(poll);
    expectRefusal(await pushRecord('alpha', 'comment', id, squatter('alpha')), 400, 'wrong-id', id);
    expect(await hub.storage.getRecord(id)).toBeNull();
    expect((await pushRecord('beta', 'ballot', ballotId(poll, orgIdOf.beta), castUpdate('beta', poll))).status).toBe(200);
    const outcomes = await advanceHubClock(hub, clock, 5 * HOUR_MS + SEAL_SETTLE_MS + 1);
    expect(outcomes.get(poll)).toMatchObject({ kind: 'sealed', resultId: id });
    expect((await hub.storage.getRecord(id))?.header.type).toBe('result');
  });

  it("refuses a record squatting another organization's ballot id, of any type, so that organization still votes", async () => {
    const poll = await openPoll();
    const id = ballotId(poll, orgIdOf.beta);
    expectRefusal(await pushRecord('alpha', 'comment', id, squatter('alpha')), 400, 'wrong-id', id);
    expectRefusal(await pushRecord('alpha', 'entry', id, createUpdate('entry', { title: 'x', kind: 'practice', language: 'en' }, ctxOf('alpha'))), 400, 'wrong-id', id);
    // A ballot of its own under beta's id: the id names beta as its owner, which alpha may not write for.
    expectRefusal(await pushRecord('alpha', 'ballot', id, castUpdate('alpha', poll)), 403, 'forbidden', id);
    expect(await hub.storage.getRecord(id)).toBeNull();
    expect((await pushRecord('beta', 'ballot', id, castUpdate('beta', poll))).status).toBe(200);
  });

  it("refuses a record squatting another organization's interest id", async () => {
    const ctx = ctxOf('secretariat');
    const offerId = `offer-${++counter}`;
    const offerUpdate = createUpdate('offer', { title: 'Seed grants', kind: 'funding', places: 5, opensAt: clock.now(), closesAt: clock.now() + 30 * 24 * HOUR_MS }, ctx, (doc) => offerMutators.setState.apply(doc, 'published', ctx));
    expect((await pushRecord('secretariat', 'offer', offerId, offerUpdate)).status).toBe(200);
    const id = interestId(offerId, orgIdOf.beta);
    expectRefusal(await pushRecord('alpha', 'comment', id, squatter('alpha')), 400, 'wrong-id', id);
    expect((await pushRecord('beta', 'interest', id, createUpdate('interest', { offerId }, ctxOf('beta')))).status).toBe(200);
  });
});

describe('one network record', () => {
  it('refuses a network record a client creates, under any id, even from the secretariat', async () => {
    for (const id of ['network-2', 'aaa-network', `network-${++counter}`]) {
      const update = createUpdate('network', { name: 'Shadow network' }, ctxOf('secretariat'));
      const answer = await pushRecord('secretariat', 'network', id, update);
      expect(answer.status).toBeGreaterThanOrEqual(400);
      expect(answer.status).toBeLessThan(500);
      expect(await hub.storage.getRecord(id)).toBeNull();
    }
  });
});
