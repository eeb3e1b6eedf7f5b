import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { WebsocketProvider } from 'y-websocket';
import * as Y from 'yjs';
import { commitSystemChange } from '../../server/hub/systemWrites';
import { entry, entryMutators, type EntryInput, type EntryProjection } from '../../shared/records/entry';
import { entryReviewMutators, pinnedVersionOf, reviewStateOf } from '../../shared/records/entryReview';
import type { AuthorStep, ReviewStep } from '../../shared/records/entryReviewSchema';
import { appendLog } from '../../shared/records/layout';
import { networkMutators } from '../../shared/records/network';
import type { Role } from '../../shared/records/recordType';
import { errorBodySchema, type JoinResponse } from '../../shared/sync/protocol';
import { startTestHub, type TestHub } from '../support/hub';
import { changeUpdate, createUpdate, editContext, pull, push, type HubAnswer } from '../support/hubRequests';

/*
 * An entry's review through POST /v1/push on a real hub (server/hub/entryReviewPolicy.ts and the
 * rules table): the author submits, a steward with the review scope requests changes, the author
 * resubmits, the secretariat endorses the submitted version; nobody endorses an entry of their own
 * organization, a reviewer never edits the body, review steps are never rewritten or forged, and
 * the pinned version survives compaction. The refusals hold through `/yjs/<id>` as well.
 */

let hub: TestHub;
const joined = {} as Record<'secretariat' | 'steward' | 'unscoped' | 'member' | 'reader', JoinResponse>;
type Who = keyof typeof joined;
const roleOf: Record<Who, Role> = { secretariat: 'secretariat', steward: 'steward', unscoped: 'steward', member: 'member', reader: 'member' };
const ctxOf = (who: Who, now = Date.now()) => editContext(joined[who].org.id, roleOf[who], now);

