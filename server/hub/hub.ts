import type { Actor } from '../../shared/rules/rules';
import { areBytesEqual } from '../../shared/records/yjsUpdates';
import type { DeviceKeyRequest, JoinRequest, JoinResponse, NetworkStatusResponse, PullFrame, PushRequest, PushResponse } from '../../shared/sync/protocol';
import { compactRecords, type CompactionOptions } from './compaction';
import { importFieldBundle, parseDevicePublicKey, type BundleImportResult } from './bundles';
import type { CredentialRow, HubStorage } from '../storage/hubStorage';
import { HubError } from './hubError';
import { publishHubKey, type HubKey } from './hubKey';
import { networkStatus, recordingPullCheckpoint } from './networkStatus';
import { pullFrames } from './pullFrames';
import { Bootstraps, type BootstrapOptions, type ServedBootstrap } from './bootstraps';
import { sealDueProposals, type SealOutcome } from './sealing';
import { credentialExpiresAt, hashInvitationCode, issueToken, newId, normalizeInvitationCode, verifyToken } from './tokens';
import { JoinThrottle, joinThrottleKeys, type JoinThrottleOptions } from './joinThrottle';
import { invitationRefusal } from './networkAdmin';
import { repairSquatters, type SquatterMove } from './squatterRepair';
import { defaultOrgQuotas, OrgQuotaGuard, type OrgQuotas } from './quotas';
import { ValidationRunner, type ValidationRunnerOptions } from './validationRunner';
import { commitChanges, type RecordChangeRequest, type WriteActor, type WriteOptions } from './writePath';
import { BlobAccess, type BlobCollection } from './blobAccess';
import type { HubBlobStorage } from '../storage/hubBlobStorage';
import { MemoryHubBlobStorage } from '../storage/memoryHubBlobStorage';

/*
 * The hub's service layer, free of HTTP: join, authenticate, push, pull, bundle import, and the
 * commit events that live connections and other hub processes are told about. Its methods take
 * requests already parsed into the protocol's types (server/http/parseRequest.ts does that at the
 * edge) and refuse with HubError codes; server/http/ puts it on the wire.
 */

export interface AuthenticatedDevice extends WriteActor {
  readonly credentialId: string;
  readonly deviceId: string;
  /** The token's expiry (hub clock): open sockets are closed once it passes (httpServer.ts). */
  readonly expiresAt: number;
}

export interface CommitEvent {
  readonly seq: number;
  readonly recordIds: readonly string[];
  /** True when another hub process made the commit (PostgreSQL fan-out). */
  readonly isRemote?: boolean;
}

export interface HubOptions {
  readonly storage: HubStorage;
  readonly now?: () => number;
  /** How long a new device credential is valid. */
  readonly tokenTtlMs?: number;
  /** Failed joins allowed per source address and per code prefix in a window (joinThrottle.ts). */
  readonly joinThrottle?: JoinThrottleOptions;
  /** Per-organization quotas on new records per minute and stored bytes (quotas.ts); each defaults on its own. */
  readonly quotas?: Partial<OrgQuotas>;
  /** The validation workers' budgets and count (validationRunner.ts); the defaults when absent. */
  readonly validation?: ValidationRunnerOptions;
  /**
   * Where blobs are kept: files in the data folder beside SQLite, rows beside PostgreSQL
   * (`hub serve` always passes one). Memory when absent: tests and one-shot commands only.
   */
  readonly blobs?: HubBlobStorage;
  /** The bootstraps kept for new devices (bootstraps.ts); the defaults when absent. */
  readonly bootstrap?: BootstrapOptions;
}

/** Where a request came from and what the device says about itself; the HTTP edge fills it in. */
export interface RequestContext {
  /** The TCP peer's address, for the join throttle. */
  readonly source?: string;
  /** The app version the device reports (`Fieldwise-App-Version`, or join's `appVersion`). */
  readonly appVersion?: string;
}

/** How often an organization's last-seen time is written at most. */
const TOUCH_INTERVAL_MS = 60_000;

export class Hub {
  private readonly listeners = new Set<(event: CommitEvent) => void>();
  private readonly touchedAt = new Map<string, number>();
  /** Per credential: when it was last recorded as heard from, and the app version recorded then. */
  private readonly deviceTouches = new Map<string, { at: number; appVersion: string | undefined }>();
  private readonly joinThrottle: JoinThrottle;
  /** The workers the write path validates updates in (started on the first write). */
  private readonly validation: ValidationRunner;
  /** Whole-scope bodies for new devices, compressed once (bootstraps.ts). */
  readonly bootstraps: Bootstraps;

