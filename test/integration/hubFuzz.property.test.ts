import { gzipSync } from 'node:zlib';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { commitSystemChange } from '../../server/hub/systemWrites';
import { ballotId, ballotMutators } from '../../shared/records/ballot';
import { commentMutators } from '../../shared/records/comment';
import { networkMutators } from '../../shared/records/network';
import { entryMutators } from '../../shared/records/entry';
import { entryReviewMutators } from '../../shared/records/entryReview';
import { interestId } from '../../shared/records/interest';
import { moduleFor } from '../../shared/records/registry';
import { recordTypes } from '../../shared/records/recordType';
import type { EditContext } from '../../shared/records/recordModule';
import { errorBodySchema, pushResponseSchema, type JoinResponse } from '../../shared/sync/protocol';
import { deeplyNestedMaps, manyClientsOneKey, oneClientConflictingWrites } from '../support/costlyUpdates';
import { startTestHub, type TestHub } from '../support/hub';
import { changeUpdate, createUpdate, editContext, pull, push, pushBody, request, toBase64, type HubAnswer, type PushedRecord } from '../support/hubRequests';
import { hubMembers, openVoteIn } from '../support/governance';

/*
 * Seeded property: random push bodies (any string, any JSON, well-formed requests with random ids,
 * types and bytes, real updates with bytes flipped or cut off) and random pulls (any checkpoint,
 * token or Accept-Encoding). The hub never answers 5xx and never falls over, every refusal is a
 * documented error body, only an accepted push moves the sequence, and every stored record still
 * reads as a valid projection. Expensive updates too (many clients on one key, one client's
 * conflicting writes, deep nesting): each is accepted or refused with a code, and /health still
 * answers. A failure prints the one command that replays it.
 */

let hub: TestHub;
const who = {} as Record<'member' | 'secretariat' | 'observer', JoinResponse>;

beforeAll(async () => {
  // No rate limit in the way: several hundred requests from a few credentials in a few seconds.
  hub = await startTestHub({ requestsPerMinute: 1_000_000 });
  who.secretariat = await hub.join(hub.secretariatCode);
  who.member = await hub.join(await hub.invite('Fengyu Farmers Cooperative', 'member'));
  who.observer = await hub.join(await hub.invite('Provincial Water Bureau', 'observer'));
});

afterAll(async () => {
  await hub?.close();
});

interface Source extends PushedRecord {
  readonly token: string;
  /** A new record's create update: sent under a fresh id too. */
  readonly isCreate: boolean;
}

async function pushOk(token: string, record: PushedRecord): Promise<Uint8Array> {
  const answer = await push(hub.url, token, [record]);
  if (answer.status !== 200) throw new Error(`seeding ${record.id} failed: ${JSON.stringify(answer.body)}`);
  return (await hub.storage.getRecord(record.id))!.state;
}

