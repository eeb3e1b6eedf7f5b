// A client written from docs/PROTOCOL.md alone ("Record layouts"): every record type the hub takes
// from a client is built here with raw Yjs, part by part as the layout tables say (no record module,
// no mutator), pushed to a real hub on loopback through POST /v1/push, and read back from
// GET /v1/pull twice: the hub's own projection (`projections=1`) and the app's reader run on the
// pulled update. Each invariant a table names gets one state that breaks it, refused with the code
// the table gives, nothing stored.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { recordModules } from '../../shared/records/registry';
import type { RecordType } from '../../shared/records/recordType';
import { errorBodySchema, type JoinResponse } from '../../shared/sync/protocol';
import { startTestHub, type TestHub } from '../support/hub';
import { pull, push, type HubAnswer } from '../support/hubRequests';

const HOUR_MS = 3_600_000;
let hub: TestHub;
let sec: JoinResponse;
let alpha: JoinResponse;
let beta: JoinResponse;
const t0 = Date.now();

beforeAll(async () => {
  hub = await startTestHub();
  sec = await hub.join(hub.secretariatCode, 'secretariat desk');
  alpha = await hub.join(await hub.invite('Fengyu Farmers Cooperative'), 'fengyu laptop');
  beta = await hub.join(await hub.invite('Xishan Growers'), 'xishan laptop');
});

afterAll(async () => {
  await hub?.close();
});

// ---- the raw client ---------------------------------------------------------------------------

/** A new record's whole state, built in one transaction. */
function build(write: (doc: Y.Doc) => void): Uint8Array {
  const doc = new Y.Doc();
  doc.transact(() => write(doc));
  const update = Y.encodeStateAsUpdate(doc);
  doc.destroy();
  return update;
}

/** The record as `token` pulls it: its state (for changes) and the hub's projection. */
async function pulled(token: string, id: string): Promise<{ state: Uint8Array; projection: Record<string, unknown> }> {
  const answer = await pull(hub.url, token, 0);
  const record = answer.records.find((r) => r.meta.id === id);
  if (!record) throw new Error(`${id} was not pulled`);
  return { state: record.update, projection: record.meta.projection! };
}

/** The update `change` makes to the record as `token` pulls it. */
async function change(token: string, id: string, write: (doc: Y.Doc) => void): Promise<Uint8Array> {
  const doc = new Y.Doc();
  Y.applyUpdate(doc, (await pulled(token, id)).state);
  const before = Y.encodeStateVector(doc);
  doc.transact(() => write(doc));
  const update = Y.encodeStateAsUpdate(doc, before);
  doc.destroy();
  return update;
}

const send = (token: string, id: string, type: RecordType, update: Uint8Array) => push(hub.url, token, [{ id, type, update }]);

function expectAccepted(answer: HubAnswer): void {
  expect(answer.status, JSON.stringify(answer.body)).toBe(200);
}

/** Refused with this status and code (and field), and nothing of it stored. */
async function expectRefused(sending: () => Promise<HubAnswer>, id: string, status: number, code: string, field?: string): Promise<void> {
  const before = { seq: await hub.storage.lastSeq(), record: await hub.storage.getRecord(id) };
  const answer = await sending();
  expect({ status: answer.status, code: errorBodySchema.parse(answer.body).error.code }, JSON.stringify(answer.body)).toEqual({ status, code });
  if (field !== undefined) expect(answer.body).toMatchObject({ error: { field, recordId: id } });
  expect({ seq: await hub.storage.lastSeq(), record: await hub.storage.getRecord(id) }).toEqual(before);
}

/** The hub's projection and the app's reader on the pulled state both read `expected`, every field. */
async function expectReadBack(token: string, id: string, type: RecordType, expected: Record<string, unknown>): Promise<void> {
  const { state, projection } = await pulled(token, id);
  const doc = new Y.Doc();
  Y.applyUpdate(doc, state);
  const read = recordModules[type].read(doc) as unknown as Record<string, unknown>;
  doc.destroy();
  expect(read).toEqual(expected);
  expect(projection).toEqual(expected);
}

