/** Time source of the host. Injectable so that a virtual clock can fast-forward timers later. */
export interface Clock {
  now(): number;
  /** Calls `fn` once `now()` has reached `at`; returns a cancel function. */
  at(at: number, fn: () => void): () => void;
}

/** Largest delay setTimeout accepts; longer waits re-arm. */
const MAX_TIMEOUT = 2 ** 31 - 1;

export const realClock: Clock = {
  now: () => Date.now(),
  at(at, fn) {
    let handle: NodeJS.Timeout;
    const arm = () => {
      const delay = at - Date.now();
      if (delay <= 0) {
        handle = setImmediate(fn) as unknown as NodeJS.Timeout;
        return;
      }
      handle = setTimeout(delay > MAX_TIMEOUT ? arm : () => (Date.now() >= at ? fn() : arm()), Math.min(delay, MAX_TIMEOUT));
    };
    arm();
    return () => {
      clearTimeout(handle);
      clearImmediate(handle as unknown as NodeJS.Immediate);
    };
  },
};
