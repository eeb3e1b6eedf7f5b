// Attack (MEDIUM, fixed): once read, an outcome statement could be erased. After sealing the hub
// took any change to `fields.outcome`, setting it back to null included: the runner (or the
// secretariat) deleted the statement "who does what by when" after everyone had read it, and no
// record kept that it ever existed (a replacement likewise kept no earlier text).
// Now each writing is a revision in `log.outcomes`: an amendment adds one (the earlier ones stay,
// with who wrote them and when), and a write that removes one is refused (403 `forbidden`).
import { afterAll, beforeAll, expect, it } from 'vitest';
import type * as Y from 'yjs';
import type { Choice } from '../../shared/records/ballot';
import { proposalMutators } from '../../shared/records/proposal';
import { expectAccepted, startPollNetwork, type PollNetwork } from '../support/pollNetwork';
import { yjsEdit } from '../support/writeEntryPoints';

const YES: Choice = { method: 'single', optionId: 'yes' };
const statement = { decided: 'Half the fund goes to the river villages', actions: 'Erhai Alliance drafts the grant letters by May', reviewOn: '2026-09-01' };
const amended = { ...statement, actions: 'Fengyu Cooperative drafts the grant letters by June', reviewOn: '2026-10-01' };

let net: PollNetwork;

beforeAll(async () => {
  net = await startPollNetwork();
});

afterAll(async () => {
  await net?.close();
});

/** A sealed poll whose outcome the secretariat wrote and the steward amended. */
async function pollWithAmendedOutcome(): Promise<string> {
  const poll = await net.openPoll();
  await expectAccepted(() => net.castOn('alpha', poll, { choice: YES, proposalVersion: 1 }));
  await net.passSealing(poll);
  await expectAccepted(() => net.changeProposal('secretariat', poll, (doc, ctx) => proposalMutators.writeOutcome.apply(doc, statement, ctx)));
  await expectAccepted(() => net.changeProposal('steward', poll, (doc, ctx) => proposalMutators.writeOutcome.apply(doc, amended, ctx)));
  return poll;
}

it('keeps every revision of an amended outcome statement, with who wrote it and when', async () => {
  const poll = await pollWithAmendedOutcome();
  const stored = await net.proposalAsStored(poll);
  expect(stored.outcome).toMatchObject({ ...amended, orgId: net.orgIdOf.steward });
  expect(stored.outcomeRevisions).toMatchObject([
    { ...statement, orgId: net.orgIdOf.secretariat },
    { ...amended, orgId: net.orgIdOf.steward },
  ]);
});

const removals: [string, (doc: Y.Doc) => void][] = [
  ['the statement in force', (doc) => doc.getArray('log.outcomes').delete(1, 1)],
  ['an earlier revision', (doc) => doc.getArray('log.outcomes').delete(0, 1)],
  ['every revision', (doc) => doc.getArray('log.outcomes').delete(0, 2)],
];

it.each(removals)('refuses to remove %s once it is written', async (_name, remove) => {
  const poll = await pollWithAmendedOutcome();
  const before = await net.proposalAsStored(poll);
  const answer = await net.changeProposal('steward', poll, remove);
  expect({ status: answer.status, body: answer.body }).toMatchObject({ status: 403, body: { error: { code: 'forbidden', recordId: poll } } });
  expect((await net.proposalAsStored(poll)).outcomeRevisions).toEqual(before.outcomeRevisions);
});

it('refuses a null written over the statement where the outcome once lived', async () => {
  const poll = await pollWithAmendedOutcome();
  const answer = await net.changeProposal('secretariat', poll, (doc) => doc.getMap('fields').set('outcome', null));
  expect({ status: answer.status, body: answer.body }).toMatchObject({ status: 422, body: { error: { code: 'invariant-violated', field: 'outcome', recordId: poll } } });
  expect((await net.proposalAsStored(poll)).outcome).toMatchObject(amended);
});

it('refuses the removal through /yjs as well', async () => {
  const poll = await pollWithAmendedOutcome();
  expect(await yjsEdit(net.hub, net.tokenOf.secretariat, poll, (doc) => doc.getArray('log.outcomes').delete(0, 1))).toBe('forbidden');
  expect((await net.proposalAsStored(poll)).outcomeRevisions).toHaveLength(2);
});
