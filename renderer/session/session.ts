import { openClient, type FieldwiseClient } from '../../shared/client/client';
import { NETWORK_RECORD_ID } from '../../shared/records/network';
import type { BlobSync, BlobSyncStatus } from '../../shared/sync/blobSync';
import type { FetchResponse } from '../../shared/sync/httpTransport';
import type { SyncEngine, SyncStatus } from '../../shared/sync/syncEngine';
import { deviceBlobStore } from '../data/deviceBlobs';
import { announceBlobStored, requestedBlobs, serveBlobRequests } from '../sync/blobRequests';
import type { Platform } from '../platform/platform';
import { databaseNameOf, TOKEN_SECRET, type DeviceProfile } from './deviceProfile';
import type { KeyRegistration } from './deviceKey';
import { saveProfile } from './profileStore';
import { startSearchWorker } from '../library/searchWorkerPort';
import { eraseSavedSearchIndex, savedSearchIndexDatabaseOf } from '../library/savedSearchIndex';
import { startFoldWorker } from '../data/foldWorkerPort';
import { eraseDeviceBlobs } from '../data/deviceBlobs';

/** Records per page while a sync or an import brings records in: one read and one fold each. */
const APPLY_PAGE_RECORDS = 100;
/**
 * Rows per storage write: Chromium serializes each row on the window's thread as IndexedDB takes
 * it, 0.6 to 1.2 ms a row with its Yjs state on a loaded 2-core machine, so a page of 100 in one
 * write held the window for 60 to 125 ms (issue 17). The store issues a page's writes together,
 * so IndexedDB runs them back to back while each one's rows are serialized in a task of their own.
 */
const ROWS_PER_WRITE = 25;

type SyncModules = typeof import('./syncModules');

/*
 * One signed-in device: its local client (always there, online or not) and, once the device token
 * is at hand, the sync engine. Local work never waits for the token or the network: a device whose
 * token needs a passphrase works offline until someone types it.
 */

export type SessionSync =
  /** The demo network: nothing is ever sent. */
  | { readonly kind: 'demo'; readonly pendingCount: number }
  /** The token is protected by a passphrase that has not been typed yet in this session. */
  | { readonly kind: 'locked'; readonly pendingCount: number }
  /** No token on this device (its secret store lost it): join again to sync. */
  | { readonly kind: 'no-token'; readonly pendingCount: number }
  | { readonly kind: 'engine'; readonly status: SyncStatus };

export class Session {
  private engine: SyncEngine | null = null;
  private engineUnsubscribe: (() => void) | null = null;
  /** Media beside the records, started and stopped with the engine (shared/sync/blobSync.ts). */
  private blobs: BlobSync | null = null;
  private blobsUnsubscribe: (() => void) | null = null;
  private readonly blobListeners = new Set<(status: BlobSyncStatus | null) => void>();
  private sync: SessionSync;
  private readonly listeners = new Set<(sync: SessionSync) => void>();
  private readonly pendingSubscription: { unsubscribe(): void };
  private readonly roleSubscription: { unsubscribe(): void };
  private readonly profileListeners = new Set<(profile: DeviceProfile) => void>();
  private isClosed = false;
  /** The device's bundle-signing key, read with the token (see deviceKey.ts). */
  private deviceKey: Uint8Array | null = null;
  private token: string | null = null;
  /** The sync engines and the key's code (syncModules.ts), loaded on the first unlock. */
  private syncModules: SyncModules | null = null;

  private constructor(
    readonly platform: Platform,
    private currentProfile: DeviceProfile,
    readonly client: FieldwiseClient,
  ) {
    this.sync = { kind: currentProfile.kind === 'demo' ? 'demo' : 'locked', pendingCount: 0 };
    // Without an engine, the count of unsent changes follows the outbox here.
    this.pendingSubscription = client.observePendingCount().subscribe({
      next: (pendingCount) => {
        if (this.engine || this.isClosed || this.sync.kind === 'engine') return;
        this.setSync({ ...this.sync, pendingCount });
      },
      // Only a failing store ends the count (it is closing): the last count stays shown.
      error: () => undefined,
    });
    // The role is the hub's to change (PUT /v1/admin/orgs/<id>/role rewrites the network record's
    // members list): the device follows what each sync brings, not the role it joined with.
    this.roleSubscription = client.observeRecord<'network'>(NETWORK_RECORD_ID).subscribe({
      next: (view) => {
        if (this.isClosed || view?.header.type !== 'network') return;
        const member = view.projection.members.find((candidate) => candidate.orgId === this.currentProfile.identity.orgId);
        if (member) this.adoptRole(member.role);
      },
      error: () => undefined,
    });
  }

