// The rules table of shared/rules/rules.ts, row by row, plus its completeness and the functions the
// client and the hub call (canRead, canChange) on real records.
import { describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { ballot } from '../../shared/records/ballot';
import { comment, commentMutators } from '../../shared/records/comment';
import { entry } from '../../shared/records/entry';
import { entryReviewMutators } from '../../shared/records/entryReview';
import { actions, type Action, type EditContext, type RuleFacts } from '../../shared/records/recordModule';
import { recordTypes, roles, type RecordType, type Role } from '../../shared/records/recordType';
import { canChange, canRead, grantFor, HUB_CREATED_TYPES, HUB_WRITTEN_TYPES, isAllowed, rulesTable, type Actor, type Condition, type Ownership } from '../../shared/rules/rules';

type Row = readonly [Role, RecordType, Ownership, Action, boolean] | readonly [Role, RecordType, Ownership, Action, RuleFacts, boolean];

const PRIVATE: RuleFacts = { isPrivate: true };
const SHARED: RuleFacts = { isPrivate: false };
const SECRET: RuleFacts = { isSecret: true };
const OPEN: RuleFacts = { isSecret: false };
const HIDDEN: RuleFacts = { isHidden: true };
const VISIBLE: RuleFacts = { isHidden: false };

const expectedRows: readonly Row[] = [
  // Members write their own organization's records, never another's.
  ['member', 'entry', 'own', 'edit', true],
  ['member', 'entry', 'other', 'edit', false],
  ['member', 'org', 'own', 'edit', true],
  ['member', 'org', 'other', 'edit', false],
  ['member', 'ballot', 'own', 'edit', true],
  ['member', 'ballot', 'other', 'edit', false],
  ['member', 'entry', 'own', 'create', true],
  ['member', 'entry', 'other', 'create', false],
  ['secretariat', 'entry', 'other', 'edit', false],
  ['secretariat', 'ballot', 'other', 'edit', false],
  ['secretariat', 'org', 'other', 'edit', true],
  ['secretariat', 'org', 'other', 'create', true],
  ['member', 'org', 'own', 'create', false],

  // Observers read and never write.
  ['observer', 'entry', 'own', 'create', false],
  ['observer', 'entry', 'own', 'edit', false],
  ['observer', 'org', 'own', 'edit', false],
  ['observer', 'ballot', 'own', 'create', false],
  ['observer', 'comment', 'own', 'create', false],
  ['observer', 'interest', 'own', 'create', false],
  ['observer', 'proposal', 'own', 'create', false],
  ['observer', 'offer', 'own', 'create', false],
  ['observer', 'network', 'own', 'edit', false],
  ['observer', 'entry', 'other', 'read', SHARED, true],
  ['observer', 'entry', 'other', 'read', {}, true],
  ['observer', 'proposal', 'other', 'read', true],
  ['observer', 'network', 'other', 'read', true],

  // A private draft is its owner's alone.
  ['member', 'entry', 'other', 'read', PRIVATE, false],
  ['steward', 'entry', 'other', 'read', PRIVATE, false],
  ['secretariat', 'entry', 'other', 'read', PRIVATE, false],
  ['member', 'entry', 'own', 'read', PRIVATE, true],
  ['observer', 'entry', 'own', 'read', PRIVATE, true],

  // Review of entries.
  ['steward', 'entry', 'other', 'review', SHARED, true],
  ['secretariat', 'entry', 'other', 'review', SHARED, true],
  ['steward', 'entry', 'other', 'review', PRIVATE, false],
  ['secretariat', 'entry', 'other', 'review', PRIVATE, false],
  ['member', 'entry', 'other', 'review', SHARED, false],
  ['member', 'entry', 'own', 'review', SHARED, false],
  ['observer', 'entry', 'other', 'review', SHARED, false],
  // Nobody reviews (endorses) its own organization's entry, not even the secretariat.
  ['steward', 'entry', 'own', 'review', PRIVATE, false],
  ['steward', 'entry', 'own', 'review', SHARED, false],
  ['secretariat', 'entry', 'own', 'review', SHARED, false],

  // A secret ballot is seen by its organization and the secretariat only.
  ['secretariat', 'ballot', 'other', 'read', SECRET, true],
  ['steward', 'ballot', 'other', 'read', SECRET, false],
  ['member', 'ballot', 'other', 'read', SECRET, false],
  ['observer', 'ballot', 'other', 'read', SECRET, false],
  ['member', 'ballot', 'own', 'read', SECRET, true],
  ['member', 'ballot', 'other', 'read', OPEN, true],
  ['steward', 'ballot', 'other', 'read', OPEN, true],
  ['observer', 'ballot', 'other', 'read', OPEN, true],

  // A hidden comment is seen by the secretariat and its own organization.
  ['secretariat', 'comment', 'other', 'read', HIDDEN, true],
  ['member', 'comment', 'own', 'read', HIDDEN, true],
  ['member', 'comment', 'other', 'read', HIDDEN, false],
  ['steward', 'comment', 'other', 'read', HIDDEN, false],
  ['observer', 'comment', 'other', 'read', HIDDEN, false],
  ['member', 'comment', 'other', 'read', VISIBLE, true],

  // Only the secretariat moderates, on its own and others' comments.
  ['secretariat', 'comment', 'other', 'moderate', true],
  ['secretariat', 'comment', 'own', 'moderate', true],
  ['steward', 'comment', 'other', 'moderate', false],
  ['steward', 'comment', 'own', 'moderate', false],
  ['member', 'comment', 'own', 'moderate', false],
  ['secretariat', 'comment', 'other', 'edit', false],

  // An interest is between its organization and the secretariat; only the secretariat moves it.
  ['secretariat', 'interest', 'other', 'read', true],
  ['steward', 'interest', 'other', 'read', false],
  ['member', 'interest', 'other', 'read', false],
  ['observer', 'interest', 'other', 'read', false],
  ['member', 'interest', 'own', 'read', true],
  ['member', 'interest', 'own', 'create', true],
  ['member', 'interest', 'own', 'edit', true],
  ['member', 'interest', 'own', 'manage', false],
  ['steward', 'interest', 'own', 'manage', false],
  ['secretariat', 'interest', 'other', 'manage', true],

  // Proposals and offers are run by stewards and the secretariat.
  ['steward', 'proposal', 'own', 'create', true],
  ['secretariat', 'proposal', 'own', 'create', true],
  ['member', 'proposal', 'own', 'create', false],
  ['steward', 'proposal', 'own', 'manage', true],
  ['steward', 'proposal', 'other', 'manage', false],
  ['secretariat', 'proposal', 'other', 'manage', true],
  ['member', 'proposal', 'own', 'manage', false],
  ['steward', 'offer', 'own', 'create', true],
  ['member', 'offer', 'own', 'create', false],
  ['secretariat', 'offer', 'other', 'manage', true],

  // The network is managed by the secretariat only.
  ['secretariat', 'network', 'own', 'manage', true],
  ['secretariat', 'network', 'other', 'manage', true],
  ['steward', 'network', 'own', 'manage', false],
  ['steward', 'network', 'other', 'manage', false],
  ['member', 'network', 'other', 'manage', false],
  ['observer', 'network', 'other', 'manage', false],
  // The one network record is created by the hub at `hub init`, never by a client.
  ['secretariat', 'network', 'own', 'create', false],
  ['secretariat', 'network', 'other', 'create', false],
  ['steward', 'network', 'own', 'edit', false],

  // A sealed result is public, and no client writes it: only the hub does.
  ['observer', 'result', 'other', 'read', true],
  ['member', 'result', 'other', 'read', true],
  ['secretariat', 'result', 'own', 'create', false],
  ['secretariat', 'result', 'own', 'edit', false],
  ['secretariat', 'result', 'other', 'edit', false],
  ['steward', 'result', 'own', 'create', false],
  ['member', 'result', 'other', 'edit', false],

  // An action a type does not list is allowed to nobody.
  ['secretariat', 'entry', 'own', 'moderate', false],
  ['secretariat', 'entry', 'other', 'moderate', false],
  ['steward', 'entry', 'own', 'manage', false],
  ['secretariat', 'ballot', 'other', 'review', false],
  ['secretariat', 'network', 'own', 'review', false],
  ['secretariat', 'org', 'other', 'manage', false],
  ['secretariat', 'interest', 'other', 'moderate', false],
];

function describeFacts(facts: RuleFacts): string {
  const set = Object.entries(facts).map(([name, value]) => `${name}=${String(value)}`);
  return set.length > 0 ? ` (${set.join(', ')})` : '';
}

const cases = expectedRows.map((row) => {
  const [role, type, ownership, action] = row;
  const facts = row.length === 6 ? row[4] : {};
  const expected = row.length === 6 ? row[5] : row[4];
  return [role, type, ownership, action, describeFacts(facts), expected, facts] as const;
});

describe('rules table', () => {
  it.each(cases)('%s %s %s %s%s -> %s', (role, type, ownership, action, _factsLabel, expected, facts) => {
    expect(isAllowed({ role, type, ownership, action }, facts)).toBe(expected);
  });

  it('every role, type, ownership and action has a grant: a boolean or a known condition', () => {
    const known = new Set<unknown>([true, false, 'unlessPrivate', 'unlessSecret', 'unlessHidden']);
    let checked = 0;
    for (const role of roles) {
      for (const type of recordTypes) {
        for (const ownership of ['own', 'other'] as const) {
          for (const action of actions) {
            const granted = grantFor({ role, type, ownership, action });
            expect(known.has(granted), `${role} ${type} ${ownership} ${action} -> ${String(granted)}`).toBe(true);
            checked += 1;
          }
        }
      }
    }
    expect(checked).toBe(roles.length * recordTypes.length * 2 * actions.length);
  });

  it('lists only known actions, and every type can be read by someone and created by someone unless the hub creates it', () => {
    for (const type of recordTypes) {
      for (const action of Object.keys(rulesTable[type])) expect(actions).toContain(action);
      for (const action of HUB_CREATED_TYPES.includes(type) ? (['read'] as const) : (['read', 'create'] as const)) {
        const anyone = roles.some((role) => grantFor({ role, type, ownership: 'own', action }) !== false);
        expect(anyone, `${type} ${action}`).toBe(true);
      }
    }
  });

  it('no role may write a type the hub writes, for any action', () => {
    for (const type of HUB_WRITTEN_TYPES) {
      for (const role of roles) {
        for (const ownership of ['own', 'other'] as const) {
          for (const action of actions.filter((a) => a !== 'read')) {
            expect(isAllowed({ role, type, ownership, action }), `${role} ${type} ${ownership} ${action}`).toBe(false);
          }
        }
      }
    }
  });

  it('a condition only narrows: without the fact it allows, with it it refuses', () => {
    const narrowing: Record<Condition, RuleFacts> = { unlessPrivate: PRIVATE, unlessSecret: SECRET, unlessHidden: HIDDEN };
    for (const role of roles) {
      for (const type of recordTypes) {
        for (const ownership of ['own', 'other'] as const) {
          for (const action of actions) {
            const query = { role, type, ownership, action };
            const granted = grantFor(query);
            if (typeof granted === 'boolean') {
              expect(isAllowed(query, { isPrivate: true, isSecret: true, isHidden: true })).toBe(granted);
              continue;
            }
            expect(isAllowed(query, {})).toBe(true);
            expect(isAllowed(query, narrowing[granted])).toBe(false);
          }
        }
      }
    }
  });

  it('nobody may create a record for another organization except the secretariat inviting an org and a lead facilitating a ballot', () => {
    for (const role of roles) {
      for (const type of recordTypes) {
        // A facilitator's ballot (the hub's policy narrows it to the proposals scope and the facilitated log).
        const expected = (role === 'secretariat' && type === 'org') || ((role === 'secretariat' || role === 'steward') && type === 'ballot');
        expect(isAllowed({ role, type, ownership: 'other', action: 'create' }), `${role} ${type}`).toBe(expected);
      }
    }
  });
});

describe('canChange', () => {
  const member: Actor = { orgId: 'org-erhai', role: 'member' };
  const steward: Actor = { orgId: 'org-guizhou-seeds', role: 'steward' };
  const ownEntry = { type: 'entry', ownerOrg: 'org-erhai' } as const;

  it('allows a change whose every action is allowed', () => {
    expect(canChange(member, ownEntry, ['edit'], SHARED)).toEqual({ isAllowed: true });
    expect(canChange(member, ownEntry, [], SHARED)).toEqual({ isAllowed: true });
  });

  it('reports the first action that is not allowed', () => {
    expect(canChange(member, ownEntry, ['edit', 'review'], SHARED)).toEqual({ isAllowed: false, action: 'review' });
    expect(canChange(member, ownEntry, ['moderate', 'review'], SHARED)).toEqual({ isAllowed: false, action: 'moderate' });
    expect(canChange({ orgId: 'org-erhai', role: 'observer' }, ownEntry, ['create', 'edit'], SHARED)).toEqual({
      isAllowed: false,
      action: 'create',
    });
    expect(canChange(steward, ownEntry, ['review', 'edit'], SHARED)).toEqual({ isAllowed: false, action: 'edit' });
  });

  it('judges conditions by the facts before the change', () => {
    // A steward may not review a private draft by making it shared in the same change.
    expect(canChange(steward, ownEntry, ['edit', 'review'], PRIVATE)).toEqual({ isAllowed: false, action: 'edit' });
    expect(canChange(steward, ownEntry, ['review'], PRIVATE)).toEqual({ isAllowed: false, action: 'review' });
    expect(canChange(steward, ownEntry, ['review'], SHARED)).toEqual({ isAllowed: true });
  });
});

describe('rules on real records', () => {
  const T0 = Date.UTC(2025, 2, 1);
  const owner: EditContext = { orgId: 'org-erhai', deviceId: 'dev-erhai', role: 'member', now: T0 };
  const secretariat: Actor = { orgId: 'org-secretariat', role: 'secretariat' };
  const steward: Actor = { orgId: 'org-guizhou-seeds', role: 'steward' };
  const otherMember: Actor = { orgId: 'org-nujiang', role: 'member' };

  function newEntry(sharing: 'private' | 'network'): Y.Doc {
    const doc = new Y.Doc();
    const input = {
      kind: 'local-wisdom',
      title: '用草木灰防治菜虫',
      region: ['云南省', '大理州', '洱源县'],
      language: 'zh-CN',
      attribution: { holderKind: 'person', holderName: '杨阿婆', consent: 'credit-by-name' },
      sharing,
    };
    entry.create(doc, entry.parseInput(input), owner);
    return doc;
  }

  const entryHeader = { type: 'entry', ownerOrg: owner.orgId } as const;

  it('hides a private draft from everyone outside its organization, the secretariat included', () => {
    const facts = entry.facts(entry.read(newEntry('private')));
    expect(canRead(owner, entryHeader, facts)).toBe(true);
    expect(canRead(secretariat, entryHeader, facts)).toBe(false);
    expect(canRead(steward, entryHeader, facts)).toBe(false);
    expect(canRead(otherMember, entryHeader, facts)).toBe(false);
  });

  it('shows a shared entry to every other organization', () => {
    const facts = entry.facts(entry.read(newEntry('network')));
    for (const actor of [secretariat, steward, otherMember, { orgId: 'org-observer', role: 'observer' } as const]) {
      expect(canRead(actor, entryHeader, facts)).toBe(true);
    }
  });

  it('lets a steward of another organization endorse a shared entry, but not the member who owns it', () => {
    const doc = newEntry('network');
    doc.transact(() => entryReviewMutators.submitForReview.apply(doc, '', owner));
    const before = entry.read(doc);
    doc.transact(() => entryReviewMutators.endorseSubmission.apply(doc, '', { ...owner, orgId: steward.orgId, role: 'steward' }));
    const needed = entry.changeActions(before, entry.read(doc));
    expect(canChange(steward, entryHeader, needed, entry.facts(before))).toEqual({ isAllowed: true });
    expect(canChange(owner, entryHeader, needed, entry.facts(before))).toEqual({ isAllowed: false, action: 'review' });
  });

  it('refuses a comment owner hiding its own comment to dodge moderation', () => {
    const doc = new Y.Doc();
    comment.create(doc, comment.parseInput({ targetId: 'proposal-training-2025', text: '我们反对。' }), owner);
    const before = comment.read(doc);
    doc.transact(() => commentMutators.hide.apply(doc, '自己隐藏', owner));
    const needed = comment.changeActions(before, comment.read(doc));
    const commentHeader = { type: 'comment', ownerOrg: owner.orgId } as const;
    expect(canChange(owner, commentHeader, needed, comment.facts(before))).toEqual({ isAllowed: false, action: 'moderate' });
    expect(canChange(secretariat, commentHeader, needed, comment.facts(before))).toEqual({ isAllowed: true });
    expect(canRead(otherMember, commentHeader, comment.facts(comment.read(doc)))).toBe(false);
  });

  it('keeps a secret ballot from other organizations and shows it to the secretariat', () => {
    const doc = new Y.Doc();
    ballot.create(doc, ballot.parseInput({ proposalId: 'proposal-training-2025', isSecret: true }), owner);
    const facts = ballot.facts(ballot.read(doc));
    const ballotHeader = { type: 'ballot', ownerOrg: owner.orgId } as const;
    expect(canRead(secretariat, ballotHeader, facts)).toBe(true);
    expect(canRead(steward, ballotHeader, facts)).toBe(false);
    expect(canRead(otherMember, ballotHeader, facts)).toBe(false);
    expect(canRead(owner, ballotHeader, facts)).toBe(true);
  });
});
