import Database from 'better-sqlite3';
import { chmodSync } from 'node:fs';
import { dirname } from 'node:path';
import type { RuleFacts } from '../../shared/records/recordModule';
import type { RecordType, Role } from '../../shared/records/recordType';
import {
  invitationIdOf,
  StaleWriteError,
  type Administration,
  type AuditEntry,
  type BlobIndex,
  type BlobReference,
  type CredentialRow,
  type DeviceRow,
  type InvitationListRow,
  type Revocation,
  type Directory,
  type GovernanceSchedule,
  type HubMeta,
  type OrgUsage,
  type HubStorage,
  type OrgRow,
  type PullCheckpoints,
  type RecordLog,
  type RecordSummary,
  type RecordWrite,
  type StorageLifecycle,
  type StoredRecord,
} from './hubStorage';
import { readThroughTarget } from '../../shared/rules/rules';
import { attachedToOf, storedFacts, type TargetRow } from './attachedFacts';
import { factsVersionsFrom } from './factsHistory';
import { ensureSecretDir, ensureSecretFile, SECRET_FILE_MODE } from './secretFileModes';
import { blobReferencesOf, mayReferenceBlobs } from './blobReferences';

/*
 * The embedded default: one SQLite file in the hub's data folder (better-sqlite3, WAL mode).
 * SQLite serializes writers, so sequence numbers follow commit order by construction; commits are
 * synchronous, so nothing is acknowledged before it is on disk (synchronous=FULL).
 */

const SCHEMA = `
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS orgs (
  id TEXT PRIMARY KEY, name TEXT NOT NULL, role TEXT NOT NULL,
  created_at INTEGER NOT NULL, last_seen_at INTEGER);
CREATE TABLE IF NOT EXISTS invitations (
  code_hash TEXT PRIMARY KEY, org_id TEXT NOT NULL REFERENCES orgs(id), role TEXT NOT NULL,
  created_at INTEGER NOT NULL, expires_at INTEGER NOT NULL, used_at INTEGER);
CREATE TABLE IF NOT EXISTS credentials (
  id TEXT PRIMARY KEY, org_id TEXT NOT NULL REFERENCES orgs(id), device_id TEXT NOT NULL,
  device_name TEXT NOT NULL, role TEXT NOT NULL, created_at INTEGER NOT NULL, revoked_at INTEGER);
CREATE INDEX IF NOT EXISTS credentials_revoked ON credentials(revoked_at) WHERE revoked_at IS NOT NULL;
CREATE TABLE IF NOT EXISTS device_keys (
  credential_id TEXT PRIMARY KEY REFERENCES credentials(id), public_key BLOB NOT NULL, created_at INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS records (
  id TEXT PRIMARY KEY, type TEXT NOT NULL, owner_org TEXT NOT NULL, created_at INTEGER NOT NULL,
  seq INTEGER NOT NULL, compacted_seq INTEGER NOT NULL, facts_seq INTEGER NOT NULL, state BLOB NOT NULL,
  projection TEXT NOT NULL, facts TEXT NOT NULL, attached_to TEXT);
CREATE UNIQUE INDEX IF NOT EXISTS records_seq ON records(seq);
CREATE TABLE IF NOT EXISTS updates (
  seq INTEGER PRIMARY KEY, record_id TEXT NOT NULL, update_bytes BLOB NOT NULL,
  credential_id TEXT, created_at INTEGER NOT NULL);
CREATE INDEX IF NOT EXISTS updates_record ON updates(record_id, seq);
CREATE INDEX IF NOT EXISTS records_owner_created ON records(owner_org, created_at);
CREATE TABLE IF NOT EXISTS cast_arrivals (
  record_id TEXT NOT NULL, cast_at INTEGER NOT NULL, received_at INTEGER NOT NULL, PRIMARY KEY (record_id, cast_at));
CREATE TABLE IF NOT EXISTS seal_schedule (proposal_id TEXT PRIMARY KEY, due_at INTEGER NOT NULL);
CREATE INDEX IF NOT EXISTS seal_schedule_due ON seal_schedule(due_at);
CREATE TABLE IF NOT EXISTS facts_history (
  record_id TEXT NOT NULL, seq INTEGER NOT NULL, facts TEXT, PRIMARY KEY (record_id, seq));
CREATE TABLE IF NOT EXISTS pull_checkpoints (
  credential_id TEXT PRIMARY KEY, seq INTEGER NOT NULL, at INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS invitation_withdrawals (code_hash TEXT PRIMARY KEY REFERENCES invitations(code_hash), withdrawn_at INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS invitation_uses (code_hash TEXT PRIMARY KEY REFERENCES invitations(code_hash), credential_id TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS device_details (credential_id TEXT PRIMARY KEY REFERENCES credentials(id), last_seen_at INTEGER, app_version TEXT);
CREATE TABLE IF NOT EXISTS credential_revocations (credential_id TEXT PRIMARY KEY REFERENCES credentials(id), reason TEXT, wipe INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS org_revocations (org_id TEXT PRIMARY KEY REFERENCES orgs(id), revoked_at INTEGER NOT NULL, reason TEXT);
CREATE TABLE IF NOT EXISTS blob_refs (
  record_id TEXT NOT NULL, sha256 TEXT NOT NULL, size_bytes INTEGER NOT NULL, media_type TEXT NOT NULL,
  is_consent_pending INTEGER NOT NULL, PRIMARY KEY (record_id, sha256));
CREATE INDEX IF NOT EXISTS blob_refs_sha256 ON blob_refs(sha256);
CREATE TABLE IF NOT EXISTS blob_seen (sha256 TEXT PRIMARY KEY, last_referenced_at INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS blob_holders (sha256 TEXT NOT NULL, org_id TEXT NOT NULL, at INTEGER NOT NULL, PRIMARY KEY (sha256, org_id));
CREATE TABLE IF NOT EXISTS admin_audit (
  id INTEGER PRIMARY KEY AUTOINCREMENT, at INTEGER NOT NULL, action TEXT NOT NULL,
  actor_org TEXT, actor_credential TEXT, actor_device_name TEXT NOT NULL,
  target_kind TEXT NOT NULL, target_id TEXT NOT NULL, target_name TEXT NOT NULL, details TEXT NOT NULL);
`;

