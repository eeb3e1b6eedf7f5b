// Open attack (MEDIUM): who has voted in a SECRET poll leaks, before closing, to any steward with
// the proposals scope, through the push path. The steward pushes the same facilitated cast into
// two organizations' ballots: where the organization has voted (its ballot exists) the hub answers
// 403 "a steward may not write the ballot …" (the rules refuse changing an existing record),
// where it has not, 403 "a facilitator records open ballots only …" (the governance policy). The
// code is the same, the message is not: polling it tells the steward who voted and when, which a
// secret poll keeps from everyone but the organization and the secretariat until the seal.
// (adversarialOracles.test.ts holds this for members and /yjs; the facilitator path is new.)
// A fix must ensure: any write by a non-owner, non-secretariat to a secret poll's ballot gets one
// answer (status, code and message alike) whether or not that ballot exists or holds a cast, e.g.
// by refusing a facilitated write on a secret proposal before the record is looked up.
import { afterAll, beforeAll, expect, it } from 'vitest';
import * as Y from 'yjs';
import { commitSystemChange } from '../../server/hub/systemWrites';
import { ballotId, ballotMutators, type CastInput, type Choice } from '../../shared/records/ballot';
import { networkMutators } from '../../shared/records/network';
import { proposalMutators, type ProposalInput } from '../../shared/records/proposal';
import type { RecordType, Role } from '../../shared/records/recordType';
import { pushResponseSchema } from '../../shared/sync/protocol';
import { manualClock, startTestHub, type ManualClock, type TestHub } from '../support/hub';
import { changeUpdate, createUpdate, editContext, push, type HubAnswer } from '../support/hubRequests';

const HOUR_MS = 3_600_000;
const GRACE_HOURS = 72;

const who = ['secretariat', 'steward', 'alpha', 'beta', 'gamma'] as const;
type Who = (typeof who)[number];
const roleOf: Record<Who, Role> = { secretariat: 'secretariat', steward: 'steward', alpha: 'member', beta: 'member', gamma: 'member' };
const orgIdOf = {} as Record<Who, string>;
const tokenOf = {} as Record<Who, string>;

let hub: TestHub;
let clock: ManualClock;
let counter = 0;

beforeAll(async () => {
  clock = manualClock(Date.UTC(2026, 5, 1, 8, 0, 0));
  hub = await startTestHub({ now: clock.now });
  const codes: Record<Who, string> = {
    secretariat: hub.secretariatCode,
    steward: await hub.invite('Erhai Watershed Alliance', 'steward'),
    alpha: await hub.invite('Fengyu Farmers Cooperative'),
    beta: await hub.invite('Cangshan Seed Bank'),
    gamma: await hub.invite('Nujiang Women Weavers'),
  };
  for (const name of who) {
    const joined = await hub.join(codes[name]);
    orgIdOf[name] = joined.org.id;
    tokenOf[name] = joined.token;
  }
  const network = (await hub.storage.getRecord('network'))!;
  await commitSystemChange(hub.storage, network.header, (doc) =>
    networkMutators.setStewardGrant.apply(doc, { orgId: orgIdOf.steward, scopes: ['proposals'] }, ctxOf('secretariat')),
  );
});

afterAll(async () => {
  await hub?.close();
});

const ctxOf = (name: Who, now = clock.now()) => editContext(orgIdOf[name], roleOf[name], now);
type Ctx = ReturnType<typeof ctxOf>;
const stored = (id: string) => hub.storage.getRecord(id);

async function expectAccepted(send: () => Promise<HubAnswer>): Promise<void> {
  const answer = await send();
  expect({ status: answer.status, body: answer.body }).toMatchObject({ status: 200 });
  pushResponseSchema.parse(answer.body);
}

function pushRecord(name: Who, type: RecordType, id: string, update: Uint8Array): Promise<HubAnswer> {
  return push(hub.url, tokenOf[name], [{ id, type, update }]);
}

function pollTerms(overrides: Partial<ProposalInput> = {}): ProposalInput {
  return {
    title: `Pool the seed fund ${++counter}`,
    options: [
      { id: 'yes', label: 'Yes' },
      { id: 'no', label: 'No' },
    ],
    method: 'single',
    opensAt: clock.now(),
    closesAt: clock.now() + 48 * HOUR_MS,
    graceHours: GRACE_HOURS,
    ...overrides,
  };
}

/** A proposal created by `by` and opened with the voters fixed, over HTTP; returns its id. */
async function openPoll(overrides: Partial<ProposalInput> = {}, by: Who = 'steward'): Promise<string> {
  const id = `proposal-${++counter}`;
  const ctx = ctxOf(by);
  const voters = [orgIdOf.steward, orgIdOf.alpha, orgIdOf.beta, orgIdOf.gamma];
  await expectAccepted(() =>
    pushRecord(by, 'proposal', id, createUpdate('proposal', pollTerms(overrides), ctx, (doc) => proposalMutators.openVote.apply(doc, { reason: 'Agreed at the May meeting', eligibleOrgIds: voters }, ctx))),
  );
  return id;
}

async function ballotUpdate(name: Who, proposalId: string, change: (doc: Y.Doc, ctx: Ctx) => void, owner: Who = name): Promise<{ id: string; update: Uint8Array }> {
  const id = ballotId(proposalId, orgIdOf[owner]);
  const ctx = ctxOf(name);
  const existing = await stored(id);
  const update = existing ? changeUpdate(existing.state, (doc) => change(doc, ctx)) : createUpdate('ballot', { proposalId, isSecret: true }, ctx, (doc) => change(doc, ctx));
  return { id, update };
}

async function castOn(name: Who, proposalId: string, input: CastInput): Promise<HubAnswer> {
  const { id, update } = await ballotUpdate(name, proposalId, (doc, ctx) => ballotMutators.castOn.apply(doc, { reason: '', proposalVersion: 1, ...input }, ctx));
  return pushRecord(name, 'ballot', id, update);
}

const YES: Choice = { method: 'single', optionId: 'yes' };

it("answers a steward's write to a secret ballot the same whether its organization voted or not", async () => {
  const poll = await openPoll({ secrecy: 'secret' });
  await expectAccepted(() => castOn('beta', poll, { choice: YES, proposalVersion: 1 }));
  const answers = [];
  for (const owner of ['beta', 'gamma'] as const) {
    const id = ballotId(poll, orgIdOf[owner]);
    const ctx = ctxOf('steward');
    const update = createUpdate('ballot', { proposalId: poll, isSecret: true }, ctx, (doc) =>
      ballotMutators.facilitate.apply(doc, { choice: YES, reason: '', proposalVersion: 1, channel: 'in-person', witness: 'Li Wei, village head' }, ctx),
    );
    const answer = await pushRecord('steward', 'ballot', id, update);
    answers.push({ status: answer.status, body: JSON.stringify(answer.body).replaceAll(id, '<ballot>') });
  }
  // Today: both 403 forbidden, but the voted one says "a steward may not write the ballot".
  expect(answers[0]).toEqual(answers[1]);
  expect(answers[0]!.status).toBe(403);
});
