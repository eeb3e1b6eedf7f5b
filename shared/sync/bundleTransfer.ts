import { hexToBytes } from '@noble/hashes/utils.js';
import { fromBase64 } from 'lib0/buffer';
import type { FieldwiseClient } from '../client/client';
import { NETWORK_RECORD_ID } from '../records/network';
import { recordTypeSchema } from '../records/recordType';
import { groupByRecord, mergeUpdates } from '../records/yjsUpdates';
import type { OutboxEntry } from '../store/store';
import {
  BundleError,
  readBundle,
  readBundleRecords,
  signerFor,
  verifyBundleSignature,
  writeBundle,
  type BundleCompression,
  type BundleHeader,
  type BundleRecord,
} from './bundle';
import { confirmOutboxAgainst } from './outboxConfirmation';
import { syncStateOf } from './syncState';

/*
 * The device's side of sync bundles (docs/PROTOCOL.md, Bundles), with no network at all:
 * - export: this device's unsent changes (the outbox merged per record, as a push would send
 *   them), or with `isEverything` the whole state of every record the device holds, signed with
 *   the device key. The outbox is left alone: entries go when the hub acknowledges a push, or
 *   when what the hub sends back (a pull, a hub bundle) already contains them
 *   (outboxConfirmation.ts); pushing changes the hub already got is harmless (idempotent).
 * - import: a hub bundle for this organization, signed by the hub, applied like pull pages; the
 *   checkpoint moves to the bundle's end only when the bundle starts at or before it (otherwise
 *   changes between the checkpoint and the bundle's start would be skipped for good).
 */

export interface FieldBundleOptions {
  readonly networkId: string;
  readonly credentialId: string;
  /** The device's Ed25519 secret key (its public key is registered with the hub). */
  readonly secretKey: Uint8Array;
  readonly compression: BundleCompression;
  /** Every record the device holds (whole states), not only its unsent changes. */
  readonly isEverything?: boolean;
  readonly now?: () => number;
}

export interface FieldBundleResult {
  readonly bytes: Uint8Array;
  readonly header: BundleHeader;
  /** Records in the bundle. */
  readonly recordCount: number;
  /** Outbox entries whose changes it carries. */
  readonly entryCount: number;
}

/** The outbox without entries the hub refused (a bundle holding one would be refused whole). */
async function sendableEntries(client: FieldwiseClient): Promise<OutboxEntry[]> {
  const quarantined = new Set((await syncStateOf(client).quarantine()).map((entry) => entry.id));
  return (await client.pendingUpdates()).filter((entry) => !quarantined.has(entry.id));
}

export async function exportFieldBundle(client: FieldwiseClient, options: FieldBundleOptions): Promise<FieldBundleResult> {
  await client.flush();
  const entries = await sendableEntries(client);
  const byRecord = groupByRecord(entries);
  const records: BundleRecord[] = [];
  if (options.isEverything) {
    for (const type of recordTypeSchema.options) {
      for (const row of await client.listRows({ type })) {
        records.push({ id: row.id, type: row.type, ownerOrg: row.ownerOrg, createdAt: row.createdAt, seq: 0, isFullState: true, update: fromBase64(row.state) });
      }
    }
  } else {
    for (const list of byRecord.values()) {
      const { header } = list[0]!;
      records.push({
        id: header.id,
        type: header.type,
        ownerOrg: header.ownerOrg,
        createdAt: header.createdAt,
        seq: 0,
        isFullState: false,
        update: mergeUpdates(list.map((entry) => entry.update)),
      });
    }
  }
  const checkpoint = await syncStateOf(client).checkpoint();
  const { orgId, deviceId } = client.identity;
  const header = {
    networkId: options.networkId,
    orgId,
    kind: 'field-to-hub' as const,
    deviceId,
    credentialId: options.credentialId,
    createdAt: (options.now ?? Date.now)(),
    fromSeq: checkpoint,
    toSeq: checkpoint,
  };
  const bytes = await writeBundle(header, records, signerFor(options.secretKey), options.compression);
  return { bytes, header: { ...header, recordCount: records.length }, recordCount: records.length, entryCount: entries.length };
}

/**
 * The hub's public key as the network record carries it (hex, written by the hub itself), or
 * null before this device has synced a network record that has one.
 */
export async function hubPublicKeyOf(client: FieldwiseClient): Promise<Uint8Array | null> {
  // The one network record, by its fixed id: another record of type network (were one ever to
  // reach the device) must not be able to name the key hub bundles are checked against.
  const record = await client.get<'network'>(NETWORK_RECORD_ID);
  if (record?.header.type !== 'network') return null;
  const hex = record.projection.hubKey;
  if (!/^[0-9a-f]{64}$/.test(hex)) return null;
  return hexToBytes(hex);
}

export interface HubBundleImportOptions {
  readonly networkId: string;
  /** The hub's Ed25519 public key, as this device learned it while online; null when unknown. */
  readonly hubPublicKey: Uint8Array | null;
  readonly compression: BundleCompression;
}

export type BundleImportRefusal = 'wrong-kind' | 'foreign' | 'hub-key-unknown';

/** A bundle the device will not apply for a reason beyond its bytes (BundleError covers those). */
export class BundleImportError extends Error {
  override name = 'BundleImportError';
  constructor(
    readonly code: BundleImportRefusal,
    message: string,
  ) {
    super(message);
  }
}

export interface HubBundleImportResult {
  readonly header: BundleHeader;
  readonly recordCount: number;
  /** The checkpoint before and after; equal when the bundle did not reach back to it. */
  readonly checkpointBefore: number;
  readonly checkpointAfter: number;
}

/**
 * Applies a hub bundle. Throws BundleError (bytes) or BundleImportError (not for this device);
 * either way nothing was applied.
 */
export async function importHubBundle(client: FieldwiseClient, bytes: Uint8Array, options: HubBundleImportOptions): Promise<HubBundleImportResult> {
  const bundle = readBundle(bytes);
  const { header } = bundle;
  if (header.kind !== 'hub-to-org') throw new BundleImportError('wrong-kind', 'this bundle was written by a device for the hub; take it to the hub (import-bundle or the upload endpoint)');
  if (header.networkId !== options.networkId) throw new BundleImportError('foreign', 'this bundle is from another network');
  if (header.orgId !== client.identity.orgId) throw new BundleImportError('foreign', 'this bundle was written for another organization');
  if (!options.hubPublicKey) throw new BundleImportError('hub-key-unknown', "this device does not know the hub's key yet: sync online once, then import");
  verifyBundleSignature(bundle, options.hubPublicKey);
  const records = await readBundleRecords(bundle, options.compression);
  const syncState = syncStateOf(client);
  const checkpointBefore = await syncState.checkpoint();
  if (records.length > 0) {
    await client.applyRemote(
      records.map((record) => ({
        header: { id: record.id, type: record.type, ownerOrg: record.ownerOrg, createdAt: record.createdAt },
        update: record.update,
        seq: record.seq,
      })),
    );
    // This device's changes the hub imported from its bundle come back here: no longer unsent.
    await confirmOutboxAgainst(client, records);
  }
  // Applied first, stored second, as a pull page: a crash in between only means fetching it again.
  // Read again: a sync running meanwhile may have moved it, and it never moves back.
  const current = await syncState.checkpoint();
  let checkpointAfter = current;
  if (header.fromSeq <= current && header.toSeq > current) {
    checkpointAfter = header.toSeq;
    await syncState.setCheckpoint(checkpointAfter);
  }
  return { header, recordCount: records.length, checkpointBefore, checkpointAfter };
}

export { BundleError };
