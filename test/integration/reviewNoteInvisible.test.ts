// The issue-19 pass found required reasons that could be invisible (blockReasonInvisible,
// closingReasonInvisible); the same `trim()` still judged two more that a reader depends on: the
// reason the secretariat gives for hiding a comment (its writer reads it in place of the comment)
// and a reviewer's request for changes (the author reads it to know what to change), with the
// review thread's comments and replies. Each of U+200B, U+2060 and U+3164 passed `trim()`. Now the
// comment's and the entry's invariants, run by the app's mutators and by the hub on every write,
// judge them by the shared visible-text rule: 422 invariant-violated, nothing written.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { commentMutators } from '../../shared/records/comment';
import { entryReviewMutators } from '../../shared/records/entryReview';
import { appendLog, writeFields } from '../../shared/records/layout';
import type { Role } from '../../shared/records/recordType';
import type { JoinResponse } from '../../shared/sync/protocol';
import { changeUpdate, createUpdate, editContext, push } from '../support/hubRequests';
import { startTestHub, type TestHub } from '../support/hub';

let hub: TestHub;
let secretariat: JoinResponse;
let member: JoinResponse;
let other: JoinResponse;

beforeAll(async () => {
  hub = await startTestHub();
  secretariat = await hub.join(hub.secretariatCode);
  member = await hub.join(await hub.invite('Xishan Water Users'));
  other = await hub.join(await hub.invite('Cangshan Seed Bank'));
});

afterAll(async () => {
  await hub?.close();
});

const ctxOf = (join: JoinResponse) => editContext(join.org.id, join.role as Role);

async function pushed(join: JoinResponse, id: string, type: 'entry' | 'comment', update: Uint8Array) {
  return push(hub.url, join.token, [{ id, type, update }]);
}

async function sharedEntry(id: string): Promise<void> {
  const input = { kind: 'practice' as const, title: 'Drip lines from bamboo', language: 'en', sharing: 'network' as const, attribution: { holderKind: 'community' as const, holderName: 'Xishan village', consent: 'community-approved' as const } };
  const answer = await pushed(member, id, 'entry', createUpdate('entry', input, ctxOf(member), (doc) => entryReviewMutators.submitForReview.apply(doc, '', ctxOf(member))));
  expect(answer.status).toBe(200);
}

const stateOf = async (id: string) => (await hub.storage.getRecord(id))!.state;

describe('reasons a reader depends on hold visible text', () => {
  it('refuses a comment hidden with an invisible reason, in the app and at the hub', async () => {
    await sharedEntry('entry-hide');
    const commented = await pushed(other, 'comment-hide', 'comment', createUpdate('comment', { targetId: 'entry-hide', text: 'We split the bamboo lengthwise.' }, ctxOf(other)));
    expect(commented.status).toBe(200);
    expect(() => commentMutators.hide.apply(new Y.Doc(), '\u200b', ctxOf(secretariat))).toThrow(/visible/);
    const { orgId: byOrg, now: at } = ctxOf(secretariat);
    const answer = await pushed(secretariat, 'comment-hide', 'comment', changeUpdate(await stateOf('comment-hide'), (doc) => writeFields(doc, { hidden: { reason: '\u200b\u2060', byOrg, at } })));
    expect({ status: answer.status, body: answer.body }).toMatchObject({ status: 422, body: { error: { code: 'invariant-violated', field: 'hidden' } } });
    expect((await hub.storage.getRecord('comment-hide'))!.projection).toMatchObject({ hidden: null });
    // A reason in words is taken.
    const hidden = await pushed(secretariat, 'comment-hide', 'comment', changeUpdate(await stateOf('comment-hide'), (doc) => commentMutators.hide.apply(doc, 'Names a person without consent', ctxOf(secretariat))));
    expect(hidden.status).toBe(200);
  });

  it('refuses a request for changes, a review comment and a reply that read as blank', async () => {
    await sharedEntry('entry-review');
    expect(() => entryReviewMutators.requestChanges.apply(new Y.Doc(), '\u3164', ctxOf(secretariat))).toThrow(/visible/);
    const { orgId: byOrg, role, now: at } = ctxOf(secretariat);
    const submissionId = ((await hub.storage.getRecord('entry-review'))!.projection as { authorSteps: { id: string }[] }).authorSteps[0]!.id;
    for (const kind of ['changes-requested', 'comment'] as const) {
      const answer = await pushed(secretariat, 'entry-review', 'entry', changeUpdate(await stateOf('entry-review'), (doc) => appendLog(doc, 'reviewSteps', { kind, id: `step-${kind}`, byOrg, role, at, note: '\u200b', submissionId })));
      expect({ kind, status: answer.status, body: answer.body }).toMatchObject({ kind, status: 422, body: { error: { code: 'invariant-violated', field: 'reviewSteps' } } });
    }
    const reply = await pushed(member, 'entry-review', 'entry', changeUpdate(await stateOf('entry-review'), (doc) => appendLog(doc, 'authorSteps', { kind: 'reply', id: 'step-reply', byOrg: member.org.id, role: member.role, at, note: ' \u2060 ' })));
    expect({ status: reply.status, body: reply.body }).toMatchObject({ status: 422, body: { error: { code: 'invariant-violated', field: 'authorSteps' } } });
    expect(((await hub.storage.getRecord('entry-review'))!.projection as { reviewSteps: unknown[] }).reviewSteps).toEqual([]);
    // A request in words is taken.
    const requested = await pushed(secretariat, 'entry-review', 'entry', changeUpdate(await stateOf('entry-review'), (doc) => entryReviewMutators.requestChanges.apply(doc, 'Say who holds this knowledge.', ctxOf(secretariat))));
    expect(requested.status).toBe(200);
  });
});