const setFields = (doc: Y.Doc, values: Record<string, unknown>) => {
  for (const [key, value] of Object.entries(values)) doc.getMap('fields').set(key, value);
};
const paragraphs = (fragment: Y.XmlFragment, lines: readonly string[]) => {
  fragment.insert(
    0,
    lines.map((line) => {
      const paragraph = new Y.XmlElement('paragraph');
      paragraph.insert(0, [new Y.XmlText(line)]);
      return paragraph;
    }),
  );
};
/** The same text as ProseMirror JSON blocks (a version's `rich`). */
const richParagraphs = (lines: readonly string[]) => lines.map((text) => ({ type: 'paragraph', content: [{ type: 'text', text }] }));

const allSections = [
  'context', 'approach', 'results', 'resourcesNeeded', 'lessonsLearned',
  'knowledge', 'holders', 'appliesWhen', 'passedOn', 'cautions',
  'whatHappens', 'whoIsAffected', 'whatWasTried', 'helpNeeded',
  'whatHappened', 'whatWeLearned', 'doDifferently',
  // The optional sections a network may turn on (PROTOCOL's template table): always read, empty when unwritten.
  'resourcePersons', 'introduction', 'costsAndLabour', 'spread',
];

// ---- org --------------------------------------------------------------------------------------

describe('org: the profile the hub made at the invitation, filled in by its organization', () => {
  it('takes every part as the table says and reads it back', async () => {
    const id = alpha.org.id;
    const created = (await pulled(alpha.token, id)).projection;
    const at = t0 + 1;
    const values = {
      name: 'Fengyu Farmers Co-operative',
      region: ['云南省', '大理州'],
      coordinates: { lat: 25.6, lon: 100.2 },
      staffSize: 12,
      stage: 'growing',
      selfAssessment: { answers: { 'q-water': 'a-some' }, at, byOrg: id },
      contact: { person: 'He Lan', phone: '+86 871 0000', email: 'helan@example.org' },
      updatedAt: at,
    };
    expectAccepted(
      await send(alpha.token, id, 'org', await change(alpha.token, id, (doc) => {
        setFields(doc, values);
        doc.getMap('set.capabilities').set('seed saving', true);
        doc.getMap('set.capabilities').set('drip irrigation', true);
        doc.getMap('set.topics').set('water', true);
        doc.getArray('log.stageHistory').push([{ stage: 'growing', at, byOrg: id }]);
      })),
    );
    await expectReadBack(beta.token, id, 'org', {
      ...values,
      capabilities: ['drip irrigation', 'seed saving'],
      topics: ['water'],
      stageHistory: [{ stage: 'growing', at, byOrg: id }],
      createdAt: created['createdAt'],
    });
  });

  it('refuses an empty name (422 name), a contact missing a key (422 contact), another organization’s name (409 name-taken) and a step in another’s name (403)', async () => {
    const id = alpha.org.id;
    await expectRefused(async () => send(alpha.token, id, 'org', await change(alpha.token, id, (doc) => setFields(doc, { name: ' ' }))), id, 422, 'invariant-violated', 'name');
    await expectRefused(async () => send(alpha.token, id, 'org', await change(alpha.token, id, (doc) => setFields(doc, { contact: { person: 'He Lan' } }))), id, 422, 'invariant-violated', 'contact');
    await expectRefused(async () => send(alpha.token, id, 'org', await change(alpha.token, id, (doc) => setFields(doc, { name: 'XISHAN  Growers' }))), id, 409, 'name-taken');
    await expectRefused(
      async () => send(alpha.token, id, 'org', await change(alpha.token, id, (doc) => doc.getArray('log.stageHistory').push([{ stage: 'mature', at: t0, byOrg: beta.org.id }]))),
      id,
      403,
      'forbidden',
    );
    // Another member may not edit the profile at all; nor may a client add a top-level type.
    await expectRefused(async () => send(beta.token, id, 'org', await change(beta.token, id, (doc) => setFields(doc, { staffSize: 1 }))), id, 403, 'forbidden');
    await expectRefused(async () => send(alpha.token, id, 'org', await change(alpha.token, id, (doc) => doc.getMap('notes').set('x', 1))), id, 400, 'bad-structure');
  });
});

// ---- entry, its review notes and its review ---------------------------------------------------

