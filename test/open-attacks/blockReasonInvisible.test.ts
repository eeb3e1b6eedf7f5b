// Open attack (LOW): "a block in a consent vote requires a reason" is checked with String.trim(),
// which keeps zero-width and other invisible characters. A member blocks with a reason of one
// zero-width space (U+200B) or word joiner (U+2060): the hub takes it, the seal publishes an
// "explained" block, and the reason shown beside the result is blank.
// A fix must ensure: a reason counts as given only if it holds a visible character (letters,
// digits, punctuation, symbols), after removing whitespace, format (Cf) and other invisible
// characters; the same rule in positionReasonProblem for the form and the hub. The same holds for
// a facilitator's block and for the facilitator's `witness` (nonEmptyText trims only whitespace):
// a facilitated cast "witnessed" by U+200B is taken today.
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

/** A proposal created by `by` and opened with the voters fixed, over HTTP; returns its id. */
async function openPoll(overrides: Partial<ProposalInput> = {}, by: Who = 'steward'): Promise<string> {
  const id = `proposal-${++counter}`;
  const ctx = ctxOf(by);
  const voters = [orgIdOf.steward, orgIdOf.alpha, orgIdOf.beta];
  await expectAccepted(() =>
    pushRecord(by, 'proposal', id, createUpdate('proposal', pollTerms(overrides), ctx, (doc) => proposalMutators.openVote.apply(doc, { reason: 'Agreed at the May meeting', eligibleOrgIds: voters }, ctx))),
  );
  return id;
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


const BLOCK: Choice = { method: 'consent', position: 'block' };

it.each([['zero-width space', '\u200b'], ['word joiner', '\u2060'], ['zero-width joiners', '\u200d\u200c\u200d'], ['Hangul filler', '\u3164']])(
  'refuses a consent block whose reason is only a %s',
  async (_name, reason) => {
    const poll = await openPoll({ method: 'consent', options: [] });
    const answer = await castOn('alpha', poll, { choice: BLOCK, reason, proposalVersion: 1 });
    expect({ status: answer.status, body: answer.body }).toMatchObject({ status: 422, body: { error: { code: 'reason-required', recordId: ballotId(poll, orgIdOf.alpha) } } });
  },
);

it('refuses a facilitated consent block whose reason, or a facilitation whose witness, is only invisible characters', async () => {
  const poll = await openPoll({ method: 'consent', options: [] });
  const facilitate = async (reason: string, witness: string) => {
    const { id, update } = await ballotUpdate('steward', poll, (doc, ctx) => ballotMutators.facilitate.apply(doc, { choice: BLOCK, reason, proposalVersion: 1, channel: 'in-person', witness }, ctx), 'beta');
    const answer = await pushRecord('steward', 'ballot', id, update);
    return { status: answer.status, code: (answer.body as { error?: { code?: string } }).error?.code ?? null };
  };
  expect(await facilitate('\u200b', 'Li Wei, village head')).toEqual({ status: 422, code: 'reason-required' });
  expect((await facilitate('Floods the lower fields', '\u200b')).status).toBe(422);
});
