import { describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { initNetwork } from '../../server/hub/networkAdmin';
import { sealProposal, SEAL_SETTLE_MS } from '../../server/hub/sealing';
import { commitSystemChange } from '../../server/hub/systemWrites';
import { loadHubKey } from '../../server/hub/hubKey';
import type { StoredRecord } from '../../server/storage/hubStorage';
import { projectionOf, StoredProjectionError } from '../../server/storage/projectionOf';
import { openSqliteStorage } from '../../server/storage/sqliteStorage';
import { richText, setFragmentText } from '../../shared/records/layout';
import { proposal, proposalMutators } from '../../shared/records/proposal';
import type { RecordHeader } from '../../shared/records/recordType';

const HOUR_MS = 3_600_000;
const opensAt = Date.UTC(2026, 0, 1);
const header: RecordHeader = { id: 'proposal-1', type: 'proposal', ownerOrg: 'org-s', createdAt: opensAt };

/** A proposal as the write path stores it: the state, and the projection read from it. */
function storedProposal(edit: (doc: Y.Doc) => void = () => undefined): StoredRecord {
  const doc = new Y.Doc();
  const input = proposal.parseInput({ title: 'Shared seed bank', options: [{ id: 'yes', label: 'Yes' }], method: 'single', opensAt, closesAt: opensAt + HOUR_MS, graceHours: 1 });
  proposal.create(doc, input, { orgId: 'org-s', deviceId: 'dev-1', role: 'secretariat', now: opensAt });
  edit(doc);
  const stored = { header, seq: 1, compactedSeq: 0, factsSeq: 1, state: Y.encodeStateAsUpdate(doc), projection: { ...proposal.read(doc) }, facts: {} };
  doc.destroy();
  return stored;
}

describe('projectionOf', () => {
  it('returns the stored projection, typed as its record type', () => {
    const stored = storedProposal();
    const read = projectionOf(stored, 'proposal');
    expect(read).toEqual(stored.projection);
    expect(read.closesAt - read.opensAt).toBe(HOUR_MS);
  });

  it('refuses a projection that does not match its schema and has no state to read it from, naming the record and the field', () => {
    const stored = storedProposal();
    const damaged = { header: stored.header, projection: { ...stored.projection, closesAt: 'soon' } };
    expect(() => projectionOf(damaged, 'proposal')).toThrow(StoredProjectionError);
    expect(() => projectionOf(damaged, 'proposal')).toThrow(/proposal proposal-1 .*closesAt/);
    expect(() => projectionOf({ header: stored.header, projection: {} }, 'proposal')).toThrow(StoredProjectionError);
  });

  it("reads a projection stored before its type gained a field again from the record's state", () => {
    // An older hub kept projections without fields added since; the state holds the truth.
    const stored = storedProposal();
    const { graceHours: _dropped, ...older } = stored.projection;
    const read = projectionOf({ ...stored, projection: older }, 'proposal');
    expect(read).toEqual(stored.projection);
    expect(read.graceHours).toBe(1);
    // A damaged field reads as the state says, not as stored.
    expect(projectionOf({ ...stored, projection: { ...stored.projection, closesAt: 'soon' } }, 'proposal').closesAt).toBe(opensAt + HOUR_MS);
  });

  it('reads a proposal whose description, typed in the rich-text editor, runs past the schema limit of 20,000 characters', () => {
    // The editor writes the fragment directly, so nothing holds it to the limit that create and
    // setDescription check; refusing to read it would stop every ballot on the proposal.
    const stored = storedProposal((doc) => setFragmentText(richText(doc, 'description'), 'a long field report. '.repeat(1_500)));
    expect(proposal.projectionSchema.safeParse(stored.projection).success).toBe(false);
    const read = projectionOf(stored, 'proposal');
    expect(read.description).toBe(stored.projection.description);
    expect(read.description.length).toBeGreaterThan(20_000);
    expect(read.closesAt).toBe(opensAt + HOUR_MS);
  });

  it('refuses a projection asked for as another type', () => {
    expect(() => projectionOf(storedProposal(), 'ballot')).toThrow(/ballot proposal-1 .*is a proposal/);
  });

  it("makes sealing go by the record's state when the stored projection is damaged: a draft stored as 'open' is not sealed", async () => {
    const storage = openSqliteStorage(':memory:');
    try {
      const stored = storedProposal();
      await storage.commit([{ ...stored, update: stored.state, projection: { ...stored.projection, state: 'open', closesAt: 'soon' }, credentialId: null, expectedSeq: null }]);
      const outcome = await sealProposal(storage, await loadHubKey(storage), 'proposal-1', opensAt + 3 * HOUR_MS);
      expect(outcome).toEqual({ kind: 'not-sealable', reason: 'not-open' });
      expect(await storage.lastSeq()).toBe(1);
    } finally {
      await storage.close();
    }
  });

  it('lets sealing seal a proposal whose description runs past the schema limit', async () => {
    const storage = openSqliteStorage(':memory:');
    try {
      await initNetwork(storage, { name: 'Long texts', now: opensAt });
      const secretariatId = (await storage.getMeta('secretariatOrg'))!;
      const ctx = { orgId: secretariatId, deviceId: 'dev-1', role: 'secretariat', now: opensAt } as const;
      const input = proposal.parseInput({ title: 'Shared seed bank', options: [{ id: 'yes', label: 'Yes' }], method: 'single', opensAt, closesAt: opensAt + HOUR_MS, graceHours: 1 });
      await commitSystemChange(storage, { ...header, ownerOrg: secretariatId }, (doc) => {
        proposal.create(doc, input, ctx);
        setFragmentText(richText(doc, 'description'), 'a long field report. '.repeat(1_500));
        proposalMutators.openVote.apply(doc, { reason: 'Agreed at the network meeting', eligibleOrgIds: [] }, ctx);
      });
      const outcome = await sealProposal(storage, await loadHubKey(storage), 'proposal-1', opensAt + 2 * HOUR_MS + SEAL_SETTLE_MS + 1);
      expect(outcome.kind).toBe('sealed');
    } finally {
      await storage.close();
    }
  });
});
