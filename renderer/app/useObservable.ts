import { useEffect, useState, type DependencyList } from 'react';
import type { Observable } from 'rxjs';

/**
 * The latest value of an observable (an RxDB query, a record): the UI follows the store
 * reactively, nothing polls. `initial` shows until the first value arrives.
 */
export function useObservable<T>(factory: () => Observable<T> | null, deps: DependencyList, initial: T): T {
  const [value, setValue] = useState<T>(initial);
  useEffect(() => {
    const observable = factory();
    if (!observable) return;
    const subscription = observable.subscribe({ next: setValue, error: () => undefined });
    return () => subscription.unsubscribe();
    // The caller lists what the factory depends on, as with useMemo.
  }, deps);
  return value;
}
