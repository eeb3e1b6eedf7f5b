import { methodFor, type Choice, type DecisionMethodName } from './decisionMethods';
import type { InvalidChoiceReason, MethodTerms } from './methods/decisionMethod';

/**
 * Why a choice cannot be counted under this proposal, or null when it can: a choice of another
 * method never counts; otherwise the proposal's method decides (its module's invalidReason). The
 * tally and the hub's policy both call this, so a ballot the hub accepts is one the tally counts.
 */
export function invalidChoiceReason(choice: Choice, proposal: MethodTerms & { readonly method: DecisionMethodName }): InvalidChoiceReason | null {
  if (choice.method !== proposal.method) return 'wrong-method';
  return methodFor(proposal.method).invalidReason(choice, proposal);
}