  /** Called with the new profile whenever it changes (a role the hub changed, a new device name). */
  onDidChangeProfile(listener: (profile: DeviceProfile) => void): () => void {
    this.profileListeners.add(listener);
    return () => this.profileListeners.delete(listener);
  }

  private adoptRole(role: DeviceProfile['identity']['role']): void {
    if (this.currentProfile.kind === 'demo' || role === this.currentProfile.identity.role) return;
    const next = { ...this.currentProfile, identity: { ...this.currentProfile.identity, role } };
    this.client.adoptRole(role);
    this.updateProfile(next);
    // Kept for the next start; if the write fails the next sync brings the role again.
    saveProfile(this.platform.settings, next).catch(() => undefined);
  }

  static async open(platform: Platform, profile: DeviceProfile, onDidFailWrite: (error: unknown) => void): Promise<Session> {
    const client = await openClient({
      storage: platform.storage,
      identity: profile.identity,
      name: databaseNameOf(profile),
      onDidFailWrite,
      startSearchWorker,
      searchIndexDatabase: savedSearchIndexDatabaseOf(databaseNameOf(profile)),
      startFoldWorker,
      applyPageRecords: APPLY_PAGE_RECORDS,
      rowsPerWrite: ROWS_PER_WRITE,
    });
    // The index loads in its worker while the first screen draws, so the first search is quick.
    setTimeout(() => void client.warmSearch().catch(() => undefined), 0);
    return new Session(platform, profile, client);
  }

  get profile(): DeviceProfile {
    return this.currentProfile;
  }

  get syncEngine(): SyncEngine | null {
    return this.engine;
  }

  get syncState(): SessionSync {
    return this.sync;
  }

  /** The media sync, null while the record sync is not running (locked, demo, no token). */
  get blobSync(): BlobSync | null {
    return this.blobs;
  }

  onDidChangeBlobSync(listener: (status: BlobSyncStatus | null) => void): () => void {
    this.blobListeners.add(listener);
    return () => this.blobListeners.delete(listener);
  }

  private setBlobStatus(status: BlobSyncStatus | null): void {
    for (const listener of this.blobListeners) listener(status);
  }

