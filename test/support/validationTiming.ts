import { ValidationRunner } from '../../server/hub/validationRunner';
import type { ValidationInput } from '../../server/hub/validateUpdate';

/**
 * The time one validation worker takes for `inputs` on this machine, the best of three after a
 * warm-up: tests that need a request budget some batches overrun and others fit set it from this,
 * so they hold on a fast machine and on a loaded one.
 */
export async function bestValidationMs(inputs: readonly ValidationInput[]): Promise<number> {
  const runner = new ValidationRunner({ workers: 1 });
  try {
    await runner.validate(inputs);
    let best = Infinity;
    for (let run = 0; run < 3; run++) {
      const started = performance.now();
      await runner.validate(inputs);
      best = Math.min(best, performance.now() - started);
    }
    return best;
  } finally {
    await runner.close();
  }
}
