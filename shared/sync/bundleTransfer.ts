import { hexToBytes } from '@noble/hashes/utils.js';
import { fromBase64 } from 'lib0/buffer';
import { BlobError } from '../blobs/blobError';
import type { BlobContent } from '../blobs/blobRef';
import type { DeviceBlobStore } from '../blobs/deviceBlobStore';
import type { FieldwiseClient } from '../client/client';
import { timeSlicer } from '../client/yieldToMain';
import { DEFAULT_MAX_ATTACHMENT_BYTES, NETWORK_RECORD_ID } from '../records/network';
import { moduleFor } from '../records/registry';
import { recordTypeSchema } from '../records/recordType';
import { groupByRecord, mergeUpdates } from '../records/yjsUpdates';
import { canChange } from '../rules/rules';
import type { OutboxEntry } from '../store/store';
import {
  BundleError,
  bundleMediaLevels,
  encodeBundlePayload,
  readBundle,
  readBundleAsync,
  readBundleRecords,
  signerFor,
  verifyBundleSignature,
  writeBundle,
  type BundleBlob,
  type BundleCompression,
  type BundleHeader,
  type BundleMediaLevel,
  type BundleRecord,
} from './bundle';
import { chooseBundleMedia, mediaCandidates, type BundleMediaCandidate, type BundleMediaChoice } from './bundleMedia';
import { ATTACHING_TYPES, blobRefsOf } from './blobSync';
import { confirmOutboxAgainst } from './outboxConfirmation';
import { syncStateOf } from './syncState';

/*
 * The device's side of sync bundles (docs/PROTOCOL.md, Bundles), with no network at all:
 * - export: this device's unsent changes (the outbox merged per record, as a push would send
 *   them), or with `isEverything` the whole state of every record the device holds, signed with
 *   the device key; with media at the level the person chose: the blobs the hub has not
 *   confirmed of attachments on records this device may edit (the hub takes no others), those
 *   that fit (bundleMedia.ts). `prepareFieldBundle` sizes every level before a byte of media is
 *   read, so the dialog shows what the file will weigh. The outbox is left alone: entries go when the hub acknowledges a push, or
 *   when what the hub sends back (a pull, a hub bundle) already contains them
 *   (outboxConfirmation.ts); pushing changes the hub already got is harmless (idempotent).
 * - import: a hub bundle for this organization, signed by the hub, applied like pull pages; the
 *   checkpoint moves to the bundle's end only when the bundle starts at or before it (otherwise
 *   changes between the checkpoint and the bundle's start would be skipped for good). Its blobs
 *   go into the device blob store after the records, each on its own: kept only when a record
 *   the device now holds names it with that size and type and its bytes hash to its address.
 */

export interface FieldBundleOptions {
  readonly networkId: string;
  readonly credentialId: string;
  /** The device's Ed25519 secret key (its public key is registered with the hub). */
  readonly secretKey: Uint8Array;
  readonly compression: BundleCompression;
  /** Every record the device holds (whole states), not only its unsent changes. */
  readonly isEverything?: boolean;
  /** The device's blob store; without it the bundle carries no media. */
  readonly blobs?: DeviceBlobStore;
  readonly now?: () => number;
}

export interface FieldBundleResult {
  readonly bytes: Uint8Array;
  readonly header: BundleHeader;
  /** Records in the bundle. */
  readonly recordCount: number;
  /** Outbox entries whose changes it carries. */
  readonly entryCount: number;
  /** Blobs in the bundle, and renditions of the level that did not fit (or went missing since sizing). */
  readonly blobCount: number;
  readonly leftOutCount: number;
}

/** A field bundle measured at every media level, ready to be written at one. */
export interface FieldBundlePlan {
  readonly recordCount: number;
  readonly entryCount: number;
  /** What each level would carry and the file's size (bytes, exact but for the header's clock digits). */
  readonly levels: Readonly<Record<BundleMediaLevel, BundleMediaChoice>>;
  /** Reads the chosen blobs, writes and signs the bundle. */
  write(level: BundleMediaLevel): Promise<FieldBundleResult>;
}