/** Invitations with their states, as one row each. */
const INVITATION_SELECT = `SELECT i.*, w.withdrawn_at, u.credential_id AS used_by FROM invitations i
  LEFT JOIN invitation_withdrawals w ON w.code_hash = i.code_hash LEFT JOIN invitation_uses u ON u.code_hash = i.code_hash`;
const DEVICE_SELECT = `SELECT c.*, d.last_seen_at, d.app_version, r.reason AS revoke_reason, COALESCE(r.wipe, 0) AS wipe FROM credentials c
  LEFT JOIN device_details d ON d.credential_id = c.id LEFT JOIN credential_revocations r ON r.credential_id = c.id`;

interface InvitationSqlRow {
  code_hash: string;
  org_id: string;
  role: string;
  created_at: number;
  expires_at: number;
  used_at: number | null;
  withdrawn_at: number | null;
  used_by: string | null;
}

const toInvitation = (row: InvitationSqlRow): InvitationListRow => ({
  id: invitationIdOf(row.code_hash),
  codeHash: row.code_hash,
  orgId: row.org_id,
  role: row.role as Role,
  createdAt: row.created_at,
  expiresAt: row.expires_at,
  usedAt: row.used_at,
  withdrawnAt: row.withdrawn_at,
  usedBy: row.used_by,
});

interface AuditSqlRow {
  id: number;
  at: number;
  action: string;
  actor_org: string | null;
  actor_credential: string | null;
  actor_device_name: string;
  target_kind: string;
  target_id: string;
  target_name: string;
  details: string;
}

const toAudit = (row: AuditSqlRow): AuditEntry => ({
  id: row.id,
  at: row.at,
  action: row.action as AuditEntry['action'],
  actor: { orgId: row.actor_org, credentialId: row.actor_credential, deviceName: row.actor_device_name },
  target: { kind: row.target_kind as AuditEntry['target']['kind'], id: row.target_id, name: row.target_name },
  details: JSON.parse(row.details) as AuditEntry['details'],
});

interface RecordSqlRow {
  id: string;
  type: string;
  owner_org: string;
  created_at: number;
  seq: number;
  compacted_seq: number;
  facts_seq: number;
  state: Buffer;
  projection: string;
  facts: string;
}

function toStored(row: RecordSqlRow): StoredRecord {
  return {
    header: { id: row.id, type: row.type as RecordType, ownerOrg: row.owner_org, createdAt: row.created_at },
    seq: row.seq,
    compactedSeq: row.compacted_seq,
    factsSeq: row.facts_seq,
    state: new Uint8Array(row.state),
    projection: JSON.parse(row.projection) as Record<string, unknown>,
    facts: JSON.parse(row.facts) as StoredRecord['facts'],
  };
}

interface CredentialSqlRow {
  id: string;
  org_id: string;
  device_id: string;
  device_name: string;
  role: string;
  created_at: number;
  revoked_at: number | null;
}

interface DeviceSqlRow extends CredentialSqlRow {
  last_seen_at: number | null;
  app_version: string | null;
  revoke_reason: string | null;
  wipe: number;
}

function toDevice(row: DeviceSqlRow): DeviceRow {
  return {
  ...toCredential(row),
  lastSeenAt: row.last_seen_at,
  appVersion: row.app_version,
  revokeReason: row.revoke_reason,
  wipe: row.wipe === 1,
  };
}

const toCredential = (row: CredentialSqlRow): CredentialRow => ({
  id: row.id,
  orgId: row.org_id,
  deviceId: row.device_id,
  deviceName: row.device_name,
  role: row.role as Role,
  createdAt: row.created_at,
  revokedAt: row.revoked_at,
});

/** A data folder made before comments were read through their target lacks the column: add it. */
function addAttachedToColumn(db: Database.Database): void {
  const columns = db.prepare<[], { name: string }>('PRAGMA table_info(records)').all();
  if (!columns.some((column) => column.name === 'attached_to')) db.exec('ALTER TABLE records ADD COLUMN attached_to TEXT');
  db.exec('CREATE INDEX IF NOT EXISTS records_attached_to ON records(attached_to)');
}

/**
 * Records stored before the hub kept their facts' history get it once: facts not known (null) from
 * the beginning, then the facts in force since their facts_seq (RecordLog.factsSince).
 */
function backfillFactsHistory(db: Database.Database): void {
  db.transaction(() => {
    const missing = 'FROM records r WHERE NOT EXISTS (SELECT 1 FROM facts_history h WHERE h.record_id = r.id)';
    db.exec(`INSERT INTO facts_history (record_id, seq, facts) SELECT id, 0, NULL ${missing} UNION ALL SELECT id, facts_seq, facts ${missing}`);
  })();
}

/**
 * Records stored before the hub indexed blob references get their rows at start: rows missing for
 * a projection that names a hash are added (present ones are left alone, so it is idempotent).
 */
function backfillBlobRefs(db: Database.Database): void {
  db.transaction(() => {
    const insert = db.prepare('INSERT OR IGNORE INTO blob_refs (record_id, sha256, size_bytes, media_type, is_consent_pending) VALUES (?, ?, ?, ?, ?)');
    const seen = db.prepare('INSERT INTO blob_seen (sha256, last_referenced_at) VALUES (?, ?) ON CONFLICT(sha256) DO NOTHING');
    const now = Date.now();
    for (const row of db.prepare<[], { id: string; projection: string }>(`SELECT id, projection FROM records WHERE projection LIKE '%"sha256"%'`).all()) {
      if (!mayReferenceBlobs(row.projection)) continue;
      for (const ref of blobReferencesOf(JSON.parse(row.projection))) {
        insert.run(row.id, ref.sha256, ref.sizeBytes, ref.mediaType, ref.isConsentPending ? 1 : 0);
        seen.run(ref.sha256, now);
      }
    }
  })();
}