  private constructor(
    readonly storage: HubStorage,
    private readonly secret: string,
    readonly networkId: string,
    private readonly now: () => number,
    private readonly tokenTtlMs: number | undefined,
    /** Signs sealed results and sync bundles; its public half is in the network record. */
    readonly hubKey: HubKey,
    /** Records this start moved off ids reserved for another type (squatterRepair.ts), for the log. */
    readonly repairs: readonly SquatterMove[],
    joinThrottleOptions: JoinThrottleOptions | undefined,
    /** What each organization may create per minute and keep at the hub. */
    readonly quotas: OrgQuotaGuard,
    validationOptions: ValidationRunnerOptions | undefined,
    /** Blob reads, uploads and collection, authorized through the records (blobAccess.ts). */
    readonly blobAccess: BlobAccess,
    bootstrapOptions: BootstrapOptions | undefined,
  ) {
    this.bootstraps = new Bootstraps(storage, bootstrapOptions);
    this.joinThrottle = new JoinThrottle(joinThrottleOptions);
    this.validation = new ValidationRunner(validationOptions);
  }

  /** The hub's clock: token expiry and governance go by it (a test moves it by hand). */
  clock(): number {
    return this.now();
  }

  static async open(options: HubOptions): Promise<Hub> {
    await options.storage.migrate();
    const secret = await options.storage.getMeta('secret');
    const networkId = await options.storage.getMeta('networkId');
    if (!secret || !networkId) throw new Error('no network in this storage: run `hub init` first');
    const now = options.now ?? Date.now;
    // A network made before seals existed gets its key at this first start.
    const hubKey = await publishHubKey(options.storage, now());
    // Data from before ids were reserved: no squatter may keep a vote frozen past this start.
    const repairs = await repairSquatters(options.storage);
    const blobAccess = new BlobAccess(options.storage, options.blobs ?? new MemoryHubBlobStorage(now), now);
    return new Hub(options.storage, secret, networkId, now, options.tokenTtlMs, hubKey, repairs, options.joinThrottle, new OrgQuotaGuard({ ...defaultOrgQuotas, ...options.quotas }), options.validation, blobAccess, options.bootstrap);
  }

  /** Starts the validation worker now (a serving hub), so the first write does not wait for it. */
  startValidation(): void {
    this.validation.start();
  }

  /** Compacts long update logs, folding states in this hub's validation workers (compaction.ts). */
  compact(options: Omit<CompactionOptions, 'fold'> = {}): Promise<number> {
    return compactRecords(this.storage, { ...options, fold: (recordId, state) => this.validation.fold(recordId, state) });
  }

  /** A state's state vector and what a peer at `stateVector` lacks of it, from the validation workers (/yjs rooms). */
  diffState(recordId: string, state: Uint8Array, stateVector: Uint8Array | null): Promise<{ stateVector: Uint8Array; update: Uint8Array | null }> {
    return this.validation.diff(recordId, state, stateVector);
  }

  /** Stops the validation worker; storage is the caller's to close. */
  close(): Promise<void> {
    return this.validation.close();
  }

