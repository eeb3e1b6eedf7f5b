// Attack (issue-19 pass, MEDIUM), fixed: a facilitator's ballot "counts like a ballot; the
// organization sees it and can confirm or replace it until closing". The hub took a facilitated
// cast during the grace period after closing (cast time backdated to just before `closesAt`, as an
// offline laptop's may be) and the seal counted it. A scoped steward could watch the live tally
// and, after the vote had closed, record ballots "by phone" for the organizations that did not
// vote, to swing the result; those organizations could no longer replace them (their own casts are
// cast-after-closing). Now the hub refuses a facilitated cast it receives at or after closing
// (409 cast-after-closing, on its own clock): the grace period is for an organization's own late
// ballots. Real hub over HTTP (SQLite, manual clock). FAILED before the fix.
import { afterAll, beforeAll, expect, it } from 'vitest';
import { ballotId, ballotMutators, type Choice } from '../../shared/records/ballot';
import { createUpdate } from '../support/hubRequests';
import { expectTaken, HOUR_MS, startVotingHub, type VotingHub } from '../support/votingHub';

let net: VotingHub<'steward' | 'alpha' | 'beta'>;

beforeAll(async () => {
  net = await startVotingHub({
    steward: { name: 'Erhai Watershed Alliance', role: 'steward', stewardScopes: ['proposals'] },
    alpha: { name: 'Fengyu Farmers Cooperative', role: 'member' },
    beta: { name: 'Cangshan Seed Bank', role: 'member' },
  });
});

afterAll(async () => {
  await net?.close();
});

const YES: Choice = { method: 'single', optionId: 'yes' };
const NO: Choice = { method: 'single', optionId: 'no' };

it('does not count a facilitated ballot the hub received after closing', async () => {
  const poll = await net.openPoll({}, 'steward');
  expectTaken(await net.castOn('alpha', poll, { choice: YES }));
  const { closesAt } = await net.proposal(poll);
  // An hour after closing, the steward records Beta's vote, timed a millisecond before closing.
  net.clock.advance(closesAt - net.clock.now() + HOUR_MS);
  const late = net.ctxOf('steward', closesAt - 1);
  const id = ballotId(poll, net.orgIdOf.beta);
  const update = createUpdate('ballot', { proposalId: poll, isSecret: false }, late, (doc) =>
    ballotMutators.facilitate.apply(doc, { choice: NO, reason: '', proposalVersion: 1, channel: 'phone', witness: 'Li Wei, village head' }, late),
  );
  const answer = await net.pushRecord('steward', 'ballot', id, update);
  expect({ status: answer.status, body: answer.body }).toMatchObject({ status: 409, body: { error: { code: 'cast-after-closing', recordId: id } } });
  expect(await net.hub.storage.getRecord(id)).toBeNull();
  // Beta, hearing of it, could not have replaced it: its own cast is after closing.
  expect((await net.castOn('beta', poll, { choice: YES })).status).toBe(409);
  const sealed = await net.passSealing(poll);
  expect(sealed.counted.map((ballot) => ballot.orgId)).not.toContain(net.orgIdOf.beta);
});

it('still takes an organization’s own ballot cast before closing that reaches the hub in the grace period', async () => {
  const poll = await net.openPoll({}, 'steward');
  const { closesAt } = await net.proposal(poll);
  net.clock.advance(closesAt - net.clock.now() + HOUR_MS);
  const late = net.ctxOf('beta', closesAt - 1);
  const id = ballotId(poll, net.orgIdOf.beta);
  expectTaken(await net.pushRecord('beta', 'ballot', id, createUpdate('ballot', { proposalId: poll, isSecret: false }, late, (doc) => ballotMutators.castOn.apply(doc, { choice: YES, reason: '', proposalVersion: 1 }, late))));
  const sealed = await net.passSealing(poll);
  expect(sealed.counted.map((ballot) => ballot.orgId)).toContain(net.orgIdOf.beta);
});
