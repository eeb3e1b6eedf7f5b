// Opening and cancelling a vote are irreversible, so the hub takes them only as the app writes
// them: with a state-change entry carrying the reason, by the writer's own organization, and (for
// an opening) the voters fixed at that moment. Each refusal is tried on every write path a client
// has (POST /v1/push, a y-websocket edit on /yjs, a signed field bundle on /v1/bundles) against a
// real hub on loopback (SQLite, manual clock), and must leave the proposal exactly as it was.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { eligibleOrgIds } from '../../shared/governance/eligibleOrgIds';
import { proposal, proposalMutators, type ProposalInput } from '../../shared/records/proposal';
import { errorBodySchema } from '../../shared/sync/protocol';
import { hubMembers, openVoteIn, TEST_REASON } from '../support/governance';
import { manualClock, startTestHub, type ManualClock, type TestHub } from '../support/hub';
import { changeUpdate, createUpdate, editContext, push, type HubAnswer } from '../support/hubRequests';
import { joinWithBundleKey, uploadBundle, yjsEdit, type BundleDevice } from '../support/writeEntryPoints';

const HOUR_MS = 3_600_000;

let hub: TestHub;
let clock: ManualClock;
/** The secretariat's laptop, with a bundle key: it runs the votes on every path. */
let secretariat: BundleDevice;
/** Another laptop of the secretariat's for each test's bundles: a credential uploads 6 a minute. */
let bundleDevice: BundleDevice;
let alphaOrgId: string;
let counter = 0;

beforeAll(async () => {
  clock = manualClock(Date.UTC(2026, 5, 1, 8, 0, 0));
  hub = await startTestHub({ now: clock.now });
  secretariat = await joinWithBundleKey(hub, hub.secretariatCode);
  alphaOrgId = (await hub.join(await hub.invite('Fengyu Farmers Cooperative'))).org.id;
  await hub.join(await hub.invite('Cangshan Seed Bank'));
});

afterAll(async () => {
  await hub?.close();
});

const ctx = () => editContext(secretariat.org.id, 'secretariat', clock.now());

function terms(overrides: Partial<ProposalInput> = {}): ProposalInput {
  return {
    title: `Pool the seed fund ${++counter}`,
    options: [
      { id: 'yes', label: 'Yes' },
      { id: 'no', label: 'No' },
    ],
    method: 'single',
    opensAt: clock.now(),
    closesAt: clock.now() + 48 * HOUR_MS,
    ...overrides,
  };
}

async function stored(id: string) {
  return hub.storage.getRecord(id);
}

async function projection(id: string) {
  return proposal.projectionSchema.parse((await stored(id))!.projection);
}

function pushed(id: string, update: Uint8Array): Promise<HubAnswer> {
  return push(hub.url, secretariat.token, [{ id, type: 'proposal', update }]);
}

/** A draft pushed by the secretariat; returns its id. */
async function draft(): Promise<string> {
  const id = `proposal-state-${++counter}`;
  expect((await pushed(id, createUpdate('proposal', terms(), ctx()))).status).toBe(200);
  return id;
}

/** A proposal the secretariat opened as the app does; returns its id. */
async function opened(): Promise<string> {
  const id = await draft();
  const members = await hubMembers(hub.storage);
  expect((await pushed(id, changeUpdate((await stored(id))!.state, (doc) => openVoteIn(doc, members, ctx())))).status).toBe(200);
  return id;
}

type Path = 'push' | 'yjs' | 'bundle';
const paths: readonly Path[] = ['push', 'yjs', 'bundle'];

/** Writes `change` into the stored proposal through `path`; the refusal's code, or null when committed. */
async function writeThrough(path: Path, id: string, change: (doc: Y.Doc) => void): Promise<string | null> {
  if (path === 'yjs') return yjsEdit(hub, secretariat.token, id, change);
  const update = changeUpdate((await stored(id))!.state, change);
  const answer = path === 'push' ? await pushed(id, update) : await uploadBundle(hub, bundleDevice, [{ id, type: 'proposal', update }]);
  if (answer.status === 200) return null;
  const { error } = errorBodySchema.parse(answer.body);
  expect(error, JSON.stringify(error)).toMatchObject({ recordId: id });
  expect(answer.status).toBe(422);
  return error.code;
}

