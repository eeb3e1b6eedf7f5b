import { describe, expect, it, vi } from 'vitest';
import { createWebOfflineApp, desktopOfflineApp, type PersistencePort, type ServiceWorkerPort } from '../../renderer/platform/offlineApp';

/*
 * The browser app's offline pieces (renderer/platform/offlineApp.ts) through stand-ins for the
 * service worker and the StorageManager: an update waits for the person; storage persistence is
 * asked once and reported as the browser answered; the desktop registers nothing.
 */

class FakeWorker implements ServiceWorkerPort {
  readonly listeners = new Map<string, (() => void)[]>();
  registered = 0;
  skipWaitingMessages = 0;
  addEventListener(type: 'waiting' | 'controlling', listener: () => void): void {
    this.listeners.set(type, [...(this.listeners.get(type) ?? []), listener]);
  }
  emit(type: 'waiting' | 'controlling'): void {
    for (const listener of this.listeners.get(type) ?? []) listener();
  }
  register(): Promise<unknown> {
    this.registered += 1;
    return Promise.resolve(undefined);
  }
  update(): Promise<void> {
    return Promise.resolve();
  }
  messageSkipWaiting(): void {
    this.skipWaitingMessages += 1;
  }
}

function storage(answers: { persisted: boolean; persist: boolean }): PersistencePort & { asked: number } {
  const port = {
    asked: 0,
    persisted: () => Promise.resolve(answers.persisted),
    persist: () => {
      port.asked += 1;
      return Promise.resolve(answers.persist);
    },
  };
  return port;
}

function fixture(options: { worker?: FakeWorker | null; storage?: PersistencePort } = {}) {
  const worker = options.worker === undefined ? new FakeWorker() : options.worker;
  let reloads = 0;
  const app = createWebOfflineApp({ serviceWorker: () => worker, storage: options.storage, reload: () => (reloads += 1), isShellStored: () => Promise.resolve(true) });
  return { app, worker, reloads: () => reloads };
}

describe('the browser app offline', () => {
  it('offers a waiting update and reloads only after the person accepts it and the new version controls the page', async () => {
    const { app, worker, reloads } = fixture();
    const seen: boolean[] = [];
    const subscription = app.isUpdateReady$.subscribe((isReady) => seen.push(isReady));
    app.start();
    app.start();
    expect(worker!.registered).toBe(1);
    worker!.emit('waiting');
    expect(seen).toEqual([false, true]);
    // Nothing happens by itself: no skip-waiting message, no reload.
    expect(worker!.skipWaitingMessages).toBe(0);
    expect(reloads()).toBe(0);
    app.applyUpdate();
    expect(worker!.skipWaitingMessages).toBe(1);
    expect(reloads()).toBe(0);
    worker!.emit('controlling');
    expect(reloads()).toBe(1);
    subscription.unsubscribe();
    await expect(app.shellState()).resolves.toBe('ready');
    app.dispose();
  });

  it('does not reload when no update waits', () => {
    const { app, worker, reloads } = fixture();
    app.start();
    app.applyUpdate();
    worker!.emit('controlling');
    expect(worker!.skipWaitingMessages).toBe(0);
    expect(reloads()).toBe(0);
    app.dispose();
  });

  it('asks the browser to keep its storage once, and reports a refusal', async () => {
    const refusing = storage({ persisted: false, persist: false });
    const { app } = fixture({ storage: refusing });
    await expect(app.storagePersistence()).resolves.toBe('refused');
    await expect(app.storagePersistence()).resolves.toBe('refused');
    expect(refusing.asked).toBe(1);
    await expect(fixture({ storage: storage({ persisted: false, persist: true }) }).app.storagePersistence()).resolves.toBe('persisted');
    const granted = storage({ persisted: true, persist: false });
    await expect(fixture({ storage: granted }).app.storagePersistence()).resolves.toBe('persisted');
    expect(granted.asked).toBe(0);
    await expect(fixture().app.storagePersistence()).resolves.toBe('unsupported');
  });

  it('says the shell is not stored where the browser has no service worker', async () => {
    const { app } = fixture({ worker: null });
    app.start();
    await expect(app.shellState()).resolves.toBe('none');
    app.dispose();
  });

  it('says the shell is not stored when the registration failed', async () => {
    const worker = new FakeWorker();
    worker.register = () => Promise.reject(new Error('blocked'));
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => undefined);
    const app = createWebOfflineApp({ serviceWorker: () => worker, storage: undefined, reload: () => undefined, isShellStored: () => Promise.resolve(false) });
    app.start();
    await new Promise((resolve) => setTimeout(resolve, 0));
    await expect(app.shellState()).resolves.toBe('none');
    expect(warn).toHaveBeenCalledOnce();
    warn.mockRestore();
    app.dispose();
  });

  it('registers nothing and asks nothing in the desktop app', async () => {
    await expect(desktopOfflineApp.storagePersistence()).resolves.toBe('app-data');
    await expect(desktopOfflineApp.shellState()).resolves.toBe('desktop');
  });
});