  /** Tells `listener` about every commit: this process's and, where fanned out, other processes'. */
  onDidCommit(listener: (event: CommitEvent) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /**
   * `POST /v1/join`: redeems an invitation (its bare code or the whole invitation link) into a
   * device credential. Failed attempts are throttled per source address and code prefix.
   */
  async join(request: JoinRequest, context: RequestContext = {}): Promise<JoinResponse> {
    const now = this.now();
    const throttleKeys = joinThrottleKeys(context.source, normalizeInvitationCode(request.code));
    this.joinThrottle.check(throttleKeys, now);
    // Checked before the invitation is used up, so a bad key costs no invitation.
    const devicePublicKey = request.devicePublicKey === undefined ? null : parseDevicePublicKey(request.devicePublicKey);
    const codeHash = hashInvitationCode(request.code);
    const credential = await this.storage.redeemInvitation(codeHash, { id: newId('cred'), deviceId: newId('dev'), deviceName: request.deviceName, createdAt: now }, now);
    if (!credential) {
      this.joinThrottle.recordFailure(throttleKeys, now);
      throw await invitationRefusal(this.storage, codeHash, now);
    }
    const org = (await this.storage.getOrg(credential.orgId))!;
    if (devicePublicKey) await this.storage.registerDeviceKey(credential.id, devicePublicKey, now);
    await this.storage.touchOrg(org.id, now);
    await this.storage.touchDevice(credential.id, now, request.appVersion ?? null);
    this.deviceTouches.set(credential.id, { at: now, appVersion: request.appVersion });
    await this.storage.appendAudit({
      at: now,
      action: 'join',
      actor: { orgId: org.id, credentialId: credential.id, deviceName: credential.deviceName },
      target: { kind: 'device', id: credential.id, name: credential.deviceName },
      details: { orgName: org.name, role: credential.role, ...(request.appVersion ? { appVersion: request.appVersion } : {}) },
    });
    const token = issueToken(this.secret, {
      credentialId: credential.id,
      orgId: credential.orgId,
      deviceId: credential.deviceId,
      role: credential.role,
      now,
      ...(this.tokenTtlMs !== undefined ? { ttlMs: this.tokenTtlMs } : {}),
    });
    return { token, credentialId: credential.id, deviceId: credential.deviceId, org: { id: org.id, name: org.name }, role: credential.role, networkId: this.networkId };
  }

  /** Verifies a token and that its credential still stands; every request goes through here. */
  async authenticate(token: string | undefined, context: RequestContext = {}): Promise<AuthenticatedDevice> {
    if (!token) throw new HubError('unauthorized', 'this request needs a device token');
    const now = this.now();
    const claims = verifyToken(this.secret, token, now);
    const credential: CredentialRow | null = await this.storage.getCredential(claims.cid);
    if (!credential) throw new HubError('unauthorized', 'unknown credential');
    if (credential.revokedAt !== null) {
      // Told why, and whether to erase its copy (docs/PROTOCOL.md, Revoked and wiped devices).
      const device = await this.storage.getDevice(credential.id);
      const revocation = { reason: device?.revokeReason ?? null, revokedAt: credential.revokedAt };
      if (device?.wipe) {
        throw new HubError('device-wiped', 'the secretariat revoked this device and asked it to erase its copy of the network', undefined, undefined, revocation);
      }
      throw new HubError('token-revoked', 'this device credential was revoked', undefined, undefined, revocation);
    }
    if ((this.touchedAt.get(credential.orgId) ?? 0) + TOUCH_INTERVAL_MS < now) {
      this.touchedAt.set(credential.orgId, now);
      await this.storage.touchOrg(credential.orgId, now);
    }
    const touched = this.deviceTouches.get(credential.id);
    const appVersion = context.appVersion !== undefined && /^[\x20-\x7e]{1,40}$/.test(context.appVersion) ? context.appVersion : undefined;
    if (!touched || touched.at + TOUCH_INTERVAL_MS < now || (appVersion !== undefined && appVersion !== touched.appVersion)) {
      this.deviceTouches.set(credential.id, { at: now, appVersion: appVersion ?? touched?.appVersion });
      await this.storage.touchDevice(credential.id, now, appVersion ?? null);
    }
    return { orgId: credential.orgId, role: credential.role, credentialId: credential.id, deviceId: credential.deviceId, expiresAt: claims.exp };
  }

  /** Whether a credential has expired on the hub's clock (its token did; its bundles are refused). */
  isCredentialExpired(credential: Pick<CredentialRow, 'createdAt'>): boolean {
    return credentialExpiresAt(credential.createdAt, this.tokenTtlMs) <= this.now();
  }

  /** `POST /v1/device-key`: a device that joined without a key registers one (once). */
  async registerDeviceKey(device: AuthenticatedDevice, request: DeviceKeyRequest): Promise<{ credentialId: string; publicKey: string }> {
    const publicKey = parseDevicePublicKey(request.publicKey);
    const inForce = await this.storage.registerDeviceKey(device.credentialId, publicKey, this.now());
    if (!areBytesEqual(inForce, publicKey)) {
      throw new HubError('device-key-conflict', 'this device already registered another key; join again with a new invitation to use a new one');
    }
    return { credentialId: device.credentialId, publicKey: request.publicKey };
  }

  async push(device: AuthenticatedDevice, request: PushRequest): Promise<PushResponse> {
    const changes: RecordChangeRequest[] = request.records.map((record) => ({
      id: record.id,
      type: record.type,
      update: new Uint8Array(Buffer.from(record.update, 'base64')),
    }));
    return this.commit(device, changes);
  }

  /** Commits already-decoded changes (push, or the standard Yjs endpoint) and tells listeners. */
  async commit(actor: WriteActor, changes: readonly RecordChangeRequest[]): Promise<PushResponse> {
    return (await this.commitReporting(actor, changes)).response;
  }

  /** As `commit`, also saying which records were written (the rest the hub had already). */
  async commitReporting(
    actor: WriteActor,
    changes: readonly RecordChangeRequest[],
    options: WriteOptions = {},
  ): Promise<{ response: PushResponse; committedIds: readonly string[] }> {
    const { seqs, committedIds } = await commitChanges(this.storage, actor, changes, this.now(), {
      validate: (inputs) => this.validation.validate(inputs),
      quotas: this.quotas,
      ...options,
    });
    const acks = changes.map((change, i) => ({ id: change.id, seq: seqs[i]! }));
    const seq = Math.max(0, ...seqs);
    if (committedIds.length > 0) this.announce({ seq, recordIds: committedIds });
    return { response: { acks, seq }, committedIds };
  }

  /**
   * `POST /v1/bundles`, `hub import-bundle`: a field bundle, refused whole or committed through the
   * write path with the authority of the device that signed it (server/hub/bundles.ts).
   */
  importBundle(bytes: Uint8Array): Promise<BundleImportResult> {
    return importFieldBundle(this, bytes);
  }

  /** Tells listeners about a commit: this process's own, or another's (PostgreSQL fan-out). */
  announce(event: CommitEvent): void {
    for (const listener of this.listeners) listener(event);
  }

  /** Pages of what `actor` may read that changed after `checkpoint` (a whole number). */
  async pull(actor: Actor, checkpoint: number, options: { readonly withProjections?: boolean } = {}): Promise<AsyncGenerator<PullFrame>> {
    // A checkpoint from the future means this hub's data was restored from an older backup:
    // start over rather than wait for the numbers to catch up and miss everything until then.
    const latest = await this.storage.lastSeq();
    const frames = pullFrames(this.storage, actor, checkpoint > latest ? 0 : checkpoint, options);
    // A device's pull (not an internal reader's) moves its checkpoint in the network status.
    if (!('credentialId' in actor) || typeof actor.credentialId !== 'string') return frames;
    const credentialId = actor.credentialId;
    return recordingPullCheckpoint(frames, (seq) => this.storage.setPullCheckpoint(credentialId, seq, this.now()));
  }

  /**
   * The bootstrap for a new device of `actor`'s read scope, or null when none may be served now
   * (the device takes the plain pull from 0). A complete one moves the device's checkpoint in the
   * network status as a finished pull would.
   */
  async bootstrap(actor: AuthenticatedDevice): Promise<ServedBootstrap | null> {
    const served = await this.bootstraps.take(actor);
    if (served?.isComplete) await this.storage.setPullCheckpoint(actor.credentialId, served.checkpoint, this.now());
    return served;
  }

  /** Each organization's last-seen time, and for the secretariat the changes waiting for it. */
  async networkStatus(actor: Actor): Promise<NetworkStatusResponse> {
    const asOf = this.now();
    return { asOf, orgs: await networkStatus(this.storage, actor, asOf) };
  }

  lastSeq(): Promise<number> {
    return this.storage.lastSeq();
  }

  /**
   * Seals every proposal whose closing plus grace (plus the settle margin) has passed at `now` (the
   * hub's clock by default), and tells listeners about each result written. Idempotent; safe to
   * run from several hub processes at once.
   */
  async sealDue(now: number = this.now()): Promise<Map<string, SealOutcome>> {
    const outcomes = await sealDueProposals(this.storage, this.hubKey, now);
    for (const outcome of outcomes.values()) {
      if (outcome.kind === 'sealed') this.announce({ seq: outcome.seq, recordIds: [outcome.resultId] });
    }
    return outcomes;
  }

  /** Collects unreferenced blobs past their grace and abandoned uploads (blobAccess.ts). */
  collectBlobs(now: number = this.now()): Promise<BlobCollection> {
    return this.blobAccess.collect(now);
  }

  /** Collects blobs now and every `intervalMs` (a day by default) until the returned function is called. */
  startBlobCollectionTimer(intervalMs = 24 * 3600_000, onDone: (result: BlobCollection) => void = () => undefined, onError: (error: unknown) => void = () => undefined): () => void {
    let isRunning = false;
    const run = () => {
      if (isRunning) return;
      isRunning = true;
      this.collectBlobs()
        .then(onDone, onError)
        .finally(() => {
          isRunning = false;
        });
    };
    run();
    const timer = setInterval(run, intervalMs);
    timer.unref();
    return () => clearInterval(timer);
  }

  /** Checks for due seals every `intervalMs` until the returned function is called. */
  startSealTimer(intervalMs = 20_000, onError: (error: unknown) => void = () => undefined): () => void {
    let isRunning = false;
    const timer = setInterval(() => {
      if (isRunning) return;
      isRunning = true;
      this.sealDue()
        .catch(onError)
        .finally(() => {
          isRunning = false;
        });
    }, intervalMs);
    timer.unref();
    return () => clearInterval(timer);
  }
}
