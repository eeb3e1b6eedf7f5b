/*
 * The optional capacity self-assessment: each question's chosen answer carries points, multiplied
 * by the question's weight; the total picks the highest stage whose threshold it reaches.
 */

export interface Assessment {
  readonly questions: readonly {
    readonly id: string;
    /** Defaults to 1. */
    readonly weight?: number;
    readonly answers: readonly { readonly id: string; readonly points: number }[];
  }[];
  /** A stage is suggested once the total reaches its `minPoints`. */
  readonly thresholds: readonly { readonly stage: string; readonly minPoints: number }[];
}

export interface StageSuggestion {
  /** Null when the total reaches no threshold. */
  readonly stage: string | null;
  readonly total: number;
  /** Questions without a (known) answer; they count 0, so the suggestion may be too low. */
  readonly unanswered: readonly string[];
}

export function suggestStage(answers: Readonly<Record<string, string>>, assessment: Assessment): StageSuggestion {
  let total = 0;
  const unanswered: string[] = [];
  for (const question of assessment.questions) {
    const chosen = Object.hasOwn(answers, question.id) ? question.answers.find((a) => a.id === answers[question.id]) : undefined;
    if (chosen) total += (question.weight ?? 1) * chosen.points;
    else unanswered.push(question.id);
  }
  total = Math.round(total * 1e9) / 1e9;
  let stage: string | null = null;
  let reached = Number.NEGATIVE_INFINITY;
  // The highest threshold reached wins, whatever order the thresholds were listed in.
  for (const t of assessment.thresholds) {
    if (total >= t.minPoints && t.minPoints > reached) {
      stage = t.stage;
      reached = t.minPoints;
    }
  }
  return { stage, total, unanswered };
}
