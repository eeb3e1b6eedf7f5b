import { BundleError, BUNDLE_FILE_EXTENSION, streamCompression, type BundleMediaLevel } from '../../shared/sync/bundle';
import { BundleImportError, hubPublicKeyOf, importHubBundle, prepareFieldBundle, type FieldBundlePlan } from '../../shared/sync/bundleTransfer';
import { deviceBlobStore } from '../data/deviceBlobs';
import type { Session } from '../session/session';

/*
 * The Sync screen's offline transfer (docs/PROTOCOL.md, Bundles): a bundle file out through the
 * bridge's save dialog, a hub bundle in from a file the person picked. Outcomes are plain data
 * with catalog keys, so the screen only translates them. An export is prepared first (records
 * compressed, media listed and sized at every level) so the screen can show the file's size for
 * the level picked before anything is written.
 */

export type TransferOutcome =
  | { readonly kind: 'exported'; readonly recordCount: number; readonly blobCount: number; readonly sizeBytes: number; readonly path: string; readonly isKeyRegistered: boolean }
  | { readonly kind: 'cancelled' }
  | { readonly kind: 'imported'; readonly recordCount: number; readonly blobsStored: number; readonly blobsRefused: number; readonly checkpointBefore: number; readonly checkpointAfter: number }
  /** `code` names a message under bundles.errors. */
  | { readonly kind: 'failed'; readonly code: string; readonly detail: string };

function compression() {
  return streamCompression(CompressionStream, DecompressionStream);
}

function failed(error: unknown): TransferOutcome {
  if (error instanceof BundleError || error instanceof BundleImportError) return { kind: 'failed', code: error.code, detail: error.message };
  return { kind: 'failed', code: 'generic', detail: error instanceof Error ? error.message : String(error) };
}

function fileNameFor(session: Session, at: Date): string {
  const day = at.toISOString().slice(0, 10);
  const device = session.profile.deviceName.replace(/[^\p{L}\p{N}]+/gu, '-').replace(/^-|-$/g, '') || 'device';
  return `fieldwise-${device}-${day}.${BUNDLE_FILE_EXTENSION}`;
}

export type PreparedExport = { readonly kind: 'prepared'; readonly plan: FieldBundlePlan } | Extract<TransferOutcome, { kind: 'failed' }>;

/** Measures the export of this device's unsent changes (or, with `isEverything`, every record it holds) at every media level. */
export async function prepareBundleFile(session: Session, isEverything: boolean): Promise<PreparedExport> {
  const secretKey = session.bundleSigningKey;
  if (session.profile.kind === 'demo') return { kind: 'failed', code: 'demo', detail: '' };
  if (!secretKey) return { kind: 'failed', code: 'locked', detail: '' };
  try {
    const plan = await prepareFieldBundle(session.client, {
      networkId: session.profile.networkId,
      credentialId: session.profile.credentialId,
      secretKey,
      compression: compression(),
      isEverything,
      blobs: deviceBlobStore(),
    });
    return { kind: 'prepared', plan };
  } catch (error) {
    return failed(error) as Extract<TransferOutcome, { kind: 'failed' }>;
  }
}

/** Writes a prepared bundle at `media` and offers to save it. */
export async function exportBundleFile(session: Session, plan: FieldBundlePlan, media: BundleMediaLevel): Promise<TransferOutcome> {
  try {
    // A device that has a link now and then registers its key on the way (harmless when known).
    const isKeyRegistered = session.isDeviceKeyRegistered || (await session.registerDeviceKey()) === 'registered';
    const { bytes, recordCount, blobCount } = await plan.write(media);
    const saved = await session.platform.bridge.saveFile({
      suggestedName: fileNameFor(session, new Date()),
      filters: [{ name: 'Fieldwise sync bundle', extensions: [BUNDLE_FILE_EXTENSION] }],
      data: bytes,
    });
    return saved.isSaved ? { kind: 'exported', recordCount, blobCount, sizeBytes: bytes.length, path: saved.path, isKeyRegistered } : { kind: 'cancelled' };
  } catch (error) {
    return failed(error);
  }
}

/** Prepares and writes in one step (no size shown first), at `media`. */
export async function exportBundleFileNow(session: Session, isEverything: boolean, media: BundleMediaLevel): Promise<TransferOutcome> {
  const prepared = await prepareBundleFile(session, isEverything);
  return prepared.kind === 'prepared' ? exportBundleFile(session, prepared.plan, media) : prepared;
}

/** Applies a hub bundle read from a file; nothing is applied when it is refused. */
export async function importBundleFile(session: Session, bytes: Uint8Array): Promise<TransferOutcome> {
  if (session.profile.kind === 'demo') return { kind: 'failed', code: 'demo', detail: '' };
  try {
    const result = await importHubBundle(session.client, bytes, {
      networkId: session.profile.networkId,
      hubPublicKey: await hubPublicKeyOf(session.client),
      compression: compression(),
      blobs: deviceBlobStore(),
    });
    return { kind: 'imported', recordCount: result.recordCount, blobsStored: result.blobsStored, blobsRefused: result.blobsRefused.length, checkpointBefore: result.checkpointBefore, checkpointAfter: result.checkpointAfter };
  } catch (error) {
    return failed(error);
  }
}