/** Real records on the hub, and real updates to them, for the fuzzer to corrupt. */
async function realSources(): Promise<Source[]> {
  const member = editContext(who.member.org.id, 'member');
  const secretariat = editContext(who.secretariat.org.id, 'secretariat');
  const observer = editContext(who.observer.org.id, 'observer');
  const entryCreate = createUpdate('entry', { kind: 'practice', title: 'Straw mulch', language: 'en', attribution: { holderKind: 'person', holderName: 'Li', consent: 'credit-by-name' }, sharing: 'network' }, member);
  const entryState = await pushOk(who.member.token, { id: 'entry-fuzz', type: 'entry', update: entryCreate });
  // A ballot needs an open proposal whose secrecy it shares (governance policy).
  const proposalCreate = createUpdate('proposal', { title: 'Pool the seed fund', options: [{ id: 'yes', label: 'Yes' }], method: 'single', opensAt: Date.now() - 86_400_000, closesAt: Date.now() + 86_400_000, secrecy: 'secret' }, secretariat);
  const proposalState = await pushOk(who.secretariat.token, { id: 'proposal-fuzz', type: 'proposal', update: proposalCreate });
  // Opened as the app opens it (a reason, the voters fixed now); the hub refuses a bare state change.
  const members = await hubMembers(hub.storage);
  const opening = changeUpdate(proposalState, (doc) => openVoteIn(doc, members, secretariat));
  await pushOk(who.secretariat.token, { id: 'proposal-fuzz', type: 'proposal', update: opening });
  const ballotCreate = createUpdate('ballot', { proposalId: 'proposal-fuzz', isSecret: true }, member);
  const ballotState = await pushOk(who.member.token, { id: ballotId('proposal-fuzz', who.member.org.id), type: 'ballot', update: ballotCreate });
  const commentState = await pushOk(who.member.token, { id: 'comment-fuzz', type: 'comment', update: createUpdate('comment', { targetId: 'entry-fuzz', text: 'Works in dry years too.' }, member) });
  const m = who.member.token;
  const s = who.secretariat.token;
  return [
    { token: m, id: 'entry-new', type: 'entry', update: entryCreate, isCreate: true },
    { token: m, id: 'entry-fuzz', type: 'entry', update: changeUpdate(entryState, (doc) => entryMutators.setFields.apply(doc, { title: 'Straw mulch, revised' }, member)), isCreate: false },
    { token: m, id: 'entry-fuzz', type: 'entry', update: changeUpdate(entryState, (doc) => entryMutators.setTags.apply(doc, ['soil', 'water'], member)), isCreate: false },
    { token: m, id: 'entry-fuzz', type: 'entry', update: changeUpdate(entryState, (doc) => entryMutators.setBody.apply(doc, 'Cover the rows.\nKeep it wet.', member)), isCreate: false },
    { token: s, id: 'entry-fuzz', type: 'entry', update: changeUpdate(entryState, (doc) => entryMutators.addReviewNote.apply(doc, 'Clear.', secretariat)), isCreate: false },
    { token: who.observer.token, id: 'entry-fuzz', type: 'entry', update: changeUpdate(entryState, (doc) => entryMutators.addReviewNote.apply(doc, 'Hm.', observer)), isCreate: false },
    { token: m, id: ballotId('proposal-fuzz', who.member.org.id), type: 'ballot', update: changeUpdate(ballotState, (doc) => ballotMutators.cast.apply(doc, { method: 'single', optionId: 'yes' }, member)), isCreate: false },
    { token: m, id: ballotId('proposal-other', who.member.org.id), type: 'ballot', update: createUpdate('ballot', { proposalId: 'proposal-other' }, member), isCreate: true },
    { token: m, id: interestId('offer-fuzz', who.member.org.id), type: 'interest', update: createUpdate('interest', { offerId: 'offer-fuzz' }, member), isCreate: true },
    { token: s, id: 'comment-fuzz', type: 'comment', update: changeUpdate(commentState, (doc) => commentMutators.hide.apply(doc, 'off topic', secretariat)), isCreate: false },
    { token: s, id: 'proposal-fuzz', type: 'proposal', update: opening, isCreate: false },
    { token: s, id: 'proposal-new', type: 'proposal', update: proposalCreate, isCreate: true },
  ];
}

// The names records keep their content under (shared/records/layout.ts), and field keys they read.
const rootNames = ['fields', 'members', 'set.tags', 'set.capabilities', 'log.reviewNotes', 'log.revisions', 'log.steps', 'log.stageHistory', 'body', 'description', 'section.context'];
const fieldKeys = ['title', 'status', 'sharing', 'kind', 'language', 'attribution', 'proposalId', 'isSecret', 'choice', 'hidden', 'stage', 'state', 'offerId', 'options', 'name', 'createdAt', 'updatedAt'];

/**
 * A well-formed Yjs update with random content: known fields holding values of any shape, and
 * known names used as maps, arrays, rich text or plain text, whichever the record reads them as.
 */
