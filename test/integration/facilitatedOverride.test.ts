// Adversarial pass (adv-attack): a facilitator's ballot overriding the vote an organization cast
// itself. PROTOCOL lets the secretariat or a steward with the proposals grant record a cast "for an
// organization that has no laptop" (log.facilitated), and the counted cast is the latest by time,
// own or facilitated. So a facilitator can replace the vote a member organization cast from its own
// device, minutes before closing, with a witness name nobody checks: the seal counts the
// facilitator's choice. Real hub over HTTP (SQLite, manual clock). FAILED on main. The rule now
// (docs/PROTOCOL.md, Governance): a facilitator records a ballot only for an organization that has
// cast none itself (409 own-ballot-cast), and the tally counts an organization's own cast before
// any facilitated one, whatever their times; the organization confirms or replaces a facilitated
// cast by casting, until closing.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type * as Y from 'yjs';
import { SEAL_SETTLE_MS } from '../../server/hub/sealing';
import { ballotId, ballotMutators, type CastInput, type Choice, type FacilitatedCastInput } from '../../shared/records/ballot';
import { proposalMutators, type ProposalInput } from '../../shared/records/proposal';
import { resultId, type ResultProjection } from '../../shared/records/result';
import type { RecordType, Role } from '../../shared/records/recordType';
import { pushResponseSchema } from '../../shared/sync/protocol';
import { commitSystemChange } from '../../server/hub/systemWrites';
import { networkMutators } from '../../shared/records/network';
import { advanceHubClock, manualClock, startTestHub, type ManualClock, type TestHub } from '../support/hub';
import { joinWithBundleKey, uploadBundle, yjsEdit, type BundleDevice } from '../support/writeEntryPoints';
import { changeUpdate, createUpdate, editContext, push, type HubAnswer } from '../support/hubRequests';
import { hubMembers, openVoteIn } from '../support/governance';

const HOUR_MS = 3_600_000;
const GRACE_HOURS = 72;

const who = ['secretariat', 'steward', 'alpha', 'beta', 'gamma', 'observer'] as const;
type Who = (typeof who)[number];
const roleOf: Record<Who, Role> = { secretariat: 'secretariat', steward: 'steward', alpha: 'member', beta: 'member', gamma: 'member', observer: 'observer' };
const orgIdOf = {} as Record<Who, string>;
const tokenOf = {} as Record<Who, string>;

let hub: TestHub;
let clock: ManualClock;
/** Another device of the steward's, with a bundle key. */
let stewardDevice: BundleDevice;
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
    observer: await hub.invite('Provincial Water Bureau', 'observer'),
  };
  for (const name of who) {
    const joined = await hub.join(codes[name]);
    orgIdOf[name] = joined.org.id;
    tokenOf[name] = joined.token;
  }
  stewardDevice = await joinWithBundleKey(hub, await hub.inviteDevice(orgIdOf.steward));
});

afterAll(async () => {
  await hub?.close();
});

const ctxOf = (name: Who, now = clock.now()) => editContext(orgIdOf[name], roleOf[name], now);

async function stored(id: string) {
  return hub.storage.getRecord(id);
}


async function expectAccepted(send: () => Promise<HubAnswer>): Promise<void> {
  const answer = await send();
  expect({ status: answer.status, body: answer.body }).toMatchObject({ status: 200 });
  pushResponseSchema.parse(answer.body);
}

/** Pushes the creation (or a change) of a record of `type` as `name` would from its device. */
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

/** A proposal created and opened by `by` over HTTP; returns its id. */
async function openPoll(overrides: Partial<ProposalInput> = {}, by: Who = 'secretariat'): Promise<string> {
  const id = `proposal-${++counter}`;
  const ctx = ctxOf(by);
  const members = await hubMembers(hub.storage);
  await expectAccepted(() => pushRecord(by, 'proposal', id, createUpdate('proposal', pollTerms(overrides), ctx, (doc) => openVoteIn(doc, members, ctx))));
  return id;
}



