import type { RecordHeader, Role } from '../../shared/records/recordType';
import type { RuleFacts } from '../../shared/records/recordModule';

/*
 * Everything the hub keeps, behind one interface with two adapters (SQLite, PostgreSQL) that pass
 * one contract suite (test/integration/hubStorage.contract.ts).
 *
 * Ordering guarantee every adapter must keep: sequence numbers are assigned in commit order. A
 * puller that has seen seq N has seen every change with a lower number, so a checkpoint never
 * skips a change committed late by a concurrent writer.
 */

export interface OrgRow {
  readonly id: string;
  readonly name: string;
  readonly role: Role;
  readonly createdAt: number;
  /** The last time any device of this organization was heard from; null if never. */
  readonly lastSeenAt: number | null;
}

export interface InvitationRow {
  /** SHA-256 of the invitation code: the code itself is never stored. */
  readonly codeHash: string;
  readonly orgId: string;
  readonly role: Role;
  readonly createdAt: number;
  readonly expiresAt: number;
  readonly usedAt: number | null;
}

export interface CredentialRow {
  readonly id: string;
  readonly orgId: string;
  readonly deviceId: string;
  readonly deviceName: string;
  readonly role: Role;
  readonly createdAt: number;
  readonly revokedAt: number | null;
}

/** A record as the hub holds it: the current full state, always folded through a Y.Doc. */
export interface StoredRecord {
  readonly header: RecordHeader;
  /** Sequence number of the record's last change. */
  readonly seq: number;
  /** Updates at or below this sequence number are folded into `state` and no longer logged. */
  readonly compactedSeq: number;
  /**
   * Sequence number at which the record's rule facts (private, secret, hidden) last changed. A
   * reader whose checkpoint is older may never have been allowed to see the record, so it gets the
   * whole state, not a delta it could not apply.
   */
  readonly factsSeq: number;
  readonly state: Uint8Array;
  readonly projection: Record<string, unknown>;
  readonly facts: RuleFacts;
}

/** One record's change in a push, ready to commit: the hub has authorized and validated it. */
export interface RecordWrite {
  readonly header: RecordHeader;
  /** The update as received (merged per record), kept in the log for deltas. */
  readonly update: Uint8Array;
  /** The record's full state after the update. */
  readonly state: Uint8Array;
  readonly projection: Record<string, unknown>;
  readonly facts: RuleFacts;
  readonly credentialId: string | null;
  /**
   * The record's seq when the hub read it (null: the record must not exist yet). The state above
   * was computed from that version, so the commit is refused with StaleWriteError if another
   * writer (another request, another hub process) changed the record meanwhile; the hub retries.
   */
  readonly expectedSeq: number | null;
  /**
   * Governance, for a ballot: the casts (a revision's time) this write brings, with the hub's clock
   * at receipt. Stored in the same transaction; a cast already known keeps its first receipt time.
   */
  readonly castArrivals?: readonly CastArrival[];
  /**
   * Governance, for a proposal: when it falls due for sealing (closing plus grace); null when it is
   * not to be sealed (a draft, a cancelled poll); left out: unchanged.
   */
  readonly sealDueAt?: number | null;
}

export interface CastArrival {
  readonly castAt: number;
  readonly receivedAt: number;
}

/** A write computed from a version of the record that is no longer the latest; nothing was written. */
export class StaleWriteError extends Error {
  constructor(readonly recordId: string) {
    super(`record ${recordId} changed while the write was being prepared`);
    this.name = 'StaleWriteError';
  }
}

export interface HubStorage {
  /** Creates tables if needed; safe to call on every start. */
  migrate(): Promise<void>;
  close(): Promise<void>;

  getMeta(key: string): Promise<string | null>;
  /** Sets a value only if the key has none yet; returns the value in force. */
  initMeta(key: string, value: string): Promise<string>;

  createOrg(org: Omit<OrgRow, 'lastSeenAt'>): Promise<void>;
  getOrg(id: string): Promise<OrgRow | null>;
  listOrgs(): Promise<OrgRow[]>;
  touchOrg(id: string, at: number): Promise<void>;

  createInvitation(invitation: Omit<InvitationRow, 'usedAt'>): Promise<void>;
  /**
   * Marks an unused, unexpired invitation used and creates the credential, atomically: two devices
   * racing with one code get one credential. Null when the code is unknown, used or expired.
   */
  redeemInvitation(codeHash: string, credential: Omit<CredentialRow, 'orgId' | 'role' | 'revokedAt'>, now: number): Promise<CredentialRow | null>;

  getCredential(id: string): Promise<CredentialRow | null>;
  /** Revokes one credential, or every credential of an organization; returns how many. */
  revokeCredentials(target: { credentialId: string } | { orgId: string }, at: number): Promise<number>;
  /** Credentials revoked at or after `since`, for closing live connections. */
  revokedSince(since: number): Promise<string[]>;

  getRecord(id: string): Promise<StoredRecord | null>;
  /**
   * Commits the writes in one transaction: each gets the next sequence number, its update is
   * logged and its record row replaced. All or nothing: a write whose `expectedSeq` no longer
   * matches throws StaleWriteError. Returns the sequence number per write.
   */
  commit(writes: readonly RecordWrite[]): Promise<number[]>;
  /** Records whose last change is after `since`, in sequence order, at most `limit`. */
  changedSince(since: number, limit: number): Promise<StoredRecord[]>;
  /** Logged updates of these records with a sequence number above `since`, in order. */
  updatesSince(recordIds: readonly string[], since: number): Promise<Map<string, Uint8Array[]>>;
  /** The highest sequence number committed. */
  lastSeq(): Promise<number>;
  /**
   * Replaces a record's state with `state` (the fold of everything up to `uptoSeq`) and drops its
   * logged updates at or below `uptoSeq`. Refuses (returns false) if the record changed meanwhile.
   */
  compact(recordId: string, state: Uint8Array, uptoSeq: number): Promise<boolean>;
  /** Records with more than `minUpdates` logged updates: candidates for compaction. */
  compactionCandidates(minUpdates: number, limit: number): Promise<string[]>;

  /** Governance: the hub's first receipt time of each cast (castAt -> receivedAt) of these ballots. */
  castArrivals(recordIds: readonly string[]): Promise<Map<string, Map<number, number>>>;
  /** Governance: proposals due for sealing at `now` (due time at or before it), oldest first. */
  dueSeals(now: number, limit: number): Promise<string[]>;
  /** Governance: forgets a proposal's sealing schedule (sealed, or found not to need a seal). */
  clearSealDue(proposalId: string): Promise<void>;

  /** A consistent copy of everything, for `hub backup` (SQLite: a database file). */
  backup(outFile: string): Promise<void>;
}