const randomContentUpdate = fc
  .record({
    clientId: fc.integer({ min: 1, max: 2 ** 31 }),
    ops: fc.array(
      fc.oneof(
        fc.record({ op: fc.constant('field' as const), key: fc.oneof(fc.constantFrom(...fieldKeys), fc.string({ maxLength: 8 })), value: fc.jsonValue({ maxDepth: 2 }) }),
        fc.record({ op: fc.constant('map' as const), root: fc.constantFrom(...rootNames), key: fc.string({ maxLength: 12 }), value: fc.jsonValue({ maxDepth: 2 }) }),
        fc.record({ op: fc.constant('array' as const), root: fc.constantFrom(...rootNames), value: fc.jsonValue({ maxDepth: 2 }) }),
        fc.record({ op: fc.constant('xml' as const), root: fc.constantFrom(...rootNames), element: fc.stringMatching(/^[a-z]{1,10}$/), text: fc.string({ maxLength: 30 }) }),
        fc.record({ op: fc.constant('text' as const), root: fc.constantFrom(...rootNames), text: fc.string({ maxLength: 30 }) }),
        fc.record({ op: fc.constant('delete' as const), key: fc.constantFrom(...fieldKeys) }),
      ),
      { minLength: 1, maxLength: 8 },
    ),
  })
  .map(({ clientId, ops }) => {
    const doc = new Y.Doc();
    doc.clientID = clientId;
    for (const op of ops) {
      try {
        if (op.op === 'field') doc.getMap('fields').set(op.key, op.value);
        if (op.op === 'map') doc.getMap(op.root).set(op.key, op.value);
        if (op.op === 'array') doc.getArray(op.root).push([op.value]);
        if (op.op === 'xml') {
          const element = new Y.XmlElement(op.element);
          element.insert(0, [new Y.XmlText(op.text)]);
          doc.getXmlFragment(op.root).insert(0, [element]);
        }
        if (op.op === 'text') doc.getText(op.root).insert(0, op.text);
        if (op.op === 'delete') doc.getMap('fields').delete(op.key);
      } catch {
        // One name used as two kinds of type within this doc: Yjs refuses; skip the op.
      }
    }
    const update = Y.encodeStateAsUpdate(doc);
    doc.destroy();
    return update;
  });

type Probe =
  | { readonly kind: 'push'; readonly token: string | undefined; readonly body: string; readonly isGzip: boolean; readonly contentEncoding: string | null }
  | { readonly kind: 'pull'; readonly token: string | undefined; readonly since: string; readonly acceptEncoding: string | null };

