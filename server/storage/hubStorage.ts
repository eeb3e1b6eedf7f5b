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

/** An invitation as the secretariat lists it. */
export interface InvitationListRow extends InvitationRow {
  /** `inv-` and the first 24 hex digits of the code's hash: names the invitation without the code. */
  readonly id: string;
  readonly withdrawnAt: number | null;
  /** The credential the invitation was redeemed into; null while unused. */
  readonly usedBy: string | null;
}

/** A device credential with what the hub learns about it and how it was revoked. */
export interface DeviceRow extends CredentialRow {
  /** The last time this device was heard from; null if never since it joined. */
  readonly lastSeenAt: number | null;
  /** The app version it last reported; null if never. */
  readonly appVersion: string | null;
  /** The secretariat's words when it revoked this device; null when none were given or not revoked. */
  readonly revokeReason: string | null;
  /** Revoked with wipe: the device is told to erase its copy of the network. */
  readonly wipe: boolean;
}

export interface OrgRevocationRow {
  readonly orgId: string;
  readonly revokedAt: number;
  readonly reason: string | null;
}

/** How a credential is revoked: the secretariat's words (null for none) and whether to wipe. */
export interface Revocation {
  readonly reason: string | null;
  readonly wipe: boolean;
}

export type AuditAction =
  | 'init'
  | 'invite'
  | 'withdraw-invitation'
  | 'join'
  | 'revoke-device'
  | 'revoke-org'
  | 'set-role'
  | 'set-steward-scopes'
  | 'settings';

/** One administrative act, as the audit log keeps it. */
export interface AuditEntryInput {
  readonly at: number;
  readonly action: AuditAction;
  readonly actor: { readonly orgId: string | null; readonly credentialId: string | null; readonly deviceName: string };
  readonly target: { readonly kind: 'org' | 'device' | 'invitation' | 'network'; readonly id: string; readonly name: string };
  readonly details: Readonly<Record<string, unknown>>;
}

export interface AuditEntry extends AuditEntryInput {
  /** Increasing in the order entries were appended. */
  readonly id: number;
}

