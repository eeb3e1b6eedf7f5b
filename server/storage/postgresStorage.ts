import { mkdir, open, rename, rm } from 'node:fs/promises';
import { dirname } from 'node:path';
import pg from 'pg';
import type { RuleFacts } from '../../shared/records/recordModule';
import type { RecordHeader, RecordType, Role } from '../../shared/records/recordType';
import { readThroughTarget } from '../../shared/rules/rules';
import { attachedToOf, storedFacts, type TargetRow } from './attachedFacts';
import { factsVersionsFrom } from './factsHistory';
import { blobReferencesOf, mayReferenceBlobs } from './blobReferences';
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

/*
 * The shared store for several hub processes: PostgreSQL through a `pg` pool. Same semantics as
 * the SQLite adapter (one contract suite, test/integration/hubStorage.contract.ts).
 *
 * Ordering guarantee: `commit` takes the next sequence numbers by updating the one-row
 * `seq_counter` inside its transaction. The row lock is held until COMMIT, so a concurrent writer
 * (in this process or another hub) waits and numbers its changes only after the first commit is
 * visible: a puller can never see seq N+1 before N. A PostgreSQL SEQUENCE would not do: `nextval`
 * is handed out at call time, not at commit, and is not rolled back.
 *
 * Projection and facts are stored as JSON text, not jsonb: jsonb refuses the escape `\u0000`,
 * which any client can put in a Yjs string, and would turn that into a failed commit.
 * Integers are bigint (`int8`), which `pg` returns as strings; they are parsed here.
 */

export interface PostgresStorageOptions {
  readonly connectionString: string;
  /** Where every table lives; created if missing. A plain identifier: letters, digits, `_`. */
  readonly schema?: string;
  /** Connections in the pool; commits serialize on the counter row anyway. */
  readonly maxConnections?: number;
  /**
   * An idle pooled connection failed (e.g. the server restarted). The pool has already dropped it
   * and the next query opens a new one; without a listener `pg` would crash the process.
   */
  readonly onIdleClientError?: (error: Error) => void;
}

export type PostgresHubStorage = HubStorage & { readonly pool: pg.Pool };

const SCHEMA_NAME = /^[A-Za-z_][A-Za-z0-9_]{0,62}$/;

const ddl = (s: string): string => `
CREATE SCHEMA IF NOT EXISTS ${s};
CREATE TABLE IF NOT EXISTS ${s}.meta (key text PRIMARY KEY, value text NOT NULL);
CREATE TABLE IF NOT EXISTS ${s}.seq_counter (
  id boolean PRIMARY KEY DEFAULT true CHECK (id), value bigint NOT NULL);
INSERT INTO ${s}.seq_counter (id, value) VALUES (true, 0) ON CONFLICT (id) DO NOTHING;
CREATE TABLE IF NOT EXISTS ${s}.orgs (
  id text PRIMARY KEY, name text NOT NULL, role text NOT NULL,
  created_at bigint NOT NULL, last_seen_at bigint);
CREATE TABLE IF NOT EXISTS ${s}.invitations (
  code_hash text PRIMARY KEY, org_id text NOT NULL REFERENCES ${s}.orgs(id), role text NOT NULL,
  created_at bigint NOT NULL, expires_at bigint NOT NULL, used_at bigint);
CREATE TABLE IF NOT EXISTS ${s}.credentials (
  id text PRIMARY KEY, org_id text NOT NULL REFERENCES ${s}.orgs(id), device_id text NOT NULL,
  device_name text NOT NULL, role text NOT NULL, created_at bigint NOT NULL, revoked_at bigint);
CREATE INDEX IF NOT EXISTS credentials_revoked ON ${s}.credentials (revoked_at) WHERE revoked_at IS NOT NULL;
CREATE TABLE IF NOT EXISTS ${s}.device_keys (
  credential_id text PRIMARY KEY REFERENCES ${s}.credentials(id), public_key bytea NOT NULL, created_at bigint NOT NULL);
CREATE TABLE IF NOT EXISTS ${s}.records (
  id text PRIMARY KEY, type text NOT NULL, owner_org text NOT NULL, created_at bigint NOT NULL,
  seq bigint NOT NULL UNIQUE, compacted_seq bigint NOT NULL, facts_seq bigint NOT NULL, state bytea NOT NULL,
  projection text NOT NULL, facts text NOT NULL);
-- The record an attached one (a comment) is read through; added after the first release.
ALTER TABLE ${s}.records ADD COLUMN IF NOT EXISTS attached_to text;
CREATE INDEX IF NOT EXISTS records_attached_to ON ${s}.records(attached_to);
CREATE TABLE IF NOT EXISTS ${s}.updates (
  seq bigint PRIMARY KEY, record_id text NOT NULL, update_bytes bytea NOT NULL,
  credential_id text, created_at bigint NOT NULL);
CREATE INDEX IF NOT EXISTS updates_record ON ${s}.updates (record_id, seq);
CREATE INDEX IF NOT EXISTS records_owner_created ON ${s}.records (owner_org, created_at);
CREATE TABLE IF NOT EXISTS ${s}.cast_arrivals (
  record_id text NOT NULL, cast_at bigint NOT NULL, received_at bigint NOT NULL, PRIMARY KEY (record_id, cast_at));
CREATE TABLE IF NOT EXISTS ${s}.seal_schedule (proposal_id text PRIMARY KEY, due_at bigint NOT NULL);
CREATE INDEX IF NOT EXISTS seal_schedule_due ON ${s}.seal_schedule (due_at);
CREATE TABLE IF NOT EXISTS ${s}.facts_history (
  record_id text NOT NULL, seq bigint NOT NULL, facts text, PRIMARY KEY (record_id, seq));
CREATE TABLE IF NOT EXISTS ${s}.pull_checkpoints (
  credential_id text PRIMARY KEY, seq bigint NOT NULL, at bigint NOT NULL);
CREATE TABLE IF NOT EXISTS ${s}.invitation_withdrawals (code_hash text PRIMARY KEY REFERENCES ${s}.invitations(code_hash), withdrawn_at bigint NOT NULL);
CREATE TABLE IF NOT EXISTS ${s}.invitation_uses (code_hash text PRIMARY KEY REFERENCES ${s}.invitations(code_hash), credential_id text NOT NULL);
CREATE TABLE IF NOT EXISTS ${s}.device_details (credential_id text PRIMARY KEY REFERENCES ${s}.credentials(id), last_seen_at bigint, app_version text);
CREATE TABLE IF NOT EXISTS ${s}.credential_revocations (credential_id text PRIMARY KEY REFERENCES ${s}.credentials(id), reason text, wipe boolean NOT NULL);
CREATE TABLE IF NOT EXISTS ${s}.org_revocations (org_id text PRIMARY KEY REFERENCES ${s}.orgs(id), revoked_at bigint NOT NULL, reason text);
CREATE TABLE IF NOT EXISTS ${s}.blob_refs (
  record_id text NOT NULL, sha256 text NOT NULL, size_bytes bigint NOT NULL, media_type text NOT NULL,
  is_consent_pending boolean NOT NULL, PRIMARY KEY (record_id, sha256));
CREATE INDEX IF NOT EXISTS blob_refs_sha256 ON ${s}.blob_refs (sha256);
CREATE TABLE IF NOT EXISTS ${s}.blob_seen (sha256 text PRIMARY KEY, last_referenced_at bigint NOT NULL);
CREATE TABLE IF NOT EXISTS ${s}.blob_holders (sha256 text NOT NULL, org_id text NOT NULL, at bigint NOT NULL, PRIMARY KEY (sha256, org_id));
CREATE TABLE IF NOT EXISTS ${s}.admin_audit (
  id bigserial PRIMARY KEY, at bigint NOT NULL, action text NOT NULL,
  actor_org text, actor_credential text, actor_device_name text NOT NULL,
  target_kind text NOT NULL, target_id text NOT NULL, target_name text NOT NULL, details text NOT NULL);
`;

/** The administration's own tables, copied whole by `hub backup` (one line per row, `kind` the table's name). */
const ADMIN_TABLES = ['invitation_withdrawals', 'invitation_uses', 'device_details', 'credential_revocations', 'org_revocations', 'admin_audit'] as const;