function probes(sources: readonly Source[], existingIds: readonly string[]): fc.Arbitrary<Probe> {
  const tokens = [who.member.token, who.secretariat.token, who.observer.token];
  const printable = fc.string({ unit: 'grapheme-ascii', maxLength: 80 });
  const token = fc.oneof(
    { weight: 8, arbitrary: fc.constantFrom(...tokens) },
    { weight: 1, arbitrary: fc.constant(undefined) },
    { weight: 1, arbitrary: printable },
    { weight: 1, arbitrary: fc.tuple(fc.constantFrom(...tokens), fc.nat(), fc.constantFrom('A', '.', '-', '_', '')).map(([t, at, c]) => t.slice(0, at % t.length) + c + t.slice((at % t.length) + 1)) },
  );
  const id = fc.oneof(fc.constantFrom(...existingIds), fc.stringMatching(/^[A-Za-z0-9_~.:-]{1,40}$/), fc.string({ maxLength: 40 }));
  const type = fc.oneof({ weight: 4, arbitrary: fc.constantFrom<string>(...recordTypes) }, { weight: 1, arbitrary: fc.string({ maxLength: 12 }) });
  const update = fc.oneof(
    fc.uint8Array({ maxLength: 400 }).map(toBase64),
    fc.base64String({ maxLength: 120 }),
    fc.string({ maxLength: 40 }),
    fc.constant(''),
  );
  const extra = fc.option(fc.dictionary(fc.string({ maxLength: 8 }), fc.jsonValue({ maxDepth: 1 }), { maxKeys: 2 }), { nil: undefined });
  const structured = fc
    .record({ records: fc.array(fc.record({ id, type, update, extra }), { maxLength: 4 }), extra })
    .map(({ records, extra: top }) => JSON.stringify({ records: records.map(({ extra: more, ...record }) => ({ ...record, ...more })), ...top }));
  const corrupted = fc
    .record({
      source: fc.nat(),
      flips: fc.array(fc.record({ at: fc.nat(), xor: fc.integer({ min: 1, max: 255 }) }), { maxLength: 4 }),
      cut: fc.option(fc.nat(), { nil: undefined }),
      freshId: fc.option(fc.stringMatching(/^[A-Za-z0-9_-]{1,30}$/), { nil: undefined }),
    })
    .map(({ source, flips, cut, freshId }) => {
      const picked = sources[source % sources.length]!;
      const bytes = picked.update.slice(0, cut === undefined ? undefined : cut % (picked.update.length + 1));
      for (const { at, xor } of flips) if (bytes.length > 0) bytes[at % bytes.length]! ^= xor;
      const recordId = picked.isCreate && freshId !== undefined ? `${picked.type}-${freshId}` : picked.id;
      return { token: picked.token, body: JSON.stringify({ records: [{ id: recordId, type: picked.type, update: toBase64(bytes) }] }) };
    });
  const pushProbe = fc
    .record({
      token,
      body: fc.oneof(fc.string({ unit: 'binary', maxLength: 300 }), fc.json({ maxDepth: 3 }), structured),
      // Mostly honest about the encoding; sometimes not, or naming one the hub does not read.
      encoding: fc.oneof(
        { weight: 6, arbitrary: fc.constantFrom('none', 'gzip') },
        { weight: 1, arbitrary: fc.constantFrom('gzip-header-only', 'gzip-body-only', 'identity', 'br', 'deflate') },
        { weight: 1, arbitrary: printable },
      ),
    })
    .map(({ token: t, body, encoding }) => ({
      kind: 'push' as const,
      token: t,
      body,
      isGzip: encoding === 'gzip' || encoding === 'gzip-body-only',
      contentEncoding: encoding === 'none' || encoding === 'gzip-body-only' ? null : encoding === 'gzip-header-only' ? 'gzip' : encoding,
    }));
  const corruptedProbe = fc
    .record({ corrupted, isGzip: fc.boolean() })
    .map(({ corrupted: { token: t, body }, isGzip }) => ({ kind: 'push' as const, token: t, body, isGzip, contentEncoding: isGzip ? 'gzip' : null }));
  const randomContentProbe = fc
    .record({ token: fc.constantFrom(...tokens), id: fc.oneof(fc.constantFrom(...existingIds), fc.stringMatching(/^[a-z]{1,8}-[0-9]{1,3}$/)), type: fc.constantFrom(...recordTypes), update: randomContentUpdate })
    .map(({ token: t, id: recordId, type: recordType, update: bytes }) => ({
      kind: 'push' as const,
      token: t,
      body: JSON.stringify({ records: [{ id: recordId, type: recordType, update: toBase64(bytes) }] }),
      isGzip: false,
      contentEncoding: null,
    }));
  const pullProbe = fc
    .record({
      token,
      since: fc.oneof(fc.integer().map(String), fc.nat({ max: 1_000 }).map(String), fc.double().map(String), fc.bigInt().map(String), printable),
      acceptEncoding: fc.option(fc.oneof(fc.constantFrom('br', 'gzip', 'identity', 'br, gzip', 'gzip;q=0', '*', ''), printable), { nil: null }),
    })
    .map((p) => ({ kind: 'pull' as const, ...p }));
  // Cheap to send, costly to integrate: bounded by the update limits or stopped at the time budget.
  const expensiveProbe = fc
    .record({
      token: fc.constantFrom(...tokens),
      id: fc.constantFrom(...existingIds),
      type: fc.constantFrom<string>(...recordTypes),
      shape: fc.oneof(
        fc.record({ kind: fc.constant('manyClients' as const), count: fc.integer({ min: 2, max: 4_000 }), key: fc.constantFrom(...fieldKeys) }),
        fc.record({ kind: fc.constant('conflicts' as const), count: fc.integer({ min: 2, max: 8_000 }), key: fc.constantFrom(...fieldKeys) }),
        fc.record({ kind: fc.constant('nested' as const), count: fc.integer({ min: 1, max: 120 }), key: fc.constantFrom(...rootNames) }),
      ),
    })
    .map(({ token: t, id: recordId, type: recordType, shape }) => {
      const bytes =
        shape.kind === 'manyClients' ? manyClientsOneKey(shape.count, 'fields', shape.key) : shape.kind === 'conflicts' ? oneClientConflictingWrites(shape.count, undefined, 'fields', shape.key) : deeplyNestedMaps(shape.count, shape.key);
      return { kind: 'push' as const, token: t, body: JSON.stringify({ records: [{ id: recordId, type: recordType, update: toBase64(bytes) }] }), isGzip: false, contentEncoding: null };
    });
  return fc.oneof(
    { weight: 3, arbitrary: pushProbe },
    { weight: 4, arbitrary: corruptedProbe },
    { weight: 3, arbitrary: randomContentProbe },
    { weight: 2, arbitrary: pullProbe },
    { weight: 1, arbitrary: expensiveProbe },
  );
}

