import type { DecisionMethodName } from '../../shared/governance/decisionMethods';
import { ballotForms, type BallotFormProps } from './ballotForms';

/** The ballot form of the proposal's method (ballotForms.ts). */
export function BallotChoiceForm<M extends DecisionMethodName>({ method, ...props }: BallotFormProps<M> & { readonly method: M }) {
  const { Form } = ballotForms[method];
  return <Form {...props} />;
}