/** `pg` returns bigint as a string so nothing is silently rounded; ours stay far below 2^53. */
function toNumber(value: string | number): number {
  const parsed = Number(value);
  if (!Number.isSafeInteger(parsed)) throw new Error(`postgres storage: ${value} is not a safe integer`);
  return parsed;
}

const toNumberOrNull = (value: string | number | null): number | null => (value === null ? null : toNumber(value));

interface OrgSqlRow {
  id: string;
  name: string;
  role: string;
  created_at: string;
  last_seen_at: string | null;
}

const toOrg = (row: OrgSqlRow): OrgRow => ({
  id: row.id,
  name: row.name,
  role: row.role as Role,
  createdAt: toNumber(row.created_at),
  lastSeenAt: toNumberOrNull(row.last_seen_at),
});

interface CredentialSqlRow {
  id: string;
  org_id: string;
  device_id: string;
  device_name: string;
  role: string;
  created_at: string;
  revoked_at: string | null;
}

const toCredential = (row: CredentialSqlRow): CredentialRow => ({
  id: row.id,
  orgId: row.org_id,
  deviceId: row.device_id,
  deviceName: row.device_name,
  role: row.role as Role,
  createdAt: toNumber(row.created_at),
  revokedAt: toNumberOrNull(row.revoked_at),
});

interface DeviceSqlRow extends CredentialSqlRow {
  last_seen_at: string | null;
  app_version: string | null;
  revoke_reason: string | null;
  wipe: boolean;
}

const toDevice = (row: DeviceSqlRow): DeviceRow => ({
  ...toCredential(row),
  lastSeenAt: toNumberOrNull(row.last_seen_at),
  appVersion: row.app_version,
  revokeReason: row.revoke_reason,
  wipe: row.wipe,
});

interface InvitationSqlRow {
  code_hash: string;
  org_id: string;
  role: string;
  created_at: string;
  expires_at: string;
  used_at: string | null;
  withdrawn_at: string | null;
  used_by: string | null;
}

const toInvitation = (row: InvitationSqlRow): InvitationListRow => ({
  id: invitationIdOf(row.code_hash),
  codeHash: row.code_hash,
  orgId: row.org_id,
  role: row.role as Role,
  createdAt: toNumber(row.created_at),
  expiresAt: toNumber(row.expires_at),
  usedAt: toNumberOrNull(row.used_at),
  withdrawnAt: toNumberOrNull(row.withdrawn_at),
  usedBy: row.used_by,
});

interface AuditSqlRow {
  id: string;
  at: string;
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
  id: toNumber(row.id),
  at: toNumber(row.at),
  action: row.action as AuditEntry['action'],
  actor: { orgId: row.actor_org, credentialId: row.actor_credential, deviceName: row.actor_device_name },
  target: { kind: row.target_kind as AuditEntry['target']['kind'], id: row.target_id, name: row.target_name },
  details: JSON.parse(row.details) as AuditEntry['details'],
});

interface RecordSqlRow {
  id: string;
  type: string;
  owner_org: string;
  created_at: string;
  seq: string;
  compacted_seq: string;
  facts_seq: string;
  state: Buffer;
  projection: string;
  facts: string;
}

const toStored = (row: RecordSqlRow): StoredRecord => ({
  header: { id: row.id, type: row.type as RecordType, ownerOrg: row.owner_org, createdAt: toNumber(row.created_at) },
  seq: toNumber(row.seq),
  compactedSeq: toNumber(row.compacted_seq),
  factsSeq: toNumber(row.facts_seq),
  // A copy, like the SQLite adapter: small bytea Buffers may share a slab with unrelated bytes.
  state: new Uint8Array(row.state),
  projection: JSON.parse(row.projection) as Record<string, unknown>,
  facts: JSON.parse(row.facts) as StoredRecord['facts'],
});

/** Runs `work` in one transaction on one pooled connection; rolls back on any error. */
async function inTransaction<T>(pool: pg.Pool, begin: string, work: (client: pg.PoolClient) => Promise<T>): Promise<T> {
  const client = await pool.connect();
  let broken: Error | undefined;
  try {
    await client.query(begin);
    const result = await work(client);
    await client.query('COMMIT');
    return result;
  } catch (error) {
    try {
      await client.query('ROLLBACK');
    } catch (rollbackError) {
      // The connection itself is gone or unusable: destroy it rather than return it to the pool.
      broken = rollbackError instanceof Error ? rollbackError : new Error(String(rollbackError));
    }
    throw error;
  } finally {
    client.release(broken);
  }
}

/**
 * Opens a pool on `connectionString`, creates the schema and tables if needed and returns the
 * storage. `pool` is exposed for the LISTEN/NOTIFY fan-out (pgFanout.ts); the storage owns it and ends it
 * in `close()`.
 */
/** Rolls a move back (the counter included) when the record changed or the new id is taken. */
class MoveRefused extends Error {}

