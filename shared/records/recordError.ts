import type { ZodError } from 'zod';

/** Bad input to a record's create or mutator: names the field so a form can point at it. */
export class RecordInputError extends Error {
  constructor(
    readonly field: string,
    readonly reason: string,
  ) {
    super(`${field}: ${reason}`);
    this.name = 'RecordInputError';
  }

  static fromZod(error: ZodError, prefix = ''): RecordInputError {
    const first = error.issues[0];
    const path = first?.path.map(String).join('.') ?? '';
    const field = [prefix, path].filter(Boolean).join('.') || '(input)';
    return new RecordInputError(field, first?.message ?? 'invalid value');
  }
}

/**
 * A record's rich text nests deeper than any editor makes (lists in lists, ...): reading it would
 * recurse past the stack, so it is refused as damaged instead (the hub's `bad-update`).
 */
export class NestingTooDeepError extends Error {
  constructor(readonly maxDepth: number) {
    super(`the rich text nests deeper than ${maxDepth} levels`);
    this.name = 'NestingTooDeepError';
  }
}
