// Open attack (MEDIUM): "eligibility is fixed when voting opens" holds only if the opener writes
// `fields.eligibleOrgIds`. The hub still takes an opening without it (state -> open alone, the
// pre-versioning path) and then computes the voters from the network's members as they are at
// each ballot and at sealing. A runner who opens that way (any client can) gets a moving voter
// list: an organization the secretariat admits after opening (say, one recruited to swing the
// vote) casts a ballot that the hub takes and the seal counts, and one whose role changes drops out.
// A fix must ensure: a proposal that becomes open carries the voter list fixed at that moment,
// e.g. the hub refuses an opening without `eligibleOrgIds` (eligibility-mismatch), or writes the
// list itself in the same commit; only proposals opened before this release keep the fallback.
import { afterAll, beforeAll, expect, it } from 'vitest';
import * as Y from 'yjs';
import { commitSystemChange } from '../../server/hub/systemWrites';
import { SEAL_SETTLE_MS } from '../../server/hub/sealing';
import { ballotId, ballotMutators, type CastInput, type Choice } from '../../shared/records/ballot';
import { networkMutators } from '../../shared/records/network';
import { proposalMutators, type ProposalInput } from '../../shared/records/proposal';
import { resultId, type ResultProjection } from '../../shared/records/result';
import type { RecordType, Role } from '../../shared/records/recordType';
import { pushResponseSchema } from '../../shared/sync/protocol';
import { advanceHubClock, manualClock, startTestHub, type ManualClock, type TestHub } from '../support/hub';
import { changeUpdate, createUpdate, editContext, push, type HubAnswer } from '../support/hubRequests';

const HOUR_MS = 3_600_000;
const GRACE_HOURS = 72;

const who = ['secretariat', 'steward', 'alpha', 'beta'] as const;
type Who = (typeof who)[number];
const roleOf: Record<Who, Role> = { secretariat: 'secretariat', steward: 'steward', alpha: 'member', beta: 'member' };
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

async function passSealing(proposalId: string): Promise<ResultProjection> {
  const closesAt = ((await stored(proposalId))!.projection as { closesAt: number }).closesAt;
  const target = closesAt + GRACE_HOURS * HOUR_MS + SEAL_SETTLE_MS + 1;
  const outcomes = await advanceHubClock(hub, clock, Math.max(0, target - clock.now()));
  expect(outcomes.get(proposalId)).toMatchObject({ kind: 'sealed', resultId: resultId(proposalId) });
  return (await stored(resultId(proposalId)))!.projection as unknown as ResultProjection;
}

async function ballotUpdate(name: Who, proposalId: string, change: (doc: Y.Doc, ctx: Ctx) => void, owner: Who = name): Promise<{ id: string; update: Uint8Array }> {
  const id = ballotId(proposalId, orgIdOf[owner]);
  const ctx = ctxOf(name);
  const existing = await stored(id);
  const update = existing ? changeUpdate(existing.state, (doc) => change(doc, ctx)) : createUpdate('ballot', { proposalId, isSecret: false }, ctx, (doc) => change(doc, ctx));
  return { id, update };
}

async function castOn(name: Who, proposalId: string, input: CastInput): Promise<HubAnswer> {
  const { id, update } = await ballotUpdate(name, proposalId, (doc, ctx) => ballotMutators.castOn.apply(doc, { reason: '', proposalVersion: 1, ...input }, ctx));
  return pushRecord(name, 'ballot', id, update);
}

const YES: Choice = { method: 'single', optionId: 'yes' };

it('does not let an organization admitted after the vote opened cast a ballot that counts', async () => {
  const id = `proposal-${++counter}`;
  const ctx = ctxOf('steward');
  // Opened with the state alone, no voter list.
  await expectAccepted(() => pushRecord('steward', 'proposal', id, createUpdate('proposal', pollTerms(), ctx, (doc) => proposalMutators.setState.apply(doc, 'open', ctx))));
  await expectAccepted(() => castOn('alpha', id, { choice: YES, proposalVersion: 1 }));
  // The network admits a new member after opening.
  const late = await hub.join(await hub.invite('Late Recruit Cooperative'));
  const lateCtx = editContext(late.org.id, 'member', clock.now());
  const lateBallot = ballotId(id, late.org.id);
  const answer = await push(hub.url, late.token, [
    { id: lateBallot, type: 'ballot', update: createUpdate('ballot', { proposalId: id, isSecret: false }, lateCtx, (doc) => ballotMutators.castOn.apply(doc, { choice: YES, reason: '', proposalVersion: 1 }, lateCtx)) },
  ]);
  const sealed = await passSealing(id);
  // Today: 200, and the seal counts the late recruit among the voters.
  expect(sealed.counted.map((ballot) => ballot.orgId)).not.toContain(late.org.id);
  expect({ status: answer.status, body: answer.body }).toMatchObject({ status: 403, body: { error: { code: 'not-eligible', recordId: lateBallot } } });
});