const ENTRY = 'entry-layout-1';
const knowledge = ['Swallows flying low mean rain within two days.', 'Sow after the second low flight.'];
const bodyText = ['Told by the Fengyu elders each spring.'];
const entryFields = {
  kind: 'local-wisdom',
  title: 'Reading the swallows before the rains',
  summary: 'When to sow, from the swallows',
  topic: 'seed saving',
  author: 'He Lan',
  region: ['云南省', '大理州', '洱源县'],
  language: 'zh-CN',
  attribution: {
    holderKind: 'community',
    holderName: 'Fengyu village elders',
    consent: 'community-approved',
    consentRecord: { givenBy: 'Elder He', givenAt: Date.UTC(2026, 2, 1), how: 'spoken', use: 'network library and reports' },
  },
  licence: { id: 'cc-by-nc-4.0', conditions: '' },
  translation: null,
  sharing: 'network',
  status: 'shared',
  createdAt: t0,
  updatedAt: t0,
};
const photo = {
  kind: 'photo',
  name: 'swallows.jpg',
  caption: 'Swallows over the paddy',
  consent: 'given',
  keepsLocation: false,
  widthPx: 4000,
  heightPx: 3000,
  addedAt: t0,
  addedBy: '',
  ref: {
    sha256: 'a'.repeat(64),
    sizeBytes: 2_000_000,
    mediaType: 'image/jpeg',
    variants: { thumbnail: { sha256: 'b'.repeat(64), sizeBytes: 12_000, mediaType: 'image/jpeg' } },
  },
};
const version = {
  kind: 'local-wisdom',
  title: entryFields.title,
  summary: entryFields.summary,
  sections: { knowledge: knowledge.join('\n') },
  body: bodyText.join('\n'),
  rich: { body: richParagraphs(bodyText), sections: { knowledge: richParagraphs(knowledge) } },
};

describe('entry: fields, fragments, set, maps, and the review logs', () => {
  let submission: Record<string, unknown>;

  it('takes a shared entry submitted for review in its first push and reads every field back', async () => {
    const by = alpha.org.id;
    submission = { kind: 'submitted', id: 'fengyu-laptop:1', byOrg: by, role: 'member', at: t0, note: '', version };
    const update = build((doc) => {
      setFields(doc, entryFields);
      paragraphs(doc.getXmlFragment('body'), bodyText);
      paragraphs(doc.getXmlFragment('section.knowledge'), knowledge);
      doc.getMap('set.tags').set('rain', true);
      doc.getMap('set.tags').set('sowing', true);
      doc.getMap('map.labels').set('tk-seasonal', { en: 'Told before the spring sowing', zh: '只在春播前讲述' });
      doc.getMap('map.attachments').set('photo-1', { ...photo, addedBy: by });
      doc.getArray('log.authorSteps').push([submission]);
    });
    expectAccepted(await send(alpha.token, ENTRY, 'entry', update));
    const { createdAt, updatedAt, ...plain } = entryFields;
    await expectReadBack(sec.token, ENTRY, 'entry', {
      ...plain,
      body: bodyText.join('\n'),
      sections: Object.fromEntries(allSections.map((name) => [name, name === 'knowledge' ? knowledge.join('\n') : ''])),
      tags: ['rain', 'sowing'],
      labels: [{ id: 'tk-seasonal', texts: { en: 'Told before the spring sowing', zh: '只在春播前讲述' } }],
      attachments: [{ id: 'photo-1', ...photo, addedBy: by }],
      reviewNotes: [],
      authorSteps: [submission],
      reviewSteps: [],
      createdAt,
      updatedAt,
    });
  });

  it('takes the secretariat’s review note and endorsement, and the entry reads endorsed', async () => {
    const by = sec.org.id;
    const note = { byOrg: by, role: 'secretariat', at: t0 + 10, text: 'Which month is the second flight?' };
    const endorsement = { kind: 'endorsed', id: 'secretariat-desk:2', byOrg: by, role: 'secretariat', at: t0 + 11, note: '', submissionId: 'fengyu-laptop:1', version };
    expectAccepted(
      await send(sec.token, ENTRY, 'entry', await change(sec.token, ENTRY, (doc) => {
        doc.getArray('log.reviewNotes').push([note]);
        doc.getArray('log.reviewSteps').push([endorsement]);
        setFields(doc, { status: 'endorsed', updatedAt: t0 + 11 });
      })),
    );
    const { projection } = await pulled(alpha.token, ENTRY);
    expect(projection).toMatchObject({ status: 'endorsed', reviewNotes: [note], reviewSteps: [endorsement], authorSteps: [submission], updatedAt: t0 + 11 });
  });

  it('refuses a review note in another’s name (403), one by the owner (403), a submission that is not the entry’s text (403), and a new entry shared with consent pending (422 sharing)', async () => {
    await expectRefused(
      async () => send(sec.token, ENTRY, 'entry', await change(sec.token, ENTRY, (doc) => doc.getArray('log.reviewNotes').push([{ byOrg: alpha.org.id, role: 'member', at: t0, text: 'Looks fine' }]))),
      ENTRY,
      403,
      'forbidden',
    );
    await expectRefused(
      async () => send(alpha.token, ENTRY, 'entry', await change(alpha.token, ENTRY, (doc) => doc.getArray('log.reviewNotes').push([{ byOrg: alpha.org.id, role: 'member', at: t0, text: 'Self-review' }]))),
      ENTRY,
      403,
      'forbidden',
    );
    await expectRefused(
      async () =>
        send(alpha.token, ENTRY, 'entry', await change(alpha.token, ENTRY, (doc) =>
          doc.getArray('log.authorSteps').push([{ ...submission, id: 'fengyu-laptop:3', version: { ...version, title: 'Another title' } }]),
        )),
      ENTRY,
      403,
      'forbidden',
    );
    const pending = 'entry-layout-pending';
    await expectRefused(
      () => send(alpha.token, pending, 'entry', build((doc) => setFields(doc, { ...entryFields, attribution: { holderKind: 'person', holderName: '', consent: 'pending' } }))),
      pending,
      422,
      'invariant-violated',
      'sharing',
    );
  });
});