export async function openPostgresStorage(options: PostgresStorageOptions): Promise<PostgresHubStorage> {
  const schemaName = options.schema ?? 'public';
  if (!SCHEMA_NAME.test(schemaName)) throw new Error(`postgres storage: invalid schema name ${JSON.stringify(schemaName)}`);
  const s = `"${schemaName}"`;

  const pool = new pg.Pool({ connectionString: options.connectionString, max: options.maxConnections ?? 5 });
  const onIdleClientError = options.onIdleClientError ?? (() => undefined);
  pool.on('error', onIdleClientError);

  const migrate = async (): Promise<void> => {
    // Two hubs starting together would race on CREATE ... IF NOT EXISTS (a unique violation in the
    // catalog); a transaction-scoped advisory lock per schema lets one create and the other see it.
    await inTransaction(pool, 'BEGIN', async (client) => {
      await client.query('SELECT pg_advisory_xact_lock(hashtext($1))', [`fieldwise.migrate.${schemaName}`]);
      await client.query(ddl(s));
      await backfillFactsHistory(client);
      await backfillAttached(client);
      await backfillBlobRefs(client);
    });
  };

  // Records stored before the hub indexed blob references get their rows at start (blobReferences.ts):
  // rows missing for a projection that names a hash are added; present ones are left alone.
  const backfillBlobRefs = async (client: pg.PoolClient): Promise<void> => {
    const found = await client.query<{ id: string; projection: string }>(`SELECT id, projection FROM ${s}.records WHERE projection LIKE '%"sha256"%'`);
    const now = Date.now();
    for (const row of found.rows) {
      if (!mayReferenceBlobs(row.projection)) continue;
      for (const ref of blobReferencesOf(JSON.parse(row.projection))) {
        await client.query(`INSERT INTO ${s}.blob_refs (record_id, sha256, size_bytes, media_type, is_consent_pending) VALUES ($1, $2, $3, $4, $5) ON CONFLICT DO NOTHING`, [
          row.id,
          ref.sha256,
          ref.sizeBytes,
          ref.mediaType,
          ref.isConsentPending,
        ]);
        await client.query(`INSERT INTO ${s}.blob_seen (sha256, last_referenced_at) VALUES ($1, $2) ON CONFLICT DO NOTHING`, [ref.sha256, now]);
      }
    }
  };

  // Records stored before the hub kept their facts' history get it once (factsHistory.ts): not
  // known from the beginning, then the facts in force since their facts_seq.
  const backfillFactsHistory = async (client: pg.PoolClient): Promise<void> => {
    const missing = `FROM ${s}.records r WHERE NOT EXISTS (SELECT 1 FROM ${s}.facts_history h WHERE h.record_id = r.id)`;
    await client.query(`INSERT INTO ${s}.facts_history (record_id, seq, facts) SELECT id, 0, NULL ${missing} UNION ALL SELECT id, facts_seq, facts ${missing}`);
  };

  /**
   * Stores each record attached to one of `targets` again with the target's new read scope, each
   * under the next seq, and so on down the chain (a comment on a translation whose original
   * changed); the new facts go into `factsVersions`. Each target once: a chain is a tree (a
   * translation of a translation is refused), the guard is for older data.
   */
  const refreshAttached = async (client: pg.PoolClient, first: ReadonlyMap<string, TargetRow>, factsVersions: Map<string, { seq: number; facts: string }>): Promise<void> => {
    let targets = first;
    const visited = new Set<string>();
    while (targets.size > 0) {
      for (const id of targets.keys()) visited.add(id);
      const attached = await client.query<Pick<RecordSqlRow, 'id' | 'type' | 'owner_org' | 'created_at' | 'facts'> & { attached_to: string }>(
        `SELECT id, type, owner_org, created_at, facts, attached_to FROM ${s}.records WHERE attached_to = ANY($1::text[]) ORDER BY seq`,
        [[...targets.keys()]],
      );
      const level = targets;
      const refreshed = attached.rows
        .map((row) => {
          const facts = storedFacts(JSON.parse(row.facts) as RuleFacts, row.attached_to, level.get(row.attached_to)!);
          return { row, facts, json: JSON.stringify(facts) };
        })
        .filter(({ row, json }) => json !== row.facts);
      if (refreshed.length === 0) return;
      const moved = await client.query<{ value: string }>(`UPDATE ${s}.seq_counter SET value = value + $1 RETURNING value`, [refreshed.length]);
      const top = toNumber(moved.rows[0]!.value);
      const refreshedSeqs = refreshed.map((_, index) => top - refreshed.length + 1 + index);
      await client.query(
        `UPDATE ${s}.records r SET seq = u.seq, facts_seq = u.seq, facts = u.facts
         FROM unnest($1::text[], $2::bigint[], $3::text[]) AS u(id, seq, facts) WHERE r.id = u.id`,
        [refreshed.map(({ row }) => row.id), refreshedSeqs, refreshed.map(({ json }) => json)],
      );
      const next = new Map<string, TargetRow>();
      refreshed.forEach(({ row, facts, json }, index) => {
        factsVersions.set(row.id, { seq: refreshedSeqs[index]!, facts: json });
        if (!visited.has(row.id)) next.set(row.id, { header: { id: row.id, type: row.type as RecordType, ownerOrg: row.owner_org, createdAt: toNumber(row.created_at) }, facts });
      });
      targets = next;
    }
  };

  // Records stored before attached records were read through their target get their scope once,
  // under the counter lock (the same order as commits).
  const backfillAttached = async (client: pg.PoolClient): Promise<void> => {
    // A type read on its own unless the field is set (a translation) is looked at only where it is.
    const found = { rows: [] as RecordSqlRow[] };
    for (const [type, rule] of Object.entries(readThroughTarget)) {
      const isSet = rule.isOptional ? ` AND (projection::jsonb #>> '{${rule.path.join(',')}}') IS NOT NULL` : '';
      found.rows.push(...(await client.query<RecordSqlRow>(`SELECT * FROM ${s}.records WHERE attached_to IS NULL AND type = $1${isSet} ORDER BY seq`, [type])).rows);
    }
    if (found.rows.length === 0) return;
    const filled = new Map<string, TargetRow>();
    const counter = await client.query<{ value: string }>(`UPDATE ${s}.seq_counter SET value = value + $1 RETURNING value`, [found.rows.length]);
    const first = toNumber(counter.rows[0]!.value) - found.rows.length + 1;
    for (const [index, row] of found.rows.entries()) {
      const stored = toStored(row);
      const attachedTo = attachedToOf(stored) ?? '';
      const target = await client.query<Pick<RecordSqlRow, 'id' | 'type' | 'owner_org' | 'created_at' | 'facts'>>(
        `SELECT id, type, owner_org, created_at, facts FROM ${s}.records WHERE id = $1`,
        [attachedTo],
      );
      const t = target.rows[0];
      const targetRow: TargetRow | null = t ? { header: { id: t.id, type: t.type as RecordType, ownerOrg: t.owner_org, createdAt: toNumber(t.created_at) }, facts: JSON.parse(t.facts) as RuleFacts } : null;
      const scoped = storedFacts(stored.facts, attachedTo, targetRow);
      const facts = JSON.stringify(scoped);
      await client.query(`UPDATE ${s}.records SET seq = $1, facts_seq = $1, facts = $2, attached_to = $3 WHERE id = $4`, [first + index, facts, attachedTo, row.id]);
      await client.query(`INSERT INTO ${s}.facts_history (record_id, seq, facts) VALUES ($1, $2, $3)`, [row.id, first + index, facts]);
      filled.set(row.id, { header: stored.header, facts: scoped });
    }
    // Records already attached to one filled here (a comment on a translation) nest its new scope.
    const factsVersions = new Map<string, { seq: number; facts: string }>();
    await refreshAttached(client, filled, factsVersions);
    for (const [id, version] of factsVersions) await client.query(`INSERT INTO ${s}.facts_history (record_id, seq, facts) VALUES ($1, $2, $3)`, [id, version.seq, version.facts]);
  };

  try {
    await migrate();
  } catch (error) {
    await pool.end();
    throw error;
  }

  let isClosed = false;

  const commitWrites = (writes: readonly RecordWrite[], now: number) =>
    inTransaction(pool, 'BEGIN', async (client) => {
      // The row lock taken here is what orders commits (see the top). Every commit holds it from
      // here to COMMIT, so the reads below see every earlier commit and no later one can interleave.
      const counter = await client.query<{ value: string }>(`UPDATE ${s}.seq_counter SET value = value + $1 RETURNING value`, [writes.length]);
      const last = toNumber(counter.rows[0]!.value);
      const seqs = writes.map((_, index) => last - writes.length + 1 + index);

      // Replays the batch in order over the stored rows, as the SQLite adapter does one statement at
      // a time: a write must find the seq it was prepared from (a second write of one record in a
      // batch, the first write's seq); a record keeps the header of its first write; facts_seq moves
      // only when the facts' JSON changes.
      const ids = [...new Set(writes.map((write) => write.header.id))];
      const stored = await client.query<{ id: string; type: string; seq: string; facts: string; facts_seq: string }>(
        `SELECT id, type, seq, facts, facts_seq FROM ${s}.records WHERE id = ANY($1::text[])`,
        [ids],
      );
      const current = new Map(stored.rows.map((row) => [row.id, { seq: toNumber(row.seq), type: row.type as RecordType, facts: row.facts, factsSeq: toNumber(row.facts_seq) }]));
      // An attached record's facts carry its target's read scope (attachedFacts.ts): a target
      // written in this batch counts as written, whatever the order; others are read here, under
      // the counter lock, so no commit can change them before this one is visible.
      const batchTargets = new Map<string, TargetRow>(writes.map((write) => [write.header.id, { header: write.header, facts: write.facts }]));
      const typed = (write: RecordWrite) => ({ header: { ...write.header, type: current.get(write.header.id)?.type ?? write.header.type }, projection: write.projection });
      const targetIds = [...new Set(writes.map((write) => attachedToOf(typed(write))).filter((id): id is string => id !== null && !batchTargets.has(id)))];
      const storedTargets = new Map<string, TargetRow>();
      if (targetIds.length > 0) {
        const found = await client.query<Pick<RecordSqlRow, 'id' | 'type' | 'owner_org' | 'created_at' | 'facts'>>(
          `SELECT id, type, owner_org, created_at, facts FROM ${s}.records WHERE id = ANY($1::text[])`,
          [targetIds],
        );
        for (const row of found.rows) {
          storedTargets.set(row.id, { header: { id: row.id, type: row.type as RecordType, ownerOrg: row.owner_org, createdAt: toNumber(row.created_at) }, facts: JSON.parse(row.facts) as RuleFacts });
        }
      }
      const rows = new Map<string, { header: RecordHeader; write: RecordWrite; seq: number; facts: string; factsSeq: number; attachedTo: string | null }>();
      writes.forEach((write, index) => {
        const seq = seqs[index]!;
        const previous = rows.get(write.header.id) ?? current.get(write.header.id);
        if ((previous?.seq ?? null) !== write.expectedSeq) throw new StaleWriteError(write.header.id);
        // The header is the first write's, its type included.
        const type = current.get(write.header.id)?.type ?? rows.get(write.header.id)?.header.type ?? write.header.type;
        const attachedTo = attachedToOf({ header: { ...write.header, type }, projection: write.projection });
        const target = attachedTo === null ? null : (batchTargets.get(attachedTo) ?? storedTargets.get(attachedTo) ?? null);
        const facts = JSON.stringify(storedFacts(write.facts, attachedTo, target));
        rows.set(write.header.id, {
          header: rows.get(write.header.id)?.header ?? write.header,
          write,
          seq,
          facts,
          factsSeq: previous && previous.facts === facts ? previous.factsSeq : seq,
          attachedTo,
        });
      });

      await client.query(
        `INSERT INTO ${s}.updates (seq, record_id, update_bytes, credential_id, created_at)
         SELECT * FROM unnest($1::bigint[], $2::text[], $3::bytea[], $4::text[], $5::bigint[])`,
        [seqs, writes.map((w) => w.header.id), writes.map((w) => Buffer.from(w.update)), writes.map((w) => w.credentialId), writes.map(() => now)],
      );

      // One row per record (ON CONFLICT cannot touch a row twice in one statement). The header
      // columns are written on insert only: a header is immutable.
      const latest = [...rows.values()];
      await client.query(
        `INSERT INTO ${s}.records (id, type, owner_org, created_at, seq, compacted_seq, facts_seq, state, projection, facts, attached_to)
         SELECT id, type, owner_org, created_at, seq, 0, facts_seq, state, projection, facts, attached_to
         FROM unnest($1::text[], $2::text[], $3::text[], $4::bigint[], $5::bigint[], $6::bigint[], $7::bytea[], $8::text[], $9::text[], $10::text[])
           AS w(id, type, owner_org, created_at, seq, facts_seq, state, projection, facts, attached_to)
         ON CONFLICT (id) DO UPDATE SET seq = excluded.seq, facts_seq = excluded.facts_seq, state = excluded.state,
           projection = excluded.projection, facts = excluded.facts, attached_to = excluded.attached_to`,
        [
          latest.map((r) => r.header.id),
          latest.map((r) => r.header.type),
          latest.map((r) => r.header.ownerOrg),
          latest.map((r) => r.header.createdAt),
          latest.map((r) => r.seq),
          latest.map((r) => r.factsSeq),
          latest.map((r) => Buffer.from(r.write.state)),
          latest.map((r) => JSON.stringify(r.write.projection)),
          latest.map((r) => r.facts),
          latest.map((r) => r.attachedTo),
        ],
      );

      // Each record's blob references are replaced by its new projection's (blobReferences.ts).
      const dropped = await client.query<{ sha256: string }>(`DELETE FROM ${s}.blob_refs WHERE record_id = ANY($1::text[]) RETURNING sha256`, [latest.map((r) => r.header.id)]);
      const refs = latest.flatMap((r) => blobReferencesOf(r.write.projection).map((ref) => ({ recordId: r.header.id, ...ref })));
      if (refs.length > 0) {
        await client.query(
          `INSERT INTO ${s}.blob_refs (record_id, sha256, size_bytes, media_type, is_consent_pending)
           SELECT * FROM unnest($1::text[], $2::text[], $3::bigint[], $4::text[], $5::boolean[])`,
          [refs.map((ref) => ref.recordId), refs.map((ref) => ref.sha256), refs.map((ref) => ref.sizeBytes), refs.map((ref) => ref.mediaType), refs.map((ref) => ref.isConsentPending)],
        );
      }
      const touchedBlobs = [...new Set([...dropped.rows.map((row) => row.sha256), ...refs.map((ref) => ref.sha256)])];
      if (touchedBlobs.length > 0) {
        await client.query(
          `INSERT INTO ${s}.blob_seen (sha256, last_referenced_at) SELECT unnest($1::text[]), $2
           ON CONFLICT (sha256) DO UPDATE SET last_referenced_at = GREATEST(${s}.blob_seen.last_referenced_at, excluded.last_referenced_at)`,
          [touchedBlobs, now],
        );
      }

      // The facts each record ends this commit with, where they changed: one version per record
      // and commit (a batch is seen whole or not at all), kept for pulls' withdrawals.
      const factsVersions = new Map<string, { seq: number; facts: string }>();
      for (const row of latest) if (row.factsSeq !== current.get(row.header.id)?.factsSeq) factsVersions.set(row.header.id, { seq: row.factsSeq, facts: row.facts });
      // Records attached to one written here take its new read scope (its stored facts, its own
      // target's scope included).
      await refreshAttached(client, new Map(latest.map((r) => [r.header.id, { header: r.header, facts: JSON.parse(r.facts) as RuleFacts }])), factsVersions);
      if (factsVersions.size > 0) {
        const versions = [...factsVersions];
        await client.query(`INSERT INTO ${s}.facts_history (record_id, seq, facts) SELECT * FROM unnest($1::text[], $2::bigint[], $3::text[])`, [
          versions.map(([id]) => id),
          versions.map(([, version]) => version.seq),
          versions.map(([, version]) => version.facts),
        ]);
      }

      const arrivals = writes.flatMap((w) => (w.castArrivals ?? []).map((a) => [w.header.id, a.castAt, a.receivedAt] as const));
      if (arrivals.length > 0) {
        await client.query(
          `INSERT INTO ${s}.cast_arrivals (record_id, cast_at, received_at)
           SELECT * FROM unnest($1::text[], $2::bigint[], $3::bigint[]) ON CONFLICT DO NOTHING`,
          [arrivals.map((a) => a[0]), arrivals.map((a) => a[1]), arrivals.map((a) => a[2])],
        );
      }
      for (const write of writes) {
        if (write.sealDueAt === null) await client.query(`DELETE FROM ${s}.seal_schedule WHERE proposal_id = $1`, [write.header.id]);
        else if (write.sealDueAt !== undefined)
          await client.query(
            `INSERT INTO ${s}.seal_schedule (proposal_id, due_at) VALUES ($1, $2) ON CONFLICT (proposal_id) DO UPDATE SET due_at = excluded.due_at`,
            [write.header.id, write.sealDueAt],
          );
      }
      return seqs;
    });

  const lifecycle: StorageLifecycle = {
    migrate,
    async close() {
      if (isClosed) return;
      isClosed = true;
      await pool.end();
    },
    async backup(outFile) {
      await backupToJsonLines(pool, s, schemaName, outFile);
    },
  };

  const meta: HubMeta = {
    async getMeta(key) {
      const result = await pool.query<{ value: string }>(`SELECT value FROM ${s}.meta WHERE key = $1`, [key]);
      return result.rows[0]?.value ?? null;
    },
    async initMeta(key, value) {
      await pool.query(`INSERT INTO ${s}.meta (key, value) VALUES ($1, $2) ON CONFLICT (key) DO NOTHING`, [key, value]);
      // A separate statement, so its snapshot sees a value another hub committed concurrently.
      const result = await pool.query<{ value: string }>(`SELECT value FROM ${s}.meta WHERE key = $1`, [key]);
      return result.rows[0]!.value;
    },
  };

  const directory: Directory = {
    async createOrg(org) {
      await pool.query(`INSERT INTO ${s}.orgs (id, name, role, created_at) VALUES ($1, $2, $3, $4)`, [org.id, org.name, org.role, org.createdAt]);
    },
    async getOrg(id) {
      const result = await pool.query<OrgSqlRow>(`SELECT * FROM ${s}.orgs WHERE id = $1`, [id]);
      const row = result.rows[0];
      return row ? toOrg(row) : null;
    },
    async listOrgs() {
      // Binary order, as SQLite sorts, whatever the database's collation.
      const result = await pool.query<OrgSqlRow>(`SELECT * FROM ${s}.orgs ORDER BY name COLLATE "C", id COLLATE "C"`);
      return result.rows.map(toOrg);
    },
    async touchOrg(id, at) {
      await pool.query(`UPDATE ${s}.orgs SET last_seen_at = GREATEST(COALESCE(last_seen_at, 0), $1) WHERE id = $2`, [at, id]);
    },
    async createInvitation(invitation) {
      await pool.query(`INSERT INTO ${s}.invitations (code_hash, org_id, role, created_at, expires_at) VALUES ($1, $2, $3, $4, $5)`, [
        invitation.codeHash,
        invitation.orgId,
        invitation.role,
        invitation.createdAt,
        invitation.expiresAt,
      ]);
    },
    async redeemInvitation(codeHash, credential, now) {
      return inTransaction(pool, 'BEGIN', async (client) => {
        // A racing redeemer blocks on the row lock, then re-checks `used_at IS NULL` and gets nothing.
        const used = await client.query<{ org_id: string; role: string }>(
          `UPDATE ${s}.invitations SET used_at = $1 WHERE code_hash = $2 AND used_at IS NULL AND expires_at > $1
             AND code_hash NOT IN (SELECT code_hash FROM ${s}.invitation_withdrawals) RETURNING org_id, role`,
          [now, codeHash],
        );
        const invitation = used.rows[0];
        if (!invitation) return null;
        const created = await client.query<CredentialSqlRow>(
          `INSERT INTO ${s}.credentials (id, org_id, device_id, device_name, role, created_at) VALUES ($1, $2, $3, $4, $5, $6) RETURNING *`,
          [credential.id, invitation.org_id, credential.deviceId, credential.deviceName, invitation.role, credential.createdAt],
        );
        await client.query(`INSERT INTO ${s}.invitation_uses (code_hash, credential_id) VALUES ($1, $2)`, [codeHash, credential.id]);
        return toCredential(created.rows[0]!);
      });
    },
    async getCredential(id) {
      const result = await pool.query<CredentialSqlRow>(`SELECT * FROM ${s}.credentials WHERE id = $1`, [id]);
      const row = result.rows[0];
      return row ? toCredential(row) : null;
    },
    async revokeCredentials(target, at) {
      const result =
        'credentialId' in target
          ? await pool.query(`UPDATE ${s}.credentials SET revoked_at = $1 WHERE id = $2 AND revoked_at IS NULL`, [at, target.credentialId])
          : await inTransaction(pool, 'BEGIN', async (client) => {
              // An organization's pending invitations go with it: none can make a new credential afterwards.
              await withdrawWith(client, { orgId: target.orgId }, at);
              return client.query(`UPDATE ${s}.credentials SET revoked_at = $1 WHERE org_id = $2 AND revoked_at IS NULL`, [at, target.orgId]);
            });
      return result.rowCount ?? 0;
    },
    async revokedSince(since) {
      const result = await pool.query<{ id: string }>(`SELECT id FROM ${s}.credentials WHERE revoked_at >= $1`, [since]);
      return result.rows.map((row) => row.id);
    },
    async registerDeviceKey(credentialId, publicKey, at) {
      await pool.query(`INSERT INTO ${s}.device_keys (credential_id, public_key, created_at) VALUES ($1, $2, $3) ON CONFLICT (credential_id) DO NOTHING`, [
        credentialId,
        Buffer.from(publicKey),
        at,
      ]);
      // A separate statement, so its snapshot sees a key another hub committed concurrently.
      const result = await pool.query<{ public_key: Buffer }>(`SELECT public_key FROM ${s}.device_keys WHERE credential_id = $1`, [credentialId]);
      return new Uint8Array(result.rows[0]!.public_key);
    },
    async getDeviceKey(credentialId) {
      const result = await pool.query<{ public_key: Buffer }>(`SELECT public_key FROM ${s}.device_keys WHERE credential_id = $1`, [credentialId]);
      const row = result.rows[0];
      return row ? new Uint8Array(row.public_key) : null;
    },
  };

  const invitationSelect = `SELECT i.*, w.withdrawn_at, u.credential_id AS used_by FROM ${s}.invitations i
    LEFT JOIN ${s}.invitation_withdrawals w ON w.code_hash = i.code_hash LEFT JOIN ${s}.invitation_uses u ON u.code_hash = i.code_hash`;
  const deviceSelect = `SELECT c.*, d.last_seen_at, d.app_version, r.reason AS revoke_reason, COALESCE(r.wipe, false) AS wipe FROM ${s}.credentials c
    LEFT JOIN ${s}.device_details d ON d.credential_id = c.id LEFT JOIN ${s}.credential_revocations r ON r.credential_id = c.id`;
  const pendingClause = `used_at IS NULL AND expires_at > $2 AND code_hash NOT IN (SELECT code_hash FROM ${s}.invitation_withdrawals)`;

  const revokeWith = async (client: pg.PoolClient, target: { credentialId: string } | { orgId: string }, at: number, revocation: Revocation): Promise<string[]> => {
    // Row locks (FOR UPDATE): a concurrent revocation of the same credential waits and then finds it revoked.
    const rows = await client.query<{ id: string }>(
      'credentialId' in target
        ? `UPDATE ${s}.credentials SET revoked_at = $1 WHERE id = $2 AND revoked_at IS NULL RETURNING id`
        : `UPDATE ${s}.credentials SET revoked_at = $1 WHERE org_id = $2 AND revoked_at IS NULL RETURNING id`,
      [at, 'credentialId' in target ? target.credentialId : target.orgId],
    );
    const ids = rows.rows.map((row) => row.id).sort();
    if (ids.length > 0) {
      await client.query(
        `INSERT INTO ${s}.credential_revocations (credential_id, reason, wipe) SELECT unnest($1::text[]), $2, $3
         ON CONFLICT (credential_id) DO UPDATE SET reason = excluded.reason, wipe = excluded.wipe`,
        [ids, revocation.reason, revocation.wipe],
      );
    }
    return ids;
  };

  const withdrawWith = async (client: pg.PoolClient | pg.Pool, target: { codeHash: string } | { orgId: string }, at: number): Promise<number> => {
    const result = await client.query(
      `INSERT INTO ${s}.invitation_withdrawals (code_hash, withdrawn_at)
       SELECT code_hash, $2 FROM ${s}.invitations WHERE ${'codeHash' in target ? 'code_hash' : 'org_id'} = $1 AND ${pendingClause}
       ON CONFLICT DO NOTHING`,
      ['codeHash' in target ? target.codeHash : target.orgId, at],
    );
    return result.rowCount ?? 0;
  };

  const administration: Administration = {
    async listInvitations() {
      const result = await pool.query<InvitationSqlRow>(`${invitationSelect} ORDER BY i.created_at DESC, i.code_hash COLLATE "C"`);
      return result.rows.map(toInvitation);
    },
    async getInvitation(target) {
      const result =
        'codeHash' in target
          ? await pool.query<InvitationSqlRow>(`${invitationSelect} WHERE i.code_hash = $1`, [target.codeHash])
          : await pool.query<InvitationSqlRow>(`${invitationSelect} WHERE substr(i.code_hash, 1, 24) = $1`, [target.id.replace(/^inv-/, '')]);
      const row = result.rows[0];
      return row && ('codeHash' in target || invitationIdOf(row.code_hash) === target.id) ? toInvitation(row) : null;
    },
    async withdrawInvitations(target, at) {
      return withdrawWith(pool, target, at);
    },
    async listDevices() {
      const result = await pool.query<DeviceSqlRow>(`${deviceSelect} ORDER BY c.created_at, c.id COLLATE "C"`);
      return result.rows.map(toDevice);
    },
    async getDevice(credentialId) {
      const result = await pool.query<DeviceSqlRow>(`${deviceSelect} WHERE c.id = $1`, [credentialId]);
      const row = result.rows[0];
      return row ? toDevice(row) : null;
    },
    async touchDevice(credentialId, at, appVersion) {
      await pool.query(
        `INSERT INTO ${s}.device_details (credential_id, last_seen_at, app_version)
         SELECT id, $2, $3 FROM ${s}.credentials WHERE id = $1
         ON CONFLICT (credential_id) DO UPDATE SET last_seen_at = GREATEST(COALESCE(${s}.device_details.last_seen_at, 0), excluded.last_seen_at),
           app_version = COALESCE(excluded.app_version, ${s}.device_details.app_version)`,
        [credentialId, at, appVersion],
      );
    },
    async revokeDevices(target, at, revocation) {
      return inTransaction(pool, 'BEGIN', (client) => revokeWith(client, target, at, revocation));
    },
    async revokeDeviceKeepingOne(credentialId, orgId, at, revocation) {
      return inTransaction(pool, 'BEGIN', async (client) => {
        // Lock every credential of the organization (in one order, so two revocations cannot
        // deadlock): a concurrent revocation waits here, then counts what the first one left standing.
        const rows = await client.query<{ id: string; revoked_at: string | null }>(
          `SELECT id, revoked_at FROM ${s}.credentials WHERE org_id = $1 ORDER BY id COLLATE "C" FOR UPDATE`,
          [orgId],
        );
        const standing = rows.rows.filter((row) => row.revoked_at === null).map((row) => row.id);
        if (!standing.includes(credentialId)) return 'already-revoked';
        if (standing.length <= 1) return 'last-standing';
        return (await revokeWith(client, { credentialId }, at, revocation)).length > 0 ? 'revoked' : 'already-revoked';
      });
    },
    async markWipe(credentialId, reason) {
      const result = await pool.query(
        `UPDATE ${s}.credential_revocations SET wipe = true, reason = $1 WHERE credential_id = $2 AND wipe = false
           AND credential_id IN (SELECT id FROM ${s}.credentials WHERE revoked_at IS NOT NULL)`,
        [reason, credentialId],
      );
      return result.rowCount === 1;
    },
    async revokeOrg(orgId, at, revocation) {
      return inTransaction(pool, 'BEGIN', async (client) => {
        const marked = await client.query(`INSERT INTO ${s}.org_revocations (org_id, revoked_at, reason) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING`, [
          orgId,
          at,
          revocation.reason,
        ]);
        if (marked.rowCount !== 1) return null;
        return { revokedCredentials: await revokeWith(client, { orgId }, at, revocation), withdrawnInvitations: await withdrawWith(client, { orgId }, at) };
      });
    },
    async orgRevocations() {
      const result = await pool.query<{ org_id: string; revoked_at: string; reason: string | null }>(`SELECT * FROM ${s}.org_revocations ORDER BY revoked_at, org_id COLLATE "C"`);
      return result.rows.map((row) => ({ orgId: row.org_id, revokedAt: toNumber(row.revoked_at), reason: row.reason }));
    },
    async setOrgRole(orgId, role) {
      await inTransaction(pool, 'BEGIN', async (client) => {
        await client.query(`UPDATE ${s}.orgs SET role = $1 WHERE id = $2`, [role, orgId]);
        await client.query(`UPDATE ${s}.credentials SET role = $1 WHERE org_id = $2`, [role, orgId]);
        await client.query(
          `UPDATE ${s}.invitations SET role = $1 WHERE org_id = $2 AND used_at IS NULL AND code_hash NOT IN (SELECT code_hash FROM ${s}.invitation_withdrawals)`,
          [role, orgId],
        );
      });
    },
    async renameOrg(orgId, name) {
      await pool.query(`UPDATE ${s}.orgs SET name = $1 WHERE id = $2`, [name, orgId]);
    },
    async appendAudit(entry) {
      const result = await pool.query<{ id: string }>(
        `INSERT INTO ${s}.admin_audit (at, action, actor_org, actor_credential, actor_device_name, target_kind, target_id, target_name, details)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING id`,
        [entry.at, entry.action, entry.actor.orgId, entry.actor.credentialId, entry.actor.deviceName, entry.target.kind, entry.target.id, entry.target.name, JSON.stringify(entry.details)],
      );
      return toNumber(result.rows[0]!.id);
    },
    async listAudit({ before, limit }) {
      const result = await pool.query<AuditSqlRow>(`SELECT * FROM ${s}.admin_audit WHERE id < $1 ORDER BY id DESC LIMIT $2`, [before ?? Number.MAX_SAFE_INTEGER, limit]);
      return result.rows.map(toAudit);
    },
  };

  const recordLog: RecordLog = {
    async getRecord(id) {
      const result = await pool.query<RecordSqlRow>(`SELECT * FROM ${s}.records WHERE id = $1`, [id]);
      const row = result.rows[0];
      return row ? toStored(row) : null;
    },
    async commit(writes) {
      if (writes.length === 0) return [];
      return commitWrites(writes, Date.now());
    },
    async changedSince(since, limit) {
      const result = await pool.query<RecordSqlRow>(`SELECT * FROM ${s}.records WHERE seq > $1 ORDER BY seq LIMIT $2`, [since, limit]);
      return result.rows.map(toStored);
    },
    async changedSummariesSince(since, limit) {
      const result = await pool.query<Pick<RecordSqlRow, 'id' | 'type' | 'owner_org' | 'created_at' | 'seq' | 'facts'>>(
        `SELECT id, type, owner_org, created_at, seq, facts FROM ${s}.records WHERE seq > $1 ORDER BY seq LIMIT $2`,
        [since, limit],
      );
      return result.rows.map(
        (row): RecordSummary => ({
          header: { id: row.id, type: row.type as RecordType, ownerOrg: row.owner_org, createdAt: toNumber(row.created_at) },
          seq: toNumber(row.seq),
          facts: JSON.parse(row.facts) as RecordSummary['facts'],
        }),
      );
    },
    async changedIdsBetween(after, upTo) {
      const result = await pool.query<{ id: string }>(`SELECT id FROM ${s}.records WHERE seq > $1 AND seq <= $2 ORDER BY seq`, [after, upTo]);
      return result.rows.map((row) => row.id);
    },
    async factsSince(recordIds, since) {
      const rows = new Map<string, (string | null)[]>(recordIds.map((id) => [id, []]));
      if (recordIds.length === 0) return new Map();
      // Per record: the version in force at `since` (the latest at or below it) and every later one.
      const result = await pool.query<{ record_id: string; facts: string | null }>(
        `SELECT h.record_id, h.facts FROM ${s}.facts_history h
         WHERE h.record_id = ANY($1::text[]) AND h.seq >= COALESCE(
           (SELECT MAX(e.seq) FROM ${s}.facts_history e WHERE e.record_id = h.record_id AND e.seq <= $2), 0)
         ORDER BY h.record_id, h.seq`,
        [[...new Set(recordIds)], since],
      );
      for (const row of result.rows) rows.get(row.record_id)!.push(row.facts);
      return new Map([...rows].map(([id, facts]) => [id, factsVersionsFrom(facts)]));
    },
    async updatesSince(recordIds, since) {
      // Every asked-for record gets an entry, empty when nothing is logged above `since`.
      const updates = new Map<string, Uint8Array[]>(recordIds.map((id) => [id, []]));
      if (recordIds.length === 0) return updates;
      const result = await pool.query<{ record_id: string; update_bytes: Buffer }>(
        `SELECT record_id, update_bytes FROM ${s}.updates WHERE record_id = ANY($1::text[]) AND seq > $2 ORDER BY seq`,
        [[...new Set(recordIds)], since],
      );
      for (const row of result.rows) updates.get(row.record_id)!.push(new Uint8Array(row.update_bytes));
      return updates;
    },
    async lastSeq() {
      const result = await pool.query<{ value: string }>(`SELECT value FROM ${s}.seq_counter`);
      return toNumber(result.rows[0]!.value);
    },
    async compact(recordId, state, uptoSeq) {
      return inTransaction(pool, 'BEGIN', async (client) => {
        // `seq = uptoSeq` refuses a record that changed after the fold; the row lock keeps a
        // concurrent commit of this record waiting until the log is trimmed.
        const updated = await client.query(`UPDATE ${s}.records SET state = $1, compacted_seq = $2 WHERE id = $3 AND seq = $2`, [
          Buffer.from(state),
          uptoSeq,
          recordId,
        ]);
        if (updated.rowCount !== 1) return false;
        await client.query(`DELETE FROM ${s}.updates WHERE record_id = $1 AND seq <= $2`, [recordId, uptoSeq]);
        return true;
      });
    },
    async compactionCandidates(minUpdates, limit) {
      const result = await pool.query<{ record_id: string }>(
        `SELECT record_id FROM ${s}.updates GROUP BY record_id HAVING COUNT(*) > $1 LIMIT $2`,
        [minUpdates, limit],
      );
      return result.rows.map((row) => row.record_id);
    },
    async moveRecord(fromId, toId, expectedSeq) {
      return inTransaction(pool, 'BEGIN', async (client) => {
        // The seq_counter row lock orders this with every commit, as in commitWrites.
        const counter = await client.query<{ value: string }>(`UPDATE ${s}.seq_counter SET value = value + 1 RETURNING value`);
        const seq = toNumber(counter.rows[0]!.value);
        const taken = await client.query(`SELECT 1 FROM ${s}.records WHERE id = $1`, [toId]);
        if (taken.rowCount !== 0) throw new MoveRefused();
        const moved = await client.query(`UPDATE ${s}.records SET id = $1, seq = $2, facts_seq = $2 WHERE id = $3 AND seq = $4`, [toId, seq, fromId, expectedSeq]);
        if (moved.rowCount !== 1) throw new MoveRefused();
        await client.query(`UPDATE ${s}.updates SET record_id = $1 WHERE record_id = $2`, [toId, fromId]);
        await client.query(`UPDATE ${s}.cast_arrivals SET record_id = $1 WHERE record_id = $2`, [toId, fromId]);
        await client.query(`UPDATE ${s}.blob_refs SET record_id = $1 WHERE record_id = $2`, [toId, fromId]);
        // Under its new id nobody could read the record before now: its history starts here.
        await client.query(`DELETE FROM ${s}.facts_history WHERE record_id = ANY($1::text[])`, [[fromId, toId]]);
        await client.query(`INSERT INTO ${s}.facts_history (record_id, seq, facts) SELECT id, facts_seq, facts FROM ${s}.records WHERE id = $1`, [toId]);
        return seq;
      }).catch((error: unknown) => {
        if (error instanceof MoveRefused) return null;
        throw error;
      });
    },
  };

  const governanceSchedule: GovernanceSchedule = {
    async castArrivals(recordIds) {
      const arrivals = new Map(recordIds.map((id) => [id, new Map<number, number>()]));
      const result = await pool.query<{ record_id: string; cast_at: string; received_at: string }>(
        `SELECT record_id, cast_at, received_at FROM ${s}.cast_arrivals WHERE record_id = ANY($1::text[])`,
        [recordIds],
      );
      for (const row of result.rows) arrivals.get(row.record_id)?.set(toNumber(row.cast_at), toNumber(row.received_at));
      return arrivals;
    },
    async dueSeals(now, limit) {
      const result = await pool.query<{ proposal_id: string }>(
        `SELECT proposal_id FROM ${s}.seal_schedule WHERE due_at <= $1 ORDER BY due_at, proposal_id LIMIT $2`,
        [now, limit],
      );
      return result.rows.map((row) => row.proposal_id);
    },
    async clearSealDue(proposalId) {
      await pool.query(`DELETE FROM ${s}.seal_schedule WHERE proposal_id = $1`, [proposalId]);
    },
  };

  const pullCheckpoints: PullCheckpoints = {
    async setPullCheckpoint(credentialId, seq, at) {
      await pool.query(
        `INSERT INTO ${s}.pull_checkpoints (credential_id, seq, at) VALUES ($1, $2, $3)
         ON CONFLICT (credential_id) DO UPDATE SET seq = excluded.seq, at = excluded.at`,
        [credentialId, seq, at],
      );
    },
    async pullCheckpoints() {
      const result = await pool.query<{ credential_id: string; org_id: string; seq: string; at: string }>(
        `SELECT p.credential_id, c.org_id, p.seq, p.at FROM ${s}.pull_checkpoints p JOIN ${s}.credentials c ON c.id = p.credential_id
         WHERE c.revoked_at IS NULL ORDER BY p.credential_id COLLATE "C"`,
      );
      return result.rows.map((row) => ({ credentialId: row.credential_id, orgId: row.org_id, seq: toNumber(row.seq), at: toNumber(row.at) }));
    },
  };

  const orgUsage: OrgUsage = {
    async recordsCreatedSince(orgId, since) {
      const result = await pool.query<{ count: string }>(`SELECT COUNT(*) AS count FROM ${s}.records WHERE owner_org = $1 AND created_at > $2 AND type <> 'org'`, [orgId, since]);
      return toNumber(result.rows[0]!.count);
    },
    async nthRecordCreatedSince(orgId, since, nth) {
      if (nth < 1) return null;
      const result = await pool.query<{ created_at: string }>(
        `SELECT created_at FROM ${s}.records WHERE owner_org = $1 AND created_at > $2 AND type <> 'org' ORDER BY created_at LIMIT 1 OFFSET $3`,
        [orgId, since, nth - 1],
      );
      return result.rows[0] ? toNumber(result.rows[0].created_at) : null;
    },
    async storedBytes(orgId) {
      // octet_length reads a stored value's size without fetching it from TOAST.
      const result = await pool.query<{ bytes: string }>(
        `SELECT COALESCE((SELECT SUM(octet_length(state)) FROM ${s}.records WHERE owner_org = $1), 0)
              + COALESCE((SELECT SUM(octet_length(u.update_bytes)) FROM ${s}.records r JOIN ${s}.updates u ON u.record_id = r.id WHERE r.owner_org = $1), 0) AS bytes`,
        [orgId],
      );
      return toNumber(result.rows[0]!.bytes);
    },
  };

  const blobIndex: BlobIndex = {
    async blobReferences(sha256s) {
      const result = await pool.query<{ sha256: string; size_bytes: string; media_type: string; is_consent_pending: boolean; id: string; type: string; owner_org: string; created_at: string; facts: string }>(
        `SELECT b.sha256, b.size_bytes, b.media_type, b.is_consent_pending, r.id, r.type, r.owner_org, r.created_at, r.facts
         FROM ${s}.blob_refs b JOIN ${s}.records r ON r.id = b.record_id WHERE b.sha256 = ANY($1::text[]) ORDER BY r.id COLLATE "C", b.sha256`,
        [[...new Set(sha256s)]],
      );
      return result.rows.map(
        (row): BlobReference => ({
          sha256: row.sha256,
          sizeBytes: toNumber(row.size_bytes),
          mediaType: row.media_type,
          isConsentPending: row.is_consent_pending,
          header: { id: row.id, type: row.type as RecordType, ownerOrg: row.owner_org, createdAt: toNumber(row.created_at) },
          facts: JSON.parse(row.facts) as RuleFacts,
        }),
      );
    },
    async unreferencedBlobs(sha256s) {
      const asked = [...new Set(sha256s)];
      const referenced = await pool.query<{ sha256: string }>(`SELECT DISTINCT sha256 FROM ${s}.blob_refs WHERE sha256 = ANY($1::text[])`, [asked]);
      const seen = await pool.query<{ sha256: string; last_referenced_at: string }>(`SELECT sha256, last_referenced_at FROM ${s}.blob_seen WHERE sha256 = ANY($1::text[])`, [asked]);
      const isReferenced = new Set(referenced.rows.map((row) => row.sha256));
      const seenAt = new Map(seen.rows.map((row) => [row.sha256, toNumber(row.last_referenced_at)]));
      return new Map(asked.filter((sha256) => !isReferenced.has(sha256)).map((sha256) => [sha256, seenAt.get(sha256) ?? null]));
    },
    async addBlobHolder(sha256, orgId, at) {
      await pool.query(`INSERT INTO ${s}.blob_holders (sha256, org_id, at) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING`, [sha256, orgId, at]);
    },
    async blobHolders(sha256s) {
      const holders = new Map<string, Set<string>>([...new Set(sha256s)].map((sha256) => [sha256, new Set<string>()]));
      const result = await pool.query<{ sha256: string; org_id: string }>(`SELECT sha256, org_id FROM ${s}.blob_holders WHERE sha256 = ANY($1::text[])`, [[...holders.keys()]]);
      for (const row of result.rows) holders.get(row.sha256)?.add(row.org_id);
      return holders;
    },
    async forgetBlob(sha256) {
      await inTransaction(pool, 'BEGIN', async (client) => {
        await client.query(`DELETE FROM ${s}.blob_holders WHERE sha256 = $1`, [sha256]);
        await client.query(`DELETE FROM ${s}.blob_seen WHERE sha256 = $1`, [sha256]);
      });
    },
  };

  return { pool, ...lifecycle, ...meta, ...directory, ...administration, ...recordLog, ...governanceSchedule, ...pullCheckpoints, ...orgUsage, ...blobIndex };
}

