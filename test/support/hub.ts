import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Role } from '../../shared/records/recordType';
import type { JoinResponse } from '../../shared/sync/protocol';
import { Hub } from '../../server/hub/hub';
import type { SealOutcome } from '../../server/hub/sealing';
import type { BootstrapOptions } from '../../server/hub/bootstraps';
import type { OrgQuotas } from '../../server/hub/quotas';
import { initNetwork, inviteOrg } from '../../server/hub/networkAdmin';
import { startHubServer, type HubServer, type HubServerOptions, type LogEntry } from '../../server/http/httpServer';
import { createYjsRoute } from '../../server/http/yjsEndpoint';
import type { ValidationRunnerOptions } from '../../server/hub/validationRunner';
import type { HubStorage } from '../../server/storage/hubStorage';
import { openSqliteStorage } from '../../server/storage/sqliteStorage';
import { FileHubBlobStorage } from '../../server/storage/fileHubBlobStorage';
import type { HubBlobStorage } from '../../server/storage/hubBlobStorage';

/*
 * A real hub for tests: SQLite in a temporary folder, HTTP on 127.0.0.1 with port 0. Logs are
 * captured (tests assert that no token ever reaches them).
 */

export interface TestHub {
  readonly url: string;
  readonly hub: Hub;
  readonly server: HubServer;
  readonly storage: HubStorage;
  readonly logs: LogEntry[];
  readonly secretariatCode: string;
  readonly dataDir: string;
  invite(orgName: string, role?: Role): Promise<string>;
  /** Another device of an existing organization. */
  inviteDevice(orgId: string): Promise<string>;
  join(code: string, deviceName?: string): Promise<JoinResponse>;
  close(): Promise<void>;
}

/**
 * A clock a test moves by hand: pass `clock.now` as startTestHub's `now`, then move it with
 * `advanceHubClock` (governance tests carry a hub past closing plus grace and seal).
 */
export interface ManualClock {
  readonly now: () => number;
  set(ms: number): void;
  advance(ms: number): void;
}

export function manualClock(startMs: number = Date.now()): ManualClock {
  let current = startMs;
  return {
    now: () => current,
    set(ms) {
      current = ms;
    },
    advance(ms) {
      current += ms;
    },
  };
}

/**
 * A clock that follows the real one plus an offset the test moves: for tests where a browser or
 * client stamps casts with the real clock while the hub is carried past closing and grace (the
 * hub refuses casts more than a few minutes ahead of its own clock, so a frozen hub clock would
 * start refusing them as real time runs on).
 */
export function tickingClock(): ManualClock {
  let offsetMs = 0;
  return {
    now: () => Date.now() + offsetMs,
    set(ms) {
      offsetMs = ms - Date.now();
    },
    advance(ms) {
      offsetMs += ms;
    },
  };
}

/**
 * Moves the hub's clock by `ms` and runs its due seals at the new time (the serving hub does this
 * on a timer; test hubs run no timer). Returns what was sealed, by proposal id; a sealed result is
 * announced to live connections like any commit.
 */
export async function advanceHubClock(testHub: Pick<TestHub, 'hub'>, clock: ManualClock, ms: number): Promise<Map<string, SealOutcome>> {
  clock.advance(ms);
  return testHub.hub.sealDue(clock.now());
}

export async function startTestHub(
  options: Partial<Omit<HubServerOptions, 'hub'>> & {
    storage?: HubStorage;
    tokenTtlMs?: number;
    now?: () => number;
    quotas?: Partial<OrgQuotas>;
    validation?: ValidationRunnerOptions;
    /** The hub's bootstraps for new devices (server/hub/bootstraps.ts). */
    bootstrap?: BootstrapOptions;
    /** Where blobs go (made with the hub's clock); files in the test hub's data folder by default. */
    blobs?: (now: () => number) => Promise<HubBlobStorage>;
  } = {},
): Promise<TestHub> {
  const dataDir = mkdtempSync(join(tmpdir(), 'fieldwise-hub-'));
  const storage = options.storage ?? openSqliteStorage(join(dataDir, 'hub.sqlite'));
  await storage.migrate();
  const secretariat = (await storage.getMeta('networkId')) ? null : await initNetwork(storage, { name: 'Test network', topic: 'water' });
  const blobs = options.blobs ? await options.blobs(options.now ?? Date.now) : new FileHubBlobStorage(dataDir, options.now ?? Date.now);
  const hub = await Hub.open({ storage, blobs, ...(options.now ? { now: options.now } : {}), ...(options.tokenTtlMs !== undefined ? { tokenTtlMs: options.tokenTtlMs } : {}), ...(options.quotas ? { quotas: options.quotas } : {}), ...(options.validation ? { validation: options.validation } : {}), ...(options.bootstrap ? { bootstrap: options.bootstrap } : {}) });
  hub.startValidation();
  const logs: LogEntry[] = [];
  const logger = (entry: LogEntry) => logs.push(entry);
  const yjsRoute = createYjsRoute(hub, { logger });
  const server = await startHubServer({ port: 0, revocationCheckMs: 200, upgradeRoutes: [yjsRoute], ...options, hub, logger });
  return {
    url: server.url,
    hub,
    server,
    storage,
    logs,
    dataDir,
    secretariatCode: secretariat?.code ?? '',
    invite: async (orgName, role = 'member') => (await inviteOrg(storage, { orgName, role })).code,
    inviteDevice: async (orgId) => (await inviteOrg(storage, { orgId })).code,
    async join(code, deviceName = 'test laptop') {
      const response = await fetch(`${server.url}/v1/join`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ code, deviceName }) });
      if (response.status !== 200) throw new Error(`join failed: ${response.status} ${await response.text()}`);
      return (await response.json()) as JoinResponse;
    },
    async close() {
      yjsRoute.close();
      await server.close();
      await hub.close();
      await storage.close();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
