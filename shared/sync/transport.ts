import type { NetworkStatusResponse, PushRequest, PushResponse } from './protocol';

/*
 * The ports the sync engine talks through. shared/ runs in the renderer, the main process and
 * tests, so the network and the timers are injected: the engine never touches a global.
 */

/** Why a request did not produce a usable answer. */
export type TransportFailure =
  /** The hub answered with a status other than 200; `code` and `recordId` from its JSON error body. */
  | {
      readonly kind: 'http';
      readonly status: number;
      readonly code: string | null;
      readonly message: string;
      readonly recordId?: string;
      /** From `Retry-After`, where the hub sent one (429). */
      readonly retryAfterMs?: number;
    }
  /** No answer: unreachable, reset, timed out, or the stream broke off. Nothing is known about the hub's side. */
  | { readonly kind: 'network'; readonly message: string };

export type TransportResult<T> = { readonly ok: true; readonly value: T } | { readonly ok: false; readonly failure: TransportFailure };

/** A live announcement from the hub, already parsed. */
export type LiveMessage =
  | { readonly type: 'ready'; readonly seq: number }
  | { readonly type: 'seq'; readonly seq: number }
  | { readonly type: 'error'; readonly code: string | null; readonly message: string };

export interface LiveHandlers {
  /** The socket is open and the hello has been sent. */
  onDidOpen(): void;
  onMessage(message: LiveMessage): void;
  /** Called once, whatever closed it (the hub, the network, or `close()`). */
  onDidClose(event: { readonly code: number; readonly reason: string }): void;
}

export interface LiveSocket {
  close(): void;
}

export interface SyncTransport {
  push(body: PushRequest): Promise<TransportResult<PushResponse>>;
  /**
   * Starts a pull. On success the value is the response body as it arrives; iterating it may
   * throw when the connection breaks, and leaving the loop early releases the connection.
   */
  pull(since: number): Promise<TransportResult<AsyncIterable<Uint8Array>>>;
  openLive(handlers: LiveHandlers): LiveSocket;
  /** GET /v1/network-status. Optional: a transport without it (a test double, a bundle) skips it. */
  networkStatus?(): Promise<TransportResult<NetworkStatusResponse>>;
  /**
   * A cheap request that tells whether the hub answers at all (GET /health): ok with any HTTP
   * answer, a network failure without one. Optional: without it the engine retries whole sessions.
   */
  probe?(): Promise<TransportResult<{ readonly status: number }>>;
}

/**
 * The platform's own idea of whether there is a network (a browser's online/offline events,
 * navigator.onLine). "Offline" is trusted (nothing is tried until it says online again);
 * "online" only means worth a probe: a captive portal or a dead uplink still says online.
 */
export interface ConnectivityPort {
  isOnline(): boolean;
  /** Calls `listener` on every change; returns the unsubscribe. */
  onDidChange(listener: (isOnline: boolean) => void): () => void;
}

/** Time, injected: ES2022 has no timers, and tests may run the engine on a fake clock. */
export interface Clock {
  now(): number;
  setTimeout(callback: () => void, delayMs: number): unknown;
  clearTimeout(handle: unknown): void;
}