/** Moves the hub past this proposal's closing plus grace and the settle margin, and seals. */
async function passSealing(proposalId: string): Promise<ResultProjection> {
  const closesAt = ((await stored(proposalId))!.projection as { closesAt: number }).closesAt;
  const target = closesAt + GRACE_HOURS * HOUR_MS + SEAL_SETTLE_MS + 1;
  const outcomes = await advanceHubClock(hub, clock, Math.max(0, target - clock.now()));
  expect(outcomes.get(proposalId)).toMatchObject({ kind: 'sealed', resultId: resultId(proposalId) });
  return (await stored(resultId(proposalId)))!.projection as unknown as ResultProjection;
}

type Ctx = ReturnType<typeof ctxOf>;

/** The update by which `name` writes `change` into `proposalId`'s ballot of `owner` (its own by default). */
async function ballotUpdate(name: Who, proposalId: string, change: (doc: Y.Doc, ctx: Ctx) => void, owner: Who = name, isSecret = false): Promise<{ id: string; update: Uint8Array }> {
  const id = ballotId(proposalId, orgIdOf[owner]);
  const ctx = ctxOf(name);
  const existing = await stored(id);
  const update = existing ? changeUpdate(existing.state, (doc) => change(doc, ctx)) : createUpdate('ballot', { proposalId, isSecret }, ctx, (doc) => change(doc, ctx));
  return { id, update };
}

async function castOn(name: Who, proposalId: string, input: CastInput): Promise<HubAnswer> {
  const { id, update } = await ballotUpdate(name, proposalId, (doc, ctx) => ballotMutators.castOn.apply(doc, { reason: '', proposalVersion: 1, ...input }, ctx));
  return pushRecord(name, 'ballot', id, update);
}

async function facilitate(name: Who, owner: Who, proposalId: string, input: FacilitatedCastInput, isSecret = false): Promise<{ id: string; answer: HubAnswer }> {
  const { id, update } = await ballotUpdate(name, proposalId, (doc, ctx) => ballotMutators.facilitate.apply(doc, { reason: '', proposalVersion: 1, ...input }, ctx), owner, isSecret);
  return { id, answer: await pushRecord(name, 'ballot', id, update) };
}



const YES: Choice = { method: 'single', optionId: 'yes' };
const NO: Choice = { method: 'single', optionId: 'no' };
const WITNESS = { channel: 'in-person' as const, witness: 'Li Wei, village head' };

describe("a facilitator's ballot over the organization's own (attack)", () => {
  it("does not let the secretariat replace a cast the organization made from its own device", async () => {
    const poll = await openPoll({ method: 'single' });
    await expectAccepted(() => castOn('alpha', poll, { choice: { method: 'single', optionId: 'no' }, proposalVersion: 1 }));
    clock.advance(47 * HOUR_MS);
    // An hour before closing, the secretariat "records" alpha's ballot in person.
    const overriding = await facilitate('secretariat', 'alpha', poll, { choice: YES, proposalVersion: 1, ...WITNESS });
    const sealed = await passSealing(poll);
    const counted = sealed.counted.find((ballot) => ballot.orgId === orgIdOf.alpha);
    // On main: 200, and the seal counts alpha as voting yes, marked facilitated by the secretariat.
    expect({ status: overriding.answer.status, facilitatedBy: counted?.facilitation?.byOrgId ?? null }).toEqual({ status: 409, facilitatedBy: null });
    expect(overriding.answer.body).toMatchObject({ error: { code: 'own-ballot-cast', recordId: ballotId(poll, orgIdOf.alpha) } });
    expect(counted).toMatchObject({ receipt: expect.any(String) });
    expect(sealed.tally?.counts).toMatchObject({ votes: { no: 1, yes: 0 } });
  });
});