beforeAll(async () => {
  hub = await startTestHub();
  joined.secretariat = await hub.join(hub.secretariatCode);
  joined.steward = await hub.join(await hub.invite('Erhai Watershed Alliance', 'steward'));
  joined.unscoped = await hub.join(await hub.invite('Dali Herders Union', 'steward'));
  joined.member = await hub.join(await hub.invite('Fengyu Farmers Cooperative', 'member'));
  joined.reader = await hub.join(await hub.invite('Cangshan Seed Bank', 'member'));
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

/** The knowledge section as the editor writes it (y-prosemirror's layout): a heading, a list with bold text, a paragraph. */
function writeFormattedKnowledge(doc: Y.Doc): void {
  const fragment = doc.getXmlFragment('section.knowledge');
  fragment.delete(0, fragment.length);
  const heading = new Y.XmlElement('heading');
  // y-prosemirror stores a heading's level as a number; Yjs' typing says string.
  heading.setAttribute('level', 3 as unknown as string);
  heading.insert(0, [new Y.XmlText('Signs')]);
  const line = new Y.XmlText();
  const item = new Y.XmlElement('listItem');
  const inItem = new Y.XmlElement('paragraph');
  inItem.insert(0, [line]);
  item.insert(0, [inItem]);
  const list = new Y.XmlElement('bulletList');
  list.insert(0, [item]);
  const last = new Y.XmlElement('paragraph');
  last.insert(0, [new Y.XmlText('Rain within a day.')]);
  fragment.insert(0, [heading, list, last]);
  line.insert(0, 'Swallows skim the ');
  line.insert(line.length, 'fields', { bold: {} });
}
const formattedKnowledge = [
  { type: 'heading', attrs: { level: 3 }, content: [{ type: 'text', text: 'Signs' }] },
  { type: 'bulletList', content: [{ type: 'listItem', content: [{ type: 'paragraph', content: [{ type: 'text', text: 'Swallows skim the ' }, { type: 'text', text: 'fields', marks: [{ type: 'bold' }] }] }] }] },
  { type: 'paragraph', content: [{ type: 'text', text: 'Rain within a day.' }] },
];

/** An entry `owner` created and pushed; its id. */
async function pushedEntry(owner: Who = 'member'): Promise<string> {
  const id = `entry-review-${++counter}`;
  const answer = await push(hub.url, joined[owner].token, [{ id, type: 'entry', update: createUpdate('entry', wisdom, ctxOf(owner)) }]);
  expect(answer.status, JSON.stringify(answer.body)).toBe(200);
  return id;
}

async function stored(id: string) {
  return (await hub.storage.getRecord(id))!;
}

/** `who` changes the entry as the hub holds it and pushes the change. */
async function change(who: Who, id: string, edit: (doc: Y.Doc) => void): Promise<HubAnswer> {
  const record = await stored(id);
  return push(hub.url, joined[who].token, [{ id, type: 'entry', update: changeUpdate(record.state, edit) }]);
}

async function accepted(who: Who, id: string, edit: (doc: Y.Doc) => void): Promise<void> {
  const answer = await change(who, id, edit);
  expect(answer.status, JSON.stringify(answer.body)).toBe(200);
}

async function refused(who: Who, id: string, edit: (doc: Y.Doc) => void, status: number, code: string): Promise<void> {
  const before = await stored(id);
  const answer = await change(who, id, edit);
  expect({ status: answer.status, body: answer.body }).toMatchObject({ status, body: { error: { code, recordId: id } } });
  errorBodySchema.parse(answer.body);
  const after = await stored(id);
  expect(after.seq).toBe(before.seq);
  expect(Buffer.from(after.state).equals(Buffer.from(before.state))).toBe(true);
}

const projectionOf = async (id: string) => (await stored(id)).projection as unknown as EntryProjection;

describe('reviewing an entry through the hub', () => {
  it('submit, changes requested by a scoped steward, resubmit, endorsed by the secretariat; another member reads the pinned version', async () => {
    const id = await pushedEntry();
    await accepted('member', id, (doc) => entryReviewMutators.submitForReview.apply(doc, 'Please review.', ctxOf('member')));
    expect(reviewStateOf(await projectionOf(id))).toBe('submitted');
    await accepted('steward', id, (doc) => entryReviewMutators.requestChanges.apply(doc, 'Say which season.', ctxOf('steward')));
    expect(reviewStateOf(await projectionOf(id))).toBe('changes-requested');
    await accepted('member', id, (doc) => {
      entryMutators.setSection.apply(doc, { section: 'appliesWhen', text: 'Late spring.' }, ctxOf('member'));
      entryReviewMutators.replyInReview.apply(doc, 'Added the season.', ctxOf('member'));
      entryReviewMutators.submitForReview.apply(doc, '', ctxOf('member'));
    });
    await accepted('secretariat', id, (doc) => entryReviewMutators.endorseSubmission.apply(doc, 'Well documented.', ctxOf('secretariat')));
    // The author drafts on; the endorsed version stays pinned.
    await accepted('member', id, (doc) => entryMutators.setBody.apply(doc, 'A newer draft, not reviewed.', ctxOf('member')));

    const read = await pull(hub.url, joined.reader.token, 0);
    const replica = new Y.Doc();
    for (const record of read.records.filter((r) => r.meta.id === id)) Y.applyUpdate(replica, record.update);
    const p = entry.read(replica);
    expect(p.status).toBe('endorsed');
    expect(reviewStateOf(p)).toBe('endorsed');
    expect(pinnedVersionOf(p)).toMatchObject({ byOrg: joined.secretariat.org.id, role: 'secretariat', note: 'Well documented.', version: { body: '', sections: { appliesWhen: 'Late spring.' } } });
    expect(p.reviewSteps.map((step) => [step.kind, step.byOrg])).toEqual([
      ['changes-requested', joined.steward.org.id],
      ['endorsed', joined.secretariat.org.id],
    ]);
    expect(p.body).toBe('A newer draft, not reviewed.');
  });

  it('refuses a member endorsing its own entry, and a steward or the secretariat endorsing their own', async () => {
    for (const owner of ['member', 'steward', 'secretariat'] as const) {
      const id = await pushedEntry(owner);
      await accepted(owner, id, (doc) => entryReviewMutators.submitForReview.apply(doc, '', ctxOf(owner)));
      await refused(owner, id, (doc) => entryReviewMutators.endorseSubmission.apply(doc, '', ctxOf(owner)), 403, 'forbidden');
      // The status alone, as the old setEndorsed wrote it: an endorsement needs its step (422 status).
      await refused(owner, id, (doc) => doc.getMap('fields').set('status', 'endorsed'), 422, 'invariant-violated');
      expect(reviewStateOf(await projectionOf(id))).toBe('submitted');
    }
  });

  it("refuses a reviewer editing the body, a section or the title of the author's entry", async () => {
    const id = await pushedEntry();
    await accepted('member', id, (doc) => entryReviewMutators.submitForReview.apply(doc, '', ctxOf('member')));
    for (const who of ['secretariat', 'steward'] as const) {
      await refused(who, id, (doc) => entryMutators.setBody.apply(doc, 'Rewritten by the reviewer.', ctxOf(who)), 403, 'forbidden');
      await refused(who, id, (doc) => entryMutators.setSection.apply(doc, { section: 'knowledge', text: 'Reviewer text.' }, ctxOf(who)), 403, 'forbidden');
      // Endorsing and fixing the title in the same change is refused as a whole.
      await refused(
        who,
        id,
        (doc) => {
          entryReviewMutators.endorseSubmission.apply(doc, '', ctxOf(who));
          entryMutators.setFields.apply(doc, { title: 'Better title' }, ctxOf(who));
        },
        403,
        'forbidden',
      );
    }
  });

  it('refuses a steward without the review scope, and a member reviewing another organization\'s entry', async () => {
    const id = await pushedEntry();
    await accepted('member', id, (doc) => entryReviewMutators.submitForReview.apply(doc, '', ctxOf('member')));
    await refused('unscoped', id, (doc) => entryReviewMutators.endorseSubmission.apply(doc, '', ctxOf('unscoped')), 403, 'steward-not-authorized');
    await refused('reader', id, (doc) => entryReviewMutators.commentOnReview.apply(doc, 'Looks good', ctxOf('reader')), 403, 'forbidden');
  });

  it('refuses an endorsement whose version is not the submitted one, or that names no submission', async () => {
    const id = await pushedEntry();
    await accepted('member', id, (doc) => entryReviewMutators.submitForReview.apply(doc, '', ctxOf('member')));
    const submission = (await projectionOf(id)).authorSteps[0] as Extract<AuthorStep, { kind: 'submitted' }>;
    const endorse = (step: Partial<Extract<ReviewStep, { kind: 'endorsed' }>>) => (doc: Y.Doc) => {
      const ctx = ctxOf('secretariat');
      appendLog<ReviewStep>(doc, 'reviewSteps', { kind: 'endorsed', id: 'forged', byOrg: ctx.orgId, role: ctx.role, at: ctx.now, note: '', submissionId: submission.id, version: submission.version, ...step });
    };
    await refused('secretariat', id, endorse({ version: { ...submission.version, summary: 'Swallows are always right.' } }), 403, 'forbidden');
    await refused('secretariat', id, endorse({ submissionId: 'no-such-submission' }), 403, 'forbidden');
    await accepted('secretariat', id, endorse({}));
  });

  it('refuses review steps signed for another organization, or rewritten, or removed', async () => {
    const id = await pushedEntry();
    await accepted('member', id, (doc) => entryReviewMutators.submitForReview.apply(doc, '', ctxOf('member')));
    await accepted('secretariat', id, (doc) => entryReviewMutators.requestChanges.apply(doc, 'Name the village.', ctxOf('secretariat')));
    await refused('steward', id, (doc) => entryReviewMutators.commentOnReview.apply(doc, 'The secretariat approves.', { ...ctxOf('steward'), orgId: joined.secretariat.org.id }), 403, 'forbidden');
    await refused('steward', id, (doc) => entryReviewMutators.commentOnReview.apply(doc, 'As the secretariat.', { ...ctxOf('steward'), role: 'secretariat' }), 403, 'forbidden');
    // The author can neither remove the reviewer's request nor its own submission.
    await refused('member', id, (doc) => doc.getArray('log.reviewSteps').delete(0, 1), 403, 'forbidden');
    await refused('member', id, (doc) => doc.getArray('log.authorSteps').delete(0, 1), 403, 'forbidden');
    // Nor rewrite its submitted version after the fact.
    await refused(
      'member',
      id,
      (doc) => {
        const log = doc.getArray<AuthorStep>('log.authorSteps');
        const first = log.get(0) as Extract<AuthorStep, { kind: 'submitted' }>;
        log.delete(0, 1);
        log.insert(0, [{ ...first, version: { ...first.version, title: 'Something else' } }]);
      },
      403,
      'forbidden',
    );
    // A reviewer cannot submit in the author's name.
    await refused('secretariat', id, (doc) => entryReviewMutators.submitForReview.apply(doc, '', ctxOf('secretariat')), 403, 'forbidden');
  });

  it('keeps the pinned version through compaction, its formatting as written', async () => {
    const id = await pushedEntry();
    await accepted('member', id, writeFormattedKnowledge);
    await accepted('member', id, (doc) => entryReviewMutators.submitForReview.apply(doc, '', ctxOf('member')));
    // An endorsement is a copy of the submission, formatting included: one with the rich text dropped is not.
    await refused(
      'secretariat',
      id,
      (doc) => {
        entryReviewMutators.endorseSubmission.apply(doc, '', ctxOf('secretariat'));
        const log = doc.getArray<ReviewStep>('log.reviewSteps');
        const endorsed = log.get(log.length - 1) as Extract<ReviewStep, { kind: 'endorsed' }>;
        const { rich: _dropped, ...plain } = endorsed.version;
        log.delete(log.length - 1, 1);
        log.push([{ ...endorsed, version: plain }]);
      },
      403,
      'forbidden',
    );
    await accepted('secretariat', id, (doc) => entryReviewMutators.endorseSubmission.apply(doc, 'Endorsed.', ctxOf('secretariat')));
    const pinned = pinnedVersionOf(await projectionOf(id));
    for (let i = 1; i <= 110; i++) await accepted('member', id, (doc) => entryMutators.setBody.apply(doc, `draft ${i}`, ctxOf('member', Date.now() + i)));
    expect(await hub.hub.compact({ minUpdates: 100 })).toBeGreaterThanOrEqual(1);
    const after = await stored(id);
    expect(after.compactedSeq).toBe(after.seq);
    const doc = new Y.Doc();
    Y.applyUpdate(doc, after.state);
    const p = entry.read(doc);
    expect(p.body).toBe('draft 110');
    expect(pinnedVersionOf(p)).toEqual(pinned);
    expect(pinned?.version.sections).toEqual({ knowledge: 'Signs\nSwallows skim the fields\nRain within a day.' });
    expect(pinned?.version.rich).toEqual({ sections: { knowledge: formattedKnowledge } });
  });
});

describe('the same through /yjs/<id>', () => {
  const opened: { provider: WebsocketProvider; doc: Y.Doc }[] = [];
  afterEach(() => {
    for (const { provider, doc } of opened.splice(0)) {
      provider.destroy();
      doc.destroy();
    }
  });

  async function waitFor(check: () => boolean | Promise<boolean>, what: string, timeoutMs = 5_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!(await check())) {
      if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
      await sleep(20);
    }
  }

  async function connectSynced(who: Who, id: string): Promise<Y.Doc> {
    const doc = new Y.Doc();
    const provider = new WebsocketProvider(`${hub.url.replace(/^http/, 'ws')}/yjs`, id, doc, {
      params: { token: joined[who].token },
      WebSocketPolyfill: WebSocket as unknown as typeof globalThis.WebSocket,
      disableBc: true,
      maxBackoffTime: 100,
    });
    opened.push({ provider, doc });
    await waitFor(() => provider.synced, 'the provider to sync');
    return doc;
  }

  const refusalsOf = (id: string): number => hub.logs.filter((entry) => entry.path === '/yjs' && entry.recordId === id && entry.code === 'forbidden').length;

  it('refuses a steward endorsing its own entry and a forged endorsement; commits a scoped steward’s endorsement', async () => {
    const own = await pushedEntry('steward');
    await accepted('steward', own, (doc) => entryReviewMutators.submitForReview.apply(doc, '', ctxOf('steward')));
    const ownSeq = (await stored(own)).seq;
    const ownDoc = await connectSynced('steward', own);
    ownDoc.transact(() => entryReviewMutators.endorseSubmission.apply(ownDoc, '', ctxOf('steward')));
    await waitFor(() => refusalsOf(own) > 0, 'the hub to refuse the self-endorsement');
    expect((await stored(own)).seq).toBe(ownSeq);

    const id = await pushedEntry();
    await accepted('member', id, (doc) => entryReviewMutators.submitForReview.apply(doc, '', ctxOf('member')));
    const seq = (await stored(id)).seq;
    const forgedDoc = await connectSynced('steward', id);
    const submission = entry.read(forgedDoc).authorSteps[0] as Extract<AuthorStep, { kind: 'submitted' }>;
    forgedDoc.transact(() => {
      const ctx = ctxOf('steward');
      appendLog<ReviewStep>(forgedDoc, 'reviewSteps', { kind: 'endorsed', id: 'forged', byOrg: ctx.orgId, role: ctx.role, at: ctx.now, note: '', submissionId: submission.id, version: { ...submission.version, title: 'Not what was submitted' } });
    });
    await waitFor(() => refusalsOf(id) > 0, 'the hub to refuse the forged endorsement');
    expect((await stored(id)).seq).toBe(seq);

    const next = await pushedEntry();
    await accepted('member', next, (doc) => entryReviewMutators.submitForReview.apply(doc, '', ctxOf('member')));
    const doc = await connectSynced('steward', next);
    doc.transact(() => entryReviewMutators.endorseSubmission.apply(doc, 'Checked.', ctxOf('steward')));
    await waitFor(async () => reviewStateOf(await projectionOf(next)) === 'endorsed', 'the hub to commit the endorsement');
  });
});