const BACKUP_PAGE_ROWS = 500;
const BACKUP_FLUSH_CHARS = 1 << 20;

/*
 * `hub backup` for PostgreSQL: a JSON-lines dump taken in one REPEATABLE READ transaction, so it is
 * one consistent snapshot even while hubs keep committing. Operators should prefer `pg_dump` (it
 * keeps types, indexes and everything else in the schema); this exists so `hub backup` works the
 * same on both adapters. One JSON object per line, each with a `kind`:
 *   backup      {format: "fieldwise-hub-backup", version: 1, source: "postgres", schema, seq, takenAt}
 *               (`seq` is the counter: a restore must continue numbering above it)
 *   meta        {key, value}
 *   org         OrgRow fields
 *   invitation  InvitationRow fields
 *   credential  CredentialRow fields
 *   device-key  {credentialId, publicKey (base64), createdAt}: a device's bundle-signing key
 *   record      {id, type, ownerOrg, createdAt, seq, compactedSeq, factsSeq, state (base64), projection, facts}
 *   update      {seq, recordId, update (base64), credentialId, createdAt}
 *   castArrival {recordId, castAt, receivedAt}   (governance: when the hub first received a cast)
 *   sealDue     {proposalId, dueAt}              (governance: proposals still to be sealed)
 *   factsVersion {recordId, seq, facts}          (a record's read facts from `seq` on; null: not known)
 *   invitation_withdrawals, invitation_uses, device_details, credential_revocations,
 *   org_revocations, admin_audit: the administration's rows, columns as in the table (bigints as strings)
 * Written to `outFile.partial`, synced and renamed at the end, so a failed backup never leaves a
 * file that looks complete.
 */