/** The outbox without entries the hub refused (a bundle holding one would be refused whole). */
async function sendableEntries(client: FieldwiseClient): Promise<OutboxEntry[]> {
  const quarantined = new Set((await syncStateOf(client).quarantine()).map((entry) => entry.id));
  return (await client.pendingUpdates()).filter((entry) => !quarantined.has(entry.id));
}

/**
 * Renditions this device holds and the hub has not confirmed, of attachments on records the device
 * may edit: what the hub would take as an upload (the same rule as blobAccess.ts's), so a bundle
 * carries no bytes the hub would refuse for want of a writable reference.
 */
async function unsentMedia(client: FieldwiseClient, store: DeviceBlobStore): Promise<BundleMediaCandidate[]> {
  const refs = [];
  // Checking every entry's projection is work in slices: after a 10,000-entry import it was one
  // task of 140 ms on the window's thread (issue 17).
  const slice = timeSlicer();
  for (const type of ATTACHING_TYPES) {
    // A page at a time: the Sync screen works this plan out again as records arrive, and one
    // read of every entry held the window 0.7 to 0.9 s at 50,000 (issue 17).
    for (const view of await client.listInPages(type)) {
      await slice();
      // The stored projection, checked once here (a row that does not parse grants nothing).
      const module = moduleFor(view.header.type);
      const projection = module.projectionSchema.safeParse(view.projection);
      if (projection.success && canChange(client.identity, view.header, ['edit'], module.facts(projection.data)).isAllowed) refs.push(...blobRefsOf(view.projection));
    }
  }
  const candidates: BundleMediaCandidate[] = [];
  for (const candidate of mediaCandidates(refs)) {
    const stored = await store.stat(candidate.sha256);
    if (stored && !stored.isConfirmed && stored.sizeBytes === candidate.sizeBytes) candidates.push(candidate);
  }
  return candidates;
}

export async function prepareFieldBundle(client: FieldwiseClient, options: FieldBundleOptions): Promise<FieldBundlePlan> {
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
  const now = options.now ?? Date.now;
  const header = {
    networkId: options.networkId,
    orgId,
    kind: 'field-to-hub' as const,
    deviceId,
    credentialId: options.credentialId,
    createdAt: now(),
    fromSeq: checkpoint,
    toSeq: checkpoint,
  };
  const payload = await encodeBundlePayload(records, options.compression);
  const store = options.blobs;
  const candidates = store ? await unsentMedia(client, store) : [];
  const levels = Object.fromEntries(bundleMediaLevels.map((level) => [level, chooseBundleMedia(level, candidates, payload, header)])) as Record<BundleMediaLevel, BundleMediaChoice>;
  return {
    recordCount: records.length,
    entryCount: entries.length,
    levels,
    async write(level) {
      const choice = levels[level];
      const blobs: BundleBlob[] = [];
      for (const content of choice.blobs) {
        // Freed or deleted since it was sized: left out, and counted as such.
        const bytes = store ? await store.get(content.sha256) : null;
        if (bytes?.length === content.sizeBytes) blobs.push({ sha256: content.sha256, sizeBytes: content.sizeBytes, mediaType: content.mediaType, bytes });
      }
      const written = { ...header, createdAt: now() };
      const bytes = await writeBundle(written, payload, signerFor(options.secretKey), options.compression, { media: level, blobs });
      const fullHeader = readBundle(bytes).header;
      return { bytes, header: fullHeader, recordCount: records.length, entryCount: entries.length, blobCount: blobs.length, leftOutCount: choice.leftOut.length + choice.blobs.length - blobs.length };
    },
  };
}

/** Writes a field bundle at `media` (default `none`) in one step. */
export async function exportFieldBundle(client: FieldwiseClient, options: FieldBundleOptions & { readonly media?: BundleMediaLevel }): Promise<FieldBundleResult> {
  return (await prepareFieldBundle(client, options)).write(options.media ?? 'none');
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
  /** Where the bundle's blobs go; without it they are not kept (the records still are). */
  readonly blobs?: DeviceBlobStore;
}