// ---- draft ------------------------------------------------------------------------------------

describe("draft: the author's draft of its endorsed entry, never another organization's to read", () => {
  const DRAFT = `draft~${ENTRY}`;
  const values = { draftOf: ENTRY, sharing: 'private', kind: 'local-wisdom', title: 'Swallows and snow', summary: 'Low swallows before snow too.', createdAt: t0 + 11, updatedAt: t0 + 12 };
  const draftBody = ['The swallows fly low before snow as well.'];

  it('takes the draft of its own endorsed entry, reads every field back, and serves it to no other organization', async () => {
    expectAccepted(
      await send(alpha.token, DRAFT, 'draft', build((doc) => {
        setFields(doc, values);
        paragraphs(doc.getXmlFragment('body'), draftBody);
        paragraphs(doc.getXmlFragment('section.knowledge'), knowledge);
      })),
    );
    const { createdAt, updatedAt, ...plain } = values;
    await expectReadBack(alpha.token, DRAFT, 'draft', {
      ...plain,
      body: draftBody.join('\n'),
      sections: Object.fromEntries(allSections.map((name) => [name, name === 'knowledge' ? knowledge.join('\n') : ''])),
      createdAt,
      updatedAt,
    });
    for (const other of [beta, sec]) expect((await pull(hub.url, other.token, 0)).records.map((r) => r.meta.id)).not.toContain(DRAFT);
  });

  it('refuses a draft that is not private (422 sharing), an empty title (422 title), an id not draft~<its entry> (400 wrong-id) and a draft of another organization’s entry (400 wrong-id)', async () => {
    await expectRefused(async () => send(alpha.token, DRAFT, 'draft', await change(alpha.token, DRAFT, (doc) => setFields(doc, { sharing: 'network' }))), DRAFT, 422, 'invariant-violated', 'sharing');
    await expectRefused(async () => send(alpha.token, DRAFT, 'draft', await change(alpha.token, DRAFT, (doc) => setFields(doc, { title: '' }))), DRAFT, 422, 'invariant-violated', 'title');
    const elsewhere = 'draft~entry-layout-elsewhere';
    await expectRefused(() => send(alpha.token, elsewhere, 'draft', build((doc) => setFields(doc, values))), elsewhere, 400, 'wrong-id');
    const betasEntry = 'entry-layout-beta';
    expectAccepted(await send(beta.token, betasEntry, 'entry', build((doc) => setFields(doc, entryFields))));
    const betasDraft = `draft~${betasEntry}`;
    await expectRefused(() => send(alpha.token, betasDraft, 'draft', build((doc) => setFields(doc, { ...values, draftOf: betasEntry }))), betasDraft, 400, 'wrong-id');
  });
});

// ---- comment ----------------------------------------------------------------------------------

const COMMENT = 'comment-layout-1';

