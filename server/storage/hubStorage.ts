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

/** How far one device has pulled: the checkpoint its last complete pull reached, and when. */
export interface PullCheckpointRow {
  readonly credentialId: string;
  readonly orgId: string;
  readonly seq: number;
  readonly at: number;
}

/** A record without its state: what the network status needs to count readable changes. */
export interface RecordSummary {
  readonly header: RecordHeader;
  readonly seq: number;
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

/*
 * The contract, by concern. Each adapter provides all of them (HubStorage); each hub module asks
 * for the narrowest piece it uses, so what a module can touch is in its signature. The contract
 * suite has one section per concern.
 */

/** The adapter's own life: schema, shutdown, a consistent copy. */
export interface StorageLifecycle {
  /** Creates tables if needed; safe to call on every start. */
  migrate(): Promise<void>;
  close(): Promise<void>;
  /** A consistent copy of everything, for `hub backup` (SQLite: a database file). */
  backup(outFile: string): Promise<void>;
}

/** The network's fixed settings, each set once: its id, the token secret, the hub's signing key. */
export interface HubMeta {
  getMeta(key: string): Promise<string | null>;
  /** Sets a value only if the key has none yet; returns the value in force. */
  initMeta(key: string, value: string): Promise<string>;
}

/** Who belongs to the network: organizations, their invitations and device credentials. */
export interface Directory {
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
  /**
   * Revokes one credential, or every credential of an organization, whose pending invitations are
   * withdrawn in the same transaction (they expire at `at`); returns how many credentials.
   */
  revokeCredentials(target: { credentialId: string } | { orgId: string }, at: number): Promise<number>;
  /** Credentials revoked at or after `since`, for closing live connections. */
  revokedSince(since: number): Promise<string[]>;

  /**
   * Registers a device's Ed25519 public key (which signs its sync bundles), once per credential:
   * returns the key in force, the given one or one registered before (the caller compares).
   */
  registerDeviceKey(credentialId: string, publicKey: Uint8Array, at: number): Promise<Uint8Array>;
  getDeviceKey(credentialId: string): Promise<Uint8Array | null>;
}

/** The records and their update log, numbered in commit order (see the ordering guarantee above). */
export interface RecordLog {
  getRecord(id: string): Promise<StoredRecord | null>;
  /**
   * Commits the writes in one transaction: each gets the next sequence number, its update is
   * logged and its record row replaced. All or nothing: a write whose `expectedSeq` no longer
   * matches throws StaleWriteError. Returns the sequence number per write.
   */
  commit(writes: readonly RecordWrite[]): Promise<number[]>;
  /** Records whose last change is after `since`, in sequence order, at most `limit`. */
  changedSince(since: number, limit: number): Promise<StoredRecord[]>;
  /** Like `changedSince` without states or projections: header, seq and facts, in sequence order. */
  changedSummariesSince(since: number, limit: number): Promise<RecordSummary[]>;
  /**
   * Ids of the records whose last change has a sequence number in (`after`, `upTo`], in sequence
   * order: what one commit changed, for a process told only its numbers. A record changed again
   * after `upTo` is left out (that later change is announced in turn).
   */
  changedIdsBetween(after: number, upTo: number): Promise<string[]>;
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
  /**
   * Repair only (server/hub/squatterRepair.ts): moves a record, its logged updates and cast
   * arrivals to the free id `toId` under the next sequence number, with its facts marked changed
   * so every reader gets it whole under the new id. Null (nothing moved) when the record's seq is
   * no longer `expectedSeq` or `toId` is taken.
   */
  moveRecord(fromId: string, toId: string, expectedSeq: number): Promise<number | null>;
}

/**
 * Governance's bookkeeping beside the records. Both are written by `commit` in the write's own
 * transaction (RecordWrite.castArrivals, RecordWrite.sealDueAt); this is how they are read back.
 */
export interface GovernanceSchedule {
  /** The hub's first receipt time of each cast (castAt -> receivedAt) of these ballots. */
  castArrivals(recordIds: readonly string[]): Promise<Map<string, Map<number, number>>>;
  /** Proposals due for sealing at `now` (due time at or before it), oldest first. */
  dueSeals(now: number, limit: number): Promise<string[]>;
  /** Forgets a proposal's sealing schedule (sealed, or found not to need a seal). */
  clearSealDue(proposalId: string): Promise<void>;
}

/** How far each device has pulled, for the network status. */
export interface PullCheckpoints {
  /** Remembers the checkpoint a device's last complete pull reached (replacing the previous one). */
  setPullCheckpoint(credentialId: string, seq: number, at: number): Promise<void>;
  /** The pull checkpoints of every credential not revoked, with its organization. */
  pullCheckpoints(): Promise<PullCheckpointRow[]>;
}

/** Everything the hub keeps: what each adapter provides and the Hub holds. */
export interface HubStorage extends StorageLifecycle, HubMeta, Directory, RecordLog, GovernanceSchedule, PullCheckpoints {}
