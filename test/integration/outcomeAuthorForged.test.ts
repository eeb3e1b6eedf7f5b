// Attack (MEDIUM, fixed): the outcome statement's author was `orgId` in the statement, which the
// writer sets, and the hub checked neither it nor `at`. A steward that ran a vote wrote "what was
// decided, who does what" in the secretariat's name (and dated when it liked), and every reader,
// the decision record and the report showed the secretariat as its author.
// Now a revision names the writer's organization and a time between the vote's closing and the
// hub's clock plus CAST_SKEW_MS, or the hub refuses it (403 `forbidden`), on push, `/yjs` and
// bundles.
import { afterAll, beforeAll, expect, it } from 'vitest';
import { CAST_SKEW_MS } from '../../server/hub/governancePolicy';
import type { Choice } from '../../shared/records/ballot';
import { proposalMutators } from '../../shared/records/proposal';
import { expectAccepted, startPollNetwork, type PollNetwork } from '../support/pollNetwork';
import { yjsEdit } from '../support/writeEntryPoints';

const YES: Choice = { method: 'single', optionId: 'yes' };
const statement = { decided: 'The whole fund goes to the Erhai Alliance', actions: 'Erhai Alliance spends it', reviewOn: '2027-06-01' };

let net: PollNetwork;

beforeAll(async () => {
  net = await startPollNetwork();
});

afterAll(async () => {
  await net?.close();
});

async function sealedPoll(): Promise<string> {
  const poll = await net.openPoll();
  await expectAccepted(() => net.castOn('alpha', poll, { choice: YES, proposalVersion: 1 }));
  await net.passSealing(poll);
  return poll;
}

it('refuses an outcome statement that names another organization as its author', async () => {
  const poll = await sealedPoll();
  const answer = await net.changeProposal('steward', poll, (doc, ctx) => proposalMutators.writeOutcome.apply(doc, statement, { ...ctx, orgId: net.orgIdOf.secretariat }));
  expect({ status: answer.status, body: answer.body }).toMatchObject({ status: 403, body: { error: { code: 'forbidden', recordId: poll } } });
  expect((await net.proposalAsStored(poll)).outcomeRevisions).toEqual([]);
});

it('refuses the forged author through /yjs as well', async () => {
  const poll = await sealedPoll();
  const forged = { ...net.ctxOf('steward'), orgId: net.orgIdOf.secretariat };
  expect(await yjsEdit(net.hub, net.tokenOf.steward, poll, (doc) => proposalMutators.writeOutcome.apply(doc, statement, forged))).toBe('forbidden');
  expect((await net.proposalAsStored(poll)).outcomeRevisions).toEqual([]);
});

it.each([
  ['dated years before the vote', -365 * 24 * 3_600_000],
  // The hub's clock is past closing plus the 72-hour grace: this is a minute before closing.
  ['dated before the vote closed', -(72 * 3_600_000 + 120_000)],
  ['dated ahead of the hub clock', CAST_SKEW_MS + 60_000],
])('refuses an outcome statement %s', async (_name, offsetMs) => {
  const poll = await sealedPoll();
  const answer = await net.changeProposal('steward', poll, (doc, ctx) => proposalMutators.writeOutcome.apply(doc, statement, { ...ctx, now: net.clock.now() + offsetMs }));
  expect({ status: answer.status, body: answer.body }).toMatchObject({ status: 403, body: { error: { code: 'forbidden', recordId: poll } } });
  expect((await net.proposalAsStored(poll)).outcome).toBeNull();
});

it("takes the steward's own statement, in its name and at its time", async () => {
  const poll = await sealedPoll();
  const at = net.clock.now();
  await expectAccepted(() => net.changeProposal('steward', poll, (doc, ctx) => proposalMutators.writeOutcome.apply(doc, statement, ctx)));
  expect((await net.proposalAsStored(poll)).outcome).toEqual({ ...statement, orgId: net.orgIdOf.steward, at });
});