describe("an organization's own cast always stands", () => {
  beforeAll(async () => {
    const network = (await stored('network'))!;
    await commitSystemChange(hub.storage, network.header, (doc) => networkMutators.setStewardGrant.apply(doc, { orgId: orgIdOf.steward, scopes: ['proposals'] }, ctxOf('secretariat')));
  });

  it('refuses a scoped steward too, by push, /yjs and bundle, and writes nothing', async () => {
    const poll = await openPoll();
    await expectAccepted(() => castOn('beta', poll, { choice: YES, proposalVersion: 1 }));
    const id = ballotId(poll, orgIdOf.beta);
    const { seq, state } = (await stored(id))!;
    const { answer } = await facilitate('steward', 'beta', poll, { choice: NO, ...WITNESS });
    expect(answer).toMatchObject({ status: 409, body: { error: { code: 'own-ballot-cast', recordId: id } } });
    const record = (doc: Y.Doc) => ballotMutators.facilitate.apply(doc, { choice: NO, reason: '', proposalVersion: 1, ...WITNESS }, ctxOf('steward'));
    expect(await uploadBundle(hub, stewardDevice, [{ id, type: 'ballot', update: changeUpdate(state, record) }])).toMatchObject({ status: 409, body: { error: { code: 'own-ballot-cast' } } });
    expect(await yjsEdit(hub, tokenOf.steward, id, record)).toBe('own-ballot-cast');
    expect((await stored(id))!.seq).toBe(seq);
  });

  it("counts the organization's own cast over a facilitated one that reached the hub first, although the own cast was timed earlier (an offline laptop)", async () => {
    const poll = await openPoll();
    const id = ballotId(poll, orgIdOf.gamma);
    // Gamma votes no on its laptop, offline; an hour later a facilitator records yes for it, and
    // that reaches the hub first (gamma has cast none there yet).
    const offline = createUpdate('ballot', { proposalId: poll, isSecret: false }, ctxOf('gamma'), (doc) => ballotMutators.castOn.apply(doc, { choice: NO, reason: '', proposalVersion: 1 }, ctxOf('gamma')));
    clock.advance(HOUR_MS);
    await expectAccepted(async () => (await facilitate('secretariat', 'gamma', poll, { choice: YES, ...WITNESS })).answer);
    await expectAccepted(() => pushRecord('gamma', 'ballot', id, offline));
    const sealed = await passSealing(poll);
    expect(sealed.counted.find((ballot) => ballot.orgId === orgIdOf.gamma)).toMatchObject({ facilitation: null });
    expect(sealed.tally?.counts).toMatchObject({ votes: { no: 1, yes: 0 } });
  });

  it('lets the facilitator correct its own recording while the organization has cast none, and the organization replace it', async () => {
    const poll = await openPoll();
    await expectAccepted(async () => (await facilitate('secretariat', 'alpha', poll, { choice: NO, ...WITNESS })).answer);
    clock.advance(60_000);
    await expectAccepted(async () => (await facilitate('secretariat', 'alpha', poll, { choice: YES, ...WITNESS })).answer);
    clock.advance(60_000);
    await expectAccepted(() => castOn('alpha', poll, { choice: NO, proposalVersion: 1 }));
    clock.advance(60_000);
    // Once alpha has cast, nobody records for it again.
    expect((await facilitate('secretariat', 'alpha', poll, { choice: YES, ...WITNESS })).answer).toMatchObject({ status: 409, body: { error: { code: 'own-ballot-cast' } } });
    const sealed = await passSealing(poll);
    expect(sealed.counted.find((ballot) => ballot.orgId === orgIdOf.alpha)).toMatchObject({ facilitation: null });
    expect(sealed.tally?.counts).toMatchObject({ votes: { no: 1, yes: 0 } });
  });

  it('refuses a facilitation for an organization whose only cast is on an earlier version: it confirms for itself', async () => {
    const poll = await openPoll();
    await expectAccepted(() => castOn('beta', poll, { choice: YES, proposalVersion: 1 }));
    const proposal = (await stored(poll))!;
    await expectAccepted(() => pushRecord('secretariat', 'proposal', poll, changeUpdate(proposal.state, (doc) => proposalMutators.revise.apply(doc, { terms: { title: 'Pool half the fund' }, note: 'halved' }, ctxOf('secretariat')))));
    expect((await facilitate('secretariat', 'beta', poll, { choice: NO, proposalVersion: 2, ...WITNESS })).answer).toMatchObject({ status: 409, body: { error: { code: 'own-ballot-cast' } } });
  });
});