describe('comment: on the entry, hidden by the secretariat', () => {
  it('takes a suggestion signed with its own organization’s name, and the secretariat’s moderation', async () => {
    const values = { targetId: ENTRY, parentId: null, kind: 'suggestion', text: 'Add the month of the second flight.', authorName: 'Xishan Growers', hidden: null, createdAt: t0, updatedAt: t0 };
    expectAccepted(await send(beta.token, COMMENT, 'comment', build((doc) => setFields(doc, values))));
    await expectReadBack(alpha.token, COMMENT, 'comment', values);
    const hidden = { reason: 'Posted twice', byOrg: sec.org.id, at: t0 + 20 };
    expectAccepted(await send(sec.token, COMMENT, 'comment', await change(sec.token, COMMENT, (doc) => setFields(doc, { hidden, updatedAt: t0 + 20 }))));
    await expectReadBack(beta.token, COMMENT, 'comment', { ...values, hidden, updatedAt: t0 + 20 });
  });

  it('refuses an empty text (422 text), another organization’s name (403) and a moderation by a member (403)', async () => {
    const other = 'comment-layout-2';
    const values = { targetId: ENTRY, parentId: COMMENT, kind: 'comment', text: 'Agreed', authorName: '', hidden: null, createdAt: t0, updatedAt: t0 };
    await expectRefused(() => send(beta.token, other, 'comment', build((doc) => setFields(doc, { ...values, text: '' }))), other, 422, 'invariant-violated', 'text');
    await expectRefused(() => send(beta.token, other, 'comment', build((doc) => setFields(doc, { ...values, authorName: 'Fengyu Farmers Cooperative' }))), other, 403, 'forbidden');
    expectAccepted(await send(beta.token, other, 'comment', build((doc) => setFields(doc, values))));
    await expectRefused(
      async () => send(beta.token, other, 'comment', await change(beta.token, other, (doc) => setFields(doc, { hidden: { reason: 'mine', byOrg: beta.org.id, at: t0 } }))),
      other,
      403,
      'forbidden',
    );
  });

  it('stores a `fields` key no table lists, and nobody reads it', async () => {
    const id = 'comment-layout-3';
    const values = { targetId: ENTRY, parentId: null, kind: 'comment', text: 'Thank you', authorName: '', hidden: null, createdAt: t0, updatedAt: t0 };
    expectAccepted(await send(beta.token, id, 'comment', build((doc) => setFields(doc, { ...values, mood: 'grateful' }))));
    await expectReadBack(beta.token, id, 'comment', values);
  });
});

// ---- offer and interest -----------------------------------------------------------------------

const OFFER = 'offer-layout-1';
const offerValues = {
  title: 'Seed bank training',
  kind: 'training',
  description: 'Three days in Dali.',
  eligibility: { stages: ['seed', 'growing'], regions: [['云南省']], capabilities: ['seed saving'], minStaff: 1, maxStaff: null },
  places: 20,
  opensAt: t0 - HOUR_MS,
  closesAt: t0 + 30 * 24 * HOUR_MS,
  state: 'published',
  closure: null,
  createdAt: t0,
  updatedAt: t0,
};

describe('offer: published and closed by the secretariat', () => {
  it('takes an offer born published and reads it back', async () => {
    expectAccepted(await send(sec.token, OFFER, 'offer', build((doc) => setFields(doc, offerValues))));
    await expectReadBack(alpha.token, OFFER, 'offer', offerValues);
  });

  it('refuses a window that closes as it opens (422 closesAt), eligibility missing a key (422 eligibility), a member’s offer (403) and closing without a reason (422 closure)', async () => {
    const other = 'offer-layout-2';
    await expectRefused(() => send(sec.token, other, 'offer', build((doc) => setFields(doc, { ...offerValues, closesAt: offerValues.opensAt }))), other, 422, 'invariant-violated', 'closesAt');
    await expectRefused(
      () => send(sec.token, other, 'offer', build((doc) => setFields(doc, { ...offerValues, eligibility: { stages: [], regions: [], capabilities: [] } }))),
      other,
      422,
      'invariant-violated',
      'eligibility',
    );
    await expectRefused(() => send(alpha.token, other, 'offer', build((doc) => setFields(doc, offerValues))), other, 403, 'forbidden');
    await expectRefused(async () => send(sec.token, OFFER, 'offer', await change(sec.token, OFFER, (doc) => setFields(doc, { state: 'closed' }))), OFFER, 422, 'invariant-violated', 'closure');
  });
});

