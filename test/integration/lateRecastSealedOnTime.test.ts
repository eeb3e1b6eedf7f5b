// Attack (issue-19 re-pass, MEDIUM), fixed: the hub records when it first received each cast keyed by
// the ballot and the cast's time alone (cast_arrivals: record id and cast_at, ON CONFLICT DO
// NOTHING). An organization that voted "no" on time pushes, two days after closing, a "yes" with
// the very same cast time: at the same instant the greater canonical JSON wins (countedCast), so
// "yes" counts, and the seal gives it the first cast's arrival: received before closing, not late.
// The signed result, which is what people verify, then shows a vote changed after closing as an
// on-time ballot. Real hub over HTTP (SQLite, manual clock). FAILED before the fix: a new cast at a
// time the ballot already holds is now refused (403 forbidden), so each arrival is its own cast's.
import { afterAll, beforeAll, expect, it } from 'vitest';
import { ballotMutators, type Choice } from '../../shared/records/ballot';
import { expectTaken, HOUR_MS, startVotingHub, type VotingHub } from '../support/votingHub';

let net: VotingHub<'alpha' | 'beta' | 'gamma'>;

beforeAll(async () => {
  net = await startVotingHub({
    alpha: { name: 'Fengyu Farmers Cooperative', role: 'member' },
    beta: { name: 'Cangshan Seed Bank', role: 'member' },
    gamma: { name: 'Erhai Watershed Alliance', role: 'member' },
  });
});

afterAll(async () => {
  await net?.close();
});

const YES: Choice = { method: 'single', optionId: 'yes' };
const NO: Choice = { method: 'single', optionId: 'no' };

it('seals a cast the hub received after closing as late, whatever cast time it shares', async () => {
  const poll = await net.openPoll();
  expectTaken(await net.castOn('alpha', poll, { choice: YES }));
  expectTaken(await net.castOn('beta', poll, { choice: NO }));
  const onTime = net.ctxOf('gamma');
  const first = await net.ballotUpdate('gamma', poll, (doc) => ballotMutators.castOn.apply(doc, { choice: NO, reason: '', proposalVersion: 1 }, onTime), 'gamma');
  expectTaken(await net.pushRecord('gamma', 'ballot', first.id, first.update));
  const { closesAt } = await net.proposal(poll);

  net.clock.advance(closesAt - net.clock.now() + 48 * HOUR_MS);
  const receivedLate = net.clock.now();
  const same = await net.ballotUpdate('gamma', poll, (doc) => ballotMutators.castOn.apply(doc, { choice: YES, reason: '', proposalVersion: 1 }, onTime), 'gamma');
  await net.pushRecord('gamma', 'ballot', same.id, same.update);

  const sealed = await net.passSealing(poll);
  const gamma = sealed.counted.find((ballot) => ballot.orgId === net.orgIdOf.gamma);
  // Either the late change is refused (gamma's "no" stands) or the seal says it came late.
  if (sealed.tally?.outcome.winnerId === 'yes') expect({ isLate: gamma?.isLate, receivedAt: gamma?.receivedAt }).toEqual({ isLate: true, receivedAt: receivedLate });
  else expect(sealed.tally?.outcome.winnerId).toBe('no');
});