async function backupToJsonLines(pool: pg.Pool, s: string, schemaName: string, outFile: string): Promise<void> {
  await mkdir(dirname(outFile), { recursive: true });
  const partialFile = `${outFile}.partial`;
  const file = await open(partialFile, 'w');
  let pending: string[] = [];
  let pendingChars = 0;
  const flush = async (): Promise<void> => {
    await file.write(pending.join(''));
    pending = [];
    pendingChars = 0;
  };
  const writeLine = async (line: Record<string, unknown>): Promise<void> => {
    const text = `${JSON.stringify(line)}\n`;
    pending.push(text);
    pendingChars += text.length;
    if (pendingChars >= BACKUP_FLUSH_CHARS) await flush();
  };

  try {
    await inTransaction(pool, 'BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY', async (client) => {
      const counter = await client.query<{ value: string }>(`SELECT value FROM ${s}.seq_counter`);
      await writeLine({
        kind: 'backup',
        format: 'fieldwise-hub-backup',
        version: 1,
        source: 'postgres',
        schema: schemaName,
        seq: toNumber(counter.rows[0]!.value),
        takenAt: Date.now(),
      });

      const meta = await client.query<{ key: string; value: string }>(`SELECT key, value FROM ${s}.meta ORDER BY key`);
      for (const row of meta.rows) await writeLine({ kind: 'meta', key: row.key, value: row.value });

      const orgs = await client.query<OrgSqlRow>(`SELECT * FROM ${s}.orgs ORDER BY id`);
      for (const row of orgs.rows) await writeLine({ kind: 'org', ...toOrg(row) });

      const invitations = await client.query<{ code_hash: string; org_id: string; role: string; created_at: string; expires_at: string; used_at: string | null }>(
        `SELECT * FROM ${s}.invitations ORDER BY code_hash`,
      );
      for (const row of invitations.rows) {
        await writeLine({
          kind: 'invitation',
          codeHash: row.code_hash,
          orgId: row.org_id,
          role: row.role,
          createdAt: toNumber(row.created_at),
          expiresAt: toNumber(row.expires_at),
          usedAt: toNumberOrNull(row.used_at),
        });
      }

      const credentials = await client.query<CredentialSqlRow>(`SELECT * FROM ${s}.credentials ORDER BY id`);
      for (const row of credentials.rows) await writeLine({ kind: 'credential', ...toCredential(row) });

      const deviceKeys = await client.query<{ credential_id: string; public_key: Buffer; created_at: string }>(`SELECT * FROM ${s}.device_keys ORDER BY credential_id`);
      for (const row of deviceKeys.rows) {
        await writeLine({ kind: 'device-key', credentialId: row.credential_id, publicKey: row.public_key.toString('base64'), createdAt: toNumber(row.created_at) });
      }

      // Records and updates can be large: paged by seq (keyset) within the same snapshot.
      for (let after = -1; ; ) {
        const page = await client.query<RecordSqlRow>(`SELECT * FROM ${s}.records WHERE seq > $1 ORDER BY seq LIMIT $2`, [after, BACKUP_PAGE_ROWS]);
        for (const row of page.rows) {
          await writeLine({
            kind: 'record',
            id: row.id,
            type: row.type,
            ownerOrg: row.owner_org,
            createdAt: toNumber(row.created_at),
            seq: toNumber(row.seq),
            compactedSeq: toNumber(row.compacted_seq),
            factsSeq: toNumber(row.facts_seq),
            state: row.state.toString('base64'),
            projection: JSON.parse(row.projection) as unknown,
            facts: JSON.parse(row.facts) as unknown,
          });
        }
        if (page.rows.length < BACKUP_PAGE_ROWS) break;
        after = toNumber(page.rows.at(-1)!.seq);
      }

      for (let after = -1; ; ) {
        const page = await client.query<{ seq: string; record_id: string; update_bytes: Buffer; credential_id: string | null; created_at: string }>(
          `SELECT * FROM ${s}.updates WHERE seq > $1 ORDER BY seq LIMIT $2`,
          [after, BACKUP_PAGE_ROWS],
        );
        for (const row of page.rows) {
          await writeLine({
            kind: 'update',
            seq: toNumber(row.seq),
            recordId: row.record_id,
            update: row.update_bytes.toString('base64'),
            credentialId: row.credential_id,
            createdAt: toNumber(row.created_at),
          });
        }
        if (page.rows.length < BACKUP_PAGE_ROWS) break;
        after = toNumber(page.rows.at(-1)!.seq);
      }

      const arrivals = await client.query<{ record_id: string; cast_at: string; received_at: string }>(
        `SELECT * FROM ${s}.cast_arrivals ORDER BY record_id, cast_at`,
      );
      for (const row of arrivals.rows) {
        await writeLine({ kind: 'castArrival', recordId: row.record_id, castAt: toNumber(row.cast_at), receivedAt: toNumber(row.received_at) });
      }
      const schedule = await client.query<{ proposal_id: string; due_at: string }>(`SELECT * FROM ${s}.seal_schedule ORDER BY proposal_id`);
      for (const row of schedule.rows) await writeLine({ kind: 'sealDue', proposalId: row.proposal_id, dueAt: toNumber(row.due_at) });
      const versions = await client.query<{ record_id: string; seq: string; facts: string | null }>(`SELECT * FROM ${s}.facts_history ORDER BY record_id, seq`);
      for (const row of versions.rows) {
        await writeLine({ kind: 'factsVersion', recordId: row.record_id, seq: toNumber(row.seq), facts: row.facts === null ? null : (JSON.parse(row.facts) as unknown) });
      }
      for (const table of ADMIN_TABLES) {
        const rows = await client.query<Record<string, unknown>>(`SELECT * FROM ${s}.${table} ORDER BY 1`);
        for (const row of rows.rows) await writeLine({ kind: table, ...row });
      }
    });
    await flush();
    // On disk before it gets its final name, so a crash never leaves a truncated "backup".
    await file.sync();
    await file.close();
    await rename(partialFile, outFile);
  } catch (error) {
    await file.close().catch(() => undefined);
    await rm(partialFile, { force: true });
    throw error;
  }
}