describe('interest: expressed by an organization, moved by the secretariat', () => {
  const id = () => `interest~${OFFER}~${alpha.org.id}`;

  it('takes an interest under its derived id with its first step, and reads it back', async () => {
    const step = { stage: 'new', byOrg: alpha.org.id, at: t0, note: '' };
    const values = { offerId: OFFER, message: 'Two of our staff would come.', stage: 'new', createdAt: t0, updatedAt: t0 };
    expectAccepted(
      await send(alpha.token, id(), 'interest', build((doc) => {
        setFields(doc, values);
        doc.getArray('log.steps').push([step]);
      })),
    );
    await expectReadBack(sec.token, id(), 'interest', { ...values, steps: [step] });
  });

  it('refuses an id that is not the derived one (400 wrong-id), another organization’s interest (403), a move by the member (403) and a decline without a reason (422 steps)', async () => {
    const values = { offerId: OFFER, message: '', stage: 'new', createdAt: t0, updatedAt: t0 };
    await expectRefused(() => send(alpha.token, 'interest-free-id', 'interest', build((doc) => setFields(doc, values))), 'interest-free-id', 400, 'wrong-id');
    const betas = `interest~${OFFER}~${beta.org.id}`;
    await expectRefused(() => send(alpha.token, betas, 'interest', build((doc) => setFields(doc, values))), betas, 403, 'forbidden');
    const move = (by: string, note: string) => (doc: Y.Doc) => {
      setFields(doc, { stage: 'declined', updatedAt: t0 + 30 });
      doc.getArray('log.steps').push([{ stage: 'declined', from: 'new', byOrg: by, at: t0 + 30, note }]);
    };
    await expectRefused(async () => send(alpha.token, id(), 'interest', await change(alpha.token, id(), move(alpha.org.id, 'never mind'))), id(), 403, 'forbidden');
    await expectRefused(async () => send(sec.token, id(), 'interest', await change(sec.token, id(), move(sec.org.id, ''))), id(), 422, 'invariant-violated', 'steps');
    expectAccepted(await send(sec.token, id(), 'interest', await change(sec.token, id(), move(sec.org.id, 'The places went to first-year members.'))));
    expect((await pulled(alpha.token, id())).projection).toMatchObject({ stage: 'declined', steps: [{ stage: 'new' }, { stage: 'declined', from: 'new', note: 'The places went to first-year members.' }] });
  });
});

// ---- proposal and ballots ---------------------------------------------------------------------

const PROPOSAL = 'proposal-layout-1';
const proposalValues = {
  title: 'Pool the seed fund',
  options: [
    { id: 'yes', label: 'Pool it' },
    { id: 'no', label: 'Keep it apart' },
  ],
  method: 'single',
  maxChoices: 1,
  blocksCount: true,
  eligible: { kind: 'all-members' },
  opensAt: t0 - HOUR_MS,
  closesAt: t0 + 2 * HOUR_MS,
  quorum: 0,
  threshold: 0.5,
  secrecy: 'open',
  resultsVisibility: 'live',
  graceHours: 0,
  state: 'draft',
  eligibleOrgIds: null,
  outcome: null,
  createdAt: t0,
  updatedAt: t0,
};
const description = ['The fund would buy seed for every member.'];

