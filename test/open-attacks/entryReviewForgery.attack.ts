// Adversarial pass (adv-attack): an entry's "Endorsed" as the hub lets it be written. PROTOCOL says
// "An endorsement also sets fields.status to endorsed" and that the pinned version is the last
// `endorsed` step's copy of a submission; the app's reports and library print "Endorsed" and the
// pinned text for such an entry. This probe goes through POST /v1/push on a real hub with real
// SQLite. It FAILS on main (the attack works), as described in the adv-attack report.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type * as Y from 'yjs';
import { commitSystemChange } from '../../server/hub/systemWrites';
import { entryMutators, type EntryInput, type EntryProjection } from '../../shared/records/entry';
import { pinnedVersionOf } from '../../shared/records/entryReview';
import { networkMutators } from '../../shared/records/network';
import type { Role } from '../../shared/records/recordType';
import { startTestHub, type TestHub } from '../support/hub';
import { changeUpdate, createUpdate, editContext, push, type HubAnswer } from '../support/hubRequests';

let hub: TestHub;
const joined = {} as Record<'secretariat' | 'steward' | 'member', Awaited<ReturnType<TestHub['join']>>>;
type Who = keyof typeof joined;
const roleOf: Record<Who, Role> = { secretariat: 'secretariat', steward: 'steward', member: 'member' };
const ctxOf = (who: Who, now = Date.now()) => editContext(joined[who].org.id, roleOf[who], now);

beforeAll(async () => {
  hub = await startTestHub();
  joined.secretariat = await hub.join(hub.secretariatCode);
  joined.steward = await hub.join(await hub.invite('Erhai Watershed Alliance', 'steward'));
  joined.member = await hub.join(await hub.invite('Fengyu Farmers Cooperative', 'member'));
  const network = (await hub.storage.getRecord('network'))!;
  await commitSystemChange(hub.storage, network.header, (doc) =>
    networkMutators.setStewardGrant.apply(doc, { orgId: joined.steward.org.id, scopes: ['review'] }, editContext(joined.secretariat.org.id, 'secretariat')),
  );
});

afterAll(async () => {
  await hub.close();
});

const wisdom: EntryInput = {
  kind: 'local-wisdom',
  title: 'Reading the swallows',
  summary: 'Low swallows mean rain within a day.',
  sections: { knowledge: 'When swallows skim the fields, rain comes.' },
  language: 'en',
  sharing: 'network',
  attribution: { holderKind: 'person', holderName: 'Grandmother Li', consent: 'credit-by-name' },
};

let counter = 0;
async function pushedEntry(): Promise<string> {
  const id = `entry-forgery-${++counter}`;
  const answer = await push(hub.url, joined.member.token, [{ id, type: 'entry', update: createUpdate('entry', wisdom, ctxOf('member')) }]);
  expect(answer.status, JSON.stringify(answer.body)).toBe(200);
  return id;
}

async function change(who: Who, id: string, edit: (doc: Y.Doc) => void): Promise<HubAnswer> {
  const record = (await hub.storage.getRecord(id))!;
  return push(hub.url, joined[who].token, [{ id, type: 'entry', update: changeUpdate(record.state, edit) }]);
}
const projectionOf = async (id: string) => (await hub.storage.getRecord(id))!.projection as unknown as EntryProjection;

describe('an endorsement the hub takes without a pinned version (attack)', () => {
  it('refuses status "endorsed" written with no endorsed review step (the old setEndorsed path), by the secretariat and a scoped steward', async () => {
    for (const reviewer of ['secretariat', 'steward'] as const) {
      const id = await pushedEntry();
      // Never submitted for review: no version exists that anyone reviewed.
      const answer = await change(reviewer, id, (doc) => entryMutators.setEndorsed.apply(doc, true, ctxOf(reviewer)));
      const p = await projectionOf(id);
      // What a reader is shown on main after this: "Endorsed", the live text printed as endorsed,
      // never "changes in draft" however the author rewrites it (no pinned version to compare).
      expect({ status: answer.status, storedStatus: p.status, pinned: pinnedVersionOf(p) }).toMatchObject({ status: 403, storedStatus: 'shared', pinned: null });
    }
  });

});
