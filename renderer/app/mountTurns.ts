/*
 * Parts of a screen that mount one after another, one part per task, instead of all in the commit
 * that shows the screen: the Reports form's dozen Mantine fields (each select measures itself,
 * forcing a style recalculation) took 100 to 190 ms in one commit on a loaded two-core laptop,
 * past the RAIL budget of 50 ms (issue 17). A part asks for its turn; the next turn starts in a
 * task of its own once the part before it says it is in (done), so two parts never share a commit.
 */

export interface MountTurns {
  /**
   * Queues `onTurn`; it runs in a later task, after every part queued before it is done. The
   * returned release ends the turn (call it once the part is in) or, before the turn, leaves the
   * queue; calling it again does nothing.
   */
  take(onTurn: () => void): () => void;
}

interface Turn {
  readonly onTurn: () => void;
  isReleased: boolean;
}

export function createMountTurns(nextTask: (run: () => void) => void = (run) => void setTimeout(run, 0)): MountTurns {
  const waiting: Turn[] = [];
  /** The turn started and not yet released, or a task queued to start one. */
  let isBusy = false;
  let running: Turn | null = null;
  const startNext = () => {
    if (isBusy || waiting.length === 0) return;
    isBusy = true;
    nextTask(() => {
      let turn = waiting.shift();
      while (turn?.isReleased) turn = waiting.shift();
      if (!turn) {
        isBusy = false;
        return;
      }
      running = turn;
      turn.onTurn();
    });
  };
  return {
    take(onTurn) {
      const turn: Turn = { onTurn, isReleased: false };
      waiting.push(turn);
      startNext();
      return () => {
        if (turn.isReleased) return;
        turn.isReleased = true;
        if (running !== turn) return;
        running = null;
        isBusy = false;
        startNext();
      };
    },
  };
}
