/**
 * A module worker made by `create`, or undefined where none can start (no Worker, or the browser
 * refuses it). `create` holds the `new Worker(new URL('./x.ts', import.meta.url))` itself: Vite
 * bundles a worker only from that literal form.
 */
export function startModuleWorker(create: () => Worker): Worker | undefined {
  if (typeof Worker === 'undefined') return undefined;
  try {
    return create();
  } catch {
    return undefined;
  }
}