function expectRefusalBody(status: number, body: unknown): void {
  expect(status).toBeGreaterThanOrEqual(400);
  expect(status).toBeLessThan(500);
  errorBodySchema.parse(body);
}

/** Push answers by status, so a run that never got past the schema shows up as a failure. */
const pushStatuses = new Map<number, number>();

async function send(probe: Probe): Promise<void> {
  const lastSeq = await hub.storage.lastSeq();
  if (probe.kind === 'pull') {
    const pulled = await pull(hub.url, probe.token, probe.since, probe.acceptEncoding === null ? {} : { 'accept-encoding': probe.acceptEncoding });
    if (pulled.status !== 200 || pulled.error !== null) expectRefusalBody(pulled.status, pulled.error);
    expect(await hub.storage.lastSeq()).toBe(lastSeq);
    return;
  }
  const headers: Record<string, string> = probe.contentEncoding === null ? {} : { 'content-encoding': probe.contentEncoding };
  const answer: HubAnswer = await pushBody(hub.url, probe.token, probe.isGzip ? gzipSync(probe.body) : probe.body, headers);
  pushStatuses.set(answer.status, (pushStatuses.get(answer.status) ?? 0) + 1);
  if (answer.status === 200) {
    const { seq } = pushResponseSchema.parse(answer.body);
    expect(seq).toBeLessThanOrEqual(await hub.storage.lastSeq());
  } else {
    expectRefusalBody(answer.status, answer.body);
    expect(await hub.storage.lastSeq()).toBe(lastSeq);
  }
}

describe('the hub under random requests', () => {
  it('never answers 5xx, refuses with documented errors, and keeps every record valid', async () => {
    const seed = Number(process.env.FIELDWISE_SEED ?? Date.now() % 2 ** 31);
    const numRuns = Number(process.env.FIELDWISE_RUNS ?? 200);
    const sources = await realSources();
    const existingIds = [...new Set([...sources.map((source) => source.id), who.member.org.id, 'network'])];
    const recordsAtSeq = new Map<number, number>();
    const property = fc.asyncProperty(fc.array(probes(sources, existingIds), { minLength: 1, maxLength: 3 }), async (sequence) => {
      for (const probe of sequence) await send(probe);
    });
    const result = await fc.check(property, { seed, numRuns, endOnFailure: true });
    if (result.failed) {
      throw new Error(
        `hub fuzz failed (seed ${seed}): ${String(result.errorInstance)}\n` +
          `counterexample: ${JSON.stringify(result.counterexample).slice(0, 4_000)}\n` +
          `replay: FIELDWISE_SEED=${seed} npx vitest run test/integration/hubFuzz.property.test.ts`,
      );
    }
    expect(result.numRuns).toBe(numRuns);
    // The random requests reached the write path: some were committed, some refused by the rules.
    expect(pushStatuses.get(200) ?? 0).toBeGreaterThan(0);
    expect((pushStatuses.get(403) ?? 0) + (pushStatuses.get(409) ?? 0)).toBeGreaterThan(0);

    const health = await request(hub.url, '/health');
    expect(health.status).toBe(200);
    expect(health.body).toMatchObject({ ok: true, seq: await hub.storage.lastSeq() });

    const stored = await hub.storage.changedSince(0, 100_000);
    expect(stored.length).toBeGreaterThan(0);
    for (const record of stored) {
      const module = moduleFor(record.header.type);
      module.projectionSchema.parse(record.projection);
      // The stored projection is what the stored state reads as.
      const doc = new Y.Doc();
      Y.applyUpdate(doc, record.state);
      expect(JSON.parse(JSON.stringify(module.read(doc)))).toEqual(record.projection);
      doc.destroy();
      recordsAtSeq.set(record.seq, (recordsAtSeq.get(record.seq) ?? 0) + 1);
    }
    // Every record has a sequence number of its own.
    expect([...recordsAtSeq.values()].every((count) => count === 1)).toBe(true);
  }, 180_000);
});

