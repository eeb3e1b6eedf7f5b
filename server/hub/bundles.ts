import { promisify } from 'node:util';
import { deflateRawSync, inflateRaw } from 'node:zlib';
import { blobContentSchema } from '../../shared/blobs/blobRef';
import {
  BundleError,
  bundleMediaLevels,
  encodeBundlePayload,
  isValidPublicKey,
  readBundle,
  readBundleRecords,
  verifyBundleSignature,
  writeBundle,
  type BundleCompression,
  type BundleBlob,
  type BundleHeader,
  type BundleMediaLevel,
  type BundleRecord,
  type BundleSigner,
  type ReadBundle,
} from '../../shared/sync/bundle';
import { chooseBundleMedia, mediaCandidates, type BundleMediaCandidate, type BundleMediaChoice } from '../../shared/sync/bundleMedia';
import { blobRefsOf } from '../../shared/sync/blobSync';
import type { Action } from '../../shared/records/recordModule';
import { recordTypes, type Role } from '../../shared/records/recordType';
import { grantFor } from '../../shared/rules/rules';
import type { PushResponse } from '../../shared/sync/protocol';
import type { Hub } from './hub';
import { HubError } from './hubError';
import type { RecordChangeRequest } from './writePath';

/*
 * Sync bundles at the hub (docs/PROTOCOL.md, Bundles; threat model in docs/SECURITY.md):
 * - import: a field bundle is checked (structure, digest, network, credential known and not
 *   revoked, the device's registered key, signature) before any record is looked at, then its
 *   records go through the one write path with the signing device's authority, as one batch: a
 *   refusal writes nothing. Each update is applied once, there; records that add nothing the hub
 *   lacks are acknowledged without a commit, so importing a bundle twice changes nothing.
 *   Its blobs come after the records are committed, each exactly as an upload (BlobAccess's
 *   importBlob: a stored record the signer may edit names it with this size and type, within the
 *   network's maxAttachmentBytes, bytes hashing to the address); a blob refused is reported by
 *   code and costs only itself. A blob already stored is a no-op, so a second import stores nothing.
 * - export: what an organization may read and has not got since a checkpoint, as a pull from that
 *   checkpoint would give it, signed with the hub's key; with media at a chosen level, the blobs
 *   of those records the organization may read (the rule GET /v1/blobs answers by) that fit.
 */

const inflateRawAsync = promisify(inflateRaw);

/**
 * deflate-raw through node:zlib, inflating within a byte budget (a zip bomb stops there), on the
 * thread pool: 256 MiB take ~0.7 s, which must not stop the hub answering everyone else.
 */
export const nodeBundleCompression: BundleCompression = {
  async deflate(bytes) {
    return new Uint8Array(deflateRawSync(bytes, { level: 9 }));
  },
  async inflate(bytes, maxBytes) {
    try {
      const inflated = await inflateRawAsync(bytes, { maxOutputLength: maxBytes });
      // A view, not a copy: up to 256 MiB once is enough.
      return new Uint8Array(inflated.buffer, inflated.byteOffset, inflated.byteLength);
    } catch (error) {
      if ((error as { code?: string }).code === 'ERR_BUFFER_TOO_LARGE') throw new BundleError('too-large', `the bundle's records inflate to more than ${maxBytes} bytes`);
      throw new BundleError('malformed', "the bundle's records could not be decompressed");
    }
  },
};

/** A base64url Ed25519 public key, or a 400 refusal. */
export function parseDevicePublicKey(text: string): Uint8Array {
  const bytes = new Uint8Array(Buffer.from(text, 'base64url'));
  if (!isValidPublicKey(bytes)) throw new HubError('bad-request', 'devicePublicKey: not an Ed25519 public key');
  return bytes;
}

/** A BundleError as the hub's refusal. */
export function bundleRefusal(error: BundleError): HubError {
  if (error.code === 'too-large') return new HubError('body-too-large', error.message);
  if (error.code === 'bad-signature') return new HubError('bundle-signature-invalid', error.message);
  return new HubError('bad-bundle', `${error.code}: ${error.message}`);
}

function refuseBadBytes<T>(read: () => T): T {
  try {
    return read();
  } catch (error) {
    if (error instanceof BundleError) throw bundleRefusal(error);
    throw error;
  }
}

const WRITE_ACTIONS: readonly Action[] = ['create', 'edit', 'review', 'moderate', 'manage'];

/** Whether the rules grant `role` any write at all, on any type, own or another's (rules.ts). */
function mayWriteAnything(role: Role): boolean {
  return recordTypes.some((type) => WRITE_ACTIONS.some((action) => (['own', 'other'] as const).some((ownership) => grantFor({ role, type, ownership, action }) !== false)));
}