describe('proposal: drafted, opened and revised by the secretariat', () => {
  it('takes a draft and reads every field back', async () => {
    expectAccepted(
      await send(sec.token, PROPOSAL, 'proposal', build((doc) => {
        setFields(doc, proposalValues);
        paragraphs(doc.getXmlFragment('description'), description);
      })),
    );
    await expectReadBack(alpha.token, PROPOSAL, 'proposal', { ...proposalValues, description: description.join('\n'), version: 1, history: [], stateChanges: [], outcomeRevisions: [] });
  });

  it('refuses a `fields` key named after a projected field that lives elsewhere, unless it reads the same (422 version, 422 description)', async () => {
    const other = 'proposal-layout-2';
    await expectRefused(() => send(sec.token, other, 'proposal', build((doc) => setFields(doc, { ...proposalValues, version: 7 }))), other, 422, 'invariant-violated', 'version');
    await expectRefused(() => send(sec.token, other, 'proposal', build((doc) => setFields(doc, { ...proposalValues, description: 'As plain text' }))), other, 422, 'invariant-violated', 'description');
  });

  it('refuses opening with voters other than the hub’s (409 eligibility-mismatch), then takes the opening with the voters and its reason', async () => {
    const open = (voters: string[]) => (doc: Y.Doc) => {
      setFields(doc, { state: 'open', eligibleOrgIds: voters, updatedAt: t0 + 40 });
      doc.getArray('log.stateChanges').push([{ state: 'open', reason: 'Discussed at the spring meeting', orgId: sec.org.id, at: t0 + 40 }]);
    };
    await expectRefused(async () => send(sec.token, PROPOSAL, 'proposal', await change(sec.token, PROPOSAL, open([alpha.org.id]))), PROPOSAL, 409, 'eligibility-mismatch');
    const voters = [alpha.org.id, beta.org.id].sort();
    expectAccepted(await send(sec.token, PROPOSAL, 'proposal', await change(sec.token, PROPOSAL, open(voters))));
    expect((await pulled(alpha.token, PROPOSAL)).projection).toMatchObject({ state: 'open', eligibleOrgIds: voters, stateChanges: [{ state: 'open', orgId: sec.org.id }] });
  });

  it('refuses a locked term (409 terms-locked) and a versioned term changed without its history entry (422 version-unrecorded); takes it with one, as version 2', async () => {
    await expectRefused(async () => send(sec.token, PROPOSAL, 'proposal', await change(sec.token, PROPOSAL, (doc) => setFields(doc, { quorum: 0.5 }))), PROPOSAL, 409, 'terms-locked');
    const title = 'Pool the seed fund for two years';
    await expectRefused(async () => send(sec.token, PROPOSAL, 'proposal', await change(sec.token, PROPOSAL, (doc) => setFields(doc, { title }))), PROPOSAL, 422, 'version-unrecorded');
    const entry = { orgId: sec.org.id, deviceId: 'secretariat-desk', at: t0 + 50, changes: [{ field: 'title', before: proposalValues.title, after: title }], note: 'Two years, as asked' };
    expectAccepted(
      await send(sec.token, PROPOSAL, 'proposal', await change(sec.token, PROPOSAL, (doc) => {
        setFields(doc, { title, updatedAt: t0 + 50 });
        doc.getArray('log.history').push([entry]);
      })),
    );
    expect((await pulled(beta.token, PROPOSAL)).projection).toMatchObject({ title, version: 2, history: [entry] });
  });
});

describe('ballot: an organization’s own cast, and a facilitator’s', () => {
  const ballotId = (orgId: string) => `ballot~${PROPOSAL}~${orgId}`;
  const salt = '0123456789abcdef0123456789abcdef';

  it('takes a cast on the current version and reads every field back', async () => {
    const choice = { method: 'single', optionId: 'yes' };
    const at = Date.now();
    const revision = { deviceId: 'fengyu-laptop', at, choice, reason: 'We need the seed', proposalVersion: 2 };
    const values = { proposalId: PROPOSAL, isSecret: false, isWithheld: false, receiptSalt: salt, choice, castAt: at, createdAt: at, updatedAt: at };
    expectAccepted(
      await send(alpha.token, ballotId(alpha.org.id), 'ballot', build((doc) => {
        setFields(doc, values);
        doc.getArray('log.revisions').push([revision]);
      })),
    );
    await expectReadBack(alpha.token, ballotId(alpha.org.id), 'ballot', { ...values, revisions: [revision], facilitated: [] });
  });

  it('takes a facilitator’s cast for an organization that has cast none, into `log.facilitated` alone', async () => {
    const at = Date.now();
    const cast = { deviceId: 'secretariat-desk', at, choice: { method: 'single', optionId: 'no' }, reason: '', proposalVersion: 2, byOrgId: sec.org.id, channel: 'phone', witness: 'Li Wei' };
    const values = { proposalId: PROPOSAL, isSecret: false, isWithheld: false, receiptSalt: salt.split('').reverse().join(''), createdAt: at, updatedAt: at };
    expectAccepted(
      await send(sec.token, ballotId(beta.org.id), 'ballot', build((doc) => {
        setFields(doc, values);
        doc.getArray('log.facilitated').push([cast]);
      })),
    );
    await expectReadBack(beta.token, ballotId(beta.org.id), 'ballot', { ...values, choice: null, castAt: null, revisions: [], facilitated: [cast] });
  });

  it('refuses an option the proposal has not (422 invalid-choice), a ballot that does not say it is open (422 secrecy-mismatch), and another id (400 wrong-id)', async () => {
    const id = ballotId(alpha.org.id);
    const bad = { method: 'single', optionId: 'maybe' };
    await expectRefused(
      async () =>
        send(alpha.token, id, 'ballot', await change(alpha.token, id, (doc) => {
          const at = Date.now() + 1;
          setFields(doc, { choice: bad, castAt: at });
          doc.getArray('log.revisions').push([{ deviceId: 'fengyu-laptop', at, choice: bad, reason: '', proposalVersion: 2 }]);
        })),
      id,
      422,
      'invalid-choice',
    );
    await expectRefused(async () => send(alpha.token, id, 'ballot', await change(alpha.token, id, (doc) => doc.getMap('fields').delete('isSecret'))), id, 422, 'secrecy-mismatch');
    const free = `ballot~${PROPOSAL}~${alpha.org.id}~x`;
    await expectRefused(() => send(alpha.token, free, 'ballot', build((doc) => setFields(doc, { proposalId: PROPOSAL, isSecret: false, receiptSalt: salt }))), free, 403, 'forbidden');
    await expectRefused(() => send(alpha.token, 'ballot-free-id', 'ballot', build((doc) => setFields(doc, { proposalId: PROPOSAL, isSecret: false, receiptSalt: salt }))), 'ballot-free-id', 400, 'wrong-id');
  });
});

