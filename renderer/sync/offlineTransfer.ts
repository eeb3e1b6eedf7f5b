import { BundleError, BUNDLE_FILE_EXTENSION, streamCompression } from '../../shared/sync/bundle';
import { BundleImportError, exportFieldBundle, hubPublicKeyOf, importHubBundle } from '../../shared/sync/bundleTransfer';
import type { Session } from '../session/session';

/*
 * The Sync screen's offline transfer (docs/PROTOCOL.md, Bundles): a bundle file out through the
 * bridge's save dialog, a hub bundle in from a file the person picked. Outcomes are plain data
 * with catalog keys, so the screen only translates them.
 */

export type TransferOutcome =
  | { readonly kind: 'exported'; readonly recordCount: number; readonly path: string; readonly isKeyRegistered: boolean }
  | { readonly kind: 'cancelled' }
  | { readonly kind: 'imported'; readonly recordCount: number; readonly checkpointBefore: number; readonly checkpointAfter: number }
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

/** Writes this device's unsent changes (or, with `isEverything`, every record it holds) and offers to save them. */
export async function exportBundleFile(session: Session, isEverything: boolean): Promise<TransferOutcome> {
  const secretKey = session.bundleSigningKey;
  if (session.profile.kind === 'demo') return { kind: 'failed', code: 'demo', detail: '' };
  if (!secretKey) return { kind: 'failed', code: 'locked', detail: '' };
  try {
    // A device that has a link now and then registers its key on the way (harmless when known).
    const isKeyRegistered = session.isDeviceKeyRegistered || (await session.registerDeviceKey()) === 'registered';
    const { bytes, recordCount } = await exportFieldBundle(session.client, {
      networkId: session.profile.networkId,
      credentialId: session.profile.credentialId,
      secretKey,
      compression: compression(),
      isEverything,
    });
    const saved = await session.platform.bridge.saveFile({
      suggestedName: fileNameFor(session, new Date()),
      filters: [{ name: 'Fieldwise sync bundle', extensions: [BUNDLE_FILE_EXTENSION] }],
      data: bytes,
    });
    return saved.isSaved ? { kind: 'exported', recordCount, path: saved.path, isKeyRegistered } : { kind: 'cancelled' };
  } catch (error) {
    return failed(error);
  }
}

/** Applies a hub bundle read from a file; nothing is applied when it is refused. */
export async function importBundleFile(session: Session, bytes: Uint8Array): Promise<TransferOutcome> {
  if (session.profile.kind === 'demo') return { kind: 'failed', code: 'demo', detail: '' };
  try {
    const result = await importHubBundle(session.client, bytes, {
      networkId: session.profile.networkId,
      hubPublicKey: await hubPublicKeyOf(session.client),
      compression: compression(),
    });
    return { kind: 'imported', recordCount: result.recordCount, checkpointBefore: result.checkpointBefore, checkpointAfter: result.checkpointAfter };
  } catch (error) {
    return failed(error);
  }
}
