// Attack (issue-19 re-pass, MEDIUM), fixed: the hub takes an opening whatever the voting window says,
// so a steward with the proposals scope opens a vote whose window has already passed (opensAt two
// days ago, closesAt an hour ago; locked terms are free in a draft). The poll is never `open` on
// anyone's screen (proposalPhase reads it `closed`: no "vote open" inbox item, no ballot panel),
// but the grace period lets a cast timed inside the window reach the hub for 72 more hours. The
// steward's ally, told in advance, casts "yes" backdated into the window; the hub seals a signed
// "passed" decision that no other organization ever saw open. Real hub over HTTP (SQLite, manual
// clock). FAILED before the fix: the hub now refuses an opening at or after closesAt (409
// terms-locked), as it refuses a cancellation then.
import { afterAll, beforeAll, expect, it } from 'vitest';
import { SEAL_SETTLE_MS } from '../../server/hub/sealing';
import { ballotId, ballotMutators, type Choice } from '../../shared/records/ballot';
import { resultId, result } from '../../shared/records/result';
import { hubMembers, openVoteIn } from '../support/governance';
import { advanceHubClock } from '../support/hub';
import { createUpdate } from '../support/hubRequests';
import { GRACE_HOURS, HOUR_MS, startVotingHub, type VotingHub } from '../support/votingHub';

let net: VotingHub<'steward' | 'ally' | 'beta'>;

beforeAll(async () => {
  net = await startVotingHub({
    steward: { name: 'Erhai Watershed Alliance', role: 'steward', stewardScopes: ['proposals'] },
    ally: { name: 'Fengyu Farmers Cooperative', role: 'member' },
    beta: { name: 'Cangshan Seed Bank', role: 'member' },
  });
});

afterAll(async () => {
  await net?.close();
});

const YES: Choice = { method: 'single', optionId: 'yes' };

it('does not open a vote whose window has already closed, so nobody is counted in a vote nobody saw open', async () => {
  const id = 'proposal-after-closing';
  const now = net.clock.now();
  const terms = {
    title: 'Give the seed fund to the Erhai Watershed Alliance',
    options: [
      { id: 'yes', label: 'Yes' },
      { id: 'no', label: 'No' },
    ],
    method: 'single' as const,
    opensAt: now - 48 * HOUR_MS,
    closesAt: now - HOUR_MS,
    graceHours: GRACE_HOURS,
  };
  const ctx = net.ctxOf('steward');
  const members = await hubMembers(net.hub.storage);
  const opening = await net.pushRecord('steward', 'proposal', id, createUpdate('proposal', terms, ctx, (doc) => openVoteIn(doc, members, ctx)));

  // The ally's cast, timed inside the window that had passed before the vote opened.
  const backdated = net.ctxOf('ally', terms.closesAt - 2 * HOUR_MS);
  const cast = createUpdate('ballot', { proposalId: id, isSecret: false }, backdated, (doc) => ballotMutators.castOn.apply(doc, { choice: YES, reason: '', proposalVersion: 1 }, backdated));
  await net.pushRecord('ally', 'ballot', ballotId(id, net.orgIdOf.ally), cast);

  await advanceHubClock(net.hub, net.clock, terms.closesAt + GRACE_HOURS * HOUR_MS + SEAL_SETTLE_MS + 1 - net.clock.now());
  const sealed = await net.hub.storage.getRecord(resultId(id));
  const counted = sealed ? result.projectionSchema.parse(sealed.projection).counted.map((ballot) => ballot.orgId) : [];
  expect(counted).toEqual([]);
  expect({ status: opening.status, body: opening.body }).toMatchObject({ status: 409, body: { error: { code: 'terms-locked', recordId: id } } });
});