/*
 * Seeded property, structure level: a steward or the secretariat, who may review another
 * organization's shared entry, sends a review together with random structural edits (marks, link
 * targets, attributes, text, nodes, fields, junk types, nested maps, rewritten review logs). The
 * hub accepts it exactly when every edit stays within the review's parts (appending to the review
 * log, setting the status); otherwise it refuses with 403 or 400 and stores nothing.
 */

type StructuralEdit = { readonly kind: string; readonly isReview: boolean; readonly apply: (doc: Y.Doc, ctx: EditContext) => void };

let editCounter = 0;
const bodyTexts = (doc: Y.Doc): Y.XmlText[] =>
  doc
    .getXmlFragment('body')
    .toArray()
    .flatMap((node) => (node instanceof Y.XmlElement ? node.toArray().filter((child): child is Y.XmlText => child instanceof Y.XmlText && child.length > 1) : []));

function structuralEdits(): fc.Arbitrary<StructuralEdit> {
  const at = fc.nat({ max: 1_000 });
  const mark = fc.constantFrom<Record<string, unknown>>({ bold: true }, { italic: true }, { bold: null }, { link: { href: 'https://elsewhere.example/' } });
  return fc.oneof(
    fc.string({ minLength: 1, maxLength: 20 }).map((text): StructuralEdit => ({ kind: 'review note', isReview: true, apply: (doc, ctx) => entryMutators.addReviewNote.apply(doc, `${text} ${++editCounter}`, ctx) })),
    fc.string({ minLength: 1, maxLength: 20 }).map((text): StructuralEdit => ({ kind: 'review comment', isReview: true, apply: (doc, ctx) => entryReviewMutators.commentOnReview.apply(doc, `${text} ${++editCounter}`, ctx) })),
    fc.tuple(at, mark).map(([position, attributes]): StructuralEdit => ({
      kind: `mark ${JSON.stringify(attributes)}`,
      isReview: false,
      apply: (doc) => {
        const text = bodyTexts(doc)[position % bodyTexts(doc).length]!;
        // A fresh link target each time, so the format is never a no-op.
        text.format(position % (text.length - 1), 1, attributes['link'] ? { link: { href: `https://elsewhere.example/${++editCounter}` } } : attributes['bold'] === null ? { bold: true, italic: `${++editCounter}` } : attributes);
        text.format(position % (text.length - 1), 1, { stamp: ++editCounter });
      },
    })),
    fc.tuple(at, fc.string({ minLength: 1, maxLength: 8 })).map(([position, words]): StructuralEdit => ({
      kind: 'insert text',
      isReview: false,
      apply: (doc) => bodyTexts(doc)[position % bodyTexts(doc).length]!.insert(position % 3, words),
    })),
    fc.tuple(fc.constantFrom('paragraph', 'heading', 'junk', 'horizontalRule'), fc.constantFrom('body', 'section.context', 'section.results')).map(([name, fragment]): StructuralEdit => ({
      kind: `add node ${name} to ${fragment}`,
      isReview: false,
      apply: (doc) => doc.getXmlFragment(fragment).push([new Y.XmlElement(name)]),
    })),
    fc.constantFrom('level', 'class', 'href').map((attribute): StructuralEdit => ({
      kind: `attribute ${attribute}`,
      isReview: false,
      apply: (doc) => (doc.getXmlFragment('body').get(0) as Y.XmlElement).setAttribute(attribute, `${++editCounter}`),
    })),
    fc.constantFrom('title', 'summary', 'author', 'note', 'createdAt').map((key): StructuralEdit => ({
      kind: `field ${key}`,
      isReview: false,
      apply: (doc) => doc.getMap('fields').set(key, key === 'createdAt' ? ++editCounter : `changed ${++editCounter}`),
    })),
    fc.constant<StructuralEdit>({ kind: 'tag', isReview: false, apply: (doc) => doc.getMap('set.tags').set(`tag-${++editCounter}`, true) }),
    fc.constant<StructuralEdit>({ kind: 'junk top-level type', isReview: false, apply: (doc) => doc.getMap(`junk-${++editCounter}`).set('a', 1) }),
    fc.constant<StructuralEdit>({ kind: 'nested map', isReview: false, apply: (doc) => doc.getMap('fields').set('summary', new Y.Map()) }),
    fc.constant<StructuralEdit>({ kind: 'rewrite review log', isReview: false, apply: (doc) => doc.getArray('log.reviewNotes').delete(0, 1) }),
  );
}

