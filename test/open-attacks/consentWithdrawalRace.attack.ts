// Adversarial pass (adv-attack): two honest devices of one organization, each editing through the
// app's own mutators, and the hub's record invariants (server/hub/recordInvariants.ts). Fields are
// last-writer-wins per key, so device A marking consent `pending` on a private draft (attribution)
// and device B sharing the same draft (sharing, status) merge into "shared, consent pending"
// although neither edit breaks an invariant. Whichever arrives second is refused 422: when B's
// share lands first, the community's withdrawal of consent is the one refused, and the entry
// stays shared with the network under the old consent. Real hub, real SQLite, POST /v1/push. FAILS
// on main: the withdrawal of consent must be taken (and the entry end up private), never refused.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { entryMutators, type EntryInput, type EntryProjection } from '../../shared/records/entry';
import { startTestHub, type TestHub } from '../support/hub';
import { changeUpdate, createUpdate, editContext, push } from '../support/hubRequests';

let hub: TestHub;
let deviceA: Awaited<ReturnType<TestHub['join']>>;
let deviceB: Awaited<ReturnType<TestHub['join']>>;

beforeAll(async () => {
  hub = await startTestHub();
  deviceA = await hub.join(await hub.invite('Fengyu Farmers Cooperative'));
  deviceB = await hub.join(await hub.inviteDevice(deviceA.org.id));
});

afterAll(async () => {
  await hub.close();
});

const draft: EntryInput = {
  kind: 'local-wisdom',
  title: 'Reading the swallows',
  language: 'en',
  sharing: 'private',
  attribution: { holderKind: 'person', holderName: 'Grandmother Li', consent: 'credit-by-name' },
};

describe('withdrawing consent while another device shares the draft (attack)', () => {
  it('takes the withdrawal of consent pushed after the other device shared the entry, and leaves it shared with nobody', async () => {
    const id = 'entry-consent-race';
    const ctxA = { ...editContext(deviceA.org.id, 'member'), deviceId: deviceA.deviceId };
    const ctxB = { ...editContext(deviceB.org.id, 'member'), deviceId: deviceB.deviceId };
    expect((await push(hub.url, deviceA.token, [{ id, type: 'entry', update: createUpdate('entry', draft, ctxA) }])).status).toBe(200);
    const base = (await hub.storage.getRecord(id))!.state;

    // Offline, from the same state: A withdraws consent (allowed: the draft is private), B shares it.
    const withdraw = changeUpdate(base, (doc) => entryMutators.setAttribution.apply(doc, { ...draft.attribution!, consent: 'pending' }, ctxA));
    const share = changeUpdate(base, (doc) => entryMutators.setSharing.apply(doc, 'network', ctxB));

    expect((await push(hub.url, deviceB.token, [{ id, type: 'entry', update: share }])).status).toBe(200);
    const answer = await push(hub.url, deviceA.token, [{ id, type: 'entry', update: withdraw }]);
    const stored = (await hub.storage.getRecord(id))!.projection as unknown as EntryProjection;
    // On main: 422 invariant-violated, and the hub serves the entry to the network with consent
    // credit-by-name; A's device quarantines the withdrawal.
    expect({ status: answer.status, consent: stored.attribution.consent, sharing: stored.sharing }).toEqual({ status: 200, consent: 'pending', sharing: 'private' });
  });
});
