// Attack (issue-19 re-pass, LOW), fixed: a version entry's and a state change's `at` are the writer's
// word with no bound at all, unlike a cast's or an outcome revision's (not ahead of the hub's clock
// plus 5 minutes). A runner revises an open vote with its history entry dated a year after the
// vote closes, and opens one with the opening dated in 2099: the decision record and every
// voter's "confirm your ballot" inbox item then say the proposal changed after voting ended (and
// such an item sorts above every other for a year). Real hub over HTTP (SQLite, manual clock).
// FAILED before the fix: both are now held, as a cast is, to the hub's clock plus 5 minutes (409
// cast-in-future, whose message tells the writer to check the device clock).
import { afterAll, beforeAll, expect, it } from 'vitest';
import { proposalMutators } from '../../shared/records/proposal';
import { errorBodySchema } from '../../shared/sync/protocol';
import { hubMembers, openVoteIn } from '../support/governance';
import { changeUpdate, createUpdate } from '../support/hubRequests';
import { HOUR_MS, startVotingHub, type VotingHub } from '../support/votingHub';

const YEAR_MS = 365 * 24 * HOUR_MS;

let net: VotingHub<'steward'>;

beforeAll(async () => {
  net = await startVotingHub({ steward: { name: 'Erhai Watershed Alliance', role: 'steward', stewardScopes: ['proposals'] } });
});

afterAll(async () => {
  await net?.close();
});

const codeOf = (answer: { status: number; body: unknown }) => (answer.status === 200 ? null : errorBodySchema.parse(answer.body).error.code);

it('refuses a version entry dated far ahead of the hub clock', async () => {
  const poll = await net.openPoll({}, 'steward');
  const { closesAt, title } = await net.proposal(poll);
  const later = net.ctxOf('steward', closesAt + YEAR_MS);
  const update = changeUpdate((await net.hub.storage.getRecord(poll))!.state, (doc) => proposalMutators.revise.apply(doc, { terms: { title: `${title}, in two stages` }, note: 'phasing' }, later));
  const code = codeOf(await net.pushRecord('steward', 'proposal', poll, update));
  expect((await net.proposal(poll)).history).toEqual([]);
  expect(code).toBe('cast-in-future');
});

it('refuses an opening dated far ahead of the hub clock', async () => {
  const now = net.clock.now();
  const future = net.ctxOf('steward', Date.UTC(2099, 0, 1));
  const members = await hubMembers(net.hub.storage);
  const terms = { title: 'Pool the seed fund', options: [{ id: 'yes', label: 'Yes' }, { id: 'no', label: 'No' }], method: 'single' as const, opensAt: now, closesAt: now + 48 * HOUR_MS };
  const update = createUpdate('proposal', terms, net.ctxOf('steward'), (doc) => openVoteIn(doc, members, future));
  const code = codeOf(await net.pushRecord('steward', 'proposal', 'proposal-dated-2099', update));
  expect(await net.hub.storage.getRecord('proposal-dated-2099')).toBeNull();
  expect(code).toBe('cast-in-future');
});