/** `change` through `path` is refused with `code`, and the proposal at the hub is as it was. */
async function expectRefusedThrough(path: Path, id: string, change: (doc: Y.Doc) => void, code: string): Promise<void> {
  const before = { lastSeq: await hub.storage.lastSeq(), record: await stored(id) };
  expect(await writeThrough(path, id, change)).toBe(code);
  expect({ lastSeq: await hub.storage.lastSeq(), record: await stored(id) }).toEqual(before);
}

/** The voters the hub would fix for `id` now. */
async function votersOf(id: string): Promise<string[]> {
  return eligibleOrgIds(await hubMembers(hub.storage), (await projection(id)).eligible);
}

describe.each(paths)('through %s', (path) => {
  beforeEach(async () => {
    if (path === 'bundle') bundleDevice = await joinWithBundleKey(hub, await hub.inviteDevice(secretariat.org.id));
  });

  it('refuses opening a vote without a state-change entry, with its code, and changes nothing', async () => {
    const id = await draft();
    const voters = await votersOf(id);
    // The voters are there; only the reason is missing (a client that set the field by itself).
    const bare = (doc: Y.Doc) => {
      doc.getMap('fields').set('state', 'open');
      doc.getMap('fields').set('eligibleOrgIds', voters);
    };
    await expectRefusedThrough(path, id, bare, 'state-change-unrecorded');
    expect(await projection(id)).toMatchObject({ state: 'draft', stateChanges: [], eligibleOrgIds: null });
  });

  it('refuses an opening whose reason is blank: the entry does not read, so nothing records the act', async () => {
    const id = await draft();
    const voters = await votersOf(id);
    await expectRefusedThrough(
      path,
      id,
      (doc) => {
        doc.getMap('fields').set('state', 'open');
        doc.getMap('fields').set('eligibleOrgIds', voters);
        doc.getArray('log.stateChanges').push([{ state: 'open', reason: '   ', orgId: secretariat.org.id, at: clock.now() }]);
      },
      'state-change-unrecorded',
    );
    expect((await projection(id)).state).toBe('draft');
  });

  it('refuses cancelling a vote without a reason, and changes nothing', async () => {
    const id = await opened();
    await expectRefusedThrough(path, id, (doc) => doc.getMap('fields').set('state', 'cancelled'), 'state-change-unrecorded');
    expect(await projection(id)).toMatchObject({ state: 'open', stateChanges: [expect.objectContaining({ state: 'open', reason: TEST_REASON })] });
  });

  it('refuses an opening without the voters fixed, even with its reason', async () => {
    const id = await draft();
    await expectRefusedThrough(
      path,
      id,
      (doc) => {
        proposalMutators.openVote.apply(doc, { reason: TEST_REASON, eligibleOrgIds: [] }, ctx());
        doc.getMap('fields').delete('eligibleOrgIds');
      },
      'eligibility-missing',
    );
    expect(await projection(id)).toMatchObject({ state: 'draft', eligibleOrgIds: null });
  });

  it('refuses a state-change entry that records an act that did not happen, or names another organization', async () => {
    const id = await opened();
    const entry = { reason: 'changed our minds', at: clock.now() };
    // A cancellation written into the record while the vote stays open.
    await expectRefusedThrough(path, id, (doc) => doc.getArray('log.stateChanges').push([{ ...entry, state: 'cancelled', orgId: secretariat.org.id }]), 'state-change-unrecorded');
    // A cancellation in another organization's name.
    await expectRefusedThrough(
      path,
      id,
      (doc) => {
        doc.getMap('fields').set('state', 'cancelled');
        doc.getArray('log.stateChanges').push([{ ...entry, state: 'cancelled', orgId: alphaOrgId }]);
      },
      'state-change-unrecorded',
    );
    expect((await projection(id)).state).toBe('open');
  });

  it('takes an opening and a cancellation written as the app writes them, and keeps both reasons', async () => {
    const id = await draft();
    const voters = await votersOf(id);
    expect(await writeThrough(path, id, (doc) => proposalMutators.openVote.apply(doc, { reason: 'Agreed at the March meeting', eligibleOrgIds: voters }, ctx()))).toBeNull();
    expect(await projection(id)).toMatchObject({ state: 'open', eligibleOrgIds: voters, stateChanges: [{ state: 'open', reason: 'Agreed at the March meeting', orgId: secretariat.org.id }] });
    expect(await writeThrough(path, id, (doc) => proposalMutators.cancelVote.apply(doc, 'The fund was already pooled', ctx()))).toBeNull();
    expect((await projection(id)).stateChanges.map(({ state, reason }) => ({ state, reason }))).toEqual([
      { state: 'open', reason: 'Agreed at the March meeting' },
      { state: 'cancelled', reason: 'The fund was already pooled' },
    ]);
  });
});

