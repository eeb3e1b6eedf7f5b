// A proposal's description is rich text, and marks change what voters read: a strike-through on
// "not" in "We will not pool the fund" (the app's editor shows StarterKit's strike mark) reverses
// it without changing its plain text, and a link's href can be swapped the same way (Decidim
// #3622). The hub once compared the plain text only, so such an edit after a ballot was cast made
// no new version and the ballot counted for a text its organization never saw, over push and over
// `/yjs`. It now compares the description's whole rich structure (shared versionChanges): any
// change to text, marks, nodes or their attributes is a new version with its history entry (422
// version-unrecorded otherwise), and ballots cast on the earlier version need confirming.
import { afterAll, beforeAll, expect, it } from 'vitest';
import * as Y from 'yjs';
import { commitSystemChange } from '../../server/hub/systemWrites';
import { SEAL_SETTLE_MS } from '../../server/hub/sealing';
import { ballotId, ballotMutators, type CastInput, type Choice } from '../../shared/records/ballot';
import { networkMutators } from '../../shared/records/network';
import type { ProposalInput, ProposalProjection } from '../../shared/records/proposal';
import { resultId, type ResultProjection } from '../../shared/records/result';
import type { RecordType, Role } from '../../shared/records/recordType';
import { errorBodySchema, pushResponseSchema } from '../../shared/sync/protocol';
import { advanceHubClock, manualClock, startTestHub, type ManualClock, type TestHub } from '../support/hub';
import { changeUpdate, createUpdate, editContext, push, type HubAnswer } from '../support/hubRequests';
import { openYjs, type Cleanups } from '../support/readerViews';
import { hubMembers, openVoteIn } from '../support/governance';
import * as encoding from 'lib0/encoding';
import * as syncProtocol from 'y-protocols/sync';

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

/** A proposal created by `by` and opened as the app opens it (its reason, the voters fixed), over HTTP; returns its id. */
async function openPoll(overrides: Partial<ProposalInput> = {}, by: Who = 'steward', draft?: (doc: Y.Doc) => void): Promise<string> {
  const id = `proposal-${++counter}`;
  const ctx = ctxOf(by);
  const members = await hubMembers(hub.storage);
  await expectAccepted(() =>
    pushRecord(by, 'proposal', id, createUpdate('proposal', pollTerms(overrides), ctx, (doc) => {
      draft?.(doc);
      openVoteIn(doc, members, ctx);
    })),
  );
  return id;
}

async function expectRefused(send: () => Promise<HubAnswer>, id: string, status: number, code: string): Promise<void> {
  const before = { lastSeq: await hub.storage.lastSeq(), record: await stored(id) };
  const answer = await send();
  expect({ status: answer.status, body: answer.body }).toMatchObject({ status, body: { error: { code, recordId: id } } });
  errorBodySchema.parse(answer.body);
  expect({ lastSeq: await hub.storage.lastSeq(), record: await stored(id) }).toEqual(before);
}

/** The first line of the description, the Y.XmlText an editor shows in its first paragraph. */
const firstLine = (doc: Y.Doc) => (doc.getXmlFragment('description').get(0) as Y.XmlElement).get(0) as Y.XmlText;

const strikeNot = (doc: Y.Doc) => firstLine(doc).format('We will '.length, 'not'.length, { strike: {} });

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

async function changeProposal(name: Who, id: string, change: (doc: Y.Doc, ctx: Ctx) => void): Promise<HubAnswer> {
  return pushRecord(name, 'proposal', id, changeUpdate((await stored(id))!.state, (doc) => change(doc, ctxOf(name))));
}

const projectionOfStored = async (id: string) => (await stored(id))!.projection as unknown as ProposalProjection;

const YES: Choice = { method: 'single', optionId: 'yes' };

