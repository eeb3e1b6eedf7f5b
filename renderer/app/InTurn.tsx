import { startTransition, useEffect, useRef, useState, type ReactNode } from 'react';
import { createMountTurns } from './mountTurns';

/** One queue for the whole window: two screens' parts never mount in one task either. */
const turns = createMountTurns();

/**
 * Its children, mounted in a task of their own once the parts queued before them are in
 * (mountTurns.ts): nothing shows in their place until then.
 */
export function InTurn({ children }: { readonly children: ReactNode }) {
  const [isIn, setIsIn] = useState(false);
  const release = useRef<(() => void) | null>(null);
  useEffect(() => {
    // In a transition, as the screens' own updates are (the Reports model, the store's answers):
    // an urgent update here would interrupt them and keep restarting their render (measured: the
    // preview waited half a second for the form's turns).
    const end = turns.take(() => startTransition(() => setIsIn(true)));
    release.current = end;
    return end;
  }, []);
  // Committed: the next part may mount, in a later task.
  useEffect(() => {
    if (isIn) release.current?.();
  }, [isIn]);
  return isIn ? children : null;
}