describe('a proposal opened before its first push', () => {
  it('is refused when created open without a reason or without voters, and taken with both', async () => {
    const voters = eligibleOrgIds(await hubMembers(hub.storage), { kind: 'all-members' });
    const id = `proposal-state-${++counter}`;
    const before = await hub.storage.lastSeq();
    const bare = createUpdate('proposal', terms(), ctx(), (doc) => {
      doc.getMap('fields').set('state', 'open');
      doc.getMap('fields').set('eligibleOrgIds', voters);
    });
    expect(await pushed(id, bare)).toMatchObject({ status: 422, body: { error: { code: 'state-change-unrecorded', recordId: id } } });
    const noVoters = createUpdate('proposal', terms(), ctx(), (doc) => {
      proposalMutators.openVote.apply(doc, { reason: TEST_REASON, eligibleOrgIds: voters }, ctx());
      doc.getMap('fields').delete('eligibleOrgIds');
    });
    expect(await pushed(id, noVoters)).toMatchObject({ status: 422, body: { error: { code: 'eligibility-missing', recordId: id } } });
    expect({ lastSeq: await hub.storage.lastSeq(), record: await stored(id) }).toEqual({ lastSeq: before, record: null });

    const members = await hubMembers(hub.storage);
    expect((await pushed(id, createUpdate('proposal', terms(), ctx(), (doc) => openVoteIn(doc, members, ctx())))).status).toBe(200);
    expect(await projection(id)).toMatchObject({ state: 'open', eligibleOrgIds: voters, stateChanges: [{ state: 'open', reason: TEST_REASON }] });
  });

  it('takes a draft opened and cancelled offline in one push, with both entries', async () => {
    const id = `proposal-state-${++counter}`;
    const members = await hubMembers(hub.storage);
    const update = createUpdate('proposal', terms(), ctx(), (doc) => {
      openVoteIn(doc, members, ctx());
      proposalMutators.cancelVote.apply(doc, 'Opened by mistake', ctx());
    });
    expect((await pushed(id, update)).status).toBe(200);
    expect((await projection(id)).stateChanges.map((change) => change.state)).toEqual(['open', 'cancelled']);
  });

  it('keeps both entries when two laptops opened the same draft offline, whichever order they merge in', async () => {
    const id = await draft();
    const members = await hubMembers(hub.storage);
    const draftState = (await stored(id))!.state;
    // Each laptop appends after the draft; Yjs orders the two concurrent entries by client id, so
    // the one that reaches the hub second merges in front of the first.
    const openedOn = (clientId: number, reason: string): Uint8Array => {
      const doc = new Y.Doc();
      doc.clientID = clientId;
      Y.applyUpdate(doc, draftState);
      const before = Y.encodeStateVector(doc);
      openVoteIn(doc, members, ctx(), reason);
      const update = Y.encodeStateAsUpdate(doc, before);
      doc.destroy();
      return update;
    };
    expect((await pushed(id, openedOn(2_000_000_000, 'Agreed at the March meeting'))).status).toBe(200);
    expect((await pushed(id, openedOn(1, 'Agreed on the phone'))).status).toBe(200);
    expect((await projection(id)).stateChanges.map((change) => change.reason)).toEqual(['Agreed on the phone', 'Agreed at the March meeting']);
  });
});
