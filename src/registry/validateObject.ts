import { validateAnnotations, validateLabels, validateName } from '../apimachinery/validation.ts';
import { invalid, type FieldError } from '../apimachinery/errors.ts';
import { isStatusSubresource, type KubeObject, type ResourceDef } from './types.ts';

/**
 * The validate step of every write: what every object gets (name, labels, annotations),
 * then the kind's own rules (strategy.validate, and validateUpdate against the stored
 * object, or validateStatusUpdate for a write through a status-like subresource; a
 * pod's binding is the server's own). All errors together, as one 422 Invalid with a cause per field.
 */
export function validateObject(def: ResourceDef, obj: KubeObject, old?: KubeObject, subresource?: string): void {
  const name = obj.metadata.name ?? '';
  const errors: FieldError[] = [];
  if (!name) errors.push({ field: 'metadata.name', type: 'FieldValueRequired', detail: 'name or generateName is required' });
  else errors.push(...validateName(name, def.nameRule ?? 'subdomain'));
  errors.push(...validateLabels(obj.metadata.labels, 'metadata.labels'));
  errors.push(...validateAnnotations(obj.metadata.annotations, 'metadata.annotations'));
  errors.push(...(def.strategy?.validate?.(obj) ?? []));
  if (old && !subresource) errors.push(...(def.strategy?.validateUpdate?.(obj, old) ?? []));
  if (old && isStatusSubresource(subresource)) errors.push(...(def.strategy?.validateStatusUpdate?.(obj, old, subresource) ?? []));
  if (errors.length) throw invalid(def.kind, def.group, name, errors);
}