  onDidChangeSync(listener: (sync: SessionSync) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /**
   * Told only when `select` of the sync state changes (compared with Object.is): the count of
   * unsent changes moves with every keystroke in an editor, and a reader of another fact (the
   * refusals of a record, whether the hub refused the credential) must not be woken for it.
   */
  onDidChangeSyncOf<T>(select: (sync: SessionSync) => T, listener: (value: T) => void): () => void {
    let last = select(this.sync);
    return this.onDidChangeSync((sync) => {
      const next = select(sync);
      if (Object.is(next, last)) return;
      last = next;
      listener(next);
    });
  }

  /**
   * Reads the token from the bridge's secret store and starts syncing. Returns false when a
   * passphrase is needed (or was wrong), or when there is no token.
   */
  async unlock(passphrase?: string): Promise<boolean> {
    if (this.currentProfile.kind === 'demo' || this.isClosed) return false;
    const { bridge } = this.platform;
    const protection = await bridge.secretProtection();
    if (protection === 'passphrase-required' && passphrase === undefined) {
      this.setSync({ kind: 'locked', pendingCount: this.pendingCount() });
      return false;
    }
    let token: string | null;
    try {
      token = await bridge.getSecret(TOKEN_SECRET, passphrase);
    } catch {
      token = null;
    }
    if (token === null) {
      this.setSync({ kind: protection === 'passphrase-required' ? 'locked' : 'no-token', pendingCount: this.pendingCount() });
      return false;
    }
    const modules = this.syncModules ?? (await import('./syncModules'));
    if (this.isClosed) return false;
    this.syncModules = modules;
    this.token = token;
    this.deviceKey = await modules.ensureDeviceKey(bridge, passphrase).catch(() => null);
    await this.startEngine(token, modules);
    // Devices that joined before bundles existed register their key now; offline, at the next unlock.
    void this.registerDeviceKey();
    return true;
  }

  /** The secret key that signs this device's sync bundles; null until unlocked (or in the demo). */
  get bundleSigningKey(): Uint8Array | null {
    return this.deviceKey;
  }

  /** Whether the hub is known to hold this device's key (it refuses bundles signed by a key it lacks). */
  get isDeviceKeyRegistered(): boolean {
    return this.deviceKey !== null && this.syncModules !== null && this.syncModules.isDeviceKeyRegistered(this.platform.settings, this.currentProfile.credentialId, this.deviceKey);
  }

  /** Registers the device key with the hub if it is not known to be there; needs the network. */
  async registerDeviceKey(): Promise<KeyRegistration> {
    if (!this.deviceKey || !this.token || !this.syncModules || this.currentProfile.kind === 'demo') return 'failed';
    return this.syncModules.registerDeviceKey(this.platform.fetch, this.platform.settings, {
      hubUrl: this.currentProfile.hubUrl,
      token: this.token,
      credentialId: this.currentProfile.credentialId,
      secretKey: this.deviceKey,
    });
  }

  /**
   * One authenticated request to this device's hub outside sync (the secretariat's console, and
   * asking the hub why it refused this device); null without a token (locked, demo, none).
   */
  async hubRequest(path: string, request: { readonly method: 'GET' | 'POST' | 'PUT'; readonly body?: unknown; readonly accept?: string }): Promise<FetchResponse | null> {
    if (!this.token || this.currentProfile.kind === 'demo') return null;
    const appInfo = await this.platform.bridge.appInfo().catch(() => null);
    const headers: Record<string, string> = { authorization: `Bearer ${this.token}`, accept: request.accept ?? 'application/json' };
    if (appInfo) headers['fieldwise-app-version'] = appInfo.version;
    if (request.body !== undefined) headers['content-type'] = 'application/json';
    return this.platform.fetch(`${this.currentProfile.hubUrl}${path}`, { method: request.method, headers, ...(request.body !== undefined ? { body: JSON.stringify(request.body) } : {}) });
  }

  /** Points sync at another hub address (the token stays the device's). */
  async changeHub(hubUrl: string): Promise<void> {
    this.currentProfile = { ...this.currentProfile, hubUrl };
    if (!this.engine) return;
    await this.stopEngine();
    await this.unlock();
  }

  updateProfile(profile: DeviceProfile): void {
    this.currentProfile = profile;
    for (const listener of this.profileListeners) listener(profile);
  }

  private async startEngine(token: string, { createHttpTransport, createHttpBlobTransport, SyncEngine, BlobSync }: SyncModules): Promise<void> {
    await this.stopEngine();
    const { platform } = this;
    const transport = createHttpTransport({
      baseUrl: this.currentProfile.hubUrl,
      token,
      fetch: platform.fetch,
      WebSocket: platform.WebSocket,
      gzip: platform.gzip,
    });
    const engine = new SyncEngine(this.client, transport, platform.clock, platform.connectivity ? { connectivity: platform.connectivity } : {});
    this.engine = engine;
    this.engineUnsubscribe = engine.onDidChangeStatus((status) => this.setSync({ kind: 'engine', status }));
    this.setSync({ kind: 'engine', status: engine.status });
    // Media after text: the blob sync follows the engine's status and moves only once it is settled.
    const blobs = new BlobSync({
      client: this.client,
      recordSync: engine,
      store: deviceBlobStore(),
      transport: createHttpBlobTransport({ baseUrl: this.currentProfile.hubUrl, token, fetch: platform.fetch }),
      clock: platform.clock,
      wantedOriginals: requestedBlobs,
      onDidStoreBlob: announceBlobStored,
    });
    this.blobs = blobs;
    this.blobsUnsubscribe = blobs.onDidChangeStatus((status) => this.setBlobStatus(status));
    serveBlobRequests((sha256) => blobs.request(sha256));
    void engine.start();
    void blobs.start().then(() => this.setBlobStatus(blobs.status));
  }

  private async stopEngine(): Promise<void> {
    const blobs = this.blobs;
    this.blobs = null;
    this.blobsUnsubscribe?.();
    this.blobsUnsubscribe = null;
    if (blobs) {
      serveBlobRequests(() => undefined);
      await blobs.stop();
      this.setBlobStatus(null);
    }
    const engine = this.engine;
    if (!engine) return;
    this.engine = null;
    this.engineUnsubscribe?.();
    this.engineUnsubscribe = null;
    await engine.stop();
  }

  private pendingCount(): number {
    return this.sync.kind === 'engine' ? this.sync.status.pendingCount : this.sync.pendingCount;
  }

  private setSync(sync: SessionSync): void {
    this.sync = sync;
    for (const listener of this.listeners) listener(sync);
  }

  async close(): Promise<void> {
    if (this.isClosed) return;
    this.isClosed = true;
    this.deviceKey = null;
    this.token = null;
    this.pendingSubscription.unsubscribe();
    this.roleSubscription.unsubscribe();
    await this.stopEngine();
    await this.client.close();
  }

  /** Closes the session and deletes this device's local database. */
  async closeAndErase(): Promise<void> {
    await this.close();
    await this.client.erase();
    await eraseSavedSearchIndex(databaseNameOf(this.currentProfile));
    await eraseDeviceBlobs();
  }
}
