import { createHash, randomUUID } from 'node:crypto';
import type pg from 'pg';
import { BlobError } from '../../shared/blobs/blobError';
import { blobContentSchema, type BlobContent } from '../../shared/blobs/blobRef';
import type { BlobUpload, ByteRange, HubBlob, HubBlobStorage, UploadOptions } from './hubBlobStorage';

/*
 * Blobs as PostgreSQL rows, beside the records in the same schema, so every hub process on one
 * database serves every blob (docs/ARCHITECTURE.md: several hubs on one PostgreSQL).
 *
 *   blobs               (sha256, size_bytes, media_type, stored_at): one row per stored blob
 *   blob_chunks         (sha256, start_offset, bytes): its bytes in rows of at most 1 MiB
 *   blob_uploads        (id, sha256, owner, …, upload_offset): uploads under way, one per (hash, owner)
 *   blob_upload_chunks  (upload_id, start_offset, bytes): what each has received, rows of at most 1 MiB
 *
 * Rows of at most 1 MiB keep every query's memory small (a range read fetches only the rows it
 * covers) and stay far below bytea's 1 GB limit. An append locks its upload's row (FOR UPDATE) for
 * its transaction, so two hub processes given chunks of one upload take them one after the other
 * and the second is refused `offset-mismatch`; a chunk is committed whole or not at all. The last
 * byte's transaction hashes the received rows in order (node:crypto, streaming), and copies them
 * under the blob's address in the same transaction: a blob is stored whole, or not at all.
 */

export const BLOB_ROW_BYTES = 1 << 20;

export interface PostgresBlobStorageOptions {
  readonly pool: pg.Pool;
  /** The schema the hub's records live in (a plain identifier). */
  readonly schema?: string;
  readonly now?: () => number;
}

const SCHEMA_NAME = /^[A-Za-z_][A-Za-z0-9_]{0,62}$/;
const HASH_PATTERN = /^[0-9a-f]{64}$/;
const UPLOAD_ID_PATTERN = /^[0-9a-f-]{36}$/;

const ddl = (s: string): string => `
CREATE SCHEMA IF NOT EXISTS ${s};
CREATE TABLE IF NOT EXISTS ${s}.blobs (
  sha256 text PRIMARY KEY, size_bytes bigint NOT NULL, media_type text NOT NULL, stored_at bigint NOT NULL);
CREATE INDEX IF NOT EXISTS blobs_stored_at ON ${s}.blobs (stored_at);
CREATE TABLE IF NOT EXISTS ${s}.blob_chunks (
  sha256 text NOT NULL, start_offset bigint NOT NULL, bytes bytea NOT NULL, PRIMARY KEY (sha256, start_offset));
CREATE TABLE IF NOT EXISTS ${s}.blob_uploads (
  id text PRIMARY KEY, sha256 text NOT NULL, size_bytes bigint NOT NULL, media_type text NOT NULL, owner text NOT NULL,
  is_proof boolean NOT NULL, created_at bigint NOT NULL, touched_at bigint NOT NULL, upload_offset bigint NOT NULL,
  UNIQUE (sha256, owner));
CREATE TABLE IF NOT EXISTS ${s}.blob_upload_chunks (
  upload_id text NOT NULL REFERENCES ${s}.blob_uploads(id) ON DELETE CASCADE, start_offset bigint NOT NULL, bytes bytea NOT NULL,
  PRIMARY KEY (upload_id, start_offset));
`;

interface BlobRow {
  sha256: string;
  size_bytes: string;
  media_type: string;
  stored_at: string;
}

interface UploadRow {
  id: string;
  sha256: string;
  size_bytes: string;
  media_type: string;
  owner: string;
  is_proof: boolean;
  created_at: string;
  touched_at: string;
  upload_offset: string;
}

const toBlob = (row: BlobRow): HubBlob => ({ sha256: row.sha256, sizeBytes: Number(row.size_bytes), mediaType: row.media_type, storedAt: Number(row.stored_at) });

const toUpload = (row: UploadRow): BlobUpload => ({
  sha256: row.sha256,
  sizeBytes: Number(row.size_bytes),
  mediaType: row.media_type,
  uploadId: row.id,
  owner: row.owner,
  offset: Number(row.upload_offset),
  createdAt: Number(row.created_at),
  isComplete: false,
});