it('refuses, or makes a new version of, a strike-through of "not" in an open proposal’s description after a ballot was cast', async () => {
  const poll = await openPoll({ description: 'We will not pool the fund this year' });
  await expectAccepted(() => castOn('alpha', poll, { choice: YES, proposalVersion: 1 }));
  const answer = await changeProposal('steward', poll, (doc) => {
    expect(firstLine(doc).toString()).toContain('We will not pool');
    strikeNot(doc);
  });
  const after = await projectionOfStored(poll);
  // What the readers' editor now shows: "not" struck through.
  const doc = new Y.Doc();
  Y.applyUpdate(doc, (await stored(poll))!.state);
  const shown = ((doc.getXmlFragment('description').get(0) as Y.XmlElement).get(0) as Y.XmlText).toDelta();
  if (answer.status === 200) expect(shown).toContainEqual({ insert: 'not', attributes: { strike: {} } });
  // Today: accepted (200) and still version 1, so Alpha's ballot on the unformatted text counts.
  expect({ status: answer.status, version: after.version }).not.toEqual({ status: 200, version: 1 });
  if (answer.status === 200) {
    const sealed = await passSealing(poll);
    expect(sealed.counted.map((ballot) => ballot.orgId)).not.toContain(orgIdOf.alpha);
  }
});

it('does not take the same strike-through over /yjs without a new version', async () => {
  const poll = await openPoll({ description: 'We will not pool the fund this year' });
  await expectAccepted(() => castOn('alpha', poll, { choice: YES, proposalVersion: 1 }));
  const cleanups: Cleanups = [];
  try {
    const opened = await openYjs(hub, tokenOf.steward, poll, cleanups);
    expect(opened.outcome).toBe('open');
    const update = changeUpdate((await stored(poll))!.state, strikeNot);
    const message = encoding.createEncoder();
    encoding.writeVarUint(message, 0); // messageSync
    syncProtocol.writeUpdate(message, update);
    opened.socket.send(encoding.toUint8Array(message));
    // The hub answers a refused update by closing the socket; give it time to commit or refuse.
    await Promise.race([opened.closed, new Promise((resolve) => setTimeout(resolve, 1500))]);
    const doc = new Y.Doc();
    Y.applyUpdate(doc, (await stored(poll))!.state);
    const shown = ((doc.getXmlFragment('description').get(0) as Y.XmlElement).get(0) as Y.XmlText).toDelta() as { insert: string; attributes?: object }[];
    const isStruck = shown.some((op) => op.insert === 'not' && op.attributes !== undefined);
    // Today: stored struck through, still version 1.
    expect({ isStruck, version: (await projectionOfStored(poll)).version }).not.toEqual({ isStruck: true, version: 1 });
  } finally {
    for (const cleanup of cleanups) await cleanup();
  }
});

it('takes the strike-through as version 2 with its history entry, which shows it, and counts a ballot on version 1 only once confirmed', async () => {
  const poll = await openPoll({ description: 'We will not pool the fund this year' });
  await expectAccepted(() => castOn('alpha', poll, { choice: YES, proposalVersion: 1 }));
  await expectAccepted(() => castOn('beta', poll, { choice: YES, proposalVersion: 1 }));
  const change = { field: 'description', before: 'We will not pool the fund this year', after: 'We will ~~not~~ pool the fund this year' } as const;
  await expectAccepted(() =>
    changeProposal('steward', poll, (doc, ctx) => {
      strikeNot(doc);
      doc.getArray('log.history').push([{ orgId: ctx.orgId, deviceId: ctx.deviceId, at: ctx.now, changes: [change], note: 'We pool it after all' }]);
    }),
  );
  expect(await projectionOfStored(poll)).toMatchObject({ version: 2, history: [{ changes: [change] }] });
  // Beta confirms a minute later: a ballot holds one cast per instant.
  clock.advance(60_000);
  await expectAccepted(() => castOn('beta', poll, { choice: YES, proposalVersion: 2 }));
  const sealed = await passSealing(poll);
  expect(sealed.counted.map((ballot) => ballot.orgId)).toEqual([orgIdOf.beta]);
  expect(sealed.excluded).toContainEqual(expect.objectContaining({ orgId: orgIdOf.alpha, reason: 'earlier-version' }));
});

it('refuses a link’s new target in an open proposal’s description without a new version (422 version-unrecorded), writing nothing', async () => {
  const link = (href: string) => (doc: Y.Doc) => firstLine(doc).format('Read '.length, 'the plan'.length, { link: { href } });
  const poll = await openPoll({ description: 'Read the plan before voting' }, 'steward', link('https://network.example/plan-v1'));
  await expectAccepted(() => castOn('alpha', poll, { choice: YES, proposalVersion: 1 }));
  await expectRefused(async () => changeProposal('steward', poll, link('https://elsewhere.example/plan')), poll, 422, 'version-unrecorded');
});