describe('structure-level authorization under random edits', () => {
  it("accepts a reviewer's change to another organization's entry exactly when it stays within the review's parts", async () => {
    const seed = Number(process.env.FIELDWISE_SEED ?? Date.now() % 2 ** 31);
    const numRuns = Number(process.env.FIELDWISE_RUNS ?? 100);
    const steward = await hub.join(await hub.invite(`Erhai Watershed Alliance ${seed}`, 'steward'));
    // The steward reviews with the secretariat's review scope, as a steward must.
    const network = (await hub.storage.getRecord('network'))!;
    await commitSystemChange(hub.storage, network.header, (doc) =>
      networkMutators.setStewardGrant.apply(doc, { orgId: steward.org.id, scopes: ['review'] }, editContext(who.secretariat.org.id, 'secretariat')),
    );
    const member = editContext(who.member.org.id, 'member');
    const entryId = `entry-structure-fuzz-${seed}`;
    const created = await pushOk(
      who.member.token,
      {
        id: entryId,
        type: 'entry',
        update: createUpdate('entry', { kind: 'practice', title: 'Cellars', language: 'en', body: 'Dig below the frost line\nLine the walls with clay', sharing: 'network', attribution: { holderKind: 'community', holderName: 'Fengyu', consent: 'community-approved' } }, member),
      },
    );
    const secretariat = editContext(who.secretariat.org.id, 'secretariat');
    await pushOk(who.secretariat.token, { id: entryId, type: 'entry', update: changeUpdate(created, (doc) => entryMutators.addReviewNote.apply(doc, 'First look.', secretariat)) });
    const reviewers = { steward: { token: steward.token, ctx: editContext(steward.org.id, 'steward') }, secretariat: { token: who.secretariat.token, ctx: secretariat } };
    const outcomes = { accepted: 0, refused: 0 };
    const property = fc.asyncProperty(fc.constantFrom('steward', 'secretariat' as const), fc.array(structuralEdits(), { minLength: 1, maxLength: 4 }), async (reviewer, edits) => {
      const { token, ctx } = reviewers[reviewer as keyof typeof reviewers];
      const stored = (await hub.storage.getRecord(entryId))!;
      // Every change carries a review note, so none is a no-op.
      const update = changeUpdate(stored.state, (doc) => {
        entryMutators.addReviewNote.apply(doc, `note ${++editCounter}`, ctx);
        for (const edit of edits) edit.apply(doc, ctx);
      });
      const answer = await push(hub.url, token, [{ id: entryId, type: 'entry', update }]);
      const isConfined = edits.every((edit) => edit.isReview);
      const after = (await hub.storage.getRecord(entryId))!;
      if (isConfined) {
        expect(answer.status, `${edits.map((edit) => edit.kind).join(', ')}: ${JSON.stringify(answer.body)}`).toBe(200);
        outcomes.accepted++;
      } else {
        expect([400, 403], `${edits.map((edit) => edit.kind).join(', ')} was not refused: ${JSON.stringify(answer.body)}`).toContain(answer.status);
        errorBodySchema.parse(answer.body);
        expect(after.seq).toBe(stored.seq);
        outcomes.refused++;
      }
    });
    const result = await fc.check(property, { seed, numRuns, endOnFailure: true });
    if (result.failed) {
      throw new Error(
        `structure fuzz failed (seed ${seed}): ${String(result.errorInstance)}\n` +
          `replay: FIELDWISE_SEED=${seed} npx vitest run test/integration/hubFuzz.property.test.ts -t "structure-level"`,
      );
    }
    expect(outcomes.accepted).toBeGreaterThan(0);
    expect(outcomes.refused).toBeGreaterThan(0);
  }, 60_000);
});