// ---- network and result -----------------------------------------------------------------------

describe('network: the one record the hub made, edited by the secretariat', () => {
  it('takes the secretariat’s edit of its plain fields and reads it back', async () => {
    const before = (await pulled(sec.token, 'network')).projection;
    const values = {
      name: 'Dianxi farming network',
      topic: 'Smallholder farming',
      topics: ['seed saving', 'water'],
      stages: [
        { id: 'seed', label: 'Seed' },
        { id: 'growing', label: 'Growing' },
      ],
      regions: [['云南省'], ['云南省', '大理州']],
      regionTree: [
        { id: 'yn', parentId: null, level: 'province', names: { zh: '云南省', en: 'Yunnan' } },
        { id: 'yn-dl', parentId: 'yn', level: 'prefecture', names: { zh: '大理州', en: 'Dali' } },
      ],
      assessment: {
        questions: [{ id: 'q-water', text: 'Do you keep water records?', weight: 1, answers: [{ id: 'a-some', text: 'Some', points: 1 }] }],
        thresholds: [{ stage: 'growing', minPoints: 1 }],
      },
      maxAttachmentBytes: 10 * 1024 * 1024,
      updatedAt: t0 + 60,
    };
    expectAccepted(await send(sec.token, 'network', 'network', await change(sec.token, 'network', (doc) => setFields(doc, values))));
    await expectReadBack(alpha.token, 'network', 'network', { ...before, ...values });
    expect(before['members']).toEqual(expect.arrayContaining([{ orgId: alpha.org.id, name: 'Fengyu Farmers Cooperative', role: 'member' }]));
    expect(before['hubKey']).toMatch(/^[0-9a-f]{64}$/);
  });

  it('refuses a client’s hub key (403), a size the hub cannot take (422 maxAttachmentBytes), a member’s edit (403) and a second network (400 wrong-id)', async () => {
    await expectRefused(async () => send(sec.token, 'network', 'network', await change(sec.token, 'network', (doc) => setFields(doc, { hubKey: 'c'.repeat(64) }))), 'network', 403, 'forbidden');
    await expectRefused(
      async () => send(sec.token, 'network', 'network', await change(sec.token, 'network', (doc) => setFields(doc, { maxAttachmentBytes: 10 }))),
      'network',
      422,
      'invariant-violated',
      'maxAttachmentBytes',
    );
    await expectRefused(async () => send(alpha.token, 'network', 'network', await change(alpha.token, 'network', (doc) => setFields(doc, { topic: 'ours' }))), 'network', 403, 'forbidden');
    await expectRefused(() => send(sec.token, 'network-2', 'network', build((doc) => setFields(doc, { name: 'Another' }))), 'network-2', 400, 'wrong-id');
  });
});

describe('result: written by the hub alone', () => {
  it('refuses a client’s result, the secretariat’s too (403)', async () => {
    const id = `result~${PROPOSAL}`;
    await expectRefused(() => send(sec.token, id, 'result', build((doc) => setFields(doc, { payload: '{}', signature: 'd'.repeat(128), hubKey: 'c'.repeat(64) }))), id, 403, 'forbidden');
  });
});