async function inTransaction<T>(pool: pg.Pool, work: (client: pg.PoolClient) => Promise<T>): Promise<T> {
  const client = await pool.connect();
  let broken: Error | undefined;
  try {
    await client.query('BEGIN');
    const result = await work(client);
    await client.query('COMMIT');
    return result;
  } catch (error) {
    await client.query('ROLLBACK').catch((rollbackError: unknown) => {
      broken = rollbackError instanceof Error ? rollbackError : new Error(String(rollbackError));
    });
    throw error;
  } finally {
    client.release(broken);
  }
}

/** Creates the blob tables if needed (safe on every start) and returns the storage; the pool stays the caller's. */
export async function openPostgresHubBlobStorage(options: PostgresBlobStorageOptions): Promise<HubBlobStorage> {
  const schemaName = options.schema ?? 'public';
  if (!SCHEMA_NAME.test(schemaName)) throw new Error(`postgres blob storage: invalid schema name ${JSON.stringify(schemaName)}`);
  const s = `"${schemaName}"`;
  const { pool } = options;
  const now = options.now ?? Date.now;
  await inTransaction(pool, async (client) => {
    // The same lock as the record storage's migration: two hubs starting together create once.
    await client.query('SELECT pg_advisory_xact_lock(hashtext($1))', [`fieldwise.migrate.${schemaName}`]);
    await client.query(ddl(s));
  });

  const stat = async (sha256: string, client: pg.Pool | pg.PoolClient = pool): Promise<HubBlob | null> => {
    if (!HASH_PATTERN.test(sha256)) return null;
    const found = await client.query<BlobRow>(`SELECT * FROM ${s}.blobs WHERE sha256 = $1`, [sha256]);
    return found.rows[0] ? toBlob(found.rows[0]) : null;
  };

  const insertRows = async (client: pg.PoolClient, table: 'blob_chunks' | 'blob_upload_chunks', key: string, startOffset: number, bytes: Uint8Array): Promise<void> => {
    const column = table === 'blob_chunks' ? 'sha256' : 'upload_id';
    for (let at = 0; at < bytes.length; at += BLOB_ROW_BYTES) {
      const piece = bytes.subarray(at, Math.min(bytes.length, at + BLOB_ROW_BYTES));
      await client.query(`INSERT INTO ${s}.${table} (${column}, start_offset, bytes) VALUES ($1, $2, $3)`, [key, startOffset + at, Buffer.from(piece.buffer, piece.byteOffset, piece.length)]);
    }
  };

  /** Hashes an upload's received rows in order, a few rows at a time. */
  const hashUpload = async (client: pg.PoolClient, uploadId: string): Promise<string> => {
    const hash = createHash('sha256');
    for (let after = -1; ; ) {
      const page = await client.query<{ start_offset: string; bytes: Buffer }>(
        `SELECT start_offset, bytes FROM ${s}.blob_upload_chunks WHERE upload_id = $1 AND start_offset > $2 ORDER BY start_offset LIMIT 8`,
        [uploadId, after],
      );
      for (const row of page.rows) hash.update(row.bytes);
      if (page.rows.length < 8) break;
      after = Number(page.rows.at(-1)!.start_offset);
    }
    return hash.digest('hex');
  };

  /** The last byte arrived (inside the append's transaction, upload row locked): check and store. */
  const finish = async (client: pg.PoolClient, upload: BlobUpload): Promise<BlobUpload> => {
    const actual = await hashUpload(client, upload.uploadId);
    if (actual !== upload.sha256) {
      await client.query(`DELETE FROM ${s}.blob_uploads WHERE id = $1`, [upload.uploadId]);
      throw new BlobError('hash-mismatch', `the bytes sent for blob ${upload.sha256} hash to ${actual}`);
    }
    const inserted = await client.query<BlobRow>(
      `INSERT INTO ${s}.blobs (sha256, size_bytes, media_type, stored_at) VALUES ($1, $2, $3, $4) ON CONFLICT (sha256) DO NOTHING RETURNING *`,
      [upload.sha256, upload.sizeBytes, upload.mediaType, now()],
    );
    if (inserted.rows.length === 1) {
      await client.query(`INSERT INTO ${s}.blob_chunks (sha256, start_offset, bytes) SELECT $1, start_offset, bytes FROM ${s}.blob_upload_chunks WHERE upload_id = $2`, [
        upload.sha256,
        upload.uploadId,
      ]);
    }
    await client.query(`DELETE FROM ${s}.blob_uploads WHERE id = $1`, [upload.uploadId]);
    const blob = inserted.rows[0] ? toBlob(inserted.rows[0]) : (await stat(upload.sha256, client))!;
    return { ...blob, uploadId: upload.uploadId, owner: upload.owner, offset: blob.sizeBytes, createdAt: upload.createdAt, isComplete: true };
  };

  /** A hash mismatch must still commit the discard: the refusal is thrown after COMMIT. */
  const appendTx = async (uploadId: string, offset: number, chunk: Uint8Array): Promise<BlobUpload | BlobError> =>
    inTransaction(pool, async (client) => {
      const found = await client.query<UploadRow>(`SELECT * FROM ${s}.blob_uploads WHERE id = $1 FOR UPDATE`, [uploadId]);
      const row = found.rows[0];
      if (!row) throw new BlobError('unknown-upload', `no upload ${uploadId} is under way`);
      const upload = toUpload(row);
      if (offset !== upload.offset) throw new BlobError('offset-mismatch', `upload ${uploadId} stands at byte ${upload.offset}, not ${offset}`, upload.offset);
      if (upload.offset + chunk.length > upload.sizeBytes) {
        throw new BlobError('size-mismatch', `upload ${uploadId} declared ${upload.sizeBytes} bytes; this chunk would end at ${upload.offset + chunk.length}`);
      }
      await insertRows(client, 'blob_upload_chunks', uploadId, upload.offset, chunk);
      const newOffset = upload.offset + chunk.length;
      await client.query(`UPDATE ${s}.blob_uploads SET upload_offset = $1, touched_at = $2 WHERE id = $3`, [newOffset, now(), uploadId]);
      const advanced = { ...upload, offset: newOffset };
      if (newOffset < upload.sizeBytes) return advanced;
      return finish(client, advanced).catch((error: unknown) => {
        if (error instanceof BlobError) return error;
        throw error;
      });
    });

  const appendUpload = async (uploadId: string, offset: number, chunk: Uint8Array): Promise<BlobUpload> => {
    if (!UPLOAD_ID_PATTERN.test(uploadId)) throw new BlobError('unknown-upload', `no upload ${uploadId} is under way`);
    const result = await appendTx(uploadId, offset, chunk);
    if (result instanceof BlobError) throw result;
    return result;
  };

  return {
    async has(sha256) {
      return (await stat(sha256)) !== null;
    },
    async missing(sha256s) {
      const unique = [...new Set(sha256s)];
      if (unique.length === 0) return [];
      const found = await pool.query<{ sha256: string }>(`SELECT sha256 FROM ${s}.blobs WHERE sha256 = ANY($1::text[])`, [unique]);
      const held = new Set(found.rows.map((row) => row.sha256));
      return unique.filter((sha256) => !held.has(sha256));
    },
    stat: (sha256) => stat(sha256),
    async get(sha256, range?: ByteRange) {
      const blob = await stat(sha256);
      if (!blob) return null;
      const offset = range?.offset ?? 0;
      if (!Number.isSafeInteger(offset) || offset < 0 || offset > blob.sizeBytes) {
        throw new BlobError('out-of-range', `blob ${sha256} has ${blob.sizeBytes} bytes; a read cannot start at ${offset}`);
      }
      const end = range?.length === undefined ? blob.sizeBytes : Math.min(blob.sizeBytes, offset + Math.max(0, range.length));
      const bytes = new Uint8Array(end - offset);
      if (end === offset) return bytes;
      const rows = await pool.query<{ start_offset: string; bytes: Buffer }>(
        `SELECT start_offset, bytes FROM ${s}.blob_chunks WHERE sha256 = $1 AND start_offset < $3 AND start_offset + octet_length(bytes) > $2 ORDER BY start_offset`,
        [sha256, offset, end],
      );
      for (const row of rows.rows) {
        const start = Number(row.start_offset);
        const from = Math.max(offset, start);
        const to = Math.min(end, start + row.bytes.length);
        bytes.set(row.bytes.subarray(from - start, to - start), from - offset);
      }
      return bytes;
    },
    async put(content: BlobContent, bytes: Uint8Array) {
      const checked = blobContentSchema.parse(content);
      if (bytes.length !== checked.sizeBytes) {
        throw new BlobError('size-mismatch', `the blob ${checked.sha256} should be ${checked.sizeBytes} bytes, but ${bytes.length} arrived`);
      }
      const actual = createHash('sha256').update(bytes).digest('hex');
      if (actual !== checked.sha256) throw new BlobError('hash-mismatch', `the bytes sent for blob ${checked.sha256} hash to ${actual}`);
      return inTransaction(pool, async (client) => {
        const inserted = await client.query<BlobRow>(
          `INSERT INTO ${s}.blobs (sha256, size_bytes, media_type, stored_at) VALUES ($1, $2, $3, $4) ON CONFLICT (sha256) DO NOTHING RETURNING *`,
          [checked.sha256, checked.sizeBytes, checked.mediaType, now()],
        );
        if (inserted.rows.length === 0) return (await stat(checked.sha256, client))!;
        await insertRows(client, 'blob_chunks', checked.sha256, 0, bytes);
        return toBlob(inserted.rows[0]!);
      });
    },
    async createUpload(content: BlobContent, uploadOptions: UploadOptions = {}) {
      const checked = blobContentSchema.parse(content);
      const owner = uploadOptions.owner ?? '';
      const isProof = uploadOptions.isProof ?? false;
      const stored = isProof ? null : await stat(checked.sha256);
      if (stored) return { ...stored, uploadId: randomUUID(), owner, offset: stored.sizeBytes, createdAt: now(), isComplete: true };
      const at = now();
      await pool.query(
        `INSERT INTO ${s}.blob_uploads (id, sha256, size_bytes, media_type, owner, is_proof, created_at, touched_at, upload_offset)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $7, 0) ON CONFLICT (sha256, owner) DO NOTHING`,
        [randomUUID(), checked.sha256, checked.sizeBytes, checked.mediaType, owner, isProof, at],
      );
      const found = await pool.query<UploadRow>(`SELECT * FROM ${s}.blob_uploads WHERE sha256 = $1 AND owner = $2`, [checked.sha256, owner]);
      const upload = toUpload(found.rows[0]!);
      // Nothing to wait for: an empty blob is complete (or refused) as soon as it is announced.
      return checked.sizeBytes === 0 ? appendUpload(upload.uploadId, 0, new Uint8Array(0)) : upload;
    },
    async upload(uploadId) {
      if (!UPLOAD_ID_PATTERN.test(uploadId)) return null;
      const found = await pool.query<UploadRow>(`SELECT * FROM ${s}.blob_uploads WHERE id = $1`, [uploadId]);
      return found.rows[0] ? toUpload(found.rows[0]) : null;
    },
    appendUpload,
    async abortUpload(uploadId) {
      if (!UPLOAD_ID_PATTERN.test(uploadId)) return;
      await pool.query(`DELETE FROM ${s}.blob_uploads WHERE id = $1`, [uploadId]);
    },
    async delete(sha256) {
      await inTransaction(pool, async (client) => {
        await client.query(`DELETE FROM ${s}.blobs WHERE sha256 = $1`, [sha256]);
        await client.query(`DELETE FROM ${s}.blob_chunks WHERE sha256 = $1`, [sha256]);
      });
    },
    async storedBefore(before, limit) {
      const found = await pool.query<BlobRow>(`SELECT * FROM ${s}.blobs WHERE stored_at < $1 ORDER BY stored_at, sha256 LIMIT $2`, [before, limit]);
      return found.rows.map(toBlob);
    },
    async discardUploadsIdleSince(before) {
      const discarded = await pool.query(`DELETE FROM ${s}.blob_uploads WHERE touched_at < $1`, [before]);
      return discarded.rowCount ?? 0;
    },
  };
}
