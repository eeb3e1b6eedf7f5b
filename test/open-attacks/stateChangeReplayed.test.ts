// Open attack (issue-19 re-pass): a state-change entry is checked only against the state the write
// leaves, not against an act the write does. So on a vote that is already open (even after it has
// closed, in the grace period) the runner appends a second "open" entry with a new reason and any
// time it likes, and on a cancelled vote, weeks later, a second "cancelled" entry with another
// reason, dated before the first. The decision record then shows acts that never happened, which
// docs/SECURITY.md ("Irreversible acts carry their reason") says the hub refuses. Real hub on
// loopback, POST /v1/push and /yjs.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { proposal, proposalMutators, type ProposalInput } from '../../shared/records/proposal';
import { errorBodySchema } from '../../shared/sync/protocol';
import { hubMembers, openVoteIn, TEST_REASON } from '../support/governance';
import { manualClock, startTestHub, type ManualClock, type TestHub } from '../support/hub';
import { changeUpdate, createUpdate, editContext, push } from '../support/hubRequests';
import { joinWithBundleKey, yjsEdit, type BundleDevice } from '../support/writeEntryPoints';

const HOUR_MS = 3_600_000;

let hub: TestHub;
let clock: ManualClock;
let secretariat: BundleDevice;
let counter = 0;

beforeAll(async () => {
  clock = manualClock(Date.UTC(2026, 5, 1, 8, 0, 0));
  hub = await startTestHub({ now: clock.now });
  secretariat = await joinWithBundleKey(hub, hub.secretariatCode);
  await hub.join(await hub.invite('Fengyu Farmers Cooperative'));
});

afterAll(async () => {
  await hub?.close();
});

const ctx = () => editContext(secretariat.org.id, 'secretariat', clock.now());

function terms(): ProposalInput {
  return {
    title: `Pool the seed fund ${++counter}`,
    options: [
      { id: 'yes', label: 'Yes' },
      { id: 'no', label: 'No' },
    ],
    method: 'single',
    opensAt: clock.now(),
    closesAt: clock.now() + 48 * HOUR_MS,
    graceHours: 72,
  };
}

const stateChanges = async (id: string) => proposal.projectionSchema.parse((await hub.storage.getRecord(id))!.projection).stateChanges;

/** Writes `change` through push; the refusal's code, or null when the hub committed it. */
async function pushed(id: string, change: (doc: Y.Doc) => void): Promise<string | null> {
  const answer = await push(hub.url, secretariat.token, [{ id, type: 'proposal', update: changeUpdate((await hub.storage.getRecord(id))!.state, change) }]);
  return answer.status === 200 ? null : errorBodySchema.parse(answer.body).error.code;
}

async function openedVote(): Promise<string> {
  const id = `proposal-replay-${++counter}`;
  const members = await hubMembers(hub.storage);
  const answer = await push(hub.url, secretariat.token, [{ id, type: 'proposal', update: createUpdate('proposal', terms(), ctx(), (doc) => openVoteIn(doc, members, ctx())) }]);
  expect(answer.status).toBe(200);
  return id;
}

describe('a state-change entry records an act the write does', () => {
  it('refuses a second opening appended to a vote that is already open, after closing, on push and /yjs', async () => {
    const id = await openedVote();
    clock.advance(49 * HOUR_MS); // closed, in the grace period, not sealed
    const replayed = { state: 'open', reason: 'Opened at the assembly of the whole network, unanimously', orgId: secretariat.org.id, at: clock.now() - 60 * HOUR_MS };
    const codes = [
      await pushed(id, (doc) => doc.getArray('log.stateChanges').push([replayed])),
      await yjsEdit(hub, secretariat.token, id, (doc) => doc.getArray('log.stateChanges').push([{ ...replayed, at: replayed.at + 1 }])),
    ];
    const entries = await stateChanges(id);
    expect(entries.map((entry) => entry.reason)).toEqual([TEST_REASON]);
    expect(codes).toEqual(['state-change-unrecorded', 'state-change-unrecorded']);
  });

  it('refuses a second cancellation, backdated, appended weeks after the vote was cancelled', async () => {
    const id = await openedVote();
    expect(await pushed(id, (doc) => proposalMutators.cancelVote.apply(doc, 'The fund was already pooled', ctx()))).toBeNull();
    const cancelledAt = clock.now();
    clock.advance(30 * 24 * HOUR_MS);
    const code = await pushed(id, (doc) => doc.getArray('log.stateChanges').push([{ state: 'cancelled', reason: 'Cancelled: Fengyu rigged the count', orgId: secretariat.org.id, at: cancelledAt - 1 }]));
    expect((await stateChanges(id)).map((entry) => entry.reason)).toEqual([TEST_REASON, 'The fund was already pooled']);
    expect(code).toBe('state-change-unrecorded');
  });
});
