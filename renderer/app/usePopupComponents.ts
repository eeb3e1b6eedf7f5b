import { startTransition, useEffect, useState } from 'react';

type PopupComponents = typeof import('./popupComponents');

let loaded: PopupComponents | null = null;
let loading: Promise<PopupComponents> | null = null;

function loadPopupComponents(): Promise<PopupComponents> {
  loading ??= import('./popupComponents').then(
    (module) => (loaded = module),
    (error: unknown) => {
      // The next caller tries again.
      loading = null;
      throw error;
    },
  );
  return loading;
}

/**
 * Mantine's floating components (popupComponents.ts), null until they are here. They load once
 * `isWanted` is true (a list showing its rows, a dialog opened), never before: what shows the
 * first rows does not wait for them. Until then a caller draws a stand-in that looks the same.
 */
export function usePopupComponents(isWanted = true): PopupComponents | null {
  const [components, setComponents] = useState(loaded);
  useEffect(() => {
    if (components || !isWanted) return;
    let isLive = true;
    loadPopupComponents().then(
      (module) => {
        // A transition: swapping every stand-in for the real component redraws the screen, and
        // React may then do it in slices between the user's keystrokes and the rows arriving.
        if (isLive) startTransition(() => setComponents(module));
      },
      () => undefined,
    );
    return () => {
      isLive = false;
    };
  }, [components, isWanted]);
  return components;
}