/** A blob entry the hub did not take, with the refusal an upload of it would have had. */
export interface RefusedBundleBlob {
  readonly sha256: string;
  readonly code: HubError['code'];
  readonly message: string;
}

export interface BundleImportResult extends PushResponse {
  readonly header: BundleHeader;
  /** Records committed (the rest added nothing the hub did not have). */
  readonly committedCount: number;
  /** Blob entries taken (stored now or already held), and those refused. */
  readonly storedBlobs: readonly string[];
  readonly refusedBlobs: readonly RefusedBundleBlob[];
}

/**
 * A bundle's records are validated this many at a time, each part under the request budget that
 * bounds one push (validationRunner.ts): validated whole, a bundle of 2,500 short entries overran
 * it on a quiet two-core hub and was refused as hub-busy at every try, and its carrier cannot send
 * fewer. It is still committed, or refused, as one unit.
 */
export const BUNDLE_RECORDS_PER_VALIDATION = 100;

/**
 * Imports a field bundle: refuses it whole (HubError, nothing written) or commits it through the
 * write path as its signing device.
 */
export async function importFieldBundle(hub: Hub, bytes: Uint8Array): Promise<BundleImportResult> {
  const bundle: ReadBundle = refuseBadBytes(() => readBundle(bytes));
  const { header } = bundle;
  if (header.kind !== 'field-to-hub') throw new HubError('bad-bundle', 'this is a hub bundle for the field: import it in the app');
  if (header.networkId !== hub.networkId) throw new HubError('bundle-foreign', 'this bundle was written for another network (another hub)');
  const credential = header.credentialId === null ? null : await hub.storage.getCredential(header.credentialId);
  if (!credential || credential.orgId !== header.orgId || credential.deviceId !== header.deviceId) {
    throw new HubError('bundle-foreign', 'this bundle names a device credential this hub does not know');
  }
  if (credential.revokedAt !== null) throw new HubError('bundle-revoked', 'the device that wrote this bundle has been revoked; nothing from it is accepted');
  if (hub.isCredentialExpired(credential)) throw new HubError('bundle-expired', "the credential of the device that wrote this bundle has expired; nothing from it is accepted");
  const publicKey = await hub.storage.getDeviceKey(credential.id);
  if (!publicKey) throw new HubError('bundle-signature-invalid', 'the device that wrote this bundle never registered a signing key with this hub');
  refuseBadBytes(() => verifyBundleSignature(bundle, publicKey));
  // A role that may write nothing anywhere (an observer) can only send records that add nothing:
  // refused from the credential, before a record is inflated or decoded.
  if (!mayWriteAnything(credential.role)) throw new HubError('forbidden', `${credential.role === 'observer' ? 'an observer' : `a ${credential.role}`} may write nothing: its bundles are not imported`);
  const records: BundleRecord[] = await readBundleRecords(bundle, nodeBundleCompression).catch((error: unknown) => {
    throw error instanceof BundleError ? bundleRefusal(error) : error;
  });

  const actor = { orgId: credential.orgId, role: credential.role, credentialId: credential.id };
  // Each update is decoded and applied once, in the write path, after the signer's authority over
  // the record is checked: a record that adds nothing is acknowledged there without a commit, also
  // one the signer may read and not write ("everything we can read"); one it may not read is
  // refused as a push would be.
  const changes: RecordChangeRequest[] = records.map((record) => ({ id: record.id, type: record.type, update: record.update }));
  const committed = changes.length > 0 ? await hub.commitReporting(actor, changes, { acceptsRepeats: true, recordsPerValidation: BUNDLE_RECORDS_PER_VALIDATION }) : { response: { acks: [], seq: 0 }, committedIds: [] };
  // The organization was heard from when the bundle was written (reports say how current data is).
  await hub.storage.touchOrg(credential.orgId, Math.min(header.createdAt, Date.now()));
  const { acks, seq } = committed.response;
  const { storedBlobs, refusedBlobs } = await importBundleBlobs(hub, actor, bundle.blobs);
  return { header, acks, seq, committedCount: committed.committedIds.length, storedBlobs, refusedBlobs };
}

/**
 * Each blob as an upload by the signer, after the records (so a record in the bundle counts as a
 * stored reference). One at a time: a blob costs its own hashing and write, never a copy of the
 * bundle. A refusal (HubError) is the blob's own; any other error (the disk) is the hub's, and
 * the records committed stay committed: their blobs are asked for again by the blob sync.
 */