export function openSqliteStorage(file: string): HubStorage {
  if (file !== ':memory:') {
    ensureSecretDir(dirname(file));
    // SQLite gives its -wal and -shm files the database file's mode.
    ensureSecretFile(file);
  }
  const db = new Database(file);
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = FULL');
  db.pragma('busy_timeout = 5000');
  db.pragma('foreign_keys = ON');
  db.exec(SCHEMA);
  addAttachedToColumn(db);
  backfillFactsHistory(db);
  backfillBlobRefs(db);

  const statements = {
    getMeta: db.prepare<[string], { value: string }>('SELECT value FROM meta WHERE key = ?'),
    initMeta: db.prepare('INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT(key) DO NOTHING'),
    createOrg: db.prepare('INSERT INTO orgs (id, name, role, created_at) VALUES (?, ?, ?, ?)'),
    getOrg: db.prepare<[string], { id: string; name: string; role: string; created_at: number; last_seen_at: number | null }>('SELECT * FROM orgs WHERE id = ?'),
    listOrgs: db.prepare<[], { id: string; name: string; role: string; created_at: number; last_seen_at: number | null }>('SELECT * FROM orgs ORDER BY name, id'),
    touchOrg: db.prepare('UPDATE orgs SET last_seen_at = MAX(COALESCE(last_seen_at, 0), ?) WHERE id = ?'),
    createInvitation: db.prepare('INSERT INTO invitations (code_hash, org_id, role, created_at, expires_at) VALUES (?, ?, ?, ?, ?)'),
    useInvitation: db.prepare<[number, string, number], { org_id: string; role: string }>(
      `UPDATE invitations SET used_at = ? WHERE code_hash = ? AND used_at IS NULL AND expires_at > ?
         AND code_hash NOT IN (SELECT code_hash FROM invitation_withdrawals) RETURNING org_id, role`,
    ),
    recordInvitationUse: db.prepare('INSERT INTO invitation_uses (code_hash, credential_id) VALUES (?, ?)'),
    listInvitations: db.prepare<[], InvitationSqlRow>(`${INVITATION_SELECT} ORDER BY i.created_at DESC, i.code_hash`),
    invitationByHash: db.prepare<[string], InvitationSqlRow>(`${INVITATION_SELECT} WHERE i.code_hash = ?`),
    invitationById: db.prepare<[string], InvitationSqlRow>(`${INVITATION_SELECT} WHERE substr(i.code_hash, 1, 24) = ?`),
    pendingInvitationsOf: db.prepare<[string, number], { code_hash: string }>(
      `SELECT code_hash FROM invitations WHERE org_id = ? AND used_at IS NULL AND expires_at > ?
         AND code_hash NOT IN (SELECT code_hash FROM invitation_withdrawals)`,
    ),
    pendingInvitation: db.prepare<[string, number], { code_hash: string }>(
      `SELECT code_hash FROM invitations WHERE code_hash = ? AND used_at IS NULL AND expires_at > ?
         AND code_hash NOT IN (SELECT code_hash FROM invitation_withdrawals)`,
    ),
    withdrawInvitation: db.prepare('INSERT INTO invitation_withdrawals (code_hash, withdrawn_at) VALUES (?, ?) ON CONFLICT DO NOTHING'),
    listDevices: db.prepare<[], DeviceSqlRow>(`${DEVICE_SELECT} ORDER BY c.created_at, c.id`),
    getDevice: db.prepare<[string], DeviceSqlRow>(`${DEVICE_SELECT} WHERE c.id = ?`),
    touchDevice: db.prepare(`INSERT INTO device_details (credential_id, last_seen_at, app_version) VALUES (@id, @at, @version)
      ON CONFLICT(credential_id) DO UPDATE SET last_seen_at = MAX(COALESCE(last_seen_at, 0), excluded.last_seen_at),
        app_version = COALESCE(excluded.app_version, app_version)`),
    unrevokedOf: db.prepare<[string], { id: string }>('SELECT id FROM credentials WHERE org_id = ? AND revoked_at IS NULL'),
    unrevoked: db.prepare<[string], { id: string }>('SELECT id FROM credentials WHERE id = ? AND revoked_at IS NULL'),
    recordRevocation: db.prepare(
      'INSERT INTO credential_revocations (credential_id, reason, wipe) VALUES (?, ?, ?) ON CONFLICT(credential_id) DO UPDATE SET reason = excluded.reason, wipe = excluded.wipe',
    ),
    markWipe: db.prepare(
      `UPDATE credential_revocations SET wipe = 1, reason = ? WHERE credential_id = ? AND wipe = 0
         AND credential_id IN (SELECT id FROM credentials WHERE revoked_at IS NOT NULL)`,
    ),
    revokeOrgRow: db.prepare('INSERT INTO org_revocations (org_id, revoked_at, reason) VALUES (?, ?, ?) ON CONFLICT DO NOTHING'),
    orgRevocations: db.prepare<[], { org_id: string; revoked_at: number; reason: string | null }>('SELECT * FROM org_revocations ORDER BY revoked_at, org_id'),
    setOrgRole: db.prepare('UPDATE orgs SET role = ? WHERE id = ?'),
    setCredentialsRole: db.prepare('UPDATE credentials SET role = ? WHERE org_id = ?'),
    setPendingInvitationsRole: db.prepare(
      `UPDATE invitations SET role = ? WHERE org_id = ? AND used_at IS NULL AND code_hash NOT IN (SELECT code_hash FROM invitation_withdrawals)`,
    ),
    renameOrg: db.prepare('UPDATE orgs SET name = ? WHERE id = ?'),
    appendAudit: db.prepare(`INSERT INTO admin_audit (at, action, actor_org, actor_credential, actor_device_name, target_kind, target_id, target_name, details)
      VALUES (@at, @action, @actor_org, @actor_credential, @actor_device_name, @target_kind, @target_id, @target_name, @details)`),
    listAudit: db.prepare<[number, number], AuditSqlRow>('SELECT * FROM admin_audit WHERE id < ? ORDER BY id DESC LIMIT ?'),
    createCredential: db.prepare('INSERT INTO credentials (id, org_id, device_id, device_name, role, created_at) VALUES (?, ?, ?, ?, ?, ?)'),
    getCredential: db.prepare<[string], CredentialSqlRow>('SELECT * FROM credentials WHERE id = ?'),
    revokeOne: db.prepare('UPDATE credentials SET revoked_at = ? WHERE id = ? AND revoked_at IS NULL'),
    revokeOrg: db.prepare('UPDATE credentials SET revoked_at = ? WHERE org_id = ? AND revoked_at IS NULL'),
    revokedSince: db.prepare<[number], { id: string }>('SELECT id FROM credentials WHERE revoked_at >= ?'),
    registerDeviceKey: db.prepare('INSERT INTO device_keys (credential_id, public_key, created_at) VALUES (?, ?, ?) ON CONFLICT(credential_id) DO NOTHING'),
    getDeviceKey: db.prepare<[string], { public_key: Buffer }>('SELECT public_key FROM device_keys WHERE credential_id = ?'),
    getRecord: db.prepare<[string], RecordSqlRow>('SELECT * FROM records WHERE id = ?'),
    lastSeq: db.prepare<[], { seq: number | null }>('SELECT MAX(seq) AS seq FROM updates'),
    lastRecordSeq: db.prepare<[], { seq: number | null }>('SELECT MAX(seq) AS seq FROM records'),
    insertUpdate: db.prepare('INSERT INTO updates (seq, record_id, update_bytes, credential_id, created_at) VALUES (?, ?, ?, ?, ?)'),
    // The header columns are written once and never updated: a header is immutable.
    upsertRecord: db.prepare<[Record<string, unknown>], { facts_seq: number }>(`INSERT INTO records (id, type, owner_org, created_at, seq, compacted_seq, facts_seq, state, projection, facts, attached_to)
      VALUES (@id, @type, @owner_org, @created_at, @seq, 0, @seq, @state, @projection, @facts, @attached_to)
      ON CONFLICT(id) DO UPDATE SET seq = excluded.seq, state = excluded.state, projection = excluded.projection,
        facts_seq = CASE WHEN records.facts = excluded.facts THEN records.facts_seq ELSE excluded.seq END,
        facts = excluded.facts, attached_to = excluded.attached_to
      RETURNING facts_seq`),
    insertFactsVersion: db.prepare('INSERT INTO facts_history (record_id, seq, facts) VALUES (?, ?, ?)'),
    factsVersionsOf: db.prepare<[string, string, number], { facts: string | null }>(
      `SELECT facts FROM facts_history WHERE record_id = ?
         AND seq >= COALESCE((SELECT MAX(seq) FROM facts_history WHERE record_id = ? AND seq <= ?), 0) ORDER BY seq`,
    ),
    dropFactsHistory: db.prepare('DELETE FROM facts_history WHERE record_id = ?'),
    currentFactsVersion: db.prepare('INSERT INTO facts_history (record_id, seq, facts) SELECT id, facts_seq, facts FROM records WHERE id = ?'),
    targetRow: db.prepare<[string], Pick<RecordSqlRow, 'id' | 'type' | 'owner_org' | 'created_at' | 'facts'>>(
      'SELECT id, type, owner_org, created_at, facts FROM records WHERE id = ?',
    ),
    attachedRows: db.prepare<[string], Pick<RecordSqlRow, 'id' | 'type' | 'owner_org' | 'created_at' | 'facts'>>(
      'SELECT id, type, owner_org, created_at, facts FROM records WHERE attached_to = ? ORDER BY seq',
    ),
    refreshFacts: db.prepare('UPDATE records SET seq = ?, facts_seq = ?, facts = ? WHERE id = ?'),
    recordSeq: db.prepare<[string], { seq: number; type: string }>('SELECT seq, type FROM records WHERE id = ?'),
    changedSince: db.prepare<[number, number], RecordSqlRow>('SELECT * FROM records WHERE seq > ? ORDER BY seq LIMIT ?'),
    changedIdsBetween: db.prepare<[number, number], { id: string }>('SELECT id FROM records WHERE seq > ? AND seq <= ? ORDER BY seq'),
    updatesOf: db.prepare<[string, number], { update_bytes: Buffer }>('SELECT update_bytes FROM updates WHERE record_id = ? AND seq > ? ORDER BY seq'),
    compactRecord: db.prepare('UPDATE records SET state = ?, compacted_seq = ? WHERE id = ? AND seq = ?'),
    dropUpdates: db.prepare('DELETE FROM updates WHERE record_id = ? AND seq <= ?'),
    candidates: db.prepare<[number, number], { record_id: string }>(
      'SELECT record_id FROM updates GROUP BY record_id HAVING COUNT(*) > ? LIMIT ?',
    ),
    insertArrival: db.prepare('INSERT INTO cast_arrivals (record_id, cast_at, received_at) VALUES (?, ?, ?) ON CONFLICT DO NOTHING'),
    arrivalsOf: db.prepare<[string], { cast_at: number; received_at: number }>('SELECT cast_at, received_at FROM cast_arrivals WHERE record_id = ?'),
    setSealDue: db.prepare('INSERT INTO seal_schedule (proposal_id, due_at) VALUES (?, ?) ON CONFLICT(proposal_id) DO UPDATE SET due_at = excluded.due_at'),
    clearSealDue: db.prepare('DELETE FROM seal_schedule WHERE proposal_id = ?'),
    dueSeals: db.prepare<[number, number], { proposal_id: string }>('SELECT proposal_id FROM seal_schedule WHERE due_at <= ? ORDER BY due_at, proposal_id LIMIT ?'),
    setPullCheckpoint: db.prepare(
      'INSERT INTO pull_checkpoints (credential_id, seq, at) VALUES (?, ?, ?) ON CONFLICT(credential_id) DO UPDATE SET seq = excluded.seq, at = excluded.at',
    ),
    pullCheckpoints: db.prepare<[], { credential_id: string; org_id: string; seq: number; at: number }>(
      `SELECT p.credential_id, c.org_id, p.seq, p.at FROM pull_checkpoints p JOIN credentials c ON c.id = p.credential_id
       WHERE c.revoked_at IS NULL ORDER BY p.credential_id`,
    ),
    changedSummaries: db.prepare<[number, number], Pick<RecordSqlRow, 'id' | 'type' | 'owner_org' | 'created_at' | 'seq' | 'facts'>>(
      'SELECT id, type, owner_org, created_at, seq, facts FROM records WHERE seq > ? ORDER BY seq LIMIT ?',
    ),
    moveRecordRow: db.prepare('UPDATE records SET id = ?, seq = ?, facts_seq = ? WHERE id = ? AND seq = ?'),
    moveUpdates: db.prepare('UPDATE updates SET record_id = ? WHERE record_id = ?'),
    moveArrivals: db.prepare('UPDATE cast_arrivals SET record_id = ? WHERE record_id = ?'),
    recordsCreatedSince: db.prepare<[string, number], { count: number }>(`SELECT COUNT(*) AS count FROM records WHERE owner_org = ? AND created_at > ? AND type <> 'org'`),
    nthRecordCreatedSince: db.prepare<[string, number, number], { created_at: number }>(
      `SELECT created_at FROM records WHERE owner_org = ? AND created_at > ? AND type <> 'org' ORDER BY created_at LIMIT 1 OFFSET ?`,
    ),
    stateBytesOf: db.prepare<[string], { bytes: number | null }>('SELECT SUM(length(state)) AS bytes FROM records WHERE owner_org = ?'),
    loggedBytesOf: db.prepare<[string], { bytes: number | null }>(
      'SELECT SUM(length(u.update_bytes)) AS bytes FROM records r JOIN updates u ON u.record_id = r.id WHERE r.owner_org = ?',
    ),
    blobRefsOf: db.prepare<[string], { sha256: string }>('SELECT sha256 FROM blob_refs WHERE record_id = ?'),
    dropBlobRefs: db.prepare('DELETE FROM blob_refs WHERE record_id = ?'),
    insertBlobRef: db.prepare('INSERT INTO blob_refs (record_id, sha256, size_bytes, media_type, is_consent_pending) VALUES (?, ?, ?, ?, ?)'),
    touchBlobSeen: db.prepare(
      'INSERT INTO blob_seen (sha256, last_referenced_at) VALUES (?, ?) ON CONFLICT(sha256) DO UPDATE SET last_referenced_at = MAX(last_referenced_at, excluded.last_referenced_at)',
    ),
    moveBlobRefs: db.prepare('UPDATE blob_refs SET record_id = ? WHERE record_id = ?'),
    blobReferences: db.prepare<[string], { sha256: string; size_bytes: number; media_type: string; is_consent_pending: number; id: string; type: string; owner_org: string; created_at: number; facts: string }>(
      `SELECT b.sha256, b.size_bytes, b.media_type, b.is_consent_pending, r.id, r.type, r.owner_org, r.created_at, r.facts
       FROM blob_refs b JOIN records r ON r.id = b.record_id WHERE b.sha256 IN (SELECT value FROM json_each(?)) ORDER BY r.id, b.sha256`,
    ),
    referencedAmong: db.prepare<[string], { sha256: string }>('SELECT DISTINCT sha256 FROM blob_refs WHERE sha256 IN (SELECT value FROM json_each(?))'),
    blobSeenAmong: db.prepare<[string], { sha256: string; last_referenced_at: number }>('SELECT sha256, last_referenced_at FROM blob_seen WHERE sha256 IN (SELECT value FROM json_each(?))'),
    addBlobHolder: db.prepare('INSERT INTO blob_holders (sha256, org_id, at) VALUES (?, ?, ?) ON CONFLICT DO NOTHING'),
    blobHoldersAmong: db.prepare<[string], { sha256: string; org_id: string }>('SELECT sha256, org_id FROM blob_holders WHERE sha256 IN (SELECT value FROM json_each(?))'),
    forgetBlobHolders: db.prepare('DELETE FROM blob_holders WHERE sha256 = ?'),
    forgetBlobSeen: db.prepare('DELETE FROM blob_seen WHERE sha256 = ?'),
    seqCounter: db.prepare<[], { value: string }>("SELECT value FROM meta WHERE key = 'seq'"),
    setSeqCounter: db.prepare("INSERT INTO meta (key, value) VALUES ('seq', ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value"),
  };

  // The counter survives compaction (which deletes update rows), so numbers are never reused.
  const nextSeqBase = (): number => {
    const counter = statements.seqCounter.get();
    if (counter) return Number(counter.value);
    return Math.max(statements.lastSeq.get()?.seq ?? 0, statements.lastRecordSeq.get()?.seq ?? 0);
  };

  const storedTarget = (id: string): TargetRow | null => {
    const row = statements.targetRow.get(id);
    return row ? { header: { id: row.id, type: row.type as RecordType, ownerOrg: row.owner_org, createdAt: row.created_at }, facts: JSON.parse(row.facts) as RuleFacts } : null;
  };

  // The record's blob references are replaced by its new projection's (blobReferences.ts).
  const indexBlobRefs = (write: RecordWrite, now: number): void => {
    const before = statements.blobRefsOf.all(write.header.id).map((row) => row.sha256);
    const refs = blobReferencesOf(write.projection);
    if (before.length === 0 && refs.length === 0) return;
    statements.dropBlobRefs.run(write.header.id);
    for (const ref of refs) statements.insertBlobRef.run(write.header.id, ref.sha256, ref.sizeBytes, ref.mediaType, ref.isConsentPending ? 1 : 0);
    for (const sha256 of new Set([...before, ...refs.map((ref) => ref.sha256)])) statements.touchBlobSeen.run(sha256, now);
  };

  /**
   * Stores each record attached to one of `targets` again with the target's new read scope, each
   * under the next seq, and so on down the chain (a comment on a translation whose original
   * changed). Each target once: a chain is a tree (a translation of a translation is refused), the
   * guard is for older data. Returns the last seq used.
   */
  const refreshAttached = (targets: ReadonlyMap<string, TargetRow>, firstSeq: number, factsVersions: Map<string, { seq: number; facts: string }>): number => {
    let seq = firstSeq;
    const queue = [...targets];
    const visited = new Set<string>();
    for (let next = queue.shift(); next !== undefined; next = queue.shift()) {
      const [targetId, target] = next;
      if (visited.has(targetId)) continue;
      visited.add(targetId);
      for (const row of statements.attachedRows.all(targetId)) {
        const refreshed = storedFacts(JSON.parse(row.facts) as RuleFacts, targetId, target);
        const facts = JSON.stringify(refreshed);
        if (facts === row.facts) continue;
        seq += 1;
        statements.refreshFacts.run(seq, seq, facts, row.id);
        factsVersions.set(row.id, { seq, facts });
        queue.push([row.id, { header: { id: row.id, type: row.type as RecordType, ownerOrg: row.owner_org, createdAt: row.created_at }, facts: refreshed }]);
      }
    }
    return seq;
  };

  const commitTx = db.transaction((writes: readonly RecordWrite[], now: number): number[] => {
    let seq = nextSeqBase();
    const seqs: number[] = [];
    // A target written in this batch counts as written, whatever the order (attachedFacts.ts).
    const batchTargets = new Map<string, TargetRow>(writes.map((write) => [write.header.id, { header: write.header, facts: write.facts }]));
    // The facts each record ends this commit with, where they changed: one version per record and
    // commit (a batch is seen whole or not at all), kept for pulls' withdrawals.
    const factsVersions = new Map<string, { seq: number; facts: string }>();
    for (const write of writes) {
      const row = statements.recordSeq.get(write.header.id);
      if ((row?.seq ?? null) !== write.expectedSeq) throw new StaleWriteError(write.header.id);
      seq += 1;
      // The header is the first write's, its type included.
      const attachedTo = attachedToOf({ header: { ...write.header, type: (row?.type as RecordType | undefined) ?? write.header.type }, projection: write.projection });
      const facts = storedFacts(write.facts, attachedTo, attachedTo === null ? null : (batchTargets.get(attachedTo) ?? storedTarget(attachedTo)));
      statements.insertUpdate.run(seq, write.header.id, Buffer.from(write.update), write.credentialId, now);
      const storedFactsJson = JSON.stringify(facts);
      const { facts_seq: factsSeq } = statements.upsertRecord.get({
        id: write.header.id,
        type: write.header.type,
        owner_org: write.header.ownerOrg,
        created_at: write.header.createdAt,
        seq,
        state: Buffer.from(write.state),
        projection: JSON.stringify(write.projection),
        facts: storedFactsJson,
        attached_to: attachedTo,
      })!;
      if (factsSeq === seq) factsVersions.set(write.header.id, { seq, facts: storedFactsJson });
      // Its stored facts, its own target's scope included, are what records attached to it nest.
      batchTargets.set(write.header.id, { header: write.header, facts });
      indexBlobRefs(write, now);
      for (const arrival of write.castArrivals ?? []) statements.insertArrival.run(write.header.id, arrival.castAt, arrival.receivedAt);
      if (write.sealDueAt === null) statements.clearSealDue.run(write.header.id);
      else if (write.sealDueAt !== undefined) statements.setSealDue.run(write.header.id, write.sealDueAt);
      seqs.push(seq);
    }
    // Records attached to one written here take its new read scope.
    seq = refreshAttached(batchTargets, seq, factsVersions);
    for (const [id, version] of factsVersions) statements.insertFactsVersion.run(id, version.seq, version.facts);
    statements.setSeqCounter.run(String(seq));
    return seqs;
  });

  // Records stored before attached records were read through their target get their scope once.
  const backfillAttachedTx = db.transaction((): void => {
    // A type read on its own unless the field is set (a translation) is looked at only where it is.
    const rows = Object.entries(readThroughTarget).flatMap(([type, rule]) =>
      db
        .prepare<[string], RecordSqlRow>(`SELECT * FROM records WHERE attached_to IS NULL AND type = ?${rule.isOptional ? ` AND json_extract(projection, '$.${rule.path.join('.')}') IS NOT NULL` : ''} ORDER BY seq`)
        .all(type),
    );
    if (rows.length === 0) return;
    let seq = nextSeqBase();
    const fill = db.prepare('UPDATE records SET seq = ?, facts_seq = ?, facts = ?, attached_to = ? WHERE id = ?');
    const filled = new Map<string, TargetRow>();
    for (const row of rows) {
      const stored = toStored(row);
      const attachedTo = attachedToOf(stored) ?? '';
      seq += 1;
      const facts = storedFacts(stored.facts, attachedTo, storedTarget(attachedTo));
      fill.run(seq, seq, JSON.stringify(facts), attachedTo, row.id);
      statements.insertFactsVersion.run(row.id, seq, JSON.stringify(facts));
      filled.set(row.id, { header: stored.header, facts });
    }
    // Records already attached to one filled here (a comment on a translation) nest its new scope.
    const factsVersions = new Map<string, { seq: number; facts: string }>();
    seq = refreshAttached(filled, seq, factsVersions);
    for (const [id, version] of factsVersions) statements.insertFactsVersion.run(id, version.seq, version.facts);
    statements.setSeqCounter.run(String(seq));
  });

  const moveTx = db.transaction((fromId: string, toId: string, expectedSeq: number): number | null => {
    if (statements.recordSeq.get(toId)) return null;
    const seq = nextSeqBase() + 1;
    if (statements.moveRecordRow.run(toId, seq, seq, fromId, expectedSeq).changes === 0) return null;
    statements.moveUpdates.run(toId, fromId);
    statements.moveArrivals.run(toId, fromId);
    statements.moveBlobRefs.run(toId, fromId);
    // Under its new id nobody could read the record before now: its history starts here.
    statements.dropFactsHistory.run(fromId);
    statements.dropFactsHistory.run(toId);
    statements.currentFactsVersion.run(toId);
    statements.setSeqCounter.run(String(seq));
    return seq;
  });

  // An organization's pending invitations go with it: none can make a new credential afterwards.

  const redeemTx = db.transaction((codeHash: string, credential: Omit<CredentialRow, 'orgId' | 'role' | 'revokedAt'>, now: number) => {
    const invitation = statements.useInvitation.get(now, codeHash, now);
    if (!invitation) return null;
    statements.createCredential.run(credential.id, invitation.org_id, credential.deviceId, credential.deviceName, invitation.role, credential.createdAt);
    statements.recordInvitationUse.run(codeHash, credential.id);
    return toCredential(statements.getCredential.get(credential.id)!);
  });

  const revokeDevicesTx = db.transaction((target: { credentialId: string } | { orgId: string }, at: number, revocation: Revocation): string[] => {
    const ids = ('credentialId' in target ? statements.unrevoked.all(target.credentialId) : statements.unrevokedOf.all(target.orgId)).map((row) => row.id);
    for (const id of ids) {
      statements.revokeOne.run(at, id);
      statements.recordRevocation.run(id, revocation.reason, revocation.wipe ? 1 : 0);
    }
    return ids;
  });

  // better-sqlite3 runs a transaction start to end with nothing in between, so check and revoke are one step.
  const revokeKeepingOneTx = db.transaction((credentialId: string, orgId: string, at: number, revocation: Revocation): 'revoked' | 'last-standing' | 'already-revoked' => {
    const standing = statements.unrevokedOf.all(orgId).map((row) => row.id);
    if (!standing.includes(credentialId)) return 'already-revoked';
    if (standing.length <= 1) return 'last-standing';
    return revokeDevicesTx({ credentialId }, at, revocation).length > 0 ? 'revoked' : 'already-revoked';
  });

  const withdrawTx = db.transaction((target: { codeHash: string } | { orgId: string }, at: number): number => {
    const hashes = 'codeHash' in target ? statements.pendingInvitation.all(target.codeHash, at) : statements.pendingInvitationsOf.all(target.orgId, at);
    for (const row of hashes) statements.withdrawInvitation.run(row.code_hash, at);
    return hashes.length;
  });

  // An organization's pending invitations go with it: none can make a new credential afterwards.
  const revokeOrgCredentialsTx = db.transaction((orgId: string, at: number): number => {
    withdrawTx({ orgId }, at);
    return statements.revokeOrg.run(at, orgId).changes;
  });

  const revokeOrgTx = db.transaction((orgId: string, at: number, revocation: Revocation) => {
    if (statements.revokeOrgRow.run(orgId, at, revocation.reason).changes === 0) return null;
    return { revokedCredentials: revokeDevicesTx({ orgId }, at, revocation), withdrawnInvitations: withdrawTx({ orgId }, at) };
  });

  const setOrgRoleTx = db.transaction((orgId: string, role: Role) => {
    statements.setOrgRole.run(role, orgId);
    statements.setCredentialsRole.run(role, orgId);
    statements.setPendingInvitationsRole.run(role, orgId);
  });

  const compactTx = db.transaction((recordId: string, state: Uint8Array, uptoSeq: number): boolean => {
    const changed = statements.compactRecord.run(Buffer.from(state), uptoSeq, recordId, uptoSeq).changes;
    if (changed === 0) return false;
    statements.dropUpdates.run(recordId, uptoSeq);
    return true;
  });

  const toOrg = (row: { id: string; name: string; role: string; created_at: number; last_seen_at: number | null }): OrgRow => ({
    id: row.id,
    name: row.name,
    role: row.role as Role,
    createdAt: row.created_at,
    lastSeenAt: row.last_seen_at,
  });

  const lifecycle: StorageLifecycle = {
    async migrate() {
      db.exec(SCHEMA);
      backfillFactsHistory(db);
      backfillAttachedTx();
      backfillBlobRefs(db);
    },
    async close() {
      db.close();
    },
    async backup(outFile) {
      ensureSecretDir(dirname(outFile));
      ensureSecretFile(outFile);
      await db.backup(outFile);
      chmodSync(outFile, SECRET_FILE_MODE);
    },
  };

  const meta: HubMeta = {
    async getMeta(key) {
      return statements.getMeta.get(key)?.value ?? null;
    },
    async initMeta(key, value) {
      statements.initMeta.run(key, value);
      return statements.getMeta.get(key)!.value;
    },
  };

  const directory: Directory = {
    async createOrg(org) {
      statements.createOrg.run(org.id, org.name, org.role, org.createdAt);
    },
    async getOrg(id) {
      const row = statements.getOrg.get(id);
      return row ? toOrg(row) : null;
    },
    async listOrgs() {
      return statements.listOrgs.all().map(toOrg);
    },
    async touchOrg(id, at) {
      statements.touchOrg.run(at, id);
    },
    async createInvitation(invitation) {
      statements.createInvitation.run(invitation.codeHash, invitation.orgId, invitation.role, invitation.createdAt, invitation.expiresAt);
    },
    async redeemInvitation(codeHash, credential, now) {
      return redeemTx(codeHash, credential, now);
    },
    async getCredential(id) {
      const row = statements.getCredential.get(id);
      return row ? toCredential(row) : null;
    },
    async revokeCredentials(target, at) {
      if ('credentialId' in target) return statements.revokeOne.run(at, target.credentialId).changes;
      return revokeOrgCredentialsTx(target.orgId, at);
    },
    async revokedSince(since) {
      return statements.revokedSince.all(since).map((row) => row.id);
    },
    async registerDeviceKey(credentialId, publicKey, at) {
      statements.registerDeviceKey.run(credentialId, Buffer.from(publicKey), at);
      return new Uint8Array(statements.getDeviceKey.get(credentialId)!.public_key);
    },
    async getDeviceKey(credentialId) {
      const row = statements.getDeviceKey.get(credentialId);
      return row ? new Uint8Array(row.public_key) : null;
    },
  };

  const administration: Administration = {
    async listInvitations() {
      return statements.listInvitations.all().map(toInvitation);
    },
    async getInvitation(target) {
      const row = 'codeHash' in target ? statements.invitationByHash.get(target.codeHash) : statements.invitationById.get(target.id.replace(/^inv-/, ''));
      return row && ('codeHash' in target || invitationIdOf(row.code_hash) === target.id) ? toInvitation(row) : null;
    },
    async withdrawInvitations(target, at) {
      return withdrawTx(target, at);
    },
    async listDevices() {
      return statements.listDevices.all().map(toDevice);
    },
    async getDevice(credentialId) {
      const row = statements.getDevice.get(credentialId);
      return row ? toDevice(row) : null;
    },
    async touchDevice(credentialId, at, appVersion) {
      if (!statements.getCredential.get(credentialId)) return;
      statements.touchDevice.run({ id: credentialId, at, version: appVersion });
    },
    async revokeDevices(target, at, revocation) {
      return revokeDevicesTx(target, at, revocation);
    },
    async revokeDeviceKeepingOne(credentialId, orgId, at, revocation) {
      return revokeKeepingOneTx(credentialId, orgId, at, revocation);
    },
    async markWipe(credentialId, reason) {
      return statements.markWipe.run(reason, credentialId).changes === 1;
    },
    async revokeOrg(orgId, at, revocation) {
      return revokeOrgTx(orgId, at, revocation);
    },
    async orgRevocations() {
      return statements.orgRevocations.all().map((row) => ({ orgId: row.org_id, revokedAt: row.revoked_at, reason: row.reason }));
    },
    async setOrgRole(orgId, role) {
      setOrgRoleTx(orgId, role);
    },
    async renameOrg(orgId, name) {
      statements.renameOrg.run(name, orgId);
    },
    async appendAudit(entry) {
      const result = statements.appendAudit.run({
        at: entry.at,
        action: entry.action,
        actor_org: entry.actor.orgId,
        actor_credential: entry.actor.credentialId,
        actor_device_name: entry.actor.deviceName,
        target_kind: entry.target.kind,
        target_id: entry.target.id,
        target_name: entry.target.name,
        details: JSON.stringify(entry.details),
      });
      return Number(result.lastInsertRowid);
    },
    async listAudit({ before, limit }) {
      return statements.listAudit.all(before ?? Number.MAX_SAFE_INTEGER, limit).map(toAudit);
    },
  };

  const recordLog: RecordLog = {
    async getRecord(id) {
      const row = statements.getRecord.get(id);
      return row ? toStored(row) : null;
    },
    async commit(writes) {
      if (writes.length === 0) return [];
      return commitTx(writes, Date.now());
    },
    async changedSince(since, limit) {
      return statements.changedSince.all(since, limit).map(toStored);
    },
    async changedSummariesSince(since, limit) {
      return statements.changedSummaries.all(since, limit).map(
        (row): RecordSummary => ({
          header: { id: row.id, type: row.type as RecordType, ownerOrg: row.owner_org, createdAt: row.created_at },
          seq: row.seq,
          facts: JSON.parse(row.facts) as RecordSummary['facts'],
        }),
      );
    },
    async changedIdsBetween(after, upTo) {
      return statements.changedIdsBetween.all(after, upTo).map((row) => row.id);
    },
    async factsSince(recordIds, since) {
      const result = new Map<string, (RuleFacts | null)[]>();
      for (const id of recordIds) result.set(id, factsVersionsFrom(statements.factsVersionsOf.all(id, id, since).map((row) => row.facts)));
      return result;
    },
    async updatesSince(recordIds, since) {
      const result = new Map<string, Uint8Array[]>();
      for (const id of recordIds) result.set(id, statements.updatesOf.all(id, since).map((row) => new Uint8Array(row.update_bytes)));
      return result;
    },
    async lastSeq() {
      return nextSeqBase();
    },
    async compact(recordId, state, uptoSeq) {
      return compactTx(recordId, state, uptoSeq);
    },
    async compactionCandidates(minUpdates, limit) {
      return statements.candidates.all(minUpdates, limit).map((row) => row.record_id);
    },
    async moveRecord(fromId, toId, expectedSeq) {
      return moveTx(fromId, toId, expectedSeq);
    },
  };

  const governanceSchedule: GovernanceSchedule = {
    async castArrivals(recordIds) {
      return new Map(recordIds.map((id) => [id, new Map(statements.arrivalsOf.all(id).map((row) => [row.cast_at, row.received_at]))]));
    },
    async dueSeals(now, limit) {
      return statements.dueSeals.all(now, limit).map((row) => row.proposal_id);
    },
    async clearSealDue(proposalId) {
      statements.clearSealDue.run(proposalId);
    },
  };

  const pullCheckpoints: PullCheckpoints = {
    async setPullCheckpoint(credentialId, seq, at) {
      statements.setPullCheckpoint.run(credentialId, seq, at);
    },
    async pullCheckpoints() {
      return statements.pullCheckpoints.all().map((row) => ({ credentialId: row.credential_id, orgId: row.org_id, seq: row.seq, at: row.at }));
    },
  };

  const orgUsage: OrgUsage = {
    async recordsCreatedSince(orgId, since) {
      return statements.recordsCreatedSince.get(orgId, since)!.count;
    },
    async nthRecordCreatedSince(orgId, since, nth) {
      if (nth < 1) return null;
      return statements.nthRecordCreatedSince.get(orgId, since, nth - 1)?.created_at ?? null;
    },
    async storedBytes(orgId) {
      return (statements.stateBytesOf.get(orgId)?.bytes ?? 0) + (statements.loggedBytesOf.get(orgId)?.bytes ?? 0);
    },
  };

  const blobIndex: BlobIndex = {
    async blobReferences(sha256s) {
      return statements.blobReferences.all(JSON.stringify([...new Set(sha256s)])).map(
        (row): BlobReference => ({
          sha256: row.sha256,
          sizeBytes: row.size_bytes,
          mediaType: row.media_type,
          isConsentPending: row.is_consent_pending === 1,
          header: { id: row.id, type: row.type as RecordType, ownerOrg: row.owner_org, createdAt: row.created_at },
          facts: JSON.parse(row.facts) as RuleFacts,
        }),
      );
    },
    async unreferencedBlobs(sha256s) {
      const asked = JSON.stringify([...new Set(sha256s)]);
      const referenced = new Set(statements.referencedAmong.all(asked).map((row) => row.sha256));
      const seen = new Map(statements.blobSeenAmong.all(asked).map((row) => [row.sha256, row.last_referenced_at]));
      return new Map([...new Set(sha256s)].filter((sha256) => !referenced.has(sha256)).map((sha256) => [sha256, seen.get(sha256) ?? null]));
    },
    async addBlobHolder(sha256, orgId, at) {
      statements.addBlobHolder.run(sha256, orgId, at);
    },
    async blobHolders(sha256s) {
      const holders = new Map<string, Set<string>>([...new Set(sha256s)].map((sha256) => [sha256, new Set<string>()]));
      for (const row of statements.blobHoldersAmong.all(JSON.stringify([...holders.keys()]))) holders.get(row.sha256)?.add(row.org_id);
      return holders;
    },
    async forgetBlob(sha256) {
      db.transaction(() => {
        statements.forgetBlobHolders.run(sha256);
        statements.forgetBlobSeen.run(sha256);
      })();
    },
  };

  return { ...lifecycle, ...meta, ...directory, ...administration, ...recordLog, ...governanceSchedule, ...pullCheckpoints, ...orgUsage, ...blobIndex };
}
