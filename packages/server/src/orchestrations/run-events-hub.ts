/**
 * In-process fan-out of what happens to runs: engine events, and the dispatcher's live notes (a step waiting for its
 * service, progress a service reports). Event streams subscribe by run id to wake up and to pass live notes on.
 */
export interface LiveNote {
  type: string;
  runId: string;
  stepId: string | null;
  at: number;
  data: unknown;
}

type Listener = (note: LiveNote) => void;

export class RunEventsHub {
  private readonly listeners = new Map<string, Set<Listener>>();

  subscribe(runId: string, listener: Listener): () => void {
    let set = this.listeners.get(runId);
    if (set === undefined) {
      set = new Set();
      this.listeners.set(runId, set);
    }
    set.add(listener);
    return () => {
      set.delete(listener);
      if (set.size === 0) this.listeners.delete(runId);
    };
  }

  publish(note: LiveNote): void {
    for (const listener of this.listeners.get(note.runId) ?? []) listener(note);
  }
}
