import { LawInputError } from '../errors.js';
import { chinchillaForm } from './chinchilla.js';
import type { LawForm } from './form.js';
import { sparseForm } from './sparse.js';

/** Every law form, by registry name (the `--form` value). One explicit list. */
export const lawForms: Readonly<Record<string, LawForm>> = Object.freeze({
  [sparseForm.name]: sparseForm,
  [chinchillaForm.name]: chinchillaForm,
});

/** The form registered under `name`; throws LawInputError listing the known names otherwise. */
export function getLawForm(name: string): LawForm {
  const form = Object.hasOwn(lawForms, name) ? lawForms[name] : undefined;
  if (form === undefined) {
    throw new LawInputError(`unknown law form '${name}'; known forms: ${Object.keys(lawForms).join(', ')}`);
  }
  return form;
}
