// Attack (issue-19 pass, MEDIUM), fixed: who has voted in a SECRET poll leaked, before closing, to
// any steward with the proposals scope, through the push path. The steward pushed the same
// facilitated cast into two organizations' ballots: where the organization had voted (its ballot
// exists) the hub answered 403 "a steward may not write the ballot …" (a record it may not read),
// where it had not, 403 "a facilitator records open ballots only …" (the governance policy). Now
// a new ballot is given its proposal's secrecy before anything is decoded
// (server/hub/writeAuthorization.ts `factsOfNew`), so a sender who could not read it once it
// exists is refused exactly as when it exists: same status, code and message.
// (adversarialOracles.test.ts holds this for members and /yjs.) FAILED before the fix.
import { afterAll, beforeAll, expect, it } from 'vitest';
import { ballotId, ballotMutators, type Choice } from '../../shared/records/ballot';
import { createUpdate } from '../support/hubRequests';
import { expectTaken, startVotingHub, type VotingHub } from '../support/votingHub';
import { joinWithBundleKey, uploadBundle } from '../support/writeEntryPoints';

let net: VotingHub<'steward' | 'unscoped' | 'alpha' | 'beta' | 'gamma'>;

beforeAll(async () => {
  net = await startVotingHub({
    steward: { name: 'Erhai Watershed Alliance', role: 'steward', stewardScopes: ['proposals'] },
    unscoped: { name: 'Dali Rivers Trust', role: 'steward' }, // no proposals scope: refused the same way
    alpha: { name: 'Fengyu Farmers Cooperative', role: 'member' },
    beta: { name: 'Cangshan Seed Bank', role: 'member' },
    gamma: { name: 'Nujiang Women Weavers', role: 'member' },
  });
});

afterAll(async () => {
  await net?.close();
});

const YES: Choice = { method: 'single', optionId: 'yes' };

it.each([
  ['scoped', 'steward'],
  ['unscoped', 'unscoped'],
] as const)('answers a write by a %s steward to a secret ballot the same whether its organization voted or not', async (_scope, writer) => {
  const poll = await net.openPoll({ secrecy: 'secret' }, 'steward');
  expectTaken(await net.castOn('beta', poll, { choice: YES }, true));
  const answers = [];
  for (const owner of ['beta', 'gamma'] as const) {
    const id = ballotId(poll, net.orgIdOf[owner]);
    const ctx = net.ctxOf(writer);
    const update = createUpdate('ballot', { proposalId: poll, isSecret: true }, ctx, (doc) =>
      ballotMutators.facilitate.apply(doc, { choice: YES, reason: '', proposalVersion: 1, channel: 'in-person', witness: 'Li Wei, village head' }, ctx),
    );
    const answer = await net.pushRecord(writer, 'ballot', id, update);
    answers.push({ status: answer.status, body: JSON.stringify(answer.body).replaceAll(id, '<ballot>') });
  }
  // The same facilitation carried in a bundle from another of the writer's devices.
  const device = await joinWithBundleKey(net.hub, await net.hub.inviteDevice(net.orgIdOf[writer]));
  const bundled = [];
  for (const owner of ['beta', 'gamma'] as const) {
    const id = ballotId(poll, net.orgIdOf[owner]);
    const ctx = { ...net.ctxOf(writer), deviceId: device.deviceId };
    const update = createUpdate('ballot', { proposalId: poll, isSecret: true }, ctx, (doc) =>
      ballotMutators.facilitate.apply(doc, { choice: YES, reason: '', proposalVersion: 1, channel: 'phone', witness: 'Li Wei, village head' }, ctx),
    );
    const answer = await uploadBundle(net.hub, device, [{ id, type: 'ballot', update }]);
    bundled.push({ status: answer.status, body: JSON.stringify(answer.body).replaceAll(id, '<ballot>') });
  }
  expect(bundled[0]).toEqual(bundled[1]);
  expect(bundled[0]!.status).toBe(403);
  expect(answers[0]).toEqual(answers[1]);
  expect(answers[0]!.status).toBe(403);
  expect(await net.hub.storage.getRecord(ballotId(poll, net.orgIdOf.gamma))).toBeNull();
});

it('still lets each organization, a steward too, cast its own secret ballot', async () => {
  const poll = await net.openPoll({ secrecy: 'secret' }, 'steward');
  expectTaken(await net.castOn('gamma', poll, { choice: YES }, true));
  expectTaken(await net.castOn('steward', poll, { choice: YES }, true));
});