/** The invitation id for a code hash (see InvitationListRow.id). */
export function invitationIdOf(codeHash: string): string {
  return `inv-${codeHash.slice(0, 24)}`;
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
   * whole state, not a delta it could not apply. Each version of the facts is also kept with the
   * seq it took effect at (RecordLog.factsSince), so a pull can tell who could ever have read it.
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
   * racing with one code get one credential. Null when the code is unknown, used, withdrawn or
   * expired. The invitation remembers the credential (InvitationListRow.usedBy).
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

/**
 * What the secretariat's administration keeps beside the directory (server/hub/networkAdmin.ts):
 * invitation states, device details and revocations, organization revocations, the audit log.
 */
export interface Administration {
  /** Every invitation, newest first. */
  listInvitations(): Promise<InvitationListRow[]>;
  getInvitation(target: { codeHash: string } | { id: string }): Promise<InvitationListRow | null>;
  /**
   * Withdraws pending invitations (unused, not withdrawn, unexpired at `at`): one, or every one of
   * an organization. Returns how many.
   */
  withdrawInvitations(target: { codeHash: string } | { orgId: string }, at: number): Promise<number>;

  /** Every credential with its details, in the order they were created. */
  listDevices(): Promise<DeviceRow[]>;
  getDevice(credentialId: string): Promise<DeviceRow | null>;
  /** Remembers that a device was heard from at `at` (never moving back) and, if given, the app version it reported. */
  touchDevice(credentialId: string, at: number, appVersion: string | null): Promise<void>;
  /**
   * Revokes credentials not yet revoked (one, or all of an organization), with the reason and
   * wipe; returns the ids revoked now.
   */
  revokeDevices(target: { credentialId: string } | { orgId: string }, at: number, revocation: Revocation): Promise<string[]>;
  /**
   * Revokes one credential of `orgId` unless it is that organization's last standing one, in one
   * atomic step (so revocations sent at once cannot each see another device standing).
   */
  revokeDeviceKeepingOne(credentialId: string, orgId: string, at: number, revocation: Revocation): Promise<'revoked' | 'last-standing' | 'already-revoked'>;
  /** Marks a credential revoked without wipe for wipe (replacing its reason); false if it is not revoked or already marked. */
  markWipe(credentialId: string, reason: string | null): Promise<boolean>;

  /**
   * Revokes an organization in one transaction: marks it revoked, revokes each of its credentials
   * (with `revocation`) and withdraws its pending invitations. Null when it was revoked already.
   */
  revokeOrg(orgId: string, at: number, revocation: Revocation): Promise<{ revokedCredentials: string[]; withdrawnInvitations: number } | null>;
  orgRevocations(): Promise<OrgRevocationRow[]>;
  /** Changes an organization's role everywhere the directory holds it: the org, its credentials, its pending invitations. */
  setOrgRole(orgId: string, role: Role): Promise<void>;
  renameOrg(orgId: string, name: string): Promise<void>;

  /** Appends an entry; returns its id. */
  appendAudit(entry: AuditEntryInput): Promise<number>;
  /** Entries older than `before` (all when absent), newest first, at most `limit`. */
  listAudit(options: { before?: number; limit: number }): Promise<AuditEntry[]>;
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
  /**
   * The read facts each of these records had at any moment after checkpoint `since`, oldest first:
   * the facts in force at `since` (none where the record did not exist yet) and every later version
   * a commit stored. `null` stands for facts not known: a record stored by a hub that kept no such
   * history, before its first change after the upgrade. What a pull asks before it names a record
   * as withdrawn (server/hub/pullFrames.ts): only a reader who could read one of these may hold a copy.
   */
  factsSince(recordIds: readonly string[], since: number): Promise<Map<string, readonly (RuleFacts | null)[]>>;
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

/**
 * What an organization's records take at the hub, for its quotas (server/hub/quotas.ts). Read from
 * the records themselves, so every hub process on one database counts the same.
 */
export interface OrgUsage {
  /**
   * How many records `orgId` owns were created (hub clock, RecordHeader.createdAt) after `since`.
   * Its profile (type `org`) is not counted: the secretariat creates that one on invite.
   */
  recordsCreatedSince(orgId: string, since: number): Promise<number>;
  /** The creation time of the `nth` (1 = oldest) of those records; null when there are fewer. */
  nthRecordCreatedSince(orgId: string, since: number, nth: number): Promise<number | null>;
  /** Bytes the records `orgId` owns take: their states and their logged (not yet compacted) updates. */
  storedBytes(orgId: string): Promise<number>;
}

/** One record's reference to a blob, as the blob index keeps it (server/storage/blobReferences.ts). */
export interface BlobReferenceRow {
  readonly sha256: string;
  /** The size and type the attachment declares for it. */
  readonly sizeBytes: number;
  readonly mediaType: string;
  /** Every attachment of the record naming this hash has consent `pending`: its bytes are the owner's only. */
  readonly isConsentPending: boolean;
}

/** A reference with the record it is in: what reading and writing a blob is authorized by. */
export interface BlobReference extends BlobReferenceRow {
  readonly header: RecordHeader;
  readonly facts: RuleFacts;
}

/**
 * Which stored records reference which blobs, and which organizations have shown they hold a
 * blob's bytes. `commit` keeps the references in the write's own transaction: a record's rows are
 * replaced by those of its new projection, and every hash it named before or names now is stamped
 * as referenced at the commit's time (the start of garbage collection's grace).
 */
export interface BlobIndex {
  /** Every reference a stored record holds to one of these hashes. */
  blobReferences(sha256s: readonly string[]): Promise<BlobReference[]>;
  /** Of these hashes, those no stored record references, with when one last did (null: never). */
  unreferencedBlobs(sha256s: readonly string[]): Promise<Map<string, number | null>>;
  /** Remembers that `orgId` sent the bytes of `sha256` (or could read them): its references count. */
  addBlobHolder(sha256: string, orgId: string, at: number): Promise<void>;
  /** The organizations that hold each of these hashes. */
  blobHolders(sha256s: readonly string[]): Promise<Map<string, ReadonlySet<string>>>;
  /** Forgets a collected blob's holders and its last-referenced time (its references are gone already). */
  forgetBlob(sha256: string): Promise<void>;
}

/** Everything the hub keeps: what each adapter provides and the Hub holds. */
export interface HubStorage extends StorageLifecycle, HubMeta, Directory, Administration, RecordLog, GovernanceSchedule, PullCheckpoints, OrgUsage, BlobIndex {}
