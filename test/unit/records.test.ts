// The record modules of shared/records/: create -> encode -> apply into a fresh doc -> read, the
// typed mutators, input errors that name the field, tolerant reads of garbage content, the actions
// a change needs, and convergence of concurrent edits made on two devices.
import { describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { ballot, ballotId, ballotMutators, type Choice } from '../../shared/records/ballot';
import { comment, commentMutators } from '../../shared/records/comment';
import { entry, entryFragmentNames, entryMutators, type EntryInput } from '../../shared/records/entry';
import { entryReviewMutators } from '../../shared/records/entryReview';
import { optionalSections, templateSections } from '../../shared/records/entryTemplates';
import { interest, interestId, interestMutators } from '../../shared/records/interest';
import { fields } from '../../shared/records/layout';
import { network, networkMutators } from '../../shared/records/network';
import { offer, offerMutators } from '../../shared/records/offer';
import { org, orgMutators } from '../../shared/records/org';
import { proposal, proposalMutators } from '../../shared/records/proposal';
import { RecordInputError } from '../../shared/records/recordError';
import type { Action, EditContext, Mutator, RecordModule, Timestamps } from '../../shared/records/recordModule';
import { recordTypes, type RecordType } from '../../shared/records/recordType';
import { moduleFor, type InputTypes } from '../../shared/records/registry';
import { result, resultId } from '../../shared/records/result';
import { sealedDecision, sealPayload } from '../../shared/governance/sealedDecision';

const T0 = Date.UTC(2025, 2, 1, 8, 0, 0);
const HOUR_MS = 60 * 60 * 1000;
const DAY_MS = 24 * HOUR_MS;

const secretariat: EditContext = { orgId: 'org-secretariat', deviceId: 'dev-sec-laptop', role: 'secretariat', now: T0 };
const steward: EditContext = { orgId: 'org-guizhou-seeds', deviceId: 'dev-gz-laptop', role: 'steward', now: T0 };
const member: EditContext = { orgId: 'org-erhai', deviceId: 'dev-erhai-laptop', role: 'member', now: T0 };
const memberSecondLaptop: EditContext = { ...member, deviceId: 'dev-erhai-field-laptop' };

const later = (ctx: EditContext, afterMs: number): EditContext => ({ ...ctx, now: ctx.now + afterMs });

const PROPOSAL_ID = 'proposal-training-2025';
const OFFER_ID = 'offer-small-grants-2025';
const REGION = ['云南省', '大理州', '洱源县'];

const entryInput = {
  kind: 'local-wisdom',
  title: '用草木灰防治菜虫',
  summary: '草木灰撒在叶面上，可以驱赶小菜蛾和蚜虫，不用农药。',
  body: '清晨露水未干时，把过筛的草木灰薄薄撒在菜叶上。\n雨后要重新撒一次。',
  sections: { context: '洱源县海拔两千米以上的菜园，虫害多发在五月。', approach: '每亩约用草木灰十五公斤。' },
  tags: ['病虫害', '草木灰'],
  topic: '生态农业',
  region: REGION,
  language: 'zh-CN',
  author: '李梅',
  attribution: { holderKind: 'person', holderName: '杨阿婆', consent: 'credit-by-name' },
  sharing: 'network',
} satisfies EntryInput;

const proposalInput = {
  title: '2025年度培训主题',
  description: '请各成员机构为明年的三次集中培训排序。',
  options: [
    { id: 'soil', label: '土壤健康' },
    { id: 'seed', label: '种子保存' },
    { id: 'market', label: '市场对接' },
  ],
  method: 'ranked',
  maxChoices: 3,
  opensAt: T0,
  closesAt: T0 + 14 * DAY_MS,
  quorum: 0.5,
  threshold: 0.5,
  secrecy: 'secret',
} satisfies InputTypes['proposal'];

const offerInput = {
  title: '小额资助：生态种植试点',
  kind: 'funding',
  description: '为起步阶段的合作社提供一年期试点资金。',
  eligibility: { stages: ['seed', 'growing'], regions: [['云南省']], capabilities: ['堆肥'], minStaff: 3, maxStaff: 50 },
  places: 10,
  opensAt: T0,
  closesAt: T0 + 30 * DAY_MS,
} satisfies InputTypes['offer'];

/** A realistic create input for each type, the context creating it, and what its projection holds. */
const cases: { [T in RecordType]: { input: InputTypes[T]; ctx: EditContext; expected: Record<string, unknown> } } = {
  network: {
    ctx: secretariat,
    input: {
      name: '西南生态农业网络',
      topic: '生态农业与乡村发展',
      stages: [
        { id: 'seed', label: '起步' },
        { id: 'growing', label: '成长' },
        { id: 'established', label: '成熟' },
      ],
      regions: [['云南省'], ['贵州省', '黔东南州']],
      members: [
        { orgId: 'org-erhai', name: '洱海生态农业合作社', role: 'member' },
        { orgId: 'org-secretariat', name: '网络秘书处', role: 'secretariat' },
      ],
    },
    expected: {
      name: '西南生态农业网络',
      stages: [
        { id: 'seed', label: '起步' },
        { id: 'growing', label: '成长' },
        { id: 'established', label: '成熟' },
      ],
      members: [
        { orgId: 'org-erhai', name: '洱海生态农业合作社', role: 'member' },
        { orgId: 'org-secretariat', name: '网络秘书处', role: 'secretariat' },
      ],
    },
  },
  org: {
    ctx: member,
    input: {
      name: '洱海生态农业合作社',
      region: REGION,
      coordinates: { lat: 26.11, lon: 99.95 },
      capabilities: ['农民培训', '堆肥'],
      staffSize: 12,
      stage: 'growing',
      topics: ['生态农业'],
      contact: { person: '李梅', phone: '+86 872 555 0101', email: 'limei@erhai-coop.example' },
    },
    expected: {
      name: '洱海生态农业合作社',
      region: REGION,
      coordinates: { lat: 26.11, lon: 99.95 },
      capabilities: ['农民培训', '堆肥'].sort(),
      stage: 'growing',
      stageHistory: [{ stage: 'growing', at: T0, byOrg: member.orgId }],
      contact: { person: '李梅', phone: '+86 872 555 0101', email: 'limei@erhai-coop.example' },
    },
  },
  entry: {
    ctx: member,
    input: entryInput,
    expected: {
      kind: 'local-wisdom',
      title: '用草木灰防治菜虫',
      body: '清晨露水未干时，把过筛的草木灰薄薄撒在菜叶上。\n雨后要重新撒一次。',
      sections: {
        context: '洱源县海拔两千米以上的菜园，虫害多发在五月。',
        approach: '每亩约用草木灰十五公斤。',
        results: '',
        resourcesNeeded: '',
        lessonsLearned: '',
      },
      tags: ['病虫害', '草木灰'].sort(),
      region: REGION,
      language: 'zh-CN',
      attribution: { holderKind: 'person', holderName: '杨阿婆', consent: 'credit-by-name' },
      sharing: 'network',
      status: 'shared',
      reviewNotes: [],
    },
  },
  proposal: {
    ctx: steward,
    input: proposalInput,
    expected: {
      title: '2025年度培训主题',
      description: '请各成员机构为明年的三次集中培训排序。',
      method: 'ranked',
      options: proposalInput.options,
      maxChoices: 3,
      secrecy: 'secret',
      eligible: { kind: 'all-members' },
      graceHours: 72,
      state: 'draft',
    },
  },
  ballot: {
    ctx: member,
    input: { proposalId: PROPOSAL_ID, isSecret: true },
    expected: { proposalId: PROPOSAL_ID, isSecret: true, choice: null, castAt: null, revisions: [] },
  },
  comment: {
    ctx: member,
    input: { targetId: PROPOSAL_ID, kind: 'suggestion', text: '建议把种子保存放在第一位。', authorName: '李梅' },
    expected: { targetId: PROPOSAL_ID, parentId: null, kind: 'suggestion', text: '建议把种子保存放在第一位。', hidden: null },
  },
  offer: {
    ctx: secretariat,
    input: offerInput,
    expected: { title: '小额资助：生态种植试点', kind: 'funding', eligibility: offerInput.eligibility, places: 10, state: 'draft' },
  },
  interest: {
    ctx: member,
    input: { offerId: OFFER_ID, message: '我们希望在洱源县开展草木灰防虫试点。' },
    expected: {
      offerId: OFFER_ID,
      message: '我们希望在洱源县开展草木灰防虫试点。',
      stage: 'new',
      steps: [{ stage: 'new', byOrg: 'org-erhai', at: T0, note: '' }],
    },
  },
  result: {
    // Only the hub writes results; the record module itself takes any well-formed sealed payload.
    ctx: secretariat,
    input: { payload: resultPayload(), signature: 'ab'.repeat(64), hubKey: 'cd'.repeat(32) },
    expected: { proposalId: PROPOSAL_ID, sealedAt: T0 + 20 * DAY_MS, eligibleOrgIds: ['org-erhai'], signature: 'ab'.repeat(64), hubKey: 'cd'.repeat(32) },
  },
  draft: {
    // The author's draft of an endorsed entry, started from the entry's text (entryDraft.ts).
    ctx: member,
    input: { draftOf: 'entry-1', version: { kind: 'practice', title: '稻鸭共作', summary: '鸭子除草。', sections: { approach: '每亩放鸭十五只。' }, body: '全文。' }, at: T0 },
    expected: { draftOf: 'entry-1', sharing: 'private', kind: 'practice', title: '稻鸭共作', summary: '鸭子除草。', body: '全文。' },
  },
};

function resultPayload(): string {
  const proposed = proposal.read(createdDoc(proposal, proposalInput, secretariat));
  const revisions = [{ deviceId: member.deviceId, at: T0 + DAY_MS, choice: { method: 'ranked', ranking: ['seed', 'soil'] } as Choice }];
  return sealPayload(
    sealedDecision({
      proposalId: PROPOSAL_ID,
      proposal: { ...proposed, state: 'open' },
      ballots: [{ orgId: member.orgId, ballot: { revisions }, arrivals: new Map([[T0 + DAY_MS, T0 + DAY_MS]]) }],
      eligibleOrgIds: [member.orgId],
      sealedAt: T0 + 20 * DAY_MS,
    }),
  );
}

function createdDoc<P extends Timestamps, I>(module: RecordModule<P, I>, input: unknown, ctx: EditContext): Y.Doc {
  const doc = new Y.Doc();
  module.create(doc, module.parseInput(input), ctx);
  return doc;
}

function createdCase(type: RecordType): Y.Doc {
  return createdDoc(moduleFor(type), cases[type].input, cases[type].ctx);
}

/** What another device holds after receiving the whole record. */
function replicaOf(doc: Y.Doc): Y.Doc {
  const fresh = new Y.Doc();
  Y.applyUpdate(fresh, Y.encodeStateAsUpdate(doc));
  return fresh;
}

/** Exchanges what each side is missing, both ways, as two devices meeting at the hub would. */
function syncBothWays(a: Y.Doc, b: Y.Doc): void {
  const toB = Y.encodeStateAsUpdate(a, Y.encodeStateVector(b));
  const toA = Y.encodeStateAsUpdate(b, Y.encodeStateVector(a));
  Y.applyUpdate(b, toB);
  Y.applyUpdate(a, toA);
}

/**
 * Applies a mutator the way the client does (inside one transaction) and returns the projections
 * around it and the actions the change needs.
 */
function mutate<P extends Timestamps, I, A>(
  module: RecordModule<P, I>,
  doc: Y.Doc,
  mutator: Mutator<A>,
  arg: A,
  ctx: EditContext,
): { before: P; after: P; needed: Action[] } {
  const before = module.read(doc);
  doc.transact(() => mutator.apply(doc, arg, ctx));
  const after = module.read(doc);
  expect(module.projectionSchema.parse(after)).toEqual(after);
  return { before, after, needed: module.changeActions(before, after) };
}

function inputErrorOf(run: () => unknown): RecordInputError {
  try {
    run();
  } catch (error) {
    if (error instanceof RecordInputError) return error;
    throw error;
  }
  throw new Error('expected a RecordInputError, but nothing was thrown');
}

describe('creating each record type', () => {
  it.each(recordTypes)('a %s survives encoding into a fresh doc with the same, valid projection', (type) => {
    const module = moduleFor(type);
    const doc = createdCase(type);
    const projection = module.read(doc);
    const replica = replicaOf(doc);

    expect(module.read(replica)).toEqual(projection);
    expect(module.projectionSchema.parse(projection)).toEqual(projection);
    expect(projection).toMatchObject({ ...cases[type].expected, createdAt: T0, updatedAt: T0 });
  });

  it('derives the id of a ballot from its proposal and organization', () => {
    const parsed = ballot.parseInput(cases.ballot.input);
    expect(ballot.deriveId(parsed, member.orgId)).toBe(ballotId(PROPOSAL_ID, member.orgId));
    expect(ballot.deriveId(parsed, steward.orgId)).not.toBe(ballot.deriveId(parsed, member.orgId));
  });

  it('gives each new ballot a random receipt salt, kept as given when recreated', () => {
    const salts = [1, 2].map(() => ballot.read(createdDoc(ballot, cases.ballot.input, member)).receiptSalt);
    for (const salt of salts) expect(salt).toMatch(/^[0-9a-f]{32}$/);
    expect(salts[0]).not.toBe(salts[1]);
    expect(ballot.read(createdDoc(ballot, { ...cases.ballot.input, receiptSalt: 'c'.repeat(32) }, member)).receiptSalt).toBe('c'.repeat(32));
    expect(inputErrorOf(() => ballot.parseInput({ ...cases.ballot.input, receiptSalt: 'short' })).message).toContain('receiptSalt');
  });

  it('derives the id of a result from its proposal, and refuses a payload that is not a sealed decision', () => {
    const parsed = result.parseInput(cases.result.input);
    expect(result.deriveId(parsed, secretariat.orgId)).toBe(resultId(PROPOSAL_ID));
    expect(inputErrorOf(() => result.parseInput({ ...cases.result.input, payload: '{"tally":1}' })).message).toContain('payload');
  });

  it('derives the id of an interest from its offer and organization', () => {
    const parsed = interest.parseInput(cases.interest.input);
    expect(interest.deriveId(parsed, member.orgId)).toBe(interestId(OFFER_ID, member.orgId));
  });

  it('gives a profile the id of the organization it describes', () => {
    expect(org.deriveId(org.parseInput(cases.org.input), member.orgId)).toBe(member.orgId);
  });

  it.each(['network', 'entry', 'proposal', 'comment', 'offer'] as const)('leaves the id of a %s to the caller', (type) => {
    const module = moduleFor(type);
    expect(module.deriveId(module.parseInput(cases[type].input), member.orgId)).toBeNull();
  });

  it('fills in defaults for what the input leaves out', () => {
    const doc = createdDoc(entry, { kind: 'practice', title: '  稻鸭共作  ', language: 'zh-CN' }, member);
    expect(entry.read(doc)).toMatchObject({
      title: '稻鸭共作',
      summary: '',
      body: '',
      tags: [],
      region: [],
      sharing: 'private',
      status: 'draft',
      attribution: { holderKind: 'person', holderName: '', consent: 'pending' },
    });
  });

  it('starts a private entry as a draft even when consent is still pending', () => {
    const doc = createdDoc(entry, { ...entryInput, sharing: 'private', attribution: { ...entryInput.attribution, consent: 'pending' } }, member);
    expect(entry.read(doc)).toMatchObject({ sharing: 'private', status: 'draft' });
  });
});

describe('entry rich text', () => {
  it('keeps the body and every section as a Y.XmlFragment of paragraphs the editor binds to', () => {
    const doc = createdCase('entry');
    const replica = replicaOf(doc);
    const withText = ['body', 'section.context', 'section.approach'];
    expect([...entryFragmentNames].sort()).toEqual(
      ['body', ...[...Object.values(templateSections).flat(), ...optionalSections].map((name) => `section.${name}`)].sort(),
    );

    for (const name of withText) expect(doc.share.get(name)).toBeInstanceOf(Y.XmlFragment);
    for (const name of entryFragmentNames) {
      // What the editor calls on a doc that only received updates: it must not clash with another type.
      const fragment = replica.getXmlFragment(name);
      const blocks = fragment.toArray();
      expect(blocks.length > 0).toBe(withText.includes(name));
      for (const block of blocks) {
        expect(block).toBeInstanceOf(Y.XmlElement);
        expect((block as Y.XmlElement).nodeName).toBe('paragraph');
        expect((block as Y.XmlElement).toArray()[0]).toBeInstanceOf(Y.XmlText);
      }
    }
    expect(replica.getXmlFragment('body').length).toBe(2);
    expect(replica.getXmlFragment('body').toString()).toBe(
      '<paragraph>清晨露水未干时，把过筛的草木灰薄薄撒在菜叶上。</paragraph><paragraph>雨后要重新撒一次。</paragraph>',
    );
  });

  it('reads what an editor writes straight into a fragment', () => {
    const doc = createdCase('entry');
    const paragraph = new Y.XmlElement('paragraph');
    paragraph.insert(0, [new Y.XmlText('草木灰不要和尿素混用。')]);
    doc.getXmlFragment('section.lessonsLearned').insert(0, [paragraph]);
    expect(entry.read(doc).sections.lessonsLearned).toBe('草木灰不要和尿素混用。');
  });
});

describe('entry mutators', () => {
  it('setFields changes plain fields and needs edit', () => {
    const doc = createdCase('entry');
    const { before, after, needed } = mutate(
      entry,
      doc,
      entryMutators.setFields,
      { title: '用草木灰和辣椒水防治菜虫', region: ['云南省', '大理州'] },
      later(member, HOUR_MS),
    );
    expect(after).toEqual({ ...before, title: '用草木灰和辣椒水防治菜虫', region: ['云南省', '大理州'], updatedAt: T0 + HOUR_MS });
    expect(needed).toEqual(['edit']);
  });

  it('setFields keeps the fields it was not given', () => {
    const doc = createdCase('entry');
    const { after } = mutate(entry, doc, entryMutators.setFields, { title: '草木灰防虫' }, member);
    expect(after).toMatchObject({ title: '草木灰防虫', summary: entryInput.summary, topic: '生态农业', author: '李梅', region: REGION });
  });

  it('setTags replaces the tags', () => {
    const doc = createdCase('entry');
    const { after, needed } = mutate(entry, doc, entryMutators.setTags, ['草木灰', '小菜蛾'], member);
    expect(after.tags).toEqual(['小菜蛾', '草木灰'].sort());
    expect(needed).toEqual(['edit']);
  });

  it('setBody and setSection rewrite the rich text as paragraphs', () => {
    const doc = createdCase('entry');
    mutate(entry, doc, entryMutators.setBody, '第一段。\n\n第二段。\n第三段。', member);
    const { after, needed } = mutate(entry, doc, entryMutators.setSection, { section: 'results', text: '菜虫减少了七成。' }, member);
    expect(after.body).toBe('第一段。\n第二段。\n第三段。');
    expect(doc.getXmlFragment('body').length).toBe(3);
    expect(after.sections.results).toBe('菜虫减少了七成。');
    expect(needed).toEqual(['edit']);
  });

  it('setAttribution changes the attribution, and pending consent makes a shared entry a private draft (a withdrawal is never refused)', () => {
    const doc = createdCase('entry');
    const anonymous = { holderKind: 'community', holderName: '', consent: 'anonymous' } as const;
    expect(mutate(entry, doc, entryMutators.setAttribution, anonymous, member).after.attribution).toEqual(anonymous);

    const withdrawn = mutate(entry, doc, entryMutators.setAttribution, { ...anonymous, consent: 'pending' }, member);
    expect(withdrawn.after).toMatchObject({ attribution: { consent: 'pending' }, sharing: 'private', status: 'draft' });
    expect(withdrawn.needed).toEqual(['edit']);
    expect(fields(doc).get('sharing')).toBe('private');
  });

  it('setSharing moves a draft to shared and back', () => {
    const doc = createdCase('entry');
    const toPrivate = mutate(entry, doc, entryMutators.setSharing, 'private', member);
    expect(toPrivate.after).toMatchObject({ sharing: 'private', status: 'draft' });
    expect(toPrivate.needed).toEqual(['edit']);
    const toPublic = mutate(entry, doc, entryMutators.setSharing, 'public', member);
    expect(toPublic.after).toMatchObject({ sharing: 'public', status: 'shared' });
    expect(toPublic.needed).toEqual(['edit']);
  });

  it('addReviewNote appends a note naming the reviewer and needs review', () => {
    const doc = createdCase('entry');
    const { after, needed } = mutate(entry, doc, entryMutators.addReviewNote, '请补充每亩用量的来源。', later(steward, DAY_MS));
    expect(after.reviewNotes).toEqual([{ byOrg: steward.orgId, role: 'steward', at: T0 + DAY_MS, text: '请补充每亩用量的来源。' }]);
    expect(needed).toEqual(['review']);
  });

  it('withdrawEndorsement takes an endorsement back and needs review; only an endorsed entry has one', () => {
    const doc = createdCase('entry');
    expect(inputErrorOf(() => doc.transact(() => entryMutators.withdrawEndorsement.apply(doc, undefined, secretariat))).field).toBe('status');
    mutate(entry, doc, entryReviewMutators.submitForReview, '', member);
    const endorsed = mutate(entry, doc, entryReviewMutators.endorseSubmission, '', secretariat);
    expect(endorsed.after.status).toBe('endorsed');
    expect(endorsed.needed).toEqual(['review']);
    const withdrawn = mutate(entry, doc, entryMutators.withdrawEndorsement, undefined, secretariat);
    expect(withdrawn.after.status).toBe('shared');
    expect(withdrawn.needed).toEqual(['review']);
  });

  it('reads a status stored endorsed with no endorsement step as shared: "Endorsed" always has a pinned version', () => {
    const doc = createdCase('entry');
    doc.transact(() => fields(doc).set('status', 'endorsed'));
    expect(entry.read(doc).status).toBe('shared');
  });

  it('rejects a bad mutator argument naming the mutator and the field', () => {
    const doc = createdCase('entry');
    const error = inputErrorOf(() => entryMutators.setFields.apply(doc, { language: 'english!!' }, member));
    expect(error.field).toBe('setFields.language');
    expect(entry.read(doc).language).toBe('zh-CN');
  });
});

describe('other mutators', () => {
  it('network setMember and removeMember change the members and need manage', () => {
    const doc = createdCase('network');
    const added = mutate(network, doc, networkMutators.setMember, { orgId: 'org-guizhou-seeds', name: '黔东南种子保存协会', role: 'steward' }, secretariat);
    expect(added.after.members.map((m) => [m.orgId, m.role])).toEqual([
      ['org-erhai', 'member'],
      ['org-guizhou-seeds', 'steward'],
      ['org-secretariat', 'secretariat'],
    ]);
    expect(added.needed).toEqual(['manage']);
    const removed = mutate(network, doc, networkMutators.removeMember, 'org-erhai', secretariat);
    expect(removed.after.members.map((m) => m.orgId)).toEqual(['org-guizhou-seeds', 'org-secretariat']);
    expect(removed.needed).toEqual(['manage']);
  });

  it('network setDetails renames and needs edit, but refuses duplicate stage ids', () => {
    const doc = createdCase('network');
    const { after, needed } = mutate(network, doc, networkMutators.setDetails, { name: '西南生态农业与乡村发展网络' }, secretariat);
    expect(after.name).toBe('西南生态农业与乡村发展网络');
    expect(needed).toEqual(['edit']);
    const duplicate = [
      { id: 'seed', label: '起步' },
      { id: 'seed', label: '萌芽' },
    ];
    expect(inputErrorOf(() => networkMutators.setDetails.apply(doc, { stages: duplicate }, secretariat)).field).toBe('setDetails.stages');
  });

  it('org setProfile, setCapabilities and setStage change the profile and log each stage', () => {
    const doc = createdCase('org');
    const profile = mutate(org, doc, orgMutators.setProfile, { coordinates: { lat: 26.12, lon: 99.96 }, staffSize: 15 }, member);
    expect(profile.after).toEqual({ ...profile.before, coordinates: { lat: 26.12, lon: 99.96 }, staffSize: 15 });
    expect(profile.needed).toEqual(['edit']);

    expect(mutate(org, doc, orgMutators.setCapabilities, ['种子保存'], member).after.capabilities).toEqual(['种子保存']);
    expect(mutate(org, doc, orgMutators.setTopics, ['乡村发展'], member).after.topics).toEqual(['乡村发展']);

    const staged = mutate(org, doc, orgMutators.setStage, 'established', later(member, DAY_MS));
    expect(staged.after.stage).toBe('established');
    expect(staged.after.stageHistory).toEqual([
      { stage: 'growing', at: T0, byOrg: member.orgId },
      { stage: 'established', at: T0 + DAY_MS, byOrg: member.orgId },
    ]);
    expect(staged.needed).toEqual(['edit']);
    // Setting the stage it already has adds no history.
    expect(mutate(org, doc, orgMutators.setStage, 'established', later(member, 2 * DAY_MS)).after.stageHistory).toHaveLength(2);
  });

  it('org setProfile renames without resetting the region, coordinates or contact', () => {
    const doc = createdCase('org');
    const { before, after } = mutate(org, doc, orgMutators.setProfile, { name: '洱源县生态农业合作社' }, member);
    expect(after).toEqual({ ...before, name: '洱源县生态农业合作社' });
  });

  it('org setProfile refuses a bad email', () => {
    const doc = createdCase('org');
    const error = inputErrorOf(() => orgMutators.setProfile.apply(doc, { contact: { person: '', phone: '', email: 'limei at erhai' } }, member));
    expect(error.field).toBe('setProfile.contact.email');
  });

  it('proposal setTerms and setDescription need edit, setState needs manage', () => {
    const doc = createdCase('proposal');
    const terms = mutate(proposal, doc, proposalMutators.setTerms, { quorum: 0.6, options: [...proposalInput.options, { id: 'water', label: '水源保护' }] }, steward);
    expect(terms.after.quorum).toBe(0.6);
    expect(terms.after.options.map((o) => o.id)).toEqual(['soil', 'seed', 'market', 'water']);
    expect(terms.needed).toEqual(['edit']);

    const description = mutate(proposal, doc, proposalMutators.setDescription, '培训地点轮流安排在各州。', steward);
    expect(description.after.description).toBe('培训地点轮流安排在各州。');
    expect(description.needed).toEqual(['edit']);

    const opened = mutate(proposal, doc, proposalMutators.openVote, { reason: 'Agreed in March', eligibleOrgIds: ['org-a'] }, steward);
    expect(opened.after).toMatchObject({ state: 'open', eligibleOrgIds: ['org-a'], stateChanges: [{ state: 'open', reason: 'Agreed in March', orgId: steward.orgId }] });
    expect(opened.needed).toEqual(['manage']);
  });

  it('ballot cast records the choice and a revision per cast', () => {
    const doc = createdCase('ballot');
    const first = mutate(ballot, doc, ballotMutators.cast, { method: 'ranked', ranking: ['seed', 'soil', 'market'] }, later(member, HOUR_MS));
    expect(first.after).toMatchObject({ choice: { method: 'ranked', ranking: ['seed', 'soil', 'market'] }, castAt: T0 + HOUR_MS });
    expect(first.needed).toEqual(['edit']);

    const second = mutate(ballot, doc, ballotMutators.cast, { method: 'ranked', ranking: ['soil', 'seed'] }, later(member, 2 * HOUR_MS));
    expect(second.after.choice).toEqual({ method: 'ranked', ranking: ['soil', 'seed'] });
    expect(second.after.revisions).toEqual([
      { deviceId: member.deviceId, at: T0 + HOUR_MS, choice: { method: 'ranked', ranking: ['seed', 'soil', 'market'] }, reason: '', proposalVersion: 1 },
      { deviceId: member.deviceId, at: T0 + 2 * HOUR_MS, choice: { method: 'ranked', ranking: ['soil', 'seed'] }, reason: '', proposalVersion: 1 },
    ]);
  });

  it('ballot cast refuses a score above 5', () => {
    const doc = createdCase('ballot');
    const error = inputErrorOf(() => ballotMutators.cast.apply(doc, { method: 'score', scores: { soil: 7 } }, member));
    expect(error.field.startsWith('cast')).toBe(true);
    expect(ballot.read(doc).revisions).toEqual([]);
  });

  it('comment setText needs edit; hide and unhide need moderate', () => {
    const doc = createdCase('comment');
    const text = mutate(comment, doc, commentMutators.setText, '建议把种子保存和土壤健康合并。', member);
    expect(text.after.text).toBe('建议把种子保存和土壤健康合并。');
    expect(text.needed).toEqual(['edit']);

    const hidden = mutate(comment, doc, commentMutators.hide, '包含个人电话号码', later(secretariat, HOUR_MS));
    expect(hidden.after.hidden).toEqual({ reason: '包含个人电话号码', byOrg: secretariat.orgId, at: T0 + HOUR_MS });
    expect(hidden.after.text).toBe('建议把种子保存和土壤健康合并。');
    expect(hidden.needed).toEqual(['moderate']);

    const shown = mutate(comment, doc, commentMutators.unhide, undefined, secretariat);
    expect(shown.after.hidden).toBeNull();
    expect(shown.needed).toEqual(['moderate']);
  });

  it('offer setTerms needs edit and setState needs manage', () => {
    const doc = createdCase('offer');
    const terms = mutate(offer, doc, offerMutators.setTerms, { places: 12 }, secretariat);
    expect(terms.after.places).toBe(12);
    expect(terms.needed).toEqual(['edit']);
    const published = mutate(offer, doc, offerMutators.setState, 'published', secretariat);
    expect(published.after.state).toBe('published');
    expect(published.needed).toEqual(['manage']);
  });

  it('offer setTerms refuses maxStaff below minStaff', () => {
    const doc = createdCase('offer');
    const eligibility = { ...offerInput.eligibility, minStaff: 10, maxStaff: 5 };
    expect(inputErrorOf(() => offerMutators.setTerms.apply(doc, { eligibility }, secretariat)).field).toBe('setTerms.eligibility.maxStaff');
  });

  it('interest setMessage needs edit; move logs the step and needs manage', () => {
    const doc = createdCase('interest');
    const message = mutate(interest, doc, interestMutators.setMessage, '试点地点改为凤羽镇。', member);
    expect(message.after.message).toBe('试点地点改为凤羽镇。');
    expect(message.needed).toEqual(['edit']);

    const moved = mutate(interest, doc, interestMutators.move, { stage: 'shortlisted', note: '符合条件' }, later(secretariat, DAY_MS));
    expect(moved.after.stage).toBe('shortlisted');
    expect(moved.after.steps).toEqual([
      { stage: 'new', byOrg: member.orgId, at: T0, note: '' },
      { stage: 'shortlisted', from: 'new', byOrg: secretariat.orgId, at: T0 + DAY_MS, note: '符合条件' },
    ]);
    expect(moved.needed).toEqual(['manage']);
  });
});

describe('invalid create input', () => {
  const withoutTitle: Record<string, unknown> = { ...entryInput };
  delete withoutTitle.title;

  it.each([
    ['entry', 'without a title', withoutTitle, 'title'],
    ['entry', 'with a blank title', { ...entryInput, title: '   ' }, 'title'],
    ['entry', "with language 'english!!'", { ...entryInput, language: 'english!!' }, 'language'],
    ['entry', 'with an unknown kind', { ...entryInput, kind: 'rumour' }, 'kind'],
    ['entry', 'with an empty region level', { ...entryInput, region: ['云南省', ''] }, 'region.1'],
    ['org', "with email 'not-an-email'", { ...cases.org.input, contact: { email: 'not-an-email' } }, 'contact.email'],
    ['org', 'with a latitude off the globe', { ...cases.org.input, coordinates: { lat: 126, lon: 99.95 } }, 'coordinates.lat'],
    ['org', 'with a fractional staff size', { ...cases.org.input, staffSize: 2.5 }, 'staffSize'],
    ['proposal', 'closing when it opens', { ...proposalInput, closesAt: proposalInput.opensAt }, 'closesAt'],
    ['proposal', 'closing before it opens', { ...proposalInput, closesAt: proposalInput.opensAt - 1 }, 'closesAt'],
    ['proposal', 'with duplicate option ids', { ...proposalInput, options: [{ id: 'soil', label: '土壤' }, { id: 'soil', label: '土壤健康' }] }, 'options'],
    ['proposal', 'with a quorum above 1', { ...proposalInput, quorum: 1.5 }, 'quorum'],
    ['offer', 'with maxStaff below minStaff', { ...offerInput, eligibility: { ...offerInput.eligibility, minStaff: 20, maxStaff: 5 } }, 'eligibility.maxStaff'],
    ['offer', 'closing before it opens', { ...offerInput, closesAt: offerInput.opensAt - DAY_MS }, 'closesAt'],
    ['network', 'with duplicate stage ids', { ...cases.network.input, stages: [{ id: 'seed', label: '起步' }, { id: 'seed', label: '萌芽' }] }, 'stages'],
    ['network', 'with a member of an unknown role', { ...cases.network.input, members: [{ orgId: 'org-erhai', name: '', role: 'owner' }] }, 'members.0.role'],
    ['ballot', 'with a proposal id holding a slash', { proposalId: 'proposal/1' }, 'proposalId'],
    ['comment', 'with empty text', { targetId: PROPOSAL_ID, text: '' }, 'text'],
    ['interest', 'without an offer', { message: '想参加' }, 'offerId'],
  ] as const)('refuses a %s %s, naming the field', (type, _what, input, field) => {
    const error = inputErrorOf(() => moduleFor(type).parseInput(input));
    expect(error.field).toBe(field);
    expect(error.message.startsWith(`${field}: `)).toBe(true);
  });

  it('refuses to share an entry whose knowledge holder has not consented, naming sharing', () => {
    const doc = new Y.Doc();
    const pending = { ...entryInput, sharing: 'network', attribution: { ...entryInput.attribution, consent: 'pending' } } as const;
    const error = inputErrorOf(() => entry.create(doc, entry.parseInput(pending), member));
    expect(error.field).toBe('sharing');
    // Nothing of the refused record is left in the doc.
    expect(fields(doc).size).toBe(0);
    expect(doc.getXmlFragment('body').length).toBe(0);
  });

  it('reports the first bad field as (input) when the input is not an object', () => {
    expect(inputErrorOf(() => entry.parseInput('用草木灰防治菜虫')).field).toBe('(input)');
  });
});

describe('tolerant reading', () => {
  it('reads an entry whose fields hold garbage with the defaults', () => {
    const doc = new Y.Doc();
    const garbage: Record<string, unknown> = {
      title: 42,
      region: 'x',
      kind: 'bogus',
      summary: { text: '摘要' },
      language: 'english!!',
      sharing: 7,
      status: null,
      attribution: 'yes',
      author: ['李梅'],
      createdAt: -5,
      updatedAt: 'soon',
    };
    for (const [key, value] of Object.entries(garbage)) fields(doc).set(key, value);
    doc.getArray('log.reviewNotes').push([{ text: 'no reviewer' }, 'note']);

    const projection = entry.read(doc);
    expect(entry.projectionSchema.parse(projection)).toEqual(projection);
    expect(projection).toMatchObject({
      title: '',
      region: [],
      kind: 'practice',
      summary: '',
      language: 'und',
      sharing: 'private',
      status: 'draft',
      attribution: { holderKind: 'person', holderName: '', consent: 'pending' },
      author: '',
      reviewNotes: [],
      createdAt: 0,
      updatedAt: 0,
    });
  });

  /** A value of another shape than the one a valid record holds there. */
  function garbageLike(value: unknown): unknown {
    if (typeof value === 'string') return 42;
    if (typeof value === 'number') return 'x';
    if (typeof value === 'boolean') return 'no';
    if (Array.isArray(value)) return 'x';
    return 42;
  }

  it.each(recordTypes)('reads a %s whose every field holds garbage as a valid projection', (type) => {
    const module = moduleFor(type);
    const valid = module.read(createdCase(type)) as unknown as Record<string, unknown>;
    const doc = new Y.Doc();
    doc.transact(() => {
      for (const [key, value] of Object.entries(valid)) fields(doc).set(key, garbageLike(value));
      for (const log of ['reviewNotes', 'stageHistory', 'revisions', 'steps']) doc.getArray(`log.${log}`).push([42, { at: 'later' }]);
      doc.getMap('members').set('org-x', { orgId: 'org x', role: 'king' });
    });

    const projection = module.read(doc);
    expect(module.projectionSchema.parse(projection)).toEqual(projection);
    expect(module.read(replicaOf(doc))).toEqual(projection);
  });

  it('reads an empty doc as a valid projection of every type', () => {
    for (const type of recordTypes) {
      const module = moduleFor(type);
      const projection = module.read(new Y.Doc());
      expect(module.projectionSchema.parse(projection)).toEqual(projection);
    }
  });

  it('reads a ballot of unknown secrecy as secret', () => {
    expect(ballot.read(new Y.Doc()).isSecret).toBe(true);
  });
});

describe('changeActions', () => {
  it.each(recordTypes)('a new %s needs create', (type) => {
    const module = moduleFor(type);
    expect(module.changeActions(null, module.read(createdCase(type)))).toEqual(['create']);
  });

  it('needs nothing for a change of updatedAt alone', () => {
    const before = entry.read(createdCase('entry'));
    expect(entry.changeActions(before, { ...before, updatedAt: before.updatedAt + 1 })).toEqual([]);
  });

  it('entry: title -> edit, review note -> review, endorse -> review', () => {
    const before = entry.read(createdCase('entry'));
    expect(entry.changeActions(before, { ...before, title: '草木灰防虫' })).toEqual(['edit']);
    const note = { byOrg: steward.orgId, role: 'steward', at: T0, text: '很好' } as const;
    expect(entry.changeActions(before, { ...before, reviewNotes: [note] })).toEqual(['review']);
    expect(entry.changeActions(before, { ...before, status: 'endorsed' })).toEqual(['review']);
    expect(entry.changeActions(before, { ...before, sharing: 'private', status: 'draft' })).toEqual(['edit']);
    expect(entry.changeActions(before, { ...before, title: '草木灰防虫', status: 'endorsed' })).toEqual(['edit', 'review']);
  });

  it('comment: hiding -> moderate', () => {
    const before = comment.read(createdCase('comment'));
    expect(comment.changeActions(before, { ...before, hidden: { reason: '广告', byOrg: secretariat.orgId, at: T0 } })).toEqual(['moderate']);
  });

  it('interest: a pipeline move -> manage', () => {
    const before = interest.read(createdCase('interest'));
    const step = { stage: 'accepted', byOrg: secretariat.orgId, at: T0, note: '' } as const;
    expect(interest.changeActions(before, { ...before, stage: 'accepted', steps: [...before.steps, step] })).toEqual(['manage']);
  });

  it('network: a member change -> manage', () => {
    const before = network.read(createdCase('network'));
    const promoted = before.members.map((m) => (m.orgId === 'org-erhai' ? { ...m, role: 'steward' as const } : m));
    expect(network.changeActions(before, { ...before, members: promoted })).toEqual(['manage']);
  });

  it('proposal and offer: a state change -> manage', () => {
    const proposalBefore = proposal.read(createdCase('proposal'));
    expect(proposal.changeActions(proposalBefore, { ...proposalBefore, state: 'open' })).toEqual(['manage']);
    const offerBefore = offer.read(createdCase('offer'));
    expect(offer.changeActions(offerBefore, { ...offerBefore, state: 'published', places: 5 })).toEqual(['edit', 'manage']);
  });
});

describe('concurrent edits on two devices', () => {
  it('keeps tags that two devices added to one entry at the same time', () => {
    const laptop = createdCase('entry');
    const fieldLaptop = replicaOf(laptop);
    laptop.transact(() => entryMutators.setTags.apply(laptop, [...entryInput.tags, '辣椒水'], member));
    fieldLaptop.transact(() => entryMutators.setTags.apply(fieldLaptop, [...entryInput.tags, '轮作'], memberSecondLaptop));
    syncBothWays(laptop, fieldLaptop);

    expect(entry.read(laptop).tags).toEqual(['病虫害', '草木灰', '辣椒水', '轮作'].sort());
    expect(entry.read(fieldLaptop)).toEqual(entry.read(laptop));
  });

  it('reads a valid projection when tags merged from two devices exceed what one may write', () => {
    const laptop = createdDoc(entry, { kind: 'practice', title: '稻鸭共作', language: 'zh-CN' }, member);
    const fieldLaptop = replicaOf(laptop);
    const tagsFrom = (prefix: string) => Array.from({ length: 30 }, (_, i) => `${prefix}${i}`);
    laptop.transact(() => entryMutators.setTags.apply(laptop, tagsFrom('甲'), member));
    fieldLaptop.transact(() => entryMutators.setTags.apply(fieldLaptop, tagsFrom('乙'), memberSecondLaptop));
    syncBothWays(laptop, fieldLaptop);

    const projection = entry.read(laptop);
    expect(projection.tags).toHaveLength(60);
    expect(entry.projectionSchema.parse(projection)).toEqual(projection);
    // Writing them back is still held to the input limit.
    expect(inputErrorOf(() => entryMutators.setTags.apply(laptop, projection.tags, member)).field).toBe('setTags');
  });

  it('keeps review notes from two organizations', () => {
    const a = createdCase('entry');
    const b = replicaOf(a);
    a.transact(() => entryMutators.addReviewNote.apply(a, '请注明季节。', steward));
    b.transact(() => entryMutators.addReviewNote.apply(b, '建议附照片。', secretariat));
    syncBothWays(a, b);

    expect(entry.read(a).reviewNotes.map((n) => n.byOrg).sort()).toEqual([secretariat.orgId, steward.orgId].sort());
    expect(entry.read(b)).toEqual(entry.read(a));
  });

  it('keeps both revisions when two devices cast one ballot, with the same projection on both', () => {
    const laptop = createdCase('ballot');
    const fieldLaptop = replicaOf(laptop);
    const first: Choice = { method: 'ranked', ranking: ['seed', 'soil'] };
    const second: Choice = { method: 'ranked', ranking: ['market'] };
    laptop.transact(() => ballotMutators.cast.apply(laptop, first, later(member, HOUR_MS)));
    fieldLaptop.transact(() => ballotMutators.cast.apply(fieldLaptop, second, later(memberSecondLaptop, 2 * HOUR_MS)));
    syncBothWays(laptop, fieldLaptop);

    const projection = ballot.read(laptop);
    expect(ballot.read(fieldLaptop)).toEqual(projection);
    expect(projection.revisions.map((r) => r.deviceId).sort()).toEqual([member.deviceId, memberSecondLaptop.deviceId].sort());
    expect([first, second]).toContainEqual(projection.choice);
    expect(ballot.projectionSchema.parse(projection)).toEqual(projection);
  });

  it('merges a ballot that two offline devices each created and cast', () => {
    const input = ballot.parseInput(cases.ballot.input);
    const laptop = new Y.Doc();
    const fieldLaptop = new Y.Doc();
    ballot.create(laptop, input, member);
    ballot.create(fieldLaptop, input, memberSecondLaptop);
    laptop.transact(() => ballotMutators.cast.apply(laptop, { method: 'ranked', ranking: ['soil'] }, later(member, HOUR_MS)));
    fieldLaptop.transact(() => ballotMutators.cast.apply(fieldLaptop, { method: 'ranked', ranking: ['seed'] }, later(memberSecondLaptop, HOUR_MS)));
    syncBothWays(laptop, fieldLaptop);

    expect(ballot.read(laptop)).toEqual(ballot.read(fieldLaptop));
    expect(ballot.read(laptop).revisions).toHaveLength(2);
    expect(ballot.read(laptop).proposalId).toBe(PROPOSAL_ID);
  });

  it('keeps members that two secretariat laptops added to the network', () => {
    const a = createdCase('network');
    const b = replicaOf(a);
    a.transact(() => networkMutators.setMember.apply(a, { orgId: 'org-guizhou-seeds', name: '黔东南种子保存协会', role: 'steward' }, secretariat));
    b.transact(() => networkMutators.setMember.apply(b, { orgId: 'org-nujiang', name: '怒江社区发展中心', role: 'member' }, secretariat));
    syncBothWays(a, b);

    expect(network.read(a).members.map((m) => m.orgId)).toEqual(['org-erhai', 'org-guizhou-seeds', 'org-nujiang', 'org-secretariat']);
    expect(network.read(b)).toEqual(network.read(a));
  });

  it('converges when two devices rewrite one entry body at the same time', () => {
    const a = createdCase('entry');
    const b = replicaOf(a);
    a.transact(() => entryMutators.setBody.apply(a, '版本甲。', member));
    b.transact(() => entryMutators.setBody.apply(b, '版本乙。', memberSecondLaptop));
    syncBothWays(a, b);

    const projection = entry.read(a);
    expect(entry.read(b)).toEqual(projection);
    expect(entry.projectionSchema.parse(projection)).toEqual(projection);
  });
});