/** Why a blob of a hub bundle was not kept (the records were applied all the same). */
export type BundleBlobRefusal = 'unreferenced' | 'blob-too-large' | 'hash-mismatch' | 'size-mismatch';

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
  /** Blobs stored now, blobs the device already held, and blobs refused with why. */
  readonly blobsStored: number;
  readonly blobsHeld: number;
  readonly blobsRefused: readonly { readonly sha256: string; readonly code: BundleBlobRefusal }[];
}

/**
 * Applies a hub bundle. Throws BundleError (bytes) or BundleImportError (not for this device);
 * either way nothing was applied.
 */
export async function importHubBundle(client: FieldwiseClient, bytes: Uint8Array, options: HubBundleImportOptions): Promise<HubBundleImportResult> {
  // The digest off the UI thread where the platform can (WebCrypto), refusing what readBundle refuses.
  const bundle = await readBundleAsync(bytes);
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
  const blobs = options.blobs ? await storeBundleBlobs(client, options.blobs, bundle.blobs) : { blobsStored: 0, blobsHeld: 0, blobsRefused: [] };
  return { header, recordCount: records.length, checkpointBefore, checkpointAfter, ...blobs };
}

async function maxAttachmentBytesOf(client: FieldwiseClient): Promise<number> {
  const record = await client.get<'network'>(NETWORK_RECORD_ID);
  return record?.header.type === 'network' ? record.projection.maxAttachmentBytes : DEFAULT_MAX_ATTACHMENT_BYTES;
}

/**
 * A hub bundle's blobs, after its records: each kept only if a record this device holds names it
 * with exactly that size and type (a hub bundle carries nothing else, so anything else is not
 * ours to keep) and the store finds its bytes hash to its address. Kept blobs are confirmed: the
 * hub sent them, so it holds them. A blob already held is only confirmed (a second import changes nothing).
 */
async function storeBundleBlobs(
  client: FieldwiseClient,
  store: DeviceBlobStore,
  blobs: readonly BundleBlob[],
): Promise<Pick<HubBundleImportResult, 'blobsStored' | 'blobsHeld' | 'blobsRefused'>> {
  if (blobs.length === 0) return { blobsStored: 0, blobsHeld: 0, blobsRefused: [] };
  const referenced = new Map<string, BlobContent[]>();
  for (const type of ATTACHING_TYPES) {
    for (const row of await client.listRows({ type })) {
      for (const content of mediaCandidates(blobRefsOf(row.projection))) referenced.set(content.sha256, [...(referenced.get(content.sha256) ?? []), content]);
    }
  }
  const limit = await maxAttachmentBytesOf(client);
  let blobsStored = 0;
  let blobsHeld = 0;
  const blobsRefused: { sha256: string; code: BundleBlobRefusal }[] = [];
  for (const blob of blobs) {
    const { sha256, sizeBytes, mediaType } = blob;
    if (!referenced.get(sha256)?.some((content) => content.sizeBytes === sizeBytes && content.mediaType === mediaType)) {
      blobsRefused.push({ sha256, code: 'unreferenced' });
    } else if (sizeBytes > limit) {
      blobsRefused.push({ sha256, code: 'blob-too-large' });
    } else if (await store.has(sha256)) {
      // The hub sent it, so it holds it: a blob this device carried there on a stick is now sent.
      await store.markConfirmed(sha256);
      blobsHeld += 1;
    } else {
      try {
        await store.put({ sha256, sizeBytes, mediaType }, blob.bytes);
        await store.markConfirmed(sha256);
        blobsStored += 1;
      } catch (error) {
        if (!(error instanceof BlobError) || (error.code !== 'hash-mismatch' && error.code !== 'size-mismatch')) throw error;
        blobsRefused.push({ sha256, code: error.code });
      }
    }
  }
  return { blobsStored, blobsHeld, blobsRefused };
}

export { BundleError };
