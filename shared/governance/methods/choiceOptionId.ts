import { nonEmptyText } from '../../records/fieldSchemas';

/** An option id as a ballot names it. */
export const choiceOptionId = nonEmptyText(40);