async function importBundleBlobs(hub: Hub, actor: { orgId: string; role: Role; credentialId: string }, blobs: readonly BundleBlob[]): Promise<Pick<BundleImportResult, 'storedBlobs' | 'refusedBlobs'>> {
  const storedBlobs: string[] = [];
  const refusedBlobs: RefusedBundleBlob[] = [];
  for (const blob of blobs) {
    const content = blobContentSchema.parse({ sha256: blob.sha256, sizeBytes: blob.sizeBytes, mediaType: blob.mediaType });
    try {
      await hub.blobAccess.importBlob(actor, content, blob.bytes);
      storedBlobs.push(blob.sha256);
    } catch (error) {
      if (!(error instanceof HubError)) throw error;
      refusedBlobs.push({ sha256: blob.sha256, code: error.code, message: error.message });
    }
  }
  return { storedBlobs, refusedBlobs };
}

export interface OrgBundleOptions {
  readonly orgId: string;
  readonly since: number;
  /** The hub's key (server/hub/hubKey.ts). */
  readonly signer: BundleSigner;
  /** Media to carry (default `none`). */
  readonly media?: BundleMediaLevel;
  readonly now?: number;
}

export interface OrgBundle {
  readonly bytes: Uint8Array;
  readonly header: BundleHeader;
  /** Renditions of the level that did not fit under the bundle's cap. */
  readonly leftOutCount: number;
  /** What each level would have carried, and its size (`hub export-bundle --media` prints them). */
  readonly levels: Readonly<Record<BundleMediaLevel, BundleMediaChoice>>;
}

/** What `orgId` may read and has not got since `since`, as a signed hub bundle. */
export async function exportOrgBundle(hub: Hub, options: OrgBundleOptions): Promise<OrgBundle> {
  const org = await hub.storage.getOrg(options.orgId);
  if (!org) throw new HubError('not-found', `no organization ${options.orgId} in this network`);
  const actor = { orgId: org.id, role: org.role };
  const latest = await hub.lastSeq();
  // As pull does: a checkpoint from the future (the hub was restored from a backup) starts over.
  const fromSeq = options.since > latest ? 0 : options.since;
  const frames = await hub.pull(actor, fromSeq, { withProjections: true });
  const records: BundleRecord[] = [];
  const refs = [];
  let toSeq = fromSeq;
  for await (const frame of frames) {
    if (frame.kind === 'error') throw new HubError(frame.error.code, frame.error.message);
    for (const record of frame.records) {
      const { meta } = record;
      records.push({ id: meta.id, type: meta.type, ownerOrg: meta.ownerOrg, createdAt: meta.createdAt, seq: meta.seq, isFullState: record.isFullState, update: record.update });
      refs.push(...blobRefsOf(meta.projection));
    }
    toSeq = Math.max(toSeq, frame.checkpoint);
  }
  const header = {
    networkId: hub.networkId,
    orgId: org.id,
    kind: 'hub-to-org' as const,
    deviceId: null,
    credentialId: null,
    createdAt: options.now ?? Date.now(),
    fromSeq,
    toSeq,
  };
  // Only what a device of the organization could GET /v1/blobs: stored, and readable by it.
  const candidates = mediaCandidates(refs);
  const readable = await hub.blobAccess.readable(actor, candidates.map((candidate) => candidate.sha256));
  const absent = new Set(await hub.blobAccess.blobs.missing([...readable]));
  // Sizes and types are the stored blobs', not whichever record named a hash first: a record that
  // lies about another's rendition must not make it look collected and leave it out
  // (bundleSizeLieStripsMedia.test.ts).
  const available: BundleMediaCandidate[] = [];
  for (const candidate of candidates) {
    if (!readable.has(candidate.sha256) || absent.has(candidate.sha256)) continue;
    const stored = await hub.blobAccess.blobs.stat(candidate.sha256);
    if (stored) available.push({ ...candidate, sizeBytes: stored.sizeBytes, mediaType: stored.mediaType });
  }
  const payload = await encodeBundlePayload(records, nodeBundleCompression);
  const levels = Object.fromEntries(bundleMediaLevels.map((level) => [level, chooseBundleMedia(level, available, payload, header)])) as Record<BundleMediaLevel, BundleMediaChoice>;
  const choice = levels[options.media ?? 'none'];
  const blobs: BundleBlob[] = [];
  for (const content of choice.blobs) {
    const bytes = await hub.blobAccess.blobs.get(content.sha256);
    // Collected since it was listed: left out, as one that did not fit.
    if (bytes?.length === content.sizeBytes) blobs.push({ sha256: content.sha256, sizeBytes: content.sizeBytes, mediaType: content.mediaType, bytes });
  }
  const bytes = await writeBundle(header, payload, options.signer, nodeBundleCompression, { media: choice.level, blobs });
  return { bytes, header: readBundle(bytes).header, leftOutCount: choice.leftOut.length + choice.blobs.length - blobs.length, levels };
}
