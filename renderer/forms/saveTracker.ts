/*
 * What the editor's "saved" indicator says. "saved" means durable: every change made so far is on
 * disk (a field's save in the outbox and the record; rich text in the outbox, which the store folds
 * into the record on open should the row write not have happened yet), and no typed text is
 * waiting for its autosave. A failed write says so until the next one succeeds.
 */

export type SaveState = { readonly state: 'saved' } | { readonly state: 'saving' } | { readonly state: 'failed'; readonly message: string };

export class SaveTracker {
  private inFlight = 0;
  private readonly dirty = new Set<string>();
  private failure: string | null = null;
  private readonly listeners = new Set<(state: SaveState) => void>();

  private current: SaveState = { state: 'saved' };

  /** The same object until the state changes (React's useSyncExternalStore compares snapshots by identity). */
  get state(): SaveState {
    return this.current;
  }

  private computeState(): SaveState {
    if (this.inFlight > 0 || this.dirty.size > 0) return { state: 'saving' };
    if (this.failure !== null) return { state: 'failed', message: this.failure };
    return { state: 'saved' };
  }

  onDidChange(listener: (state: SaveState) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** A field has typed text not yet handed to `track` (its autosave is waiting). */
  markDirty(field: string): void {
    this.dirty.add(field);
    this.emit();
  }

  markClean(field: string): void {
    if (this.dirty.delete(field)) this.emit();
  }

  /** Follows a write until it is durable (or fails). */
  track(write: Promise<unknown>): Promise<boolean> {
    this.inFlight += 1;
    this.emit();
    return write.then(
      () => {
        this.inFlight -= 1;
        this.failure = null;
        this.emit();
        return true;
      },
      (error: unknown) => {
        this.inFlight -= 1;
        this.failure = error instanceof Error ? error.message : String(error);
        this.emit();
        return false;
      },
    );
  }

  private emit(): void {
    const next = this.computeState();
    const isSame = next.state === this.current.state && (next.state !== 'failed' || (this.current.state === 'failed' && next.message === this.current.message));
    if (isSame) return;
    this.current = next;
    for (const listener of this.listeners) listener(next);
  }
}
